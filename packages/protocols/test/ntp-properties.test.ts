/**
 * Properties of the NTP codec (fast-check), after ntpd-rs's fuzz targets: random bytes
 * decode or throw NtpDecodeError, decode→encode gives the bytes back, and
 * encode→decode→encode is stable.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  createNtpRequest,
  decodeNtpPacket,
  encodeNtpPacket,
  formatReferenceId,
  handleNtpReply,
  kissCodeOf,
  NtpDecodeError,
  type NtpPacket,
} from "../src/index.js";

const u64 = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n });
const u32 = fc.integer({ min: 0, max: 0xffff_ffff });
const i8 = fc.integer({ min: -128, max: 127 });

const header = fc.record({
  leap: fc.constantFrom(0 as const, 1 as const, 2 as const, 3 as const),
  mode: fc.integer({ min: 0, max: 7 }),
  stratum: fc.integer({ min: 0, max: 255 }),
  poll: i8,
  precision: i8,
  rootDelay: u32,
  rootDispersion: u32,
  referenceId: u32,
  referenceTimestamp: u64,
  originTimestamp: u64,
  receiveTimestamp: u64,
  transmitTimestamp: u64,
});
const extensionField = fc.record({
  fieldType: fc.integer({ min: 0, max: 0xffff }),
  value: fc.uint8Array({ maxLength: 80 }),
});
const mac = fc.option(
  fc.constantFrom(4, 20, 24).chain((n) => fc.uint8Array({ minLength: n, maxLength: n })),
  { nil: null },
);

/** Any packet the encoder accepts: extension fields only from version 4 on. */
const packet: fc.Arbitrary<NtpPacket> = fc
  .tuple(header, fc.integer({ min: 0, max: 7 }), fc.array(extensionField, { maxLength: 4 }), mac)
  .map(([h, version, fields, m]) => ({
    ...h,
    version,
    extensionFields: version >= 4 ? fields : [],
    mac: m,
  }));

/** Bytes that look like NTP more often than uniform noise: a header plus a random tail. */
const ntpish = fc.oneof(
  fc.uint8Array({ maxLength: 200 }),
  fc
    .tuple(fc.uint8Array({ minLength: 48, maxLength: 48 }), fc.uint8Array({ maxLength: 120 }))
    .map(([h, t]) => {
      const bytes = new Uint8Array(h.length + t.length);
      bytes.set(h);
      bytes.set(t, h.length);
      return bytes;
    }),
  packet.map((p) => encodeNtpPacket(p)),
);

describe("NTP codec properties", () => {
  it("encode → decode → encode is stable", () => {
    fc.assert(
      fc.property(packet, (p) => {
        const once = encodeNtpPacket(p);
        const decoded = decodeNtpPacket(once);
        expect(encodeNtpPacket(decoded)).toEqual(once);
        expect(decoded.extensionFields.map((f) => f.fieldType)).toEqual(
          p.extensionFields.map((f) => f.fieldType),
        );
        expect(decoded.mac).toEqual(p.mac);
        expect(decoded.transmitTimestamp).toBe(p.transmitTimestamp);
      }),
      { numRuns: 2000 },
    );
  });

  it("any bytes decode to a packet that re-encodes to the same bytes, or throw NtpDecodeError", () => {
    fc.assert(
      fc.property(ntpish, (bytes) => {
        let decoded: NtpPacket;
        try {
          decoded = decodeNtpPacket(bytes);
        } catch (err) {
          expect(err).toBeInstanceOf(NtpDecodeError);
          return;
        }
        expect(encodeNtpPacket(decoded)).toEqual(bytes);
        expect(() => kissCodeOf(decoded)).not.toThrow();
        expect(typeof formatReferenceId(decoded.stratum, decoded.referenceId)).toBe("string");
      }),
      { numRuns: 5000 },
    );
  });

  it("handleNtpReply judges any bytes without throwing", () => {
    const request = createNtpRequest({ random: () => new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]) });
    const instant = fc.bigInt({ min: -(10n ** 19n), max: 10n ** 19n });
    fc.assert(
      fc.property(ntpish, instant, fc.bigInt({ min: -1000n, max: 10n ** 10n }), (bytes, t1, elapsed) => {
        const reply = new Uint8Array(bytes);
        // Most replies should get past the origin check to reach the later tests.
        if (reply.length >= 48) reply.set(request.bytes.subarray(40, 48), 24);
        const result = handleNtpReply(request, t1, reply, t1 + elapsed);
        expect(["sample", "kiss", "bogus"]).toContain(result.kind);
      }),
      { numRuns: 3000 },
    );
  });
});
