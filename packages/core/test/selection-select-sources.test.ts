import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  candidateRootDistance,
  findIntersection,
  InvalidArgumentError,
  MINDISP_NS,
  type SelectionResult,
  type SourceCandidate,
  selectSources,
} from "../src/index.js";

const ms = (x: number): bigint => BigInt(Math.round(x * 1e6));
const source = (id: string, offset: number, extra: Partial<SourceCandidate> = {}): SourceCandidate => ({
  id,
  offsetNs: ms(offset),
  delayNs: ms(10),
  dispersionNs: ms(1),
  jitterNs: ms(1),
  rootDelayNs: ms(10),
  rootDispersionNs: ms(3),
  stratum: 2,
  ...extra,
});

describe("selectSources (RFC 5905 §11.2 pipeline)", () => {
  it("3 truechimers + 1 falseticker at +50 ms", () => {
    // λ = (10 + 10)/2 + 3 + 1 + 1 = 15 ms for everyone.
    const result = selectSources([source("a", 0), source("b", 1), source("c", -1), source("bad", 50)]);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.sources.map((s) => [s.id, s.state])).toEqual([
      ["a", "selected"],
      ["b", "selected"],
      ["c", "selected"],
      ["bad", "falseticker"],
    ]);
    expect(result.sources[0]!.rootDistanceNs).toBe(ms(15));
    expect(result.systemPeer).toBe("a"); // equal merit: the first id
    expect(result.offsetNs).toBe(0n); // equal weights: mean of 0, 1, −1
    expect(result.intersection).toEqual({ lowNs: ms(-14), highNs: ms(14) });
    expect(result.stratum).toBe(3);
    expect(result.rootDelayNs).toBe(ms(20));
    // peer: root dispersion 3 + dispersion 1 + |Θ − θ_P| 0 + system jitter √(1 + (1+1)/3) ms
    const jitter = BigInt(Math.round(Math.sqrt(1 + 2 / 3) * 1e6));
    expect(result.jitterNs).toBe(jitter);
    expect(result.rootDispersionNs).toBe(ms(4) + jitter);
    expect(result.rootDistanceNs).toBe(ms(10) + ms(4) + jitter);
  });

  it("five servers, two falsetickers agreeing with each other: the majority wins", () => {
    const result = selectSources([
      source("a", 0),
      source("b", 1),
      source("c", 2),
      source("x", 80),
      source("y", 81),
    ]);
    expect(result.ok && result.sources.filter((s) => s.state === "falseticker").map((s) => s.id)).toEqual([
      "x",
      "y",
    ]);
  });

  it("2 against 2: no majority, every usable source stays a candidate", () => {
    const result = selectSources([source("a", 0), source("b", 1), source("x", 80), source("y", 81)]);
    expect(result).toMatchObject({ ok: false, reason: "no-majority" });
    expect(result.sources.every((s) => s.state === "candidate")).toBe(true);
  });

  it("marks clustering discards as outliers", () => {
    // all five overlap (λ = 15 ms); 12 ms is furthest from the rest and goes; then the
    // largest selection jitter (√(0.56/3) ≈ 0.43 ms, for 0 and 0.6) is within ψ = 1 ms: stop.
    const result = selectSources([0, 0.2, 0.4, 0.6, 12].map((o, i) => source(`s${i}`, o)));
    expect(result.sources.map((s) => s.state)).toEqual([
      "selected",
      "selected",
      "selected",
      "selected",
      "outlier",
    ]);
  });

  it("stratum ≥ 16 and root distance > MAXDIST are unusable", () => {
    const result = selectSources([
      source("a", 0),
      source("unsync", 0, { stratum: 16 }),
      source("far", 0, { rootDispersionNs: ms(2000) }),
    ]);
    expect(result.sources.map((s) => [s.state, s.unusableReason])).toEqual([
      ["selected", undefined],
      ["unusable", "stratum"],
      ["unusable", "distance"],
    ]);
    expect(selectSources([source("unsync", 0, { stratum: 16 })])).toMatchObject({
      ok: false,
      reason: "no-candidates",
    });
  });

  it("rejects duplicate ids", () => {
    expect(() => selectSources([source("a", 0), source("a", 1)])).toThrow(InvalidArgumentError);
  });
});

