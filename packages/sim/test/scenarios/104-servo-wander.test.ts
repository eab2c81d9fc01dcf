/**
 * 104: a wandering oscillator. The client's frequency random-walks at 0.01 ppm/√s (ten
 * times the default model: ~0.6 ppm per hour); the servo is told (q2 = 100 (ns/s)²/s),
 * and, separately, the default model meets a clock that wanders three times faster than
 * it assumes. Both keep the bound.
 */
import { describe, expect, it } from "vitest";
import { asymmetricLink } from "../../src/index.js";
import { MS, reportServo, runServoScenario, S, US } from "./servo-harness.js";

const link = asymmetricLink({ delayNs: 2n * MS, jitter: { kind: "uniform", maxNs: 100n * US } });

describe("104 servo, frequency wander", () => {
  it("tracks a strongly wandering clock with a matching model", () => {
    const results = [1, 2, 3].map((seed) =>
      runServoScenario({
        seed: `104-${seed}`,
        durationNs: 3n * 3600n * S,
        pollIntervalNs: 16n * S,
        link,
        client: { offsetNs: 37n * MS, frequencyPpm: 50, wander: { ppmPerSqrtS: 0.01, maxPpm: 20 } },
        kalman: { randomWalkFrequencyNs2PerS3: 100 },
        frequencyProbesNs: [3600n * S, 7200n * S, 10_000n * S],
      }),
    );
    const all = reportServo("104 wander 0.01 ppm/√s, matched model", results);
    expect(all.containment).toBeGreaterThanOrEqual(0.9999);
    for (const r of results) for (const f of r.frequencyErrorPpm) expect(f).toBeLessThan(1);
    expect(all.medianAbsErrorNs).toBeLessThan(all.medianHalfWidthNs / 10);
  });

  it("keeps the bound when the clock wanders more than the default model", () => {
    const results = [1, 2, 3].map((seed) =>
      runServoScenario({
        seed: `104b-${seed}`,
        durationNs: 3n * 3600n * S,
        pollIntervalNs: 64n * S,
        link,
        client: { offsetNs: 37n * MS, frequencyPpm: 50, wander: { ppmPerSqrtS: 0.003, maxPpm: 20 } },
      }),
    );
    const all = reportServo("104b wander 0.003 ppm/√s, default model", results);
    expect(all.containment).toBeGreaterThanOrEqual(0.9999);
  });
});
