/**
 * 007: server processing time between T2 and T3 (fixed and random) is removed from the
 * delay by the NTP arithmetic and does not bias the offset.
 */
import { describe, expect, it } from "vitest";
import { runNtpExchangeScenario } from "../../src/index.js";
import { expectErrorIsHalfAsymmetry } from "./bounds.js";

const MS = 1_000_000n;

describe("007 server processing time", () => {
  it("T3 − T2 is the processing time; δ excludes it; θ is unbiased", () => {
    const result = runNtpExchangeScenario({
      seed: 7,
      up: { delayNs: 8n * MS },
      server: { offsetNs: 2_500_000_000n, frequencyPpm: 20 },
      serverProcessingNs: 50n * MS,
      serverProcessingJitter: { kind: "uniform", maxNs: 10n * MS },
    });
    expectErrorIsHalfAsymmetry(result, 20);
    let varied = false;
    for (const s of result.samples) {
      const processing = s.t3 - s.t2;
      expect(processing >= 50n * MS && processing <= 60n * MS + 2_000n).toBe(true); // + 20 ppm
      if (processing > 51n * MS) varied = true;
      expect(s.delayNs - 16n * MS).toBeLessThanOrEqual(1_300n); // 20 ppm × 60 ms + rounding
      expect(s.delayNs - 16n * MS).toBeGreaterThanOrEqual(-1_300n);
      expect(s.errorNs >= -5n && s.errorNs <= 5n).toBe(true);
    }
    expect(varied).toBe(true);
  });
});
