import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  InvalidArgumentError,
  MAX_PRECISION_S,
  parseEpochMs,
  parseEpochNs,
  parseTimestampValue,
  precisionToNs,
  Rfc3339Error,
  TimestampRangeError,
} from "../src/index.js";

describe("timestamp values (epoch ms number, RFC 3339, epoch ns string)", () => {
  it("reads epoch milliseconds exactly as written", () => {
    expect(parseTimestampValue(1_700_000_000_123)).toBe(1_700_000_000_123_000_000n);
    expect(parseEpochMs(1_700_000_000_123.456)).toBe(1_700_000_000_123_456_000n);
    expect(parseEpochMs(1_700_000.4567)).toBe(1_700_000_456_700n);
    expect(parseEpochMs(0.000001)).toBe(1n);
    expect(parseEpochMs(0.0000019)).toBe(1n); // below 1 ns: truncated toward the past
    expect(parseEpochMs(-0.0000019)).toBe(-2n);
    expect(parseEpochMs(-1.5)).toBe(-1_500_000n);
    expect(parseEpochMs(1e-7)).toBe(0n);
    expect(parseEpochMs(-1e-7)).toBe(-1n);
    expect(parseEpochMs(-0)).toBe(0n);
  });

  it("reads RFC 3339 and decimal epoch-ns strings", () => {
    expect(parseTimestampValue("2023-11-14T22:13:20.123456789Z")).toBe(1_700_000_000_123_456_789n);
    expect(parseTimestampValue("2023-11-14T23:13:20.5+01:00")).toBe(1_700_000_000_500_000_000n);
    expect(parseTimestampValue("1700000000123456789")).toBe(1_700_000_000_123_456_789n);
    expect(parseEpochNs("-5")).toBe(-5n);
  });

  it("rejects what is not a timestamp with typed errors", () => {
    expect(() => parseTimestampValue(Number.NaN)).toThrow(InvalidArgumentError);
    expect(() => parseTimestampValue(Number.POSITIVE_INFINITY)).toThrow(InvalidArgumentError);
    expect(() => parseTimestampValue(1e16)).toThrow(TimestampRangeError);
    expect(() => parseTimestampValue("9999999999999999999999")).toThrow(TimestampRangeError);
    expect(() => parseTimestampValue("12345678901234567890123")).toThrow(InvalidArgumentError);
    expect(() => parseTimestampValue("yesterday")).toThrow(Rfc3339Error);
    expect(() => parseTimestampValue("")).toThrow(Rfc3339Error);
    expect(() => parseTimestampValue(null as never)).toThrow(InvalidArgumentError);
  });

  it("property: whole milliseconds and ns strings round-trip", () => {
    fc.assert(
      fc.property(fc.integer({ min: -62_000_000_000_000, max: 253_000_000_000_000 }), (ms) => {
        expect(parseEpochMs(ms)).toBe(BigInt(ms) * 1_000_000n);
        expect(parseTimestampValue(String(BigInt(ms) * 1_000_000n + 7n))).toBe(BigInt(ms) * 1_000_000n + 7n);
      }),
    );
  });

  it("property: fractional ms are within 1 ns below the double's value", () => {
    fc.assert(
      fc.property(fc.double({ min: -1e12, max: 1e12, noNaN: true }), (ms) => {
        const ns = parseEpochMs(ms);
        expect(Math.abs(Number(ns) - ms * 1e6)).toBeLessThanOrEqual(1 + Math.abs(ms) * 1e6 * 2 ** -52 * 2);
      }),
    );
  });
});

describe("claimed precision", () => {
  it("converts seconds to ns, rounding a bound up but not binary noise", () => {
    expect(precisionToNs(0)).toBe(0n);
    expect(precisionToNs(0.001)).toBe(1_000_000n);
    expect(precisionToNs(0.1)).toBe(100_000_000n);
    expect(precisionToNs(1e-9)).toBe(1n);
    expect(precisionToNs(1.5e-9)).toBe(2n);
    expect(precisionToNs(3e-10)).toBe(1n);
    expect(precisionToNs(MAX_PRECISION_S)).toBe(86_400_000_000_000n);
  });
  it("rejects negative, non-finite and huge precisions", () => {
    for (const bad of [-1e-9, Number.NaN, Number.POSITIVE_INFINITY, MAX_PRECISION_S + 1, "1" as never]) {
      expect(() => precisionToNs(bad)).toThrow(InvalidArgumentError);
    }
  });
});