// ---- properties ------------------------------------------------------------------

const fields = fc.record({
  delayNs: fc.bigInt(0n, ms(100)),
  dispersionNs: fc.bigInt(0n, ms(50)),
  jitterNs: fc.bigInt(0n, ms(10)),
  rootDelayNs: fc.bigInt(0n, ms(50)),
  rootDispersionNs: fc.bigInt(0n, ms(50)),
  stratum: fc.integer({ min: 1, max: 4 }),
});

/** Truechimers whose midpoints are within λ_min/2 of the true offset 0, plus f < n/2 falsetickers far away. */
const population = fc
  .record({
    truth: fc.array(fc.record({ f: fields, k: fc.integer({ min: -1000, max: 1000 }) }), {
      minLength: 1,
      maxLength: 8,
    }),
    liars: fc.array(fc.record({ f: fields, side: fc.boolean(), extra: fc.bigInt(1n, ms(1000)) }), {
      maxLength: 7,
    }),
  })
  .map(({ truth, liars }) => {
    const fit = liars.slice(0, truth.length - 1); // f < number of truechimers ⇔ f < n/2
    const distances = truth.map(({ f }) => candidateRootDistance({ id: "", offsetNs: 0n, ...f }));
    const lambdaMin = [...distances].sort((a, b) => Number(a - b))[0]!;
    const lambdaSum = distances.reduce((a, b) => a + b, 0n);
    const good = truth.map(({ f, k }, i) => ({
      id: `t${i}`,
      ...f,
      offsetNs: ((lambdaMin / 2n) * BigInt(k)) / 1000n,
    }));
    const bad = fit.map(({ f, side, extra }, i) => {
      const away = candidateRootDistance({ id: "", offsetNs: 0n, ...f }) + 2n * lambdaSum + extra;
      return { id: `f${i}`, ...f, offsetNs: side ? away : -away };
    });
    return { good, bad };
  });

const anyCandidates = fc
  .array(fc.record({ f: fields, offset: fc.bigInt(-ms(200), ms(200)) }), { minLength: 1, maxLength: 9 })
  .map((xs) => xs.map(({ f, offset }, i): SourceCandidate => ({ id: `s${i}`, ...f, offsetNs: offset })));

function normalize(result: SelectionResult): SelectionResult {
  return { ...result, sources: [...result.sources].sort((a, b) => (a.id < b.id ? -1 : 1)) };
}

describe("selection properties", () => {
  it("(a) fewer than half falsetickers far away: all of them and only them are rejected", () => {
    fc.assert(
      fc.property(population, ({ good, bad }) => {
        const result = selectSources([...good, ...bad]);
        expect(result.ok).toBe(true);
        const state = new Map(result.sources.map((s) => [s.id, s.state]));
        for (const b of bad) expect(state.get(b.id)).toBe("falseticker");
        for (const g of good) expect(["selected", "outlier"]).toContain(state.get(g.id));
        if (result.ok) expect(result.intersection.lowNs <= 0n && 0n <= result.intersection.highNs).toBe(true);
      }),
    );
  });

  it("(b) the combined offset lies inside the intersection interval", () => {
    fc.assert(
      fc.property(anyCandidates, (candidates) => {
        const result = selectSources(candidates);
        if (!result.ok) return;
        expect(result.offsetNs >= result.intersection.lowNs).toBe(true);
        expect(result.offsetNs <= result.intersection.highNs).toBe(true);
        expect(result.rootDistanceNs >= MINDISP_NS / 2n).toBe(true);
      }),
    );
  });

  it("(c) the result does not depend on the order of the candidates", () => {
    const withOrder = anyCandidates.chain((xs) =>
      fc.tuple(fc.constant(xs), fc.shuffledSubarray(xs, { minLength: xs.length, maxLength: xs.length })),
    );
    fc.assert(
      fc.property(withOrder, ([xs, shuffled]) => {
        expect(normalize(selectSources(shuffled))).toEqual(normalize(selectSources(xs)));
        expect(findIntersection(shuffled.map((c) => ({ ...c, rootDistanceNs: 1n })))).toEqual(
          findIntersection(xs.map((c) => ({ ...c, rootDistanceNs: 1n }))),
        );
      }),
    );
  });
});
