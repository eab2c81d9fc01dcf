import { describe, expect, it } from "vitest";
import { createSampleFilter, type FilterSample, InvalidArgumentError, NS_PER_S } from "../src/index.js";

const ms = (x: number): bigint => BigInt(Math.round(x * 1e6));
const sample = (offset: number, delay: number, at = 0n, dispersion = 0): FilterSample => ({
  offsetNs: ms(offset),
  delayNs: ms(delay),
  dispersionNs: ms(dispersion),
  atNs: at,
});

describe("lowest-delay clock filter (RFC 5905 §10)", () => {
  it("is empty until the first sample", () => {
    expect(createSampleFilter().estimate(0n)).toBeUndefined();
  });

  it("chooses the sample with the lowest delay, not the newest", () => {
    const filter = createSampleFilter("lowest-delay", { emptyStageDispersionNs: 0n });
    filter.add(sample(3, 30));
    filter.add(sample(1, 10));
    filter.add(sample(2, 20));
    const est = filter.estimate(0n)!;
    expect(est.offsetNs).toBe(ms(1));
    expect(est.delayNs).toBe(ms(10));
    expect(est.sampleCount).toBe(3);
    // jitter: RMS of (3−1, 2−1) ms over n − 1 = 2 → √(5/2) ms
    expect(est.jitterNs).toBe(BigInt(Math.round(Math.sqrt(2.5) * 1e6)));
  });

  it("ages each sample's dispersion by φ = 15 ppm since it was taken", () => {
    const filter = createSampleFilter("lowest-delay", { emptyStageDispersionNs: 0n });
    filter.add(sample(0, 10, 0n, 1));
    // 1000 s later: ε = 1 ms + 15 ms; one stage: ε/2
    expect(filter.estimate(1000n * NS_PER_S)!.dispersionNs).toBe(ms(8));
    expect(filter.estimate(0n)!.dispersionNs).toBe(ms(0.5));
  });

  it("counts empty stages at MAXDISP (16 s) by default", () => {
    const filter = createSampleFilter();
    filter.add(sample(0, 10, 0n, 2));
    // 2 ms / 2 + 16 s · (1/4 + 1/8 + … + 1/256) = 1 ms + 7.9375 s
    expect(filter.estimate(0n)!.dispersionNs).toBe(7_937_500_000n + ms(1));
  });

  it("weights dispersions 1/2, 1/4, … in delay order", () => {
    const filter = createSampleFilter("lowest-delay", { emptyStageDispersionNs: 0n });
    filter.add(sample(0, 20, 0n, 8)); // second by delay: 8/4
    filter.add(sample(0, 10, 0n, 4)); // first: 4/2
    expect(filter.estimate(0n)!.dispersionNs).toBe(ms(4));
  });

  it("keeps only the last 8 samples", () => {
    const filter = createSampleFilter();
    filter.add(sample(-5, 1)); // lowest delay, but shifted out below
    for (let i = 0; i < 8; i++) filter.add(sample(i, 10 + i, BigInt(i)));
    expect(filter.samples()).toHaveLength(8);
    expect(filter.samples()[0]!.atNs).toBe(7n);
    expect(filter.estimate(10n)!.offsetNs).toBe(ms(0));
  });

  it("prefers the newer sample on equal delay, and clear() forgets", () => {
    const filter = createSampleFilter();
    filter.add(sample(1, 10, 1n));
    filter.add(sample(2, 10, 2n));
    expect(filter.estimate(2n)!.offsetNs).toBe(ms(2));
    expect(filter.estimate(2n)!.atNs).toBe(2n);
    filter.clear();
    expect(filter.estimate(2n)).toBeUndefined();
  });

  it("rejects negative delay or dispersion and unknown kinds", () => {
    expect(() => createSampleFilter().add(sample(0, -1))).toThrow(InvalidArgumentError);
    expect(() => createSampleFilter().add(sample(0, 1, 0n, -1))).toThrow(InvalidArgumentError);
    expect(() => createSampleFilter("bogus" as "median")).toThrow(InvalidArgumentError);
    expect(() => createSampleFilter("median", { stages: 0 })).toThrow(InvalidArgumentError);
  });
});

describe("median clock filter", () => {
  it("chooses the median offset, robust to one wild sample", () => {
    const filter = createSampleFilter("median", { emptyStageDispersionNs: 0n });
    for (const [offset, delay] of [
      [5, 1],
      [1, 9],
      [100, 2],
      [3, 5],
      [2, 4],
    ] as const) {
      filter.add(sample(offset, delay));
    }
    const est = filter.estimate(0n)!;
    expect(filter.kind).toBe("median");
    expect(est.offsetNs).toBe(ms(3));
    expect(est.delayNs).toBe(ms(5));
  });
});
