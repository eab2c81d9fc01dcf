/**
 * The NTS pieces without sockets: the KE conversation (RFC 8915 §4.1) on both sides,
 * server cookies and key rotation (§6), the client's cookie jar, and whole authenticated
 * exchanges between createNtsRequest/handleNtsReply and NtsResponder (§5.7) on a manual
 * clock: samples, cookie replenishment, NAKs, plain NTP on the same responder.
 */
import { ManualClock, NS_PER_MS } from "@chronosync/core";
import { describe, expect, it } from "vitest";
import { NtsKeError } from "../src/errors.js";
import {
  asciiReferenceId,
  createNtpRequest,
  decodeNtpPacket,
  kissCodeOf,
  NtpResponder,
} from "../src/ntp/index.js";
import {
  answerNtsKeRequest,
  createNtsKeRequest,
  createNtsRequest,
  handleNtsReply,
  NTS_COOKIE_LENGTH,
  NtsCookieJar,
  NtsCookieKeys,
  NtsFieldType,
  type NtsKeRecord,
  NtsResponder,
  ntsExporterContext,
  readNtsKeResponse,
  readNtsPacketFields,
} from "../src/nts/index.js";

let counter = 0;
/** Deterministic "random" bytes, different on every call. */
const random = (n: number) => new Uint8Array(n).map((_, i) => (i * 31 + ++counter * 7) & 0xff);
const end: NtsKeRecord = { type: "end-of-message", critical: true };

describe("NTS-KE conversation (RFC 8915 §4.1)", () => {
  const cookies = () => [new Uint8Array([1]), new Uint8Array([2])];
  it("agrees on NTPv4 and AEAD 15 and sends settings and cookies; the client reads them", () => {
    const { records, agreed } = answerNtsKeRequest(
      createNtsKeRequest(),
      { ntpServer: "time.example", ntpPort: 1123 },
      cookies,
    );
    expect(agreed).toBe(true);
    const outcome = readNtsKeResponse(records);
    expect(outcome).toMatchObject({ aeadAlgorithm: 15, ntpServer: "time.example", ntpPort: 1123 });
    expect(outcome.cookies).toHaveLength(2);
  });
  it("answers an unknown critical record with Error 0, a request without AEAD with Error 1", () => {
    const unknown: NtsKeRecord = { type: "unknown", critical: true, recordType: 99, body: new Uint8Array(0) };
    expect(answerNtsKeRequest([unknown, ...createNtsKeRequest()], {}, cookies).records[0]).toEqual({
      type: "error",
      critical: true,
      errorCode: 0,
    });
    const noAead: NtsKeRecord[] = [{ type: "next-protocol", critical: true, protocols: [0] }, end];
    expect(answerNtsKeRequest(noAead, {}, cookies).records[0]).toMatchObject({ type: "error", errorCode: 1 });
  });
  it("answers empty lists (and no cookies) when NTPv4 or AEAD 15 is not offered", () => {
    const noNtp: NtsKeRecord[] = [
      { type: "next-protocol", critical: true, protocols: [0x8001] },
      { type: "aead-algorithm", critical: true, algorithms: [15] },
      end,
    ];
    let issued = 0;
    const count = () => {
      issued++;
      return [];
    };
    expect(answerNtsKeRequest(noNtp, {}, count).records).toEqual([
      { type: "next-protocol", critical: true, protocols: [] },
      end,
    ]);
    const noSiv: NtsKeRecord[] = [
      { type: "next-protocol", critical: true, protocols: [0] },
      { type: "aead-algorithm", critical: true, algorithms: [30] },
      end,
    ];
    expect(answerNtsKeRequest(noSiv, {}, count).records[1]).toEqual({
      type: "aead-algorithm",
      critical: true,
      algorithms: [],
    });
    expect(issued).toBe(0);
  });
  it("the client refuses errors, refusals, and responses without cookies, with typed reasons", () => {
    const reason = (records: NtsKeRecord[]) => {
      try {
        readNtsKeResponse(records);
      } catch (err) {
        expect(err).toBeInstanceOf(NtsKeError);
        return (err as NtsKeError).reason;
      }
      return "accepted";
    };
    const ntp: NtsKeRecord = { type: "next-protocol", critical: true, protocols: [0] };
    const siv: NtsKeRecord = { type: "aead-algorithm", critical: true, algorithms: [15] };
    const cookie: NtsKeRecord = { type: "new-cookie", critical: false, cookie: new Uint8Array(4) };
    expect(reason([{ type: "error", critical: true, errorCode: 2 }, end])).toBe("server-error");
    expect(reason([{ type: "next-protocol", critical: true, protocols: [] }, end])).toBe("unsupported");
    expect(reason([ntp, { type: "aead-algorithm", critical: true, algorithms: [] }, end])).toBe(
      "unsupported",
    );
    expect(reason([ntp, siv, end])).toBe("no-cookies");
    expect(reason([siv, cookie, end])).toBe("bad-response");
    expect(reason([ntp, ntp, siv, cookie, end])).toBe("bad-response");
    expect(
      reason([
        ntp,
        siv,
        cookie,
        { type: "unknown", critical: true, recordType: 77, body: new Uint8Array() },
        end,
      ]),
    ).toBe("bad-response");
    expect(reason([ntp, siv, cookie, { type: "warning", critical: true, warningCode: 5 }, end])).toBe(
      "accepted",
    );
  });
  it("exporter context is protocol 0x0000, AEAD id, direction (RFC 8915 §5.1)", () => {
    expect(ntsExporterContext(15, 0).toString("hex")).toBe("0000000f00");
    expect(ntsExporterContext(15, 1).toString("hex")).toBe("0000000f01");
  });
});

