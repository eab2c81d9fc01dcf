/**
 * sync-sim-001: the real SyncEngine over the simulator (chrony `test/simulation` style).
 * A client clock +37 ms off, +50 ppm fast, wandering 0.001 ppm/√s, polls four servers:
 * three true (paths of 2–6 ms, exponential jitter, up to 400 µs asymmetry) and one
 * falseticker +200 ms. For three simulated hours the engine is driven exactly as the
 * runner will drive it (timers, sends, receptions, all at the client's local clock
 * reading); every simulated second the bounded `now()` is checked against true time.
 */
import {
  asymmetricLink,
  Link,
  type LinkOptions,
  SimClock,
  SimNetwork,
  SimNtpServer,
  Simulator,
} from "@chronosync/sim";
import { describe, expect, it } from "vitest";
import { type SyncAction, SyncEngine, type SyncStatusReport } from "../src/index.js";

const S = 1_000_000_000n;
const MS = 1_000_000n;
const US = 1_000n;

const FALSETICKER = "10.0.0.4";
const servers: { address: string; offsetNs: bigint; link: LinkOptions }[] = [
  {
    address: "10.0.0.1",
    offsetNs: 0n,
    link: asymmetricLink({
      delayNs: 2n * MS,
      jitter: { kind: "exponential", meanNs: 100n * US, maxNs: 2n * MS },
    }),
  },
  {
    address: "10.0.0.2",
    offsetNs: 0n,
    link: asymmetricLink({
      delayNs: 4n * MS,
      asymmetryNs: 400n * US,
      jitter: { kind: "exponential", meanNs: 200n * US, maxNs: 3n * MS },
    }),
  },
  {
    address: "10.0.0.3",
    offsetNs: 0n,
    link: asymmetricLink({
      delayNs: 6n * MS,
      asymmetryNs: -300n * US,
      jitter: { kind: "uniform", maxNs: 500n * US },
    }),
  },
  {
    address: FALSETICKER,
    offsetNs: 200n * MS,
    link: asymmetricLink({
      delayNs: 3n * MS,
      jitter: { kind: "exponential", meanNs: 100n * US, maxNs: 2n * MS },
    }),
  },
];

interface Result {
  checks: number;
  misses: number;
  halfWidths: number[];
  errors: number[];
  firstSyncS: number;
  final: SyncStatusReport;
}

function run(seed: string, durationNs: bigint): Result {
  const sim = new Simulator({ seed });
  const net = new SimNetwork(sim);
  const clock = new SimClock(sim, {
    offsetNs: 37n * MS,
    frequencyPpm: 50,
    wander: { ppmPerSqrtS: 0.001, maxPpm: 20 },
    prng: sim.prng.fork("clock:client"),
  });
  const client = net.addNode("client", clock);
  for (const s of servers) {
    const node = net.addNode(s.address, new SimClock(sim, { offsetNs: s.offsetNs }));
    net.connect("client", s.address, new Link(s.link, sim.prng.fork(`link:${s.address}`)));
    new SimNtpServer(net, node);
  }
  const engine = new SyncEngine({ sources: servers.map((s) => s.address), poll: { minPoll: 4, maxPoll: 6 } });
  const random = sim.prng.fork("engine");
  const timers = new Map<string, { cancel(): unknown }>();

  // The runner: carry out the engine's actions on the simulated network.
  const apply = (actions: SyncAction[]): void => {
    for (const { sourceId, action } of actions) {
      switch (action.kind) {
        case "send":
          client.send(sourceId, action.bytes);
          break;
        case "setTimer": {
          timers.get(sourceId)?.cancel();
          // local → true: the local clock runs within 100 ppm of true time; close enough for a timer.
          const delay = action.atNs - clock.now();
          const handle = sim.after(delay > 0n ? delay : 0n, () => {
            timers.delete(sourceId);
            apply(engine.handleTimer(sourceId, clock.now(), (n) => random.bytes(n)));
          });
          timers.set(sourceId, handle);
          break;
        }
        case "demobilize":
          timers.get(sourceId)?.cancel();
          break;
        case "sample":
          break;
      }
    }
  };
  client.onReceive((d) => apply(engine.handleIncoming(d.from, d.bytes, clock.now())));
  apply(engine.start(clock.now()));

  const result: Result = {
    checks: 0,
    misses: 0,
    halfWidths: [],
    errors: [],
    firstSyncS: -1,
    final: engine.status(0n),
  };
  let synced = false;
  sim.every(S, () => {
    const t = sim.now();
    const now = engine.now(clock.localAt(t));
    if (!synced && now.status !== "synchronized") return;
    if (!synced) result.firstSyncS = Number((t - sim.start) / MS) / 1000;
    synced = true;
    result.checks++;
    if (!(now.earliestNs <= t && t <= now.latestNs)) result.misses++;
    result.halfWidths.push(Number(now.halfWidthNs));
    result.errors.push(Math.abs(Number(now.timeNs - t)));
  });
  sim.run(sim.start + durationNs);
  result.final = engine.status(clock.localAt(sim.now()));
  return result;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
const quantile = (xs: number[], q: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))] ?? Number.NaN;

describe("sync-sim-001 four servers, one falseticker at +200 ms, drifting client", () => {
  it("keeps true time inside the bound and rejects the falseticker", () => {
    const results = ["001-a", "001-b", "001-c"].map((seed) => run(seed, 3n * 3600n * S));
    const checks = results.reduce((a, r) => a + r.checks, 0);
    const misses = results.reduce((a, r) => a + r.misses, 0);
    const halfWidths = results.flatMap((r) => r.halfWidths);
    const errors = results.flatMap((r) => r.errors);
    const containment = (checks - misses) / checks;
    const us = (ns: number) => `${(ns / 1000).toFixed(1)} µs`;
    console.log(
      `sync-sim-001: ${checks} instants, containment ${(containment * 100).toFixed(3)} % (${misses} misses), ` +
        `median half-width ${us(median(halfWidths))}, median |error| ${us(median(errors))}, ` +
        `p99 |error| ${us(quantile(errors, 0.99))}, first sync after ${results.map((r) => r.firstSyncS).join("/")} s`,
    );
    expect(containment).toBeGreaterThanOrEqual(0.9999);
    expect(median(errors)).toBeLessThan(median(halfWidths) / 5);
    for (const r of results) {
      expect(r.firstSyncS).toBeGreaterThanOrEqual(0);
      expect(r.firstSyncS).toBeLessThan(10);
      expect(r.checks).toBeGreaterThan(10_700);
      const t = r.final.tracking;
      expect(t.status).toBe("synchronized");
      expect(Math.abs(t.frequencyPpm + 50)).toBeLessThan(1);
      const ft = r.final.sources.find((s) => s.id === FALSETICKER)!;
      expect(ft.selection).toBe("falseticker");
      expect(ft.falsetickers).toBeGreaterThan(100);
      expect(t.systemPeer).not.toBe(FALSETICKER);
      for (const s of r.final.sources) if (s.id !== FALSETICKER) expect(s.falsetickers).toBe(0);
    }
  });
});
