import { describe, expect, it } from "vitest";
import { Prng } from "../src/prng.js";

function draws(prng: Prng, n: number, f: (p: Prng) => number): number[] {
  return Array.from({ length: n }, () => f(prng));
}

function meanAndSd(xs: number[]): { mean: number; sd: number } {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const variance = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1);
  return { mean, sd: Math.sqrt(variance) };
}

describe("Prng", () => {
  it("gives the same stream for the same seed and different ones for different seeds", () => {
    const a = draws(new Prng(42), 100, (p) => p.nextUint32());
    const b = draws(new Prng(42), 100, (p) => p.nextUint32());
    const c = draws(new Prng(43), 100, (p) => p.nextUint32());
    const d = draws(new Prng("42"), 100, (p) => p.nextUint32());
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    expect(d).toEqual(a); // a seed is its string form
  });

  it("pins the stream (a change of generator is a visible change of every run)", () => {
    expect(draws(new Prng("chronosync"), 4, (p) => p.nextUint32())).toMatchInlineSnapshot(`
      [
        3652436745,
        3933426312,
        3361516351,
        2378371933,
      ]
    `);
  });

  it("forks by label, independent of the parent's draws", () => {
    const parent = new Prng(7);
    const early = parent.fork("x");
    draws(parent, 1000, (p) => p.next());
    const late = parent.fork("x");
    expect(draws(early, 10, (p) => p.next())).toEqual(draws(late, 10, (p) => p.next()));
    expect(parent.fork("x").key).toBe("7/x");
    expect(draws(parent.fork("y"), 10, (p) => p.next())).not.toEqual(
      draws(parent.fork("x"), 10, (p) => p.next()),
    );
  });

  it("clones its current state", () => {
    const p = new Prng(1);
    p.next();
    const q = p.clone();
    expect(draws(q, 20, (r) => r.nextUint32())).toEqual(draws(p, 20, (r) => r.nextUint32()));
  });

  it("draws uniform values in [0, 1) with the right moments and flat buckets", () => {
    const xs = draws(new Prng(3), 100_000, (p) => p.next());
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    const { mean, sd } = meanAndSd(xs);
    expect(mean).toBeCloseTo(0.5, 2);
    expect(sd).toBeCloseTo(Math.sqrt(1 / 12), 2);
    const buckets = new Array<number>(10).fill(0);
    for (const x of xs) buckets[Math.floor(x * 10)]!++;
    const chi2 = buckets.reduce((a, o) => a + (o - 10_000) ** 2 / 10_000, 0);
    expect(chi2).toBeLessThan(27.9); // χ²(9), p = 0.001
  });

  it("draws unbiased integers and Bernoulli trials", () => {
    const p = new Prng(4);
    const counts = [0, 0, 0];
    for (let i = 0; i < 30_000; i++) counts[p.int(3)]!++;
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(400);
    let hits = 0;
    for (let i = 0; i < 100_000; i++) if (p.chance(0.1)) hits++;
    expect(Math.abs(hits - 10_000)).toBeLessThan(400);
    expect(p.chance(0)).toBe(false);
    expect(p.chance(1)).toBe(true);
  });

  it("draws normal, exponential and log-normal values with the right moments", () => {
    const p = new Prng(5);
    const normal = meanAndSd(draws(p, 100_000, (r) => r.normal(10, 3)));
    expect(normal.mean).toBeCloseTo(10, 1);
    expect(normal.sd).toBeCloseTo(3, 1);
    const exp = meanAndSd(draws(p, 100_000, (r) => r.exponential(2)));
    expect(exp.mean).toBeCloseTo(2, 1);
    expect(exp.sd).toBeCloseTo(2, 1);
    const logs = draws(p, 100_000, (r) => r.lognormal(1, 0.5)).sort((a, b) => a - b);
    expect(logs[50_000]!).toBeCloseTo(Math.E, 1); // median = e^mu
  });

  it("gives random bytes of any length, deterministically", () => {
    for (const n of [0, 1, 3, 4, 5, 8, 33]) expect(new Prng(9).bytes(n)).toHaveLength(n);
    expect(new Prng(9).bytes(8)).toEqual(new Prng(9).bytes(8));
    const bytes = new Prng(10).bytes(4096);
    const mean = bytes.reduce((a, b) => a + b, 0) / bytes.length;
    expect(Math.abs(mean - 127.5)).toBeLessThan(5);
  });
});
