/**
 * NTS codecs against golden vectors: NTS-KE records laid out from RFC 8915 §4, AES-SIV
 * through our wrapper against RFC 5297 Appendix A, and a captured exchange with chronyd
 * 4.3 both ways (vectors/nts/chronyd-capture.json, made by nts-capture.ts).
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { NtsFieldDecodeError, NtsKeDecodeError } from "../src/errors.js";
import { decodeNtpPacket, kissCodeOf } from "../src/ntp/index.js";
import {
  decodeNtsAuthenticator,
  decodeNtsKeMessage,
  encodeNtsAuthenticator,
  encodeNtsKeRecords,
  handleNtsReply,
  NTS_AEAD_AES_SIV_CMAC_256,
  NtsFieldType,
  type NtsKeRecord,
  openNtsPacket,
  openSiv,
  readNtsKeResponse,
  readNtsPacketFields,
  sealSiv,
} from "../src/nts/index.js";

const fromHex = (h: string) => new Uint8Array(Buffer.from(h.replace(/\s/g, ""), "hex"));
const toHex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const load = (name: string) =>
  JSON.parse(readFileSync(new URL(`./vectors/nts/${name}`, import.meta.url), "utf8"));

type JsonRecord = Record<string, unknown> & { type: string };
function recordOf(r: JsonRecord): NtsKeRecord {
  if (r.type === "new-cookie")
    return { type: "new-cookie", critical: r.critical as boolean, cookie: fromHex(r.cookieHex as string) };
  if (r.type === "unknown") {
    return {
      type: "unknown",
      critical: r.critical as boolean,
      recordType: r.recordType as number,
      body: fromHex(r.bodyHex as string),
    };
  }
  return r as unknown as NtsKeRecord;
}

describe("NTS-KE records (RFC 8915 §4)", () => {
  const file = load("ke-records.json") as {
    vectors: { title: string; hex: string; records: JsonRecord[] }[];
    malformed: { title: string; hex: string; reason: string }[];
  };
  for (const v of file.vectors) {
    it(`decodes and encodes: ${v.title}`, () => {
      const records = v.records.map(recordOf);
      expect(decodeNtsKeMessage(fromHex(v.hex))).toEqual(records);
      expect(toHex(encodeNtsKeRecords(records))).toBe(v.hex);
    });
  }
  for (const m of file.malformed) {
    it(`rejects ${m.title} (${m.reason})`, () => {
      let caught: unknown;
      try {
        decodeNtsKeMessage(fromHex(m.hex));
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(NtsKeDecodeError);
      expect((caught as NtsKeDecodeError).code).toBe("NTS_KE_DECODE_ERROR");
      expect((caught as NtsKeDecodeError).reason).toBe(m.reason);
    });
  }
});

describe("AES-SIV-CMAC-256 through sealSiv/openSiv (RFC 5297 Appendix A)", () => {
  it("A.1 deterministic authenticated encryption", () => {
    const key = fromHex("fffefdfc fbfaf9f8 f7f6f5f4 f3f2f1f0 f0f1f2f3 f4f5f6f7 f8f9fafb fcfdfeff");
    const ad = fromHex("10111213 14151617 18191a1b 1c1d1e1f 20212223 24252627");
    const plaintext = fromHex("11223344 55667788 99aabbcc ddee");
    const expected = "85632d07c6e8f37f950acd320a2ecc9340c02b9690c4dc04daef7f6afe5c";
    expect(toHex(sealSiv(key, [ad], plaintext))).toBe(expected);
    expect(toHex(openSiv(key, [ad], fromHex(expected)) ?? new Uint8Array())).toBe(toHex(plaintext));
  });
  it("A.2 nonce-based authenticated encryption (two AD components, then the nonce)", () => {
    const key = fromHex("7f7e7d7c 7b7a7978 77767574 73727170 40414243 44454647 48494a4b 4c4d4e4f");
    const ad1 = fromHex(
      "00112233 44556677 8899aabb ccddeeff deaddada deaddada ffeeddcc bbaa9988 77665544 33221100",
    );
    const ad2 = fromHex("10203040 50607080 90a0");
    const nonce = fromHex("09f91102 9d74e35b d84156c5 635688c0");
    const plaintext = fromHex(
      "74686973 20697320 736f6d65 20706c61 696e7465 78742074 6f20656e 63727970 74207573 696e6720 5349562d 414553",
    );
    const expected =
      "7bdb6e3b432667eb06f4d14bff2fbd0fcb900f2fddbe404326601965c889bf17dba77ceb094fa663b7a3f748ba8af829ea64ad544a272e9c485b62a3fd5c0d";
    expect(toHex(sealSiv(key, [ad1, ad2, nonce], plaintext))).toBe(expected);
    expect(openSiv(key, [ad1, ad2, nonce], fromHex(expected))).toEqual(plaintext);
    const tampered = fromHex(expected);
    tampered[20] = tampered[20]! ^ 1;
    expect(openSiv(key, [ad1, ad2, nonce], tampered)).toBeNull();
    expect(openSiv(key, [ad1, nonce], fromHex(expected))).toBeNull();
    expect(openSiv(key, [ad1, ad2, nonce], new Uint8Array(15))).toBeNull();
  });
  it("refuses keys that are not 32 bytes", () => {
    expect(() => sealSiv(new Uint8Array(16), [], new Uint8Array(0))).toThrow(/32 bytes/);
  });
});

describe("NTS Authenticator field (RFC 8915 §5.6)", () => {
  it("pads nonce and ciphertext to 4 bytes and reads them back", () => {
    const body = encodeNtsAuthenticator({
      nonce: fromHex("0102030405"),
      ciphertext: new Uint8Array(17).fill(9),
    });
    expect(toHex(body.subarray(0, 4))).toBe("00050011");
    expect(body.length).toBe(4 + 8 + 20);
    const back = decodeNtsAuthenticator(body);
    expect(toHex(back.nonce)).toBe("0102030405");
    expect(back.ciphertext.length).toBe(17);
  });
  it("rejects lengths that run past the field or a ciphertext shorter than the tag", () => {
    expect(() => decodeNtsAuthenticator(fromHex("0010"))).toThrow(NtsFieldDecodeError);
    expect(() => decodeNtsAuthenticator(fromHex(`00100010${"00".repeat(20)}`))).toThrow(NtsFieldDecodeError);
    expect(() => decodeNtsAuthenticator(fromHex(`00100008${"00".repeat(24)}`))).toThrow(NtsFieldDecodeError);
    expect(() => decodeNtsAuthenticator(fromHex(`00000010${"00".repeat(16)}`))).toThrow(NtsFieldDecodeError);
  });
});

describe("captured exchange: our client against chronyd 4.3", () => {
  const v = load("chronyd-capture.json").chronydServer as Record<string, string>;
  it("reads chronyd's NTS-KE response: NTPv4, AEAD 15, its NTP port, 8 cookies of 100 bytes", () => {
    const bytes = fromHex(v.keResponseHex!);
    const records = decodeNtsKeMessage(bytes);
    expect(toHex(encodeNtsKeRecords(records))).toBe(v.keResponseHex);
    const outcome = readNtsKeResponse(records);
    expect(outcome.aeadAlgorithm).toBe(NTS_AEAD_AES_SIV_CMAC_256);
    expect(outcome.cookies).toHaveLength(8);
    for (const c of outcome.cookies) expect(c.length).toBe(100);
    expect(outcome.ntpPort).toBeGreaterThan(0);
  });
  it("verifies chronyd's authenticated response with S2C and finds 1 + 1 placeholder = 2 new cookies", () => {
    const response = fromHex(v.ntpResponseHex!);
    const opened = openNtsPacket(response, readNtsPacketFields(response), fromHex(v.s2cHex!));
    expect(opened).not.toBeNull();
    const cookies = opened!.encrypted.filter((f) => f.fieldType === NtsFieldType.cookie);
    expect(cookies.map((c) => c.value.length)).toEqual([100, 100]);
    const tampered = new Uint8Array(response);
    tampered[44] = tampered[44]! ^ 1;
    expect(openNtsPacket(tampered, readNtsPacketFields(tampered), fromHex(v.s2cHex!))).toBeNull();
    expect(openNtsPacket(response, readNtsPacketFields(response), fromHex(v.c2sHex!))).toBeNull();
  });
  it("handleNtsReply takes chronyd's response to our captured request", () => {
    const request = fromHex(v.ntpRequestHex!);
    const packet = decodeNtpPacket(request);
    const uid = readNtsPacketFields(request).find((f) => f.fieldType === NtsFieldType.uniqueIdentifier)!;
    const response = decodeNtpPacket(fromHex(v.ntpResponseHex!));
    // T1/T4 around the server's own timestamps: the capture's wall times are not kept.
    const t = (ntp: bigint) => (ntp >> 32n) * 1_000_000_000n - 2_208_988_800_000_000_000n;
    const t1 = t(response.receiveTimestamp);
    const result = handleNtsReply(
      { bytes: request, nonce: packet.transmitTimestamp, uniqueId: uid.value },
      fromHex(v.s2cHex!),
      t1,
      fromHex(v.ntpResponseHex!),
      t1 + 2_000_000_000n,
    );
    expect(result.kind).toBe("sample");
    if (result.kind === "sample") expect(result.cookies).toHaveLength(2);
  });
  it("chronyd NAKs a tampered cookie: kiss NTSN, our Unique Identifier, no Authenticator", () => {
    const nak = fromHex(v.nakResponseHex!);
    const packet = decodeNtpPacket(nak);
    expect(kissCodeOf(packet)).toBe("NTSN");
    const request = fromHex(v.nakRequestHex!);
    const uid = readNtsPacketFields(request).find((f) => f.fieldType === NtsFieldType.uniqueIdentifier)!;
    const result = handleNtsReply(
      { bytes: request, nonce: decodeNtpPacket(request).transmitTimestamp, uniqueId: uid.value },
      fromHex(v.s2cHex!),
      0n,
      nak,
      0n,
    );
    expect(result).toEqual({ kind: "nak" });
  });
});

describe("captured exchange: chronyd 4.3 -Q against our server", () => {
  const v = load("chronyd-capture.json").chronydClient as Record<string, string>;
  it("chronyd's NTS-KE request is Next Protocol [0], AEAD [15], End of Message", () => {
    expect(decodeNtsKeMessage(fromHex(v.keRequestHex!))).toEqual([
      { type: "next-protocol", critical: true, protocols: [0] },
      { type: "aead-algorithm", critical: true, algorithms: [15] },
      { type: "end-of-message", critical: true },
    ]);
  });
  it("chronyd's authenticated request verifies with C2S, our response with S2C", () => {
    const request = fromHex(v.ntpRequestHex!);
    const fields = readNtsPacketFields(request);
    expect(fields.map((f) => f.fieldType)).toEqual([
      NtsFieldType.uniqueIdentifier,
      NtsFieldType.cookie,
      NtsFieldType.authenticator,
    ]);
    expect(openNtsPacket(request, fields, fromHex(v.c2sHex!))).not.toBeNull();
    const response = fromHex(v.ntpResponseHex!);
    expect(response.length).toBeLessThanOrEqual(request.length);
    expect(openNtsPacket(response, readNtsPacketFields(response), fromHex(v.s2cHex!))).not.toBeNull();
  });
});
