/**
 * sync-sim-002: four servers, one falseticker at +50 ms. A client clock +37 ms off,
 * +50 ppm fast, wandering 0.001 ppm/√s, polls three true servers (paths of 2–6 ms,
 * exponential or uniform jitter, up to 400 µs asymmetry) and one falseticker +50 ms.
 */
import { asymmetricLink } from "@chronosync/sim";
import { describe, expect, it } from "vitest";
import { MS, report, runScenario, type SimScenario, US } from "./helpers/sync-sim-harness.js";

const FALSETICKER = "10.0.0.4";
const scenario: SimScenario = {
  servers: [
    {
      address: "10.0.0.1",
      link: asymmetricLink({
        delayNs: 2n * MS,
        jitter: { kind: "exponential", meanNs: 100n * US, maxNs: 2n * MS },
      }),
    },
    {
      address: "10.0.0.2",
      link: asymmetricLink({
        delayNs: 4n * MS,
        asymmetryNs: 400n * US,
        jitter: { kind: "exponential", meanNs: 200n * US, maxNs: 3n * MS },
      }),
    },
    {
      address: "10.0.0.3",
      link: asymmetricLink({
        delayNs: 6n * MS,
        asymmetryNs: -300n * US,
        jitter: { kind: "uniform", maxNs: 500n * US },
      }),
    },
    {
      address: FALSETICKER,
      offsetNs: 50n * MS,
      link: asymmetricLink({
        delayNs: 3n * MS,
        jitter: { kind: "exponential", meanNs: 100n * US, maxNs: 2n * MS },
      }),
    },
  ],
  clock: { offsetNs: 37n * MS, frequencyPpm: 50, wander: { ppmPerSqrtS: 0.001, maxPpm: 20 } },
  engine: { poll: { minPoll: 4, maxPoll: 6 } },
  durationS: 3 * 3600,
};

describe("sync-sim-002 four servers, one falseticker at +50 ms", () => {
  it("keeps true time inside the bound and rejects the falseticker", () => {
    const runs = ["002-a", "002-b", "002-c"].map((seed) => runScenario(scenario, seed));
    const s = report("sync-sim-002", runs);
    expect(s.coverage).toBeGreaterThanOrEqual(0.9999);
    expect(s.meanErrorNs).toBeLessThan(Number(1n * MS));
    expect(s.p99ErrorNs).toBeLessThan(Number(15n * MS));
    for (const r of runs) {
      expect(r.firstSyncS).toBeGreaterThanOrEqual(0);
      expect(r.firstSyncS).toBeLessThan(10);
      const t = r.final.tracking;
      // Not "synchronized" always: see the holdover note in helpers/sync-sim-harness.ts.
      expect(t.status).not.toBe("unsynchronized");
      expect(Math.abs(t.frequencyPpm + 50)).toBeLessThan(1);
      const ft = r.final.sources.find((x) => x.id === FALSETICKER)!;
      expect(ft.selection).toBe("falseticker");
      expect(ft.falsetickers).toBeGreaterThan(100);
      expect(t.systemPeer).not.toBe(FALSETICKER);
      for (const x of r.final.sources) if (x.id !== FALSETICKER) expect(x.falsetickers).toBe(0);
    }
  });
});
