/**
 * 103: the servo on an asymmetric path: up 7 ms, down 3 ms (A = 4 ms), 200 µs jitter.
 * Every sample is biased by A/2 = 2 ms, which no two-way method can see; the bound holds
 * because the root distance δ/2 ≥ |A|/2 is part of it.
 */
import { describe, expect, it } from "vitest";
import { asymmetricLink } from "../../src/index.js";
import { MS, reportServo, runServoScenario, S, US } from "./servo-harness.js";

describe("103 servo, asymmetric path", () => {
  it("contains the truth despite the bias", () => {
    const results = [1, 2, 3].map((seed) =>
      runServoScenario({
        seed: `103-${seed}`,
        durationNs: 2n * 3600n * S,
        pollIntervalNs: 64n * S,
        link: asymmetricLink({
          delayNs: 5n * MS,
          asymmetryNs: 4n * MS,
          jitter: { kind: "uniform", maxNs: 200n * US },
        }),
        client: { offsetNs: -37n * MS, frequencyPpm: -50, wander: { ppmPerSqrtS: 0.001, maxPpm: 5 } },
      }),
    );
    const all = reportServo("103 asymmetric A = 4 ms", results);
    expect(all.containment).toBeGreaterThanOrEqual(0.9999);
    // the error is the bias A/2, inside the half-width
    expect(Math.abs(all.medianAbsErrorNs - 2_000_000)).toBeLessThan(100_000);
    expect(all.medianHalfWidthNs).toBeGreaterThan(2_000_000);
  });
});
