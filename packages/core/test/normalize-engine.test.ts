import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  DEFAULT_NORMALIZE_CONFIG as CONFIG,
  InvalidArgumentError,
  type NormalizeInput,
  type NormalizePolicy,
  normalizeTimestamp,
  normalizeWithPolicy,
  type OffsetReport,
  offsetFromHistory,
  PrecisionThresholdExceededError,
  rejectionError,
  TimestampDivergenceError,
} from "../src/index.js";

const S = 1_000_000_000n;
const T0 = 1_700_000_000n * S;
const report = (atS: number, offsetNs: bigint, boundNs: bigint, frequencyPpm = 0): OffsetReport => ({
  atNs: T0 + BigInt(atS) * S,
  offsetNs,
  boundNs,
  frequencyPpm,
});
const history = [
  report(0, 1_000_000n, 50_000n, 2),
  report(100, 1_200_000n, 80_000n, 2),
  report(200, 1_000_000n, 20_000n, -3),
];
const atS = (s: number) => T0 + BigInt(Math.round(s * 1e9));
const agent = (originalNs: bigint, precisionS = 0): NormalizeInput => ({
  originalNs,
  precisionS,
  model: { kind: "agent-history", history },
});

describe("agent history (a)", () => {
  it("at a report: that report's offset and bound", () => {
    const r = normalizeTimestamp(agent(atS(100)));
    expect(r).toEqual({
      normalizedNs: atS(100) + 1_200_000n,
      uncertaintyNs: 80_000n,
      method: "agent-history",
      offsetNs: 1_200_000n,
      flags: [],
    });
  });

  it("between reports: linear interpolation, max bound + σf × distance to the nearer report", () => {
    const r = normalizeTimestamp(agent(atS(25), 0.000001));
    expect(r.offsetNs).toBe(1_050_000n);
    // max(50 µs, 80 µs) + 1 ppm × 25 s + 1 µs precision
    expect(r.uncertaintyNs).toBe(80_000n + 25_000n + 1_000n);
    expect(normalizeTimestamp(agent(atS(150))).offsetNs).toBe(1_100_000n);
    expect(normalizeTimestamp(agent(atS(150))).uncertaintyNs).toBe(80_000n + 50_000n);
    expect(normalizeTimestamp(agent(atS(199.999999999))).uncertaintyNs).toBe(80_000n + 1n);
  });

  it("after the last report: its frequency; bound + φ·age + σf·age", () => {
    const r = normalizeTimestamp(agent(atS(300)));
    expect(r.offsetNs).toBe(1_000_000n - 300_000n); // −3 ppm × 100 s
    expect(r.uncertaintyNs).toBe(20_000n + 1_500_000n + 100_000n); // 15 ppm and 1 ppm × 100 s
    expect(normalizeTimestamp(agent(atS(200.5))).uncertaintyNs).toBe(20_000n + 7_500n + 500n);
  });

  it("before the first report: extrapolated backwards the same way", () => {
    const r = normalizeTimestamp(agent(atS(-10)));
    expect(r.offsetNs).toBe(1_000_000n - 20_000n);
    expect(r.uncertaintyNs).toBe(50_000n + 160_000n);
  });

  it("binary search matches a linear scan over a long history", () => {
    const long = Array.from({ length: 500 }, (_, i) =>
      report(i * 7, BigInt(i * 37 - 4000), BigInt(1000 + (i % 13)), (i % 5) - 2),
    );
    for (let s = -20; s < 3600; s += 3.3) {
      const t = atS(s);
      const i = long.findLastIndex((r) => r.atNs <= t);
      const r0 = long[i];
      const r1 = long[i + 1];
      const got = offsetFromHistory(long, t, CONFIG);
      if (r0 && r1 && t !== r0.atNs) {
        const [lo, hi] = r0.offsetNs < r1.offsetNs ? [r0.offsetNs, r1.offsetNs] : [r1.offsetNs, r0.offsetNs];
        expect(got.offsetNs >= lo && got.offsetNs <= hi).toBe(true);
      } else {
        const from = r0 ?? long[0]!;
        expect(got.offsetNs).toBe(offsetFromHistory([from], t, CONFIG).offsetNs);
      }
    }
  });

  it("rejects an empty, unordered or negative-bound history", () => {
    const bad: OffsetReport[][] = [
      [],
      [report(1, 0n, 0n), report(1, 0n, 0n)],
      [report(2, 0n, 0n), report(1, 0n, 0n)],
      [report(1, 0n, -1n)],
      [report(1, 0n, 0n, Number.NaN)],
    ];
    for (const h of bad) {
      expect(() =>
        normalizeTimestamp({ originalNs: T0, precisionS: 0, model: { kind: "agent-history", history: h } }),
      ).toThrow(InvalidArgumentError);
    }
  });
});

