import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  CURRENT_UTC_OFFSET_S,
  decodePtpTimestamp,
  decodeTimeInterval,
  encodePtpTimestamp,
  encodeTimeInterval,
  InvalidArgumentError,
  instantToPtpTimestamp,
  NS_PER_S,
  nsToPtpTimestamp,
  nsToTimeInterval,
  PTP_TIMESTAMP_LENGTH,
  type PtpTimestamp,
  parseRfc3339,
  ptpTimestampToInstant,
  ptpTimestampToNs,
  TimestampRangeError,
  timeIntervalToNs,
} from "../src/index.js";

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");
const fromHex = (text: string) => new Uint8Array(Buffer.from(text, "hex"));
const MAX_SECONDS = 2n ** 48n - 1n;
const anyTimestamp = fc.record({
  secondsField: fc.bigInt({ min: 0n, max: MAX_SECONDS }),
  nanosecondsField: fc.integer({ min: 0, max: 999_999_999 }),
});

describe("PTP Timestamp (IEEE 1588 §5.3.3)", () => {
  it("encodes 10 bytes big-endian (golden)", () => {
    const bytes = new Uint8Array(PTP_TIMESTAMP_LENGTH);
    encodePtpTimestamp({ secondsField: 0x1234_5678_9abcn, nanosecondsField: 999_999_999 }, bytes);
    expect(hex(bytes)).toBe("123456789abc3b9ac9ff");
    expect(decodePtpTimestamp(fromHex("ffffffffffff00000001"))).toEqual({
      secondsField: MAX_SECONDS,
      nanosecondsField: 1,
    });
  });

  it("encode → decode round trip, at any offset", () => {
    fc.assert(
      fc.property(anyTimestamp, fc.nat(6), (ts, offset) => {
        const bytes = new Uint8Array(PTP_TIMESTAMP_LENGTH + 6);
        encodePtpTimestamp(ts, bytes, offset);
        expect(decodePtpTimestamp(bytes, offset)).toEqual(ts);
        expect(decodePtpTimestamp(bytes.subarray(offset))).toEqual(ts);
      }),
    );
  });

  it("random bytes decode (and re-encode identically) or throw TimestampRangeError", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 10, maxLength: 10 }), (bytes) => {
        let ts: PtpTimestamp;
        try {
          ts = decodePtpTimestamp(bytes);
        } catch (err) {
          expect(err).toBeInstanceOf(TimestampRangeError);
          return;
        }
        const again = new Uint8Array(PTP_TIMESTAMP_LENGTH);
        encodePtpTimestamp(ts, again);
        expect(hex(again)).toBe(hex(bytes));
      }),
    );
  });

  it("range errors", () => {
    const bytes = new Uint8Array(PTP_TIMESTAMP_LENGTH);
    expect(() => decodePtpTimestamp(fromHex("0000000000003b9aca00"))).toThrow(TimestampRangeError);
    expect(() => encodePtpTimestamp({ secondsField: MAX_SECONDS + 1n, nanosecondsField: 0 }, bytes)).toThrow(
      TimestampRangeError,
    );
    expect(() => encodePtpTimestamp({ secondsField: -1n, nanosecondsField: 0 }, bytes)).toThrow(
      TimestampRangeError,
    );
    expect(() => encodePtpTimestamp({ secondsField: 0n, nanosecondsField: 1e9 }, bytes)).toThrow(
      TimestampRangeError,
    );
    expect(() => encodePtpTimestamp({ secondsField: 0n, nanosecondsField: 0.5 }, bytes)).toThrow(
      TimestampRangeError,
    );
    expect(() => nsToPtpTimestamp(-1n)).toThrow(TimestampRangeError);
    expect(() => nsToPtpTimestamp((MAX_SECONDS + 1n) * NS_PER_S)).toThrow(TimestampRangeError);
    expect(() => decodePtpTimestamp(new Uint8Array(9))).toThrow(InvalidArgumentError);
    expect(() => encodePtpTimestamp({ secondsField: 0n, nanosecondsField: 0 }, bytes, 1)).toThrow(
      InvalidArgumentError,
    );
  });

  it("ns ↔ Timestamp round trip", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (MAX_SECONDS + 1n) * NS_PER_S - 1n }), (ns) => {
        expect(ptpTimestampToNs(nsToPtpTimestamp(ns))).toBe(ns);
      }),
    );
  });

  it("UTC instants map to TAI with currentUtcOffset", () => {
    expect(CURRENT_UTC_OFFSET_S).toBe(37);
    expect(instantToPtpTimestamp(0n)).toEqual({ secondsField: 37n, nanosecondsField: 0 });
    const instant = parseRfc3339("2024-06-01T00:00:00.5Z");
    const ts = instantToPtpTimestamp(instant);
    expect(ts).toEqual({ secondsField: 1_717_200_000n + 37n, nanosecondsField: 500_000_000 });
    expect(ptpTimestampToInstant(ts)).toBe(instant);
    expect(instantToPtpTimestamp(instant, 36).secondsField).toBe(1_717_200_036n);
    expect(() => instantToPtpTimestamp(-38n * NS_PER_S)).toThrow(TimestampRangeError);
    expect(() => instantToPtpTimestamp(0n, 36.5)).toThrow(InvalidArgumentError);
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 19n }), fc.integer({ min: 0, max: 100 }), (i, offset) => {
        expect(ptpTimestampToInstant(instantToPtpTimestamp(i, offset), offset)).toBe(i);
      }),
    );
  });
});

describe("PTP TimeInterval (IEEE 1588 §5.3.2)", () => {
  it("scaled nanoseconds", () => {
    expect(nsToTimeInterval(1n)).toBe(65_536n);
    expect(nsToTimeInterval(-1n, 0x8000n)).toBe(-0x8000n);
    expect(timeIntervalToNs(0x2_8000n)).toBe(3n); // 2.5 ns → 3 (half away from zero)
    expect(timeIntervalToNs(-0x2_8000n)).toBe(-3n);
    expect(timeIntervalToNs(0x2_7fffn)).toBe(2n);
  });

  it("round trip and range", () => {
    const limit = 2n ** 47n - 1n;
    fc.assert(
      fc.property(fc.bigInt({ min: -limit, max: limit }), (ns) => {
        expect(timeIntervalToNs(nsToTimeInterval(ns))).toBe(ns);
      }),
    );
    expect(() => nsToTimeInterval(2n ** 47n)).toThrow(TimestampRangeError);
    expect(() => nsToTimeInterval(-(2n ** 47n) - 1n)).toThrow(TimestampRangeError);
  });

  it("8 bytes big-endian, two's complement", () => {
    const bytes = new Uint8Array(10);
    encodeTimeInterval(nsToTimeInterval(-1n), bytes, 2);
    expect(hex(bytes)).toBe("0000ffffffffffff0000");
    expect(decodeTimeInterval(bytes, 2)).toBe(-65_536n);
    expect(() => encodeTimeInterval(2n ** 63n, bytes)).toThrow(TimestampRangeError);
    expect(() => decodeTimeInterval(bytes, 3)).toThrow(InvalidArgumentError);
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), (v) => {
        encodeTimeInterval(v, bytes);
        expect(decodeTimeInterval(bytes)).toBe(v);
      }),
    );
  });
});
