/**
 * Acceptance (d): an asymmetric path. The impairment relay (its own process, so its
 * busy-wait does not disturb our timestamps) adds 8 ms client→server and 2 ms
 * server→client in front of chronyd. `queryNtp` then reports +3 ms where the truth is
 * ~0: offset θ = ((T2−T1) + (T3−T4))/2 = (8 − 2)/2 ms.
 *
 * That is the physical limit of two-way time transfer, not a bug: a client sees only
 * the round trip (10 ms) and must assume it splits evenly, so half the asymmetry
 * ((up − down)/2) lands in the offset and is invisible from the client's side. The
 * error is always bounded by delay/2 (core's `asymmetryBound`).
 */
import { queryNtp } from "@chronosync/protocols";
import { afterAll, beforeAll, expect, it } from "vitest";
import {
  type ChronydHandle,
  ensurePeerPrograms,
  type SpawnedImpairmentRelay,
  spawnImpairmentRelay,
  startChronydServer,
} from "../src/index.js";

let server: ChronydHandle | null = null;
let relay: SpawnedImpairmentRelay | null = null;

beforeAll(() => ensurePeerPrograms());
afterAll(async () => {
  await relay?.stop().catch(() => {});
  await server?.stop();
});

const ms = (ns: bigint) => Number(ns) / 1e6;

it("8 ms up / 2 ms down shows as +3 ms (± 0.5 ms) offset", { timeout: 60_000 }, async () => {
  server = await startChronydServer();
  const direct = await queryNtp({ host: "127.0.0.1", port: server.port }, { samples: 4, intervalMs: 50 });
  relay = await spawnImpairmentRelay({
    target: { host: "127.0.0.1", port: server.port },
    up: { delayMs: 8 },
    down: { delayMs: 2 },
    maxSeconds: 60,
  });
  const via = await queryNtp(relay.address, { samples: 8, intervalMs: 50, timeoutMs: 1000 });
  const report = await relay.stop();
  relay = null;
  const offsetMs = ms(via.best.offsetNs);
  console.log(
    `direct offset ${ms(direct.best.offsetNs).toFixed(3)} ms; through 8/2 ms relay offset ${offsetMs.toFixed(3)} ms, delay ${ms(via.best.delayNs).toFixed(3)} ms; relay applied up ${JSON.stringify(report.up.applied)} down ${JSON.stringify(report.down.applied)}`,
  );
  expect(Math.abs(offsetMs - 3)).toBeLessThan(0.5);
  // The relay adds its 10 ms, never less, plus its own forwarding and timer lateness (which
  // a loaded machine stretches: 1.17 ms seen with three test files at once).
  const added = ms(via.best.delayNs) - ms(direct.best.delayNs);
  expect(added).toBeGreaterThan(9.5);
  expect(added).toBeLessThan(12);
  expect(report.stopReason).toBe("stopped");
  expect(report.up.forwarded).toBe(8);
  expect(report.down.forwarded).toBe(8);
  // Never early; the best packets on time (medians suffer when the machine is loaded).
  expect(report.up.applied!.minMs).toBeGreaterThanOrEqual(8);
  expect(report.up.applied!.minMs).toBeLessThan(8.5);
  expect(report.down.applied!.minMs).toBeGreaterThanOrEqual(2);
  expect(report.down.applied!.minMs).toBeLessThan(2.5);
});

it("the relay CLI stops by itself at --max-packets and reports", { timeout: 30_000 }, async () => {
  const echoTarget = await startChronydServer();
  try {
    const r = await spawnImpairmentRelay({
      target: { host: "127.0.0.1", port: echoTarget.port },
      maxPackets: 4,
    });
    const result = await queryNtp(r.address, { samples: 2, intervalMs: 20 });
    expect(result.samples).toHaveLength(2);
    const report = await r.done;
    expect(report.stopReason).toBe("max-packets");
    expect(report.up.received + report.down.received).toBe(4);
  } finally {
    await echoTarget.stop();
  }
});