describe("request timestamp and latency (b)", () => {
  const base = {
    kind: "request-latency" as const,
    requestTimestampNs: atS(10),
    serverReceiveNs: atS(10) + 5_000_000n,
  };
  it("with a measured round trip: latency rtt/2, uncertainty ± rtt/2", () => {
    const r = normalizeTimestamp({
      originalNs: atS(10),
      precisionS: 0,
      model: { ...base, roundTripNs: 2_000_001n },
    });
    expect(r).toEqual({
      normalizedNs: atS(10) + 4_000_000n,
      uncertaintyNs: 1_000_001n,
      method: "request-latency",
      offsetNs: 4_000_000n,
      latencyNs: 1_000_000n,
      flags: [],
    });
    const zero = normalizeTimestamp({
      originalNs: atS(10),
      precisionS: 0,
      model: { ...base, roundTripNs: 0n },
    });
    expect([zero.offsetNs, zero.uncertaintyNs, zero.latencyNs]).toEqual([5_000_000n, 0n, 0n]);
  });

  it("without one: the estimate's midpoint ± half its range (model's, else config's)", () => {
    const own = normalizeTimestamp({
      originalNs: atS(10),
      precisionS: 0,
      model: { ...base, latencyEstimate: { minNs: 1_000_000n, maxNs: 3_000_000n } },
    });
    expect([own.latencyNs, own.offsetNs, own.uncertaintyNs]).toEqual([2_000_000n, 3_000_000n, 1_000_000n]);
    const dflt = normalizeTimestamp({ originalNs: atS(10), precisionS: 0.001, model: base });
    expect([dflt.latencyNs, dflt.offsetNs, dflt.uncertaintyNs]).toEqual([
      50_000_000n,
      -45_000_000n,
      51_000_000n,
    ]);
  });

  it("an event stamped away from the request adds φ × the distance", () => {
    const r = normalizeTimestamp({
      originalNs: atS(-90),
      precisionS: 0,
      model: { ...base, roundTripNs: 0n },
    });
    expect(r.offsetNs).toBe(5_000_000n);
    expect(r.uncertaintyNs).toBe(1_500_000n);
  });

  it("rejects a negative round trip or an inverted estimate", () => {
    expect(() =>
      normalizeTimestamp({ originalNs: T0, precisionS: 0, model: { ...base, roundTripNs: -1n } }),
    ).toThrow(InvalidArgumentError);
    expect(() =>
      normalizeTimestamp({
        originalNs: T0,
        precisionS: 0,
        model: { ...base, latencyEstimate: { minNs: 2n, maxNs: 1n } },
      }),
    ).toThrow(InvalidArgumentError);
  });
});

describe("no offset model (c)", () => {
  it("normalized = original, uncertainty = the claimed precision", () => {
    expect(normalizeTimestamp({ originalNs: T0, precisionS: 0.25, model: { kind: "none" } })).toEqual({
      normalizedNs: T0,
      uncertaintyNs: 250_000_000n,
      method: "none",
      offsetNs: 0n,
      flags: [],
    });
    expect(() =>
      normalizeTimestamp({ originalNs: T0, precisionS: 0, model: { kind: "other" } as never }),
    ).toThrow(/unknown offset model/);
  });
});

describe("policy", () => {
  const flat = (offsetNs: bigint, boundNs: bigint): NormalizeInput => ({
    originalNs: T0,
    precisionS: 0.000001,
    model: { kind: "agent-history", history: [{ atNs: T0, offsetNs, boundNs, frequencyPpm: 0 }] },
  });
  const policy: NormalizePolicy = { maxDivergenceNs: 1_000_000n, maxUncertaintyNs: 100_000n, strict: false };

  it("a value exactly at a limit passes; one ns beyond is flagged (either sign)", () => {
    expect(normalizeWithPolicy(flat(1_000_000n, 99_000n), policy)).toMatchObject({
      ok: true,
      result: { flags: [] },
    });
    expect(normalizeWithPolicy(flat(-1_000_000n, 99_000n), policy)).toMatchObject({
      ok: true,
      result: { flags: [] },
    });
    expect(normalizeWithPolicy(flat(1_000_001n, 99_000n), policy)).toMatchObject({
      ok: true,
      result: { flags: ["TIMESTAMP_DIVERGENCE"] },
    });
    expect(normalizeWithPolicy(flat(-1_000_001n, 99_000n), policy)).toMatchObject({
      ok: true,
      result: { flags: ["TIMESTAMP_DIVERGENCE"] },
    });
    // the claimed precision (1 µs) counts toward the threshold
    expect(normalizeWithPolicy(flat(0n, 99_001n), policy)).toMatchObject({
      ok: true,
      result: { flags: ["PRECISION_THRESHOLD_EXCEEDED"] },
    });
    expect(normalizeWithPolicy(flat(2_000_000n, 200_000n), policy)).toMatchObject({
      ok: true,
      result: { flags: ["TIMESTAMP_DIVERGENCE", "PRECISION_THRESHOLD_EXCEEDED"] },
    });
  });

  it("a strict policy rejects with typed codes instead of flagging", () => {
    const strict = { ...policy, strict: true };
    expect(normalizeWithPolicy(flat(0n, 0n), strict)).toMatchObject({ ok: true, result: { flags: [] } });
    const both = normalizeWithPolicy(flat(2_000_000n, 200_000n), strict);
    expect(both).toMatchObject({
      ok: false,
      rejection: {
        code: "TIMESTAMP_DIVERGENCE",
        codes: ["TIMESTAMP_DIVERGENCE", "PRECISION_THRESHOLD_EXCEEDED"],
      },
    });
    if (!both.ok) expect(rejectionError(both.rejection)).toBeInstanceOf(TimestampDivergenceError);
    const precision = normalizeWithPolicy(flat(0n, 200_000n), strict);
    if (!precision.ok) {
      const err = rejectionError(precision.rejection);
      expect(err).toBeInstanceOf(PrecisionThresholdExceededError);
      expect(err.code).toBe("PRECISION_THRESHOLD_EXCEEDED");
    }
    expect(precision.ok ? "" : precision.rejection.message).toMatch(
      /uncertainty 201000 ns is beyond the threshold of 100000 ns/,
    );
  });

  it("rejects negative limits and bad config", () => {
    expect(() => normalizeWithPolicy(flat(0n, 0n), { ...policy, maxUncertaintyNs: -1n })).toThrow(
      InvalidArgumentError,
    );
    expect(() => normalizeWithPolicy(flat(0n, 0n), policy, { ...CONFIG, maxDriftPpm: -1 })).toThrow(
      InvalidArgumentError,
    );
  });
});