describe("server cookies and key rotation (RFC 8915 §6)", () => {
  const session = {
    aeadAlgorithm: 15,
    c2s: new Uint8Array(32).fill(0xc2),
    s2c: new Uint8Array(32).fill(0x52),
  };
  it("seals 104-byte cookies that open to the same keys, and nothing else opens", () => {
    const keys = new NtsCookieKeys({ random });
    const cookie = keys.seal(session);
    expect(cookie.length).toBe(NTS_COOKIE_LENGTH);
    expect(NTS_COOKIE_LENGTH % 4).toBe(0);
    expect(keys.open(cookie)).toEqual(session);
    for (const at of [0, 5, 30, 103]) {
      const bad = new Uint8Array(cookie);
      bad[at] = bad[at]! ^ 0x40;
      expect(keys.open(bad)).toBeNull();
    }
    expect(keys.open(cookie.subarray(0, 100))).toBeNull();
    expect(new NtsCookieKeys({ random }).open(cookie)).toBeNull();
  });
  it("keeps `keep` master keys: a cookie survives keep−1 rotations, not keep", () => {
    const keys = new NtsCookieKeys({ random, keep: 2 });
    const cookie = keys.seal(session);
    keys.rotate();
    expect(keys.open(cookie)).toEqual(session);
    keys.rotate();
    expect(keys.open(cookie)).toBeNull();
    const saved = keys.masterKeys;
    const restored = new NtsCookieKeys({ random, initial: saved });
    expect(restored.open(keys.seal(session))).toEqual(session);
  });
});

describe("cookie jar", () => {
  it("is first-in first-out, holds 8, and asks for placeholders to refill", () => {
    const jar = new NtsCookieJar();
    for (let i = 0; i < 10; i++) jar.add(new Uint8Array([i]));
    expect(jar.size).toBe(8);
    expect(jar.take()).toEqual(new Uint8Array([2]));
    expect(jar.placeholdersWanted()).toBe(0);
    jar.take();
    jar.take();
    expect(jar.placeholdersWanted()).toBe(2);
  });
});

