/** 002: a fixed asymmetry A = up − down: every sample errs by exactly A/2. */
import { describe, expect, it } from "vitest";
import { asymmetricLink, runNtpExchangeScenario } from "../../src/index.js";
import { expectErrorIsHalfAsymmetry, expectWithinAsymmetryBound, ROUNDING_NS } from "./bounds.js";

const MS = 1_000_000n;

describe("002 asymmetric link, no jitter", () => {
  for (const asymmetryNs of [4n * MS, -6n * MS, 1n * MS + 1n]) {
    it(`A = ${asymmetryNs} ns: error = A/2`, () => {
      const result = runNtpExchangeScenario({
        seed: 2,
        ...asymmetricLink({ delayNs: 20n * MS, asymmetryNs }),
        server: { offsetNs: 2_500_000_000n },
        client: { frequencyPpm: 50 },
      });
      expectErrorIsHalfAsymmetry(result);
      expectWithinAsymmetryBound(result, asymmetryNs, 0n);
      for (const s of result.samples) {
        expect(
          s.errorNs - asymmetryNs / 2n >= -ROUNDING_NS && s.errorNs - asymmetryNs / 2n <= ROUNDING_NS,
        ).toBe(true);
        // the asymmetry is invisible in δ, the round trip as the client's 50 ppm clock sees it
        const delayError = s.delayNs - (40n * MS + 2_000n);
        expect(delayError >= -ROUNDING_NS && delayError <= ROUNDING_NS).toBe(true);
      }
    });
  }

  it("a fully one-sided path (down = 0) errs by half the round trip, the worst case δ/2", () => {
    const result = runNtpExchangeScenario({ seed: 3, up: { delayNs: 30n * MS }, down: { delayNs: 0n } });
    for (const s of result.samples) expect(s.errorNs - 15n * MS <= ROUNDING_NS).toBe(true);
    for (const s of result.samples) expect(s.errorNs - s.delayNs / 2n >= -ROUNDING_NS).toBe(true);
  });
});
