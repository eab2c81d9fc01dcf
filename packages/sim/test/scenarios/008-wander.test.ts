/**
 * 008: clocks that wander. The true offset drifts as a random walk, the measurement
 * follows it, and the per-sample error bound still holds.
 */
import { describe, expect, it } from "vitest";
import { asymmetricLink, runNtpExchangeScenario } from "../../src/index.js";
import { expectWithinAsymmetryBound } from "./bounds.js";

const MS = 1_000_000n;

describe("008 wandering clocks", () => {
  it("keeps the bound while the true offset wanders", () => {
    const A = 1n * MS;
    const J = 500_000n;
    for (const seed of [1, 2, 3]) {
      const result = runNtpExchangeScenario({
        seed: `008-${seed}`,
        polls: 200,
        ...asymmetricLink({ delayNs: 5n * MS, asymmetryNs: A, jitter: { kind: "uniform", maxNs: J } }),
        client: { offsetNs: 1_000_000n, frequencyPpm: 50, wander: { ppmPerSqrtS: 0.05, maxPpm: 20 } },
        server: { wander: { ppmPerSqrtS: 0.01, maxPpm: 5 } },
      });
      expectWithinAsymmetryBound(result, A, J, 5, 4n);
      // the offset is not a straight line: second differences of the truth are not all ~0
      const truth = result.samples.map((s) => Number(s.trueOffsetNs));
      const curvature = truth.slice(2).map((x, i) => Math.abs(x - 2 * truth[i + 1]! + truth[i]!));
      expect(Math.max(...curvature)).toBeGreaterThan(1_000);
    }
  });
});
