import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  DEFAULT_NTP_PIVOT,
  formatRfc3339,
  instantToNtp64,
  NS_PER_S,
  NTP_ERA1_START,
  NTP_UNIX_EPOCH_DELTA_S,
  nsToNtpShort,
  ntp64FromParts,
  ntp64Parts,
  ntp64ToInstant,
  ntpShortToNs,
  parseRfc3339,
  precisionLog2ToNs,
  TimestampRangeError,
} from "../src/index.js";

const ERA_NS = 2n ** 32n * NS_PER_S;
const HALF_ERA_NS = ERA_NS / 2n;
const Y1900 = -NTP_UNIX_EPOCH_DELTA_S * NS_PER_S;
const Y2105 = parseRfc3339("2105-01-01T00:00:00Z");

describe("NTP 64-bit timestamps (RFC 5905 §6)", () => {
  it("known vectors: prime epoch, Unix epoch, era 1", () => {
    expect(instantToNtp64(Y1900)).toBe(0n);
    expect(instantToNtp64(0n)).toBe(2_208_988_800n << 32n);
    expect(ntp64Parts(instantToNtp64(0n))).toEqual({ seconds: 2_208_988_800, fraction: 0 });
    expect(formatRfc3339(NTP_ERA1_START, 0)).toBe("2036-02-07T06:28:16Z");
    expect(instantToNtp64(NTP_ERA1_START)).toBe(0n); // seconds 0 of era 1
    expect(ntp64ToInstant(0n)).toBe(NTP_ERA1_START);
    expect(ntp64ToInstant(0n, Y1900)).toBe(Y1900);
    expect(instantToNtp64(500_000_000n)).toBe((2_208_988_800n << 32n) | (1n << 31n));
  });

  it("both sides of the 2036 era boundary round trip with the default pivot", () => {
    for (const delta of [-10n * NS_PER_S, -1_000_000n, -1n, 0n, 1n, 999_999_999n, 10n * NS_PER_S]) {
      const instant = NTP_ERA1_START + delta;
      expect(ntp64ToInstant(instantToNtp64(instant))).toBe(instant);
    }
    expect(ntp64Parts(instantToNtp64(NTP_ERA1_START - NS_PER_S)).seconds).toBe(0xffff_ffff);
  });

  it("round trip instant → ntp64 → instant is exact from 1900 to 2104 (pivot within ±68 years)", () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: Y1900, max: Y2105 }),
        fc.bigInt({ min: -HALF_ERA_NS + 1n, max: HALF_ERA_NS }),
        (instant, jitter) => {
          expect(ntp64ToInstant(instantToNtp64(instant), instant + jitter)).toBe(instant);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("the default pivot reads 1968-01-20T03:14:08Z … 2104-02-26T09:42:23Z (RFC 4330 §3)", () => {
    const first = DEFAULT_NTP_PIVOT - HALF_ERA_NS;
    expect(formatRfc3339(first, 0)).toBe("1968-01-20T03:14:08Z");
    expect(ntp64ToInstant(ntp64FromParts(2 ** 31, 0))).toBe(first); // tie → earlier era
    expect(formatRfc3339(ntp64ToInstant(ntp64FromParts(2 ** 31 - 1, 0)), 0)).toBe("2104-02-26T09:42:23Z");
    fc.assert(
      fc.property(fc.bigInt({ min: first, max: DEFAULT_NTP_PIVOT + HALF_ERA_NS - 1n }), (instant) => {
        expect(ntp64ToInstant(instantToNtp64(instant))).toBe(instant);
      }),
    );
  });

  it("decoding picks the era nearest the pivot", () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
        fc.bigInt({ min: -ERA_NS * 3n, max: ERA_NS * 3n }),
        (ts, pivot) => {
          const instant = ntp64ToInstant(ts, pivot);
          expect(instant >= pivot - HALF_ERA_NS && instant < pivot + HALF_ERA_NS).toBe(true);
          expect(ntp64ToInstant(ts, pivot + ERA_NS)).toBe(instant + ERA_NS);
          // Re-encoding lands within half a nanosecond (≈ 2.1 units of 2^-32 s), modulo 2^64.
          const diff = BigInt.asIntN(64, instantToNtp64(instant) - ts);
          expect(diff >= -3n && diff <= 3n).toBe(true);
        },
      ),
    );
  });

  it("fraction edges 0 and 2^32 − 1", () => {
    const s = 3_900_000_000;
    const whole = ntp64ToInstant(ntp64FromParts(s, 0));
    expect(whole % NS_PER_S).toBe(0n);
    expect(ntp64ToInstant(ntp64FromParts(s, 1))).toBe(whole); // 0.23 ns rounds to 0
    expect(ntp64ToInstant(ntp64FromParts(s, 2 ** 31))).toBe(whole + 500_000_000n);
    expect(ntp64ToInstant(ntp64FromParts(s, 0xffff_ffff))).toBe(whole + NS_PER_S); // 0.23 ns short of it
    expect(instantToNtp64(whole + NS_PER_S - 1n) & 0xffff_ffffn).toBe(0xffff_fffcn);
  });

  it("rejects values that are not 64-bit unsigned", () => {
    expect(() => ntp64ToInstant(-1n)).toThrow(TimestampRangeError);
    expect(() => ntp64ToInstant(2n ** 64n)).toThrow(TimestampRangeError);
  });

  it("parts and 64-bit values convert both ways", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), (ts) => {
        const { seconds, fraction } = ntp64Parts(ts);
        expect(ntp64FromParts(seconds, fraction)).toBe(ts);
      }),
    );
  });
});

describe("NTP short format (16.16)", () => {
  it("short → ns → short is exact", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffff_ffff }), (short) => {
        expect(nsToNtpShort(ntpShortToNs(short))).toBe(short);
      }),
    );
  });

  it("ns → short → ns is within one unit (15 259 ns)", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 65_535n * NS_PER_S }), (ns) => {
        const back = ntpShortToNs(nsToNtpShort(ns));
        expect(back - ns <= 15_259n && ns - back <= 15_259n).toBe(true);
      }),
    );
  });

  it("known values, clamping and saturation", () => {
    expect(nsToNtpShort(NS_PER_S)).toBe(0x0001_0000);
    expect(nsToNtpShort(500_000_000n)).toBe(0x0000_8000);
    expect(ntpShortToNs(0x0001_8000)).toBe(1_500_000_000n);
    expect(nsToNtpShort(-5n)).toBe(0);
    expect(nsToNtpShort(70_000n * NS_PER_S)).toBe(0xffff_ffff);
  });

  it("precision log2 to ns", () => {
    expect(precisionLog2ToNs(-20)).toBe(954n);
    expect(precisionLog2ToNs(0)).toBe(NS_PER_S);
    expect(precisionLog2ToNs(-40)).toBe(1n);
  });
});