describe("properties", () => {
  const ns = fc.bigInt({ min: -(10n ** 12n), max: 10n ** 12n });
  const reportArb = fc.record({
    atNs: fc.bigInt({ min: T0 - 10n ** 13n, max: T0 + 10n ** 13n }),
    offsetNs: ns,
    boundNs: fc.bigInt({ min: 0n, max: 10n ** 9n }),
    frequencyPpm: fc.double({ min: -500, max: 500, noNaN: true }),
  });
  const historyArb = fc
    .uniqueArray(reportArb, { minLength: 1, maxLength: 8, selector: (r) => r.atNs })
    .map((h) => h.sort((a, b) => (a.atNs < b.atNs ? -1 : 1)));
  const modelArb = fc.oneof(
    historyArb.map((h) => ({ kind: "agent-history" as const, history: h })),
    fc.record({
      kind: fc.constant("request-latency" as const),
      requestTimestampNs: fc.bigInt({ min: T0 - 10n ** 12n, max: T0 + 10n ** 12n }),
      serverReceiveNs: fc.bigInt({ min: T0 - 10n ** 12n, max: T0 + 10n ** 12n }),
      roundTripNs: fc.option(fc.bigInt({ min: 0n, max: 10n ** 10n }), { nil: undefined }),
    }),
    fc.constant({ kind: "none" as const }),
  );
  const instant = fc.bigInt({ min: T0 - 2n * 10n ** 13n, max: T0 + 2n * 10n ** 13n });
  const precision = fc.double({ min: 0, max: 10, noNaN: true });

  it("normalized − original == offset, and uncertainty ≥ the claimed precision", () => {
    fc.assert(
      fc.property(instant, precision, modelArb, (originalNs, precisionS, model) => {
        const r = normalizeTimestamp({ originalNs, precisionS, model });
        expect(r.normalizedNs - r.offsetNs).toBe(originalNs);
        expect(r.uncertaintyNs >= BigInt(Math.floor(precisionS * 1e9))).toBe(true);
        expect(r.method).toBe(model.kind);
      }),
      { numRuns: 500 },
    );
  });

  it("uncertainty is monotone in the age beyond the last report (and before the first)", () => {
    fc.assert(
      fc.property(
        historyArb,
        fc.bigInt({ min: 0n, max: 10n ** 13n }),
        fc.bigInt({ min: 0n, max: 10n ** 13n }),
        (h, a, b) => {
          const [near, far] = a < b ? [a, b] : [b, a];
          const last = h[h.length - 1]!.atNs;
          const first = h[0]!.atNs;
          const u = (t: bigint) => offsetFromHistory(h, t, CONFIG).uncertaintyNs;
          expect(u(last + near) <= u(last + far)).toBe(true);
          expect(u(first - near) <= u(first - far)).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("the interpolated offset is continuous at reports and stays between its neighbours", () => {
    fc.assert(
      fc.property(historyArb, fc.nat(), fc.bigInt({ min: 0n, max: 10n ** 13n }), (h, k, into) => {
        const i = k % h.length;
        const r = h[i]!;
        expect(offsetFromHistory(h, r.atNs, CONFIG)).toEqual({
          offsetNs: r.offsetNs,
          uncertaintyNs: r.boundNs,
        });
        const next = h[i + 1];
        if (next === undefined) return;
        const t = r.atNs + (into % (next.atNs - r.atNs));
        const o = offsetFromHistory(h, t, CONFIG).offsetNs;
        const [lo, hi] =
          r.offsetNs < next.offsetNs ? [r.offsetNs, next.offsetNs] : [next.offsetNs, r.offsetNs];
        expect(o >= lo && o <= hi).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
