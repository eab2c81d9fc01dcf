/**
 * 003: asymmetry plus bounded jitter of several distributions, several seeds, offset and
 * drifting clocks: every sample stays within |A|/2 + J, and errs by exactly half the
 * applied up/down difference.
 */
import { describe, expect, it } from "vitest";
import {
  asymmetricLink,
  type JitterDistribution,
  jitterBoundNs,
  runNtpExchangeScenario,
} from "../../src/index.js";
import { expectErrorIsHalfAsymmetry, expectWithinAsymmetryBound } from "./bounds.js";

const MS = 1_000_000n;
const US = 1_000n;

const jitters: JitterDistribution[] = [
  { kind: "uniform", maxNs: 2n * MS },
  { kind: "normal", sdNs: 300n * US, maxNs: 1500n * US },
  { kind: "exponential", meanNs: 200n * US, maxNs: 3n * MS },
  { kind: "lognormal", medianNs: 100n * US, sigma: 1.2, maxNs: 5n * MS },
];
const clocks = [
  { server: { offsetNs: 2_500_000_000n }, client: { frequencyPpm: 50 }, serverPpm: 0 },
  { server: { offsetNs: -1_750_000_000n, frequencyPpm: -8 }, client: { frequencyPpm: 50 }, serverPpm: -8 },
  {
    server: { offsetNs: 0n, frequencyPpm: 12 },
    client: { offsetNs: -40_000_000n, frequencyPpm: -50 },
    serverPpm: 12,
  },
];

describe("003 asymmetry and bounded jitter", () => {
  for (const jitter of jitters) {
    it(`${jitter.kind}: |error| ≤ |A|/2 + J across seeds and clocks`, () => {
      const J = jitterBoundNs(jitter)!;
      let worst = 0n;
      for (const [i, clock] of clocks.entries()) {
        for (const asymmetryNs of [0n, 3n * MS, -5n * MS]) {
          for (const seed of [1, 2, 3]) {
            const result = runNtpExchangeScenario({
              seed: `003-${jitter.kind}-${i}-${asymmetryNs}-${seed}`,
              polls: 40,
              pollIntervalNs: 4_000_000_000n,
              ...asymmetricLink({ delayNs: 15n * MS, asymmetryNs, jitter }),
              server: clock.server,
              client: clock.client,
              serverProcessingNs: 100n * US,
            });
            expect(result.samples).toHaveLength(40);
            expectWithinAsymmetryBound(result, asymmetryNs, J, clock.serverPpm);
            expectErrorIsHalfAsymmetry(result, clock.serverPpm);
            for (const s of result.samples) {
              expect(s.appliedUpNs >= 15n * MS + asymmetryNs / 2n).toBe(true);
              const e = s.errorNs - asymmetryNs / 2n;
              if ((e < 0n ? -e : e) > worst) worst = e < 0n ? -e : e;
            }
          }
        }
      }
      // jitter shows in the error, but never past J
      expect(worst).toBeGreaterThan(J / 20n);
      expect(worst).toBeLessThanOrEqual(J);
    });
  }
});
