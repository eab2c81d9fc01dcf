// The reliability score of a source (api/score.ts).
import { describe, expect, it } from "vitest";
import { SCORE_FALSETICKER_HALF, SCORE_JITTER_HALF_NS, sourceScore } from "../src/index.js";

describe("sourceScore", () => {
  it("is 1 for a fully reachable, never rejected source without jitter", () => {
    expect(sourceScore({ reachability: 1, falsetickers: 0, jitterNs: 0n })).toBe(1);
    expect(sourceScore({ reachability: 1, falsetickers: 0, jitterNs: undefined })).toBe(1);
  });

  it("is 0 for a source that never answered", () => {
    expect(sourceScore({ reachability: 0, falsetickers: 0, jitterNs: undefined })).toBe(0);
  });

  it("scales with reachability", () => {
    expect(sourceScore({ reachability: 0.5, falsetickers: 0, jitterNs: 0n })).toBe(0.5);
    expect(sourceScore({ reachability: 0.875, falsetickers: 0, jitterNs: 0n })).toBe(0.875);
  });

  it("halves after SCORE_FALSETICKER_HALF rejections; one glitch costs little", () => {
    expect(sourceScore({ reachability: 1, falsetickers: SCORE_FALSETICKER_HALF, jitterNs: 0n })).toBe(0.5);
    expect(sourceScore({ reachability: 1, falsetickers: 1, jitterNs: 0n })).toBe(0.889);
    expect(sourceScore({ reachability: 1, falsetickers: 1000, jitterNs: 0n })).toBe(0.008);
  });

  it("halves at SCORE_JITTER_HALF_NS of jitter", () => {
    expect(sourceScore({ reachability: 1, falsetickers: 0, jitterNs: BigInt(SCORE_JITTER_HALF_NS) })).toBe(
      0.5,
    );
    expect(sourceScore({ reachability: 1, falsetickers: 0, jitterNs: 50_000n })).toBe(0.952);
    expect(sourceScore({ reachability: 1, falsetickers: 0, jitterNs: 9_000_000 })).toBe(0.1);
  });

  it("multiplies the factors", () => {
    expect(sourceScore({ reachability: 0.5, falsetickers: 8, jitterNs: 1_000_000n })).toBe(0.125);
  });

  it("decreases in each input and stays in [0, 1] for odd inputs", () => {
    let prev = 2;
    for (const f of [0, 1, 2, 4, 8, 16, 64]) {
      const s = sourceScore({ reachability: 1, falsetickers: f, jitterNs: 0n });
      expect(s).toBeLessThan(prev);
      prev = s;
    }
    for (const input of [
      { reachability: 2, falsetickers: -3, jitterNs: -5n },
      { reachability: -1, falsetickers: 0, jitterNs: 0n },
      { reachability: Number.NaN, falsetickers: Number.NaN, jitterNs: Number.NaN },
    ]) {
      const s = sourceScore(input);
      expect(s).toBeGreaterThanOrEqual(0);
      expect(s).toBeLessThanOrEqual(1);
    }
  });
});
