/**
 * Shared harness of the sync-sim-0NN scenarios (chrony `test/simulation` style): the real
 * SyncEngine over @chronosync/sim. The engine is driven exactly as the runner drives it
 * (timers, sends, receptions, all at the client's local clock reading); every sampling
 * interval the bounded `now()` is checked against true time.
 *
 * Coverage counts every sampled instant after the first `synchronized` one, whatever the
 * status then (holdover included). The scenarios accept `holdover` as a final status
 * (an outage, lost packets) and report the share of `synchronized` instants. (Before the
 * servo took every new sample of the system peer, a healthy engine could reach
 * `holdover` while every source answered: the filter kept offering one lowest-delay
 * sample for up to 8 polls.)
 */
import {
  type ClockStep,
  Link,
  type LinkOptions,
  SimClock,
  type SimClockOptions,
  SimNetwork,
  SimNtpServer,
  type SimNtpServerOptions,
  Simulator,
} from "@chronosync/sim";
import {
  type SyncAction,
  SyncEngine,
  type SyncEngineOptions,
  type SyncStatusReport,
} from "../../src/index.js";

export const S = 1_000_000_000n;
export const MS = 1_000_000n;
export const US = 1_000n;

export interface SimServerSpec {
  readonly address: string;
  /** Error of the server's clock (local − true). */
  readonly offsetNs?: bigint;
  /** Steps of the server's clock, at simulated seconds from the start. */
  readonly steps?: readonly { readonly atS: number; readonly deltaNs: bigint }[];
  readonly link: LinkOptions;
  readonly rateLimit?: SimNtpServerOptions["rateLimit"];
}

export interface SimScenario {
  readonly servers: readonly SimServerSpec[];
  /** The client's clock (wander needs no prng here: the harness forks one). */
  readonly clock?: Omit<SimClockOptions, "prng" | "steps" | "t0">;
  readonly engine?: Omit<SyncEngineOptions, "sources">;
  readonly durationS: number;
  /** Windows (simulated seconds from the start) in which every packet to or from the client is lost. */
  readonly outages?: readonly { readonly fromS: number; readonly toS: number }[];
  /** Sampling interval, s (default 1). */
  readonly sampleEveryS?: number;
}

/** One sampled instant once synchronized. */
export interface SimSample {
  /** Simulated seconds since the start. */
  readonly tS: number;
  readonly inside: boolean;
  readonly errorNs: number;
  readonly halfWidthNs: number;
  readonly status: string;
}

export interface SimRun {
  readonly samples: SimSample[];
  /** Seconds to the first synchronized instant, −1 if never. */
  readonly firstSyncS: number;
  readonly final: SyncStatusReport;
  readonly servers: Map<string, SimNtpServer>;
}

export function runScenario(scenario: SimScenario, seed: string): SimRun {
  const sim = new Simulator({ seed });
  const net = new SimNetwork(sim);
  const clock = new SimClock(sim, { ...scenario.clock, prng: sim.prng.fork("clock:client") });
  const client = net.addNode("client", clock);
  const servers = new Map<string, SimNtpServer>();
  for (const s of scenario.servers) {
    const steps: ClockStep[] = (s.steps ?? []).map((st) => ({
      at: sim.start + BigInt(Math.round(st.atS * 1e9)),
      deltaNs: st.deltaNs,
    }));
    const node = net.addNode(s.address, new SimClock(sim, { offsetNs: s.offsetNs ?? 0n, steps }));
    net.connect("client", s.address, new Link(s.link, sim.prng.fork(`link:${s.address}`)));
    servers.set(
      s.address,
      new SimNtpServer(net, node, s.rateLimit === undefined ? {} : { rateLimit: s.rateLimit }),
    );
  }
  const outages = (scenario.outages ?? []).map((o) => ({
    from: sim.start + BigInt(o.fromS) * S,
    to: sim.start + BigInt(o.toS) * S,
  }));
  const inOutage = (): boolean => {
    const t = sim.now();
    return outages.some((o) => o.from <= t && t < o.to);
  };
  const engine = new SyncEngine({ ...scenario.engine, sources: scenario.servers.map((s) => s.address) });
  const random = sim.prng.fork("engine");
  const timers = new Map<string, { cancel(): unknown }>();

  const apply = (actions: SyncAction[]): void => {
    for (const { sourceId, action } of actions) {
      switch (action.kind) {
        case "send":
          if (!inOutage()) client.send(sourceId, action.bytes);
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
  client.onReceive((d) => {
    if (!inOutage()) apply(engine.handleIncoming(d.from, d.bytes, clock.now()));
  });
  apply(engine.start(clock.now()));

  const samples: SimSample[] = [];
  let firstSyncS = -1;
  sim.every(BigInt(Math.round((scenario.sampleEveryS ?? 1) * 1e9)), () => {
    const t = sim.now();
    const now = engine.now(clock.localAt(t));
    if (firstSyncS < 0 && now.status !== "synchronized") return;
    const tS = Number((t - sim.start) / MS) / 1000;
    if (firstSyncS < 0) firstSyncS = tS;
    samples.push({
      tS,
      inside: now.earliestNs <= t && t <= now.latestNs,
      errorNs: Math.abs(Number(now.timeNs - t)),
      halfWidthNs: Number(now.halfWidthNs),
      status: now.status,
    });
  });
  sim.run(sim.start + BigInt(scenario.durationS) * S);
  return { samples, firstSyncS, final: engine.status(clock.localAt(sim.now())), servers };
}

export const median = (xs: readonly number[]): number =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
export const quantile = (xs: readonly number[], q: number): number =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))] ?? Number.NaN;
export const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

export interface SimSummary {
  readonly instants: number;
  readonly misses: number;
  readonly coverage: number;
  readonly meanErrorNs: number;
  readonly p99ErrorNs: number;
  readonly medianHalfWidthNs: number;
  /** Fraction of the sampled instants (once synchronized) with status `synchronized`. */
  readonly synchronized: number;
}

export function summarize(samples: readonly SimSample[]): SimSummary {
  const misses = samples.filter((s) => !s.inside).length;
  const errors = samples.map((s) => s.errorNs);
  return {
    instants: samples.length,
    misses,
    coverage: samples.length === 0 ? 0 : (samples.length - misses) / samples.length,
    meanErrorNs: mean(errors),
    p99ErrorNs: quantile(errors, 0.99),
    medianHalfWidthNs: median(samples.map((s) => s.halfWidthNs)),
    synchronized: samples.filter((s) => s.status === "synchronized").length / samples.length,
  };
}

const fmt = (ns: number): string =>
  ns >= 1e6 ? `${(ns / 1e6).toFixed(2)} ms` : `${(ns / 1000).toFixed(1)} µs`;

/** The scenario's one line, with the figures BENCHMARKS.md collects. */
export function report(name: string, runs: readonly SimRun[]): SimSummary {
  const summary = summarize(runs.flatMap((r) => r.samples));
  console.log(
    `${name}: mean |error| ${fmt(summary.meanErrorNs)}, p99 |error| ${fmt(summary.p99ErrorNs)}, ` +
      `coverage ${(summary.coverage * 100).toFixed(3)} % (${summary.misses}/${summary.instants} misses), ` +
      `median half-width ${fmt(summary.medianHalfWidthNs)}, ` +
      `status synchronized ${(summary.synchronized * 100).toFixed(1)} % of instants, ` +
      `first sync ${runs.map((r) => r.firstSyncS).join("/")} s`,
  );
  return summary;
}
