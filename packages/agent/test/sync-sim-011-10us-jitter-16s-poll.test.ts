/**
 * sync-sim-011: 10 µs jitter (exponential, mean 10 µs), one server, 16 s poll. chrony's
 * own simulation reports 35 ± 8 µs here; the goal is mean |error| ≤ 20 µs.
 */
import { asymmetricLink } from "@chronosync/sim";
import { describe, expect, it } from "vitest";
import { MS, report, runScenario, type SimScenario, US } from "./helpers/sync-sim-harness.js";

const scenario: SimScenario = {
  servers: [
    {
      address: "10.0.0.1",
      link: asymmetricLink({
        delayNs: 1n * MS,
        jitter: { kind: "exponential", meanNs: 10n * US, maxNs: 200n * US },
      }),
    },
  ],
  clock: { offsetNs: 2n * MS, frequencyPpm: 20, wander: { ppmPerSqrtS: 0.001, maxPpm: 20 } },
  engine: { poll: { minPoll: 4, maxPoll: 4 } },
  durationS: 3 * 3600,
};

describe("sync-sim-011 10 µs jitter, one server, 16 s poll", () => {
  it("reaches mean |error| ≤ 20 µs with true time inside the bound", () => {
    const runs = ["011-a", "011-b", "011-c"].map((seed) => runScenario(scenario, seed));
    const s = report("sync-sim-011", runs);
    expect(s.coverage).toBeGreaterThanOrEqual(0.9999);
    expect(s.meanErrorNs).toBeLessThan(Number(20n * US));
    expect(s.p99ErrorNs).toBeLessThan(Number(500n * US));
    for (const r of runs) // Not "synchronized" always: see the holdover note in helpers/sync-sim-harness.ts.
      expect(r.final.tracking.status).not.toBe("unsynchronized");
  });
});
