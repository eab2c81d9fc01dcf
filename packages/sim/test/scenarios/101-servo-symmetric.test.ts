/**
 * 101: the servo on a symmetric path with low jitter. Client clock +37 ms, +50 ppm, a
 * little wander; 100 µs uniform jitter each way; 16 s poll; 3 h. The virtual clock's
 * bound holds at every sampled second, the estimate converges (frequency within 1 ppm
 * after an hour) and is much tighter than the bound.
 */
import { describe, expect, it } from "vitest";
import { asymmetricLink } from "../../src/index.js";
import { MS, reportServo, runServoScenario, S, US } from "./servo-harness.js";

describe("101 servo, symmetric path, low jitter", () => {
  it("contains the truth and converges", () => {
    const results = [1, 2, 3].map((seed) =>
      runServoScenario({
        seed: `101-${seed}`,
        durationNs: 3n * 3600n * S,
        pollIntervalNs: 16n * S,
        link: asymmetricLink({ delayNs: 5n * MS, jitter: { kind: "uniform", maxNs: 100n * US } }),
        client: { offsetNs: 37n * MS, frequencyPpm: 50, wander: { ppmPerSqrtS: 0.001, maxPpm: 5 } },
        frequencyProbesNs: [3600n * S, 7200n * S, 10_000n * S],
      }),
    );
    const all = reportServo("101 symmetric, 100 µs jitter", results);
    expect(all.containment).toBeGreaterThanOrEqual(0.9999);
    for (const r of results) {
      for (const f of r.frequencyErrorPpm) expect(f).toBeLessThan(1);
      // after the first hour the error is a few µs
      const late = r.checks.filter((c) => c.atNs > 3600n * S).map((c) => Math.abs(c.errorNs));
      expect(Math.max(...late)).toBeLessThan(50_000);
    }
    expect(all.medianAbsErrorNs).toBeLessThan(all.medianHalfWidthNs / 10);
  });
});
