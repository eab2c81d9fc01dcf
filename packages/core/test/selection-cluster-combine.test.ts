import { describe, expect, it } from "vitest";
import {
  type ClusterCandidate,
  clusterSurvivors,
  combineSurvivors,
  InvalidArgumentError,
  selectionJitters,
} from "../src/index.js";

const ms = (x: number): bigint => BigInt(Math.round(x * 1e6));
const c = (id: string, offset: number, distance: number, jitter = 0.5, stratum = 2): ClusterCandidate => ({
  id,
  offsetNs: ms(offset),
  rootDistanceNs: ms(distance),
  jitterNs: ms(jitter),
  stratum,
});

describe("cluster algorithm (RFC 5905 §11.2.2)", () => {
  it("selection jitter is the RMS offset difference over n − 1", () => {
    // offsets 0, 1, 2 ms: for 0 → √((1 + 4)/2) ms
    const [j0] = selectionJitters([{ offsetNs: 0n }, { offsetNs: ms(1) }, { offsetNs: ms(2) }]);
    expect(j0).toBeCloseTo(Math.sqrt(2.5) * 1e6, 3);
  });

  it("discards the furthest survivor first, down to NMIN = 3", () => {
    // 20 ms is furthest (φ_S ≈ 18.5 ms > ψ 0.5 ms). Then 0 and 3 tie at √(14/3) ms:
    // the worse merit (d) goes. Three remain: stop.
    const result = clusterSurvivors([
      c("e", 20, 14),
      c("a", 0, 10),
      c("c", 2, 12),
      c("b", 1, 11),
      c("d", 3, 13),
    ]);
    expect(result.outliers).toEqual(["e", "d"]);
    expect(result.survivors.map((s) => s.id)).toEqual(["a", "b", "c"]);
    expect(result.systemPeer).toBe("a");
    expect(result.survivors[1]!.selectionJitterNs).toBe(ms(1)); // √((1 + 1)/2) ms
  });

  it("stops when the largest selection jitter is within the smallest peer jitter", () => {
    const result = clusterSurvivors([c("a", 0, 10, 5), c("b", 1, 10, 5), c("c", 2, 10, 5), c("d", 3, 10, 5)]);
    expect(result.outliers).toEqual([]);
    expect(result.survivors).toHaveLength(4);
  });

  it("keeps four sources of one clock whose offsets differ by their own noise", () => {
    // Four loopback servers on one clock: offsets a few µs apart, jitters of the same size.
    const us = (x: number): bigint => BigInt(Math.round(x * 1e3));
    const loop = (id: string, offset: number, jitter: number): ClusterCandidate => ({
      id,
      offsetNs: us(offset),
      rootDistanceNs: us(15),
      jitterNs: us(jitter),
      stratum: 1,
    });
    const four = [loop("a", 0, 2), loop("b", 2.5, 2.2), loop("c", -1.5, 1.8), loop("d", 1, 2.4)];
    const result = clusterSurvivors(four);
    expect(result.outliers).toEqual([]);
    expect(result.survivors).toHaveLength(4);
    // The RFC's own test (φ_S ≤ min ψ) would have pruned the furthest one:
    const phi = selectionJitters(four);
    expect(Math.max(...phi)).toBeGreaterThan(1800);
    // …and a real outlier among them still goes.
    expect(clusterSurvivors([...four, loop("e", 40, 2)]).outliers).toEqual(["e"]);
  });

  it("judges the spread against every survivor's noise, not the quietest one's", () => {
    // Seen on loopback: the least noisy source sits 5 µs from three noisier ones.
    const us = (x: number): bigint => BigInt(Math.round(x * 1e3));
    const loop = (id: string, offset: number, jitter: number): ClusterCandidate => ({
      id,
      offsetNs: us(offset),
      rootDistanceNs: us(15),
      jitterNs: us(jitter),
      stratum: 1,
    });
    const four = [
      loop("a", 0.137, 1.401),
      loop("b", -4.593, 4.538),
      loop("c", -4.076, 5.778),
      loop("d", -6.198, 7.593),
    ];
    expect(clusterSurvivors(four).outliers).toEqual([]);
    // With a quiet majority the same spread is an outlier.
    const quiet = [loop("a", 0.137, 1.401), loop("b", -4.593, 1), loop("c", -4.076, 1), loop("d", -6.198, 1)];
    expect(clusterSurvivors(quiet).outliers).toEqual(["a"]);
  });

  it("does not prune identical offsets with zero jitter", () => {
    const all = ["a", "b", "c", "d", "e"].map((id) => c(id, 1, 10, 0));
    expect(clusterSurvivors(all).survivors).toHaveLength(5);
  });

  it("orders survivors by stratum first, then root distance", () => {
    const result = clusterSurvivors([c("near", 0, 1, 0.5, 3), c("far", 0, 100, 0.5, 1)]);
    expect(result.survivors.map((s) => s.id)).toEqual(["far", "near"]);
  });

  it("honours minSurvivors and an empty input", () => {
    const result = clusterSurvivors([c("a", 0, 10), c("b", 1, 10), c("z", 50, 10)], { minSurvivors: 2 });
    expect(result.outliers).toEqual(["z"]);
    expect(clusterSurvivors([])).toEqual({ survivors: [], outliers: [], systemPeer: undefined });
  });
});

describe("combine algorithm (RFC 5905 §11.2.3)", () => {
  it("weights offsets by 1/λ", () => {
    // (0/10 + 30/30) / (1/10 + 1/30) = 7.5 ms
    const result = combineSurvivors([
      { offsetNs: 0n, rootDistanceNs: ms(10), jitterNs: 0n },
      { offsetNs: ms(30), rootDistanceNs: ms(30), jitterNs: 0n },
    ]);
    expect(result.offsetNs).toBe(ms(7.5));
  });

  it("selection jitter is the weighted RMS about the system peer; system jitter adds ψ_P", () => {
    const result = combineSurvivors([
      { offsetNs: 0n, rootDistanceNs: ms(10), jitterNs: ms(3) },
      { offsetNs: ms(8), rootDistanceNs: ms(10), jitterNs: ms(1) },
    ]);
    expect(result.offsetNs).toBe(ms(4));
    expect(result.selectionJitterNs).toBe(BigInt(Math.round(Math.sqrt(32) * 1e6))); // √(64/2) ms
    expect(result.jitterNs).toBe(BigInt(Math.round(Math.sqrt(9 + 32) * 1e6)));
  });

  it("one survivor is the combination; none is an error", () => {
    expect(combineSurvivors([{ offsetNs: 5n, rootDistanceNs: 0n, jitterNs: 2n }])).toEqual({
      offsetNs: 5n,
      selectionJitterNs: 0n,
      jitterNs: 2n,
    });
    expect(() => combineSurvivors([])).toThrow(InvalidArgumentError);
  });
});
