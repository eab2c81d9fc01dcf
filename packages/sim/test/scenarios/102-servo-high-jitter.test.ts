/**
 * 102: the servo under heavy jitter: 5 ms exponential queueing each way (capped at 40 ms)
 * on a 10 ms path, 32 s poll, 3 h. Individual samples err by milliseconds; the filter
 * averages them and the bound (δ/2 of the last sample + the filter's 5σ) still holds.
 */
import { describe, expect, it } from "vitest";
import { asymmetricLink } from "../../src/index.js";
import { MS, reportServo, runServoScenario, S } from "./servo-harness.js";

describe("102 servo, high jitter", () => {
  it("contains the truth and averages the jitter", () => {
    const results = [1, 2, 3].map((seed) =>
      runServoScenario({
        seed: `102-${seed}`,
        durationNs: 3n * 3600n * S,
        pollIntervalNs: 32n * S,
        link: asymmetricLink({
          delayNs: 10n * MS,
          jitter: { kind: "exponential", meanNs: 5n * MS, maxNs: 40n * MS },
        }),
        client: { offsetNs: 37n * MS, frequencyPpm: 50, wander: { ppmPerSqrtS: 0.001, maxPpm: 5 } },
        frequencyProbesNs: [7200n * S, 10_000n * S],
      }),
    );
    const all = reportServo("102 high jitter, 5 ms exponential", results);
    expect(all.containment).toBeGreaterThanOrEqual(0.9999);
    for (const r of results) for (const f of r.frequencyErrorPpm) expect(f).toBeLessThan(2);
    expect(all.medianAbsErrorNs).toBeLessThan(all.medianHalfWidthNs / 5);
  });
});
