import { describe, expect, it } from "vitest";
import {
  decodeNtpPacket,
  encodeNtpPacket,
  formatReferenceId,
  kissCodeOf,
  NTP_HEADER_LENGTH,
  NtpDecodeError,
  type NtpPacket,
} from "../src/index.js";
import { chronydVectors, fromHex, malformedVectors, packetOf, rfcVectors, toHex } from "./helpers/vectors.js";

const golden = [...rfcVectors(), ...chronydVectors()];

describe.each(golden)("golden vector: $title", (vector) => {
  const bytes = fromHex(vector.hex);
  const expected = packetOf(vector.fields);

  it("parses to the expected fields", () => {
    expect(decodeNtpPacket(bytes)).toEqual(expected);
  });

  it("generates the expected bytes", () => {
    expect(toHex(encodeNtpPacket(expected))).toBe(vector.hex);
  });

  it("round-trips bytes exactly", () => {
    expect(toHex(encodeNtpPacket(decodeNtpPacket(bytes)))).toBe(vector.hex);
  });

  it("has the expected kiss code and reference id text", () => {
    const packet = decodeNtpPacket(bytes);
    expect(kissCodeOf(packet)).toBe(vector.kissCode);
    expect(formatReferenceId(packet.stratum, packet.referenceId)).toBe(vector.refId);
  });
});

describe.each(malformedVectors())("malformed fixture: $title", (vector) => {
  it(`throws NtpDecodeError (${vector.reason})`, () => {
    let caught: unknown;
    try {
      decodeNtpPacket(fromHex(vector.hex));
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(NtpDecodeError);
    expect(caught).toMatchObject({ code: "NTP_DECODE_ERROR", reason: vector.reason });
  });
});

describe("codec details", () => {
  const base: NtpPacket = decodeNtpPacket(fromHex(rfcVectors()[0]!.hex));

  it("decodes from a view into a larger buffer (Node Buffer pool offsets)", () => {
    const hex = rfcVectors()[12]!.hex;
    const big = Buffer.alloc(1000);
    big.write(hex, 100, "hex");
    const view = big.subarray(100, 100 + hex.length / 2);
    const packet = decodeNtpPacket(view);
    expect(toHex(encodeNtpPacket(packet))).toBe(hex);
    // Values are copies, not views of the caller's buffer.
    big.fill(0xff);
    expect(toHex(encodeNtpPacket(packet))).toBe(hex);
  });

  it("pads extension values to 4 bytes and 16 bytes minimum", () => {
    const bytes = encodeNtpPacket({
      ...base,
      extensionFields: [
        { fieldType: 1, value: new Uint8Array([1]) },
        { fieldType: 2, value: new Uint8Array(30).fill(9) },
      ],
      mac: new Uint8Array(20),
    });
    expect(bytes.length).toBe(NTP_HEADER_LENGTH + 16 + 36 + 20);
    const again = decodeNtpPacket(bytes);
    expect(again.extensionFields.map((f) => f.value.length)).toEqual([12, 32]);
    expect(again.mac).toEqual(new Uint8Array(20));
  });

  it.each([
    [null, 16, 16],
    [null, 20, 28],
    [null, 24, 28],
    [4, 16, 28],
    [4, 20, 28],
    [4, 24, 24],
    [20, 16, 16],
  ])("grows a last field that could be read as a MAC (mac %s, field %i → %i)", (mac, length, wire) => {
    const packet: NtpPacket = {
      ...base,
      extensionFields: [{ fieldType: 7, value: new Uint8Array(length - 4).fill(1) }],
      mac: mac === null ? null : new Uint8Array(mac).fill(2),
    };
    const bytes = encodeNtpPacket(packet);
    expect(bytes.length).toBe(NTP_HEADER_LENGTH + wire + (mac ?? 0));
    const decoded = decodeNtpPacket(bytes);
    expect(decoded.extensionFields).toHaveLength(1);
    expect(decoded.mac?.length ?? null).toBe(mac);
  });

  it.each([
    ["leap", { leap: 4 }],
    ["version", { version: 8 }],
    ["mode", { mode: -1 }],
    ["stratum", { stratum: 256 }],
    ["poll", { poll: 128 }],
    ["precision", { precision: -129 }],
    ["rootDelay", { rootDelay: 2 ** 32 }],
    ["referenceId", { referenceId: 1.5 }],
    ["transmitTimestamp", { transmitTimestamp: 1n << 64n }],
    ["originTimestamp", { originTimestamp: -1n }],
    ["mac length", { mac: new Uint8Array(8) }],
    ["extension in v3", { version: 3, extensionFields: [{ fieldType: 1, value: new Uint8Array(12) }] }],
    ["extension type", { extensionFields: [{ fieldType: 0x10000, value: new Uint8Array(12) }] }],
    ["extension length", { extensionFields: [{ fieldType: 1, value: new Uint8Array(0xfffc) }] }],
  ])("refuses to encode a bad %s", (_name, patch) => {
    expect(() => encodeNtpPacket({ ...base, ...(patch as Partial<NtpPacket>) })).toThrow(
      expect.objectContaining({ code: "INVALID_ARGUMENT" }),
    );
  });

  it("reads NTPv3 packets with a MAC but without extension fields", () => {
    const bytes = new Uint8Array(48 + 20);
    bytes[0] = 0x1b;
    const packet = decodeNtpPacket(bytes);
    expect(packet.version).toBe(3);
    expect(packet.mac?.length).toBe(20);
    expect(packet.extensionFields).toEqual([]);
  });

  it("decodes every mode and version as a packet (callers judge them)", () => {
    for (let flags = 0; flags < 256; flags++) {
      const bytes = new Uint8Array(48);
      bytes[0] = flags;
      const packet = decodeNtpPacket(bytes);
      expect([packet.leap, packet.version, packet.mode]).toEqual([flags >> 6, (flags >> 3) & 7, flags & 7]);
    }
  });
});
