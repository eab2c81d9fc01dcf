import { describe, expect, it } from "vitest";
import { compileJitter, type JitterDistribution, jitterBoundNs } from "../src/distributions.js";
import { asymmetricLink, Link, Path } from "../src/link.js";
import { Prng } from "../src/prng.js";

const MS = 1_000_000n;

function delays(path: Path, n: number): bigint[] {
  const out: bigint[] = [];
  for (let i = 0; i < n; i++) {
    const t = path.transit();
    if (!t.lost) out.push(t.delayNs);
  }
  return out;
}

describe("jitter distributions", () => {
  const cases: [string, JitterDistribution][] = [
    ["none", { kind: "none" }],
    ["uniform", { kind: "uniform", maxNs: 2n * MS }],
    ["normal", { kind: "normal", sdNs: 1n * MS, maxNs: 3n * MS }],
    ["normal with mean", { kind: "normal", meanNs: 2n * MS, sdNs: 1n * MS, maxNs: 5n * MS }],
    ["exponential", { kind: "exponential", meanNs: 500_000n, maxNs: 4n * MS }],
    ["lognormal", { kind: "lognormal", medianNs: 300_000n, sigma: 1, maxNs: 6n * MS }],
  ];
  for (const [name, jitter] of cases) {
    it(`${name}: every draw lies in [0, bound]`, () => {
      const sample = compileJitter(jitter);
      const bound = jitterBoundNs(jitter)!;
      const prng = new Prng(name);
      for (let i = 0; i < 20_000; i++) {
        const x = sample(prng);
        expect(x >= 0n && x <= bound).toBe(true);
      }
    });
  }

  it("has the configured centre", () => {
    const prng = new Prng(1);
    const mean = (j: JitterDistribution) => {
      const s = compileJitter(j);
      let sum = 0;
      for (let i = 0; i < 50_000; i++) sum += Number(s(prng));
      return sum / 50_000;
    };
    expect(mean({ kind: "uniform", maxNs: 1_000n })).toBeCloseTo(500, -1);
    expect(mean({ kind: "exponential", meanNs: 1_000n })).toBeCloseTo(1_000, -2);
    // half-normal: mean = σ·√(2/π)
    expect(mean({ kind: "normal", sdNs: 1_000n })).toBeCloseTo(1_000 * Math.sqrt(2 / Math.PI), -2);
  });

  it("reports unbounded distributions and rejects bad parameters", () => {
    expect(jitterBoundNs({ kind: "exponential", meanNs: 1n })).toBeNull();
    expect(() => compileJitter({ kind: "uniform", maxNs: -1n })).toThrow(/≥ 0/);
    expect(() => compileJitter({ kind: "lognormal", medianNs: 0n, sigma: 1 })).toThrow(/median/);
  });
});

describe("Path and Link", () => {
  it("applies base + jitter within the configured bounds and reports it", () => {
    const path = new Path({ delayNs: 10n * MS, jitter: { kind: "uniform", maxNs: 1n * MS } }, new Prng(1));
    expect(path.minDelayNs).toBe(10n * MS);
    expect(path.maxDelayNs).toBe(11n * MS);
    const ds = delays(path, 10_000);
    expect(ds).toHaveLength(10_000);
    for (const d of ds) expect(d >= 10n * MS && d <= 11n * MS).toBe(true);
    const t = path.transit();
    expect(t.lost || t.delayNs === 10n * MS + t.jitterNs + t.extraNs).toBe(true);
  });

  it("loses about the configured fraction", () => {
    const path = new Path({ delayNs: 1n, lossProbability: 0.2 }, new Prng(2));
    const n = 50_000;
    const delivered = delays(path, n).length;
    expect(path.stats.sent).toBe(n);
    expect(path.stats.lost).toBe(n - delivered);
    expect(Math.abs(path.stats.lost / n - 0.2)).toBeLessThan(0.01);
  });

  it("reorders: held packets arrive after later ones, within the extra bound", () => {
    const path = new Path(
      { delayNs: 5n * MS, reorder: { probability: 0.1, maxExtraNs: 20n * MS } },
      new Prng(3),
    );
    expect(path.maxDelayNs).toBe(25n * MS);
    const arrivals: bigint[] = [];
    for (let i = 0; i < 2_000; i++) {
      const t = path.transit();
      if (!t.lost) arrivals.push(BigInt(i) * MS + t.delayNs); // one packet per ms
      if (!t.lost) expect(t.delayNs <= 25n * MS).toBe(true);
    }
    let overtaken = 0;
    for (let i = 1; i < arrivals.length; i++) if (arrivals[i]! < arrivals[i - 1]!) overtaken++;
    expect(path.stats.reordered).toBeGreaterThan(150);
    expect(overtaken).toBeGreaterThan(50);
  });

  it("keeps order without jitter or reordering", () => {
    const path = new Path({ delayNs: 5n * MS }, new Prng(4));
    expect(new Set(delays(path, 100))).toEqual(new Set([5n * MS]));
    expect(path.stats.reordered).toBe(0);
  });

  it("builds asymmetric links with up − down = A exactly", () => {
    const options = asymmetricLink({ delayNs: 10n * MS, asymmetryNs: 3n * MS + 1n, lossProbability: 0.5 });
    expect(options.up.delayNs - options.down!.delayNs).toBe(3n * MS + 1n);
    expect(options.up.lossProbability).toBe(0.5);
    const link = new Link(options, new Prng(5));
    expect(link.asymmetryNs).toBe(3n * MS + 1n);
    expect(() => asymmetricLink({ delayNs: 1n, asymmetryNs: 10n })).toThrow(/too large/);
  });

  it("gives each direction its own stream and the same run for the same seed", () => {
    const opts = { up: { delayNs: 0n, jitter: { kind: "uniform", maxNs: 1_000_000n } as const } };
    const a = new Link(opts, new Prng("s"));
    const b = new Link(opts, new Prng("s"));
    expect(delays(a.up, 50)).toEqual(delays(b.up, 50));
    expect(delays(a.down, 50)).not.toEqual(delays(a.up, 50));
  });

  it("rejects bad options", () => {
    expect(() => new Path({ delayNs: -1n }, new Prng(1))).toThrow();
    expect(() => new Path({ delayNs: 1n, lossProbability: 1.5 }, new Prng(1))).toThrow(/\[0, 1\]/);
  });
});