describe("authenticated exchange (RFC 8915 §5.7)", () => {
  const clock = new ManualClock(1_800_000_000_000_000_000n);
  const ntp = new NtpResponder({
    clock,
    reference: {
      leap: 0,
      stratum: 1,
      referenceId: asciiReferenceId("GPS"),
      referenceTime: clock.now(),
      rootDelayNs: 0n,
      rootDispersionNs: 0n,
      precision: -20,
    },
    rateLimit: false,
  });
  const keys = new NtsCookieKeys({ random });
  const responder = new NtsResponder({ ntp, keys, random });
  const session = {
    aeadAlgorithm: 15,
    c2s: new Uint8Array(32).fill(0x11),
    s2c: new Uint8Array(32).fill(0x22),
  };

  /** Client at T1, server 5 ms ahead receiving after 1 ms, reply back 1 ms later. */
  function roundTrip(request: Uint8Array) {
    const t1 = clock.now();
    clock.advance(1n * NS_PER_MS + 5n * NS_PER_MS);
    const reply = responder.respond(request, clock.now(), "192.0.2.1");
    clock.advance(1n * NS_PER_MS - 5n * NS_PER_MS);
    return { t1, reply, t4: clock.now() };
  }

  it("gives an authenticated sample with offset +5 ms and 1 + placeholders fresh cookies", () => {
    const request = createNtsRequest({
      random,
      c2s: session.c2s,
      cookie: keys.seal(session),
      placeholders: 3,
    });
    const { t1, reply, t4 } = roundTrip(request.bytes);
    expect(reply).not.toBeNull();
    expect(reply!.length).toBe(request.bytes.length);
    const result = handleNtsReply(request, session.s2c, t1, reply!, t4, { clientPrecisionLog2: -30 });
    expect(result.kind).toBe("sample");
    if (result.kind !== "sample") return;
    expect(result.sample.offsetNs).toBe(5n * NS_PER_MS);
    expect(result.sample.delayNs).toBe(2n * NS_PER_MS);
    expect(result.cookies).toHaveLength(4);
    for (const c of result.cookies) expect(keys.open(c)).toEqual(session);
    expect(responder.stats.authenticated).toBe(1);
  });
  it("drops replies whose Unique Identifier or Authenticator does not match", () => {
    const request = createNtsRequest({
      random,
      c2s: session.c2s,
      cookie: keys.seal(session),
      placeholders: 0,
    });
    const { t1, reply, t4 } = roundTrip(request.bytes);
    const other = createNtsRequest({ random, c2s: session.c2s, cookie: keys.seal(session), placeholders: 0 });
    expect(handleNtsReply(other, session.s2c, t1, reply!, t4)).toEqual({
      kind: "bogus",
      reason: "unique-id-mismatch",
    });
    expect(handleNtsReply(request, session.c2s, t1, reply!, t4)).toEqual({
      kind: "bogus",
      reason: "unauthenticated",
    });
    const tampered = new Uint8Array(reply!);
    tampered[40] = tampered[40]! ^ 1;
    expect(handleNtsReply(request, session.s2c, t1, tampered, t4)).toEqual({
      kind: "bogus",
      reason: "unauthenticated",
    });
  });
  it("NAKs a tampered cookie and a request that does not verify under C2S", () => {
    const cookie = keys.seal(session);
    cookie[50] = cookie[50]! ^ 0xff;
    const request = createNtsRequest({ random, c2s: session.c2s, cookie, placeholders: 1 });
    const { t1, reply, t4 } = roundTrip(request.bytes);
    const packet = decodeNtpPacket(reply!);
    expect(kissCodeOf(packet)).toBe("NTSN");
    expect(packet.originTimestamp).toBe(request.nonce);
    expect(readNtsPacketFields(reply!).map((f) => f.fieldType)).toEqual([NtsFieldType.uniqueIdentifier]);
    expect(handleNtsReply(request, session.s2c, t1, reply!, t4)).toEqual({ kind: "nak" });
    const wrongKey = createNtsRequest({
      random,
      c2s: new Uint8Array(32),
      cookie: keys.seal(session),
      placeholders: 0,
    });
    expect(handleNtsReply(wrongKey, session.s2c, t1, roundTrip(wrongKey.bytes).reply!, t4)).toEqual({
      kind: "nak",
    });
    expect(responder.stats.naks).toBe(2);
  });
  it("answers plain NTP on the same responder with a plain 48-byte reply", () => {
    const plain = createNtpRequest({ random });
    const { reply } = roundTrip(plain.bytes);
    expect(reply!.length).toBe(48);
    expect(decodeNtpPacket(reply!).originTimestamp).toBe(plain.nonce);
  });
  it("drops NTS requests without a Unique Identifier or with two cookies", () => {
    const request = createNtsRequest({
      random,
      c2s: session.c2s,
      cookie: keys.seal(session),
      placeholders: 0,
    });
    const noUid = new Uint8Array(request.bytes);
    noUid[49] = 0x05; // Unique Identifier (0x0104) becomes an unknown type 0x0105
    const before = responder.stats.dropped;
    expect(responder.respond(noUid, clock.now(), "192.0.2.1")).toBeNull();
    expect(responder.stats.dropped).toBe(before + 1);
  });
});
