import {
  instantToNtp64,
  NS_PER_MS,
  NS_PER_S,
  NTP_ERA1_START,
  NTP_UNIX_EPOCH_DELTA_S,
  nsToNtpShort,
  ntpShortToNs,
  sampleDispersion,
} from "@chronosync/core";
import { describe, expect, it } from "vitest";
import {
  asciiReferenceId,
  createNtpRequest,
  encodeNtpPacket,
  handleNtpReply,
  ipv4ReferenceId,
  type NtpPacket,
  type NtpRequest,
} from "../src/index.js";

const fixed = (byte: number) => (n: number) => new Uint8Array(n).fill(byte);
const T = 1_763_900_000_000_000_000n; // 2025-11-23
const request = createNtpRequest({ random: fixed(0xa5) });

/** A good reply to `req`: server 5 ms ahead, 1 ms each way, 10 µs in the server. */
function reply(patch: Partial<NtpPacket> = {}, req: NtpRequest = request, t1 = T): NtpPacket {
  const t2 = t1 + NS_PER_MS + 5n * NS_PER_MS;
  return {
    leap: 0,
    version: 4,
    mode: 4,
    stratum: 2,
    poll: 6,
    precision: -20,
    rootDelay: nsToNtpShort(3n * NS_PER_MS),
    rootDispersion: nsToNtpShort(NS_PER_MS),
    referenceId: ipv4ReferenceId("192.0.2.1"),
    referenceTimestamp: instantToNtp64(t1 - 64n * NS_PER_S),
    originTimestamp: req.nonce,
    receiveTimestamp: instantToNtp64(t2),
    transmitTimestamp: instantToNtp64(t2 + 10_000n),
    extensionFields: [],
    mac: null,
    ...patch,
  };
}
const T4 = T + 2n * NS_PER_MS + 10_000n;
const judge = (p: NtpPacket, t4 = T4, options?: Parameters<typeof handleNtpReply>[4]) =>
  handleNtpReply(request, T, encodeNtpPacket(p), t4, options);

describe("createNtpRequest", () => {
  it("is a data-minimized mode-3 request whose transmit timestamp is the nonce", () => {
    const { bytes, nonce } = createNtpRequest({ random: fixed(0x11) });
    expect(bytes.length).toBe(48);
    expect(bytes[0]).toBe(0x23); // LI 0, VN 4, mode 3
    expect([...bytes.subarray(1, 40)].every((b) => b === 0)).toBe(true);
    expect(nonce).toBe(0x1111_1111_1111_1111n);
    expect(Buffer.from(bytes.subarray(40)).toString("hex")).toBe("1111111111111111");
  });

  it("takes version 3 and a poll exponent", () => {
    const { bytes } = createNtpRequest({ random: fixed(1), version: 3, poll: -2 });
    expect(bytes[0]).toBe(0x1b);
    expect(bytes[2]).toBe(0xfe);
  });

  it("never sends a zero nonce and refuses short random output", () => {
    expect(createNtpRequest({ random: fixed(0) }).nonce).toBe(1n);
    expect(() => createNtpRequest({ random: () => new Uint8Array(4) })).toThrow(/random/);
    expect(() => createNtpRequest({ random: fixed(1), poll: 200 })).toThrow(/poll/);
  });
});

describe("handleNtpReply: samples", () => {
  it("measures offset = server − local (positive: server ahead) and delay", () => {
    const result = judge(reply());
    expect(result.kind).toBe("sample");
    if (result.kind !== "sample") return;
    const s = result.sample;
    expect(s.offsetNs).toBe(5n * NS_PER_MS);
    expect(s.delayNs).toBe(2n * NS_PER_MS);
    expect([s.t1, s.t4]).toEqual([T, T4]);
    expect(s.t3 - s.t2).toBe(10_000n);
    expect(s.dispersionNs).toBe(sampleDispersion(-20, -20, T, T4));
    expect(s).toMatchObject({ leap: 0, version: 4, stratum: 2, poll: 6, precision: -20, refId: "192.0.2.1" });
    expect(s.referenceTime).toBe(T - 64n * NS_PER_S);
    expect(s.rootDelayNs).toBe(ntpShortToNs(nsToNtpShort(3n * NS_PER_MS))); // 16-bit fraction: ±7.6 µs
    expect(s.rootDispersionNs).toBe(ntpShortToNs(nsToNtpShort(NS_PER_MS)));
  });

  it("reports a server behind as a negative offset", () => {
    const t2 = T + NS_PER_MS - 7n * NS_PER_MS;
    const p = reply({
      receiveTimestamp: instantToNtp64(t2),
      transmitTimestamp: instantToNtp64(t2 + 10_000n),
    });
    const result = judge(p);
    expect(result.kind === "sample" && result.sample.offsetNs).toBe(-7n * NS_PER_MS);
  });

  it("reads a never-set reference time as the NTP epoch and formats stratum-1 ids as text", () => {
    const result = judge(reply({ stratum: 1, referenceId: asciiReferenceId("GPS"), referenceTimestamp: 0n }));
    expect(result.kind === "sample" && result.sample.referenceTime).toBe(-NTP_UNIX_EPOCH_DELTA_S * NS_PER_S);
    expect(result.kind === "sample" && result.sample.refId).toBe("GPS");
  });

  it("resolves T2/T3 across the 2036 era boundary with T1 as the pivot", () => {
    for (const t1 of [NTP_ERA1_START - 3n * NS_PER_MS, NTP_ERA1_START + 3n * NS_PER_MS]) {
      const req = createNtpRequest({ random: fixed(0x42) });
      const p = reply({}, req, t1);
      const result = handleNtpReply(req, t1, encodeNtpPacket(p), t1 + 2n * NS_PER_MS + 10_000n);
      expect(result.kind === "sample" && result.sample.offsetNs).toBe(5n * NS_PER_MS);
    }
  });

  it("accepts a slightly negative delay within the precisions, uses clientPrecisionLog2", () => {
    const t4 = T + 10_000n - 500n; // delay −500 ns; ρ = 2^-20 s ≈ 954 ns each
    const p = reply({
      receiveTimestamp: instantToNtp64(T + 5n * NS_PER_MS),
      transmitTimestamp: instantToNtp64(T + 5n * NS_PER_MS + 10_000n),
    });
    expect(judge(p, t4).kind).toBe("sample");
    expect(judge(p, t4, { clientPrecisionLog2: -40 }).kind).toBe("sample");
    expect(judge(reply({ precision: -40 }), t4 - NS_PER_MS, { clientPrecisionLog2: -40 })).toEqual({
      kind: "bogus",
      reason: "bad-delay",
    });
  });
});

describe("handleNtpReply: bogus replies are dropped", () => {
  const bogus = (reason: string) => ({ kind: "bogus", reason });
  it.each<[string, Partial<NtpPacket>, string]>([
    ["mode 3 (a request)", { mode: 3 }, "wrong-mode"],
    ["mode 5 (broadcast)", { mode: 5 }, "wrong-mode"],
    ["version 0", { version: 0 }, "wrong-version"],
    ["version 5", { version: 5 }, "wrong-version"],
    ["another origin", { originTimestamp: request.nonce ^ 1n }, "origin-mismatch"],
    ["zero origin", { originTimestamp: 0n }, "origin-mismatch"],
    [
      "a kiss with another origin",
      { stratum: 0, referenceId: asciiReferenceId("DENY"), originTimestamp: 5n },
      "origin-mismatch",
    ],
    ["leap 3", { leap: 3 }, "unsynchronized"],
    ["stratum 16", { stratum: 16 }, "bad-stratum"],
    ["stratum 255", { stratum: 255 }, "bad-stratum"],
    ["stratum 0 without a kiss code", { stratum: 0, referenceId: 0 }, "bad-stratum"],
    ["zero receive timestamp", { receiveTimestamp: 0n }, "zero-timestamp"],
    ["zero transmit timestamp", { transmitTimestamp: 0n }, "zero-timestamp"],
  ])("%s", (_name, patch, reason) => {
    expect(judge(reply(patch))).toEqual(bogus(reason));
  });

  it("malformed bytes", () => {
    expect(handleNtpReply(request, T, encodeNtpPacket(reply()).subarray(0, 47), T4)).toEqual(
      bogus("malformed"),
    );
    expect(handleNtpReply(request, T, new Uint8Array(56).fill(0x24), T4)).toEqual(bogus("malformed"));
  });

  it("a negative delay beyond the precisions, or one above maxDelayNs (default 3 s)", () => {
    expect(judge(reply(), T)).toEqual(bogus("bad-delay")); // δ = −10 µs
    expect(judge(reply(), T + 4n * NS_PER_S)).toEqual(bogus("bad-delay"));
    expect(judge(reply(), T4, { maxDelayNs: NS_PER_MS })).toEqual(bogus("bad-delay"));
    expect(judge(reply(), T4, { maxDelayNs: 2n * NS_PER_MS }).kind).toBe("sample");
  });
});

describe("handleNtpReply: kiss-o'-death", () => {
  it.each([
    ["RATE", "backoff"],
    ["DENY", "stop"],
    ["RSTR", "stop"],
    ["INIT", "ignore"],
    ["STEP", "ignore"],
    ["NTSN", "ignore"],
  ])("%s → %s", (code, action) => {
    const kiss = reply({ leap: 3, stratum: 0, referenceId: asciiReferenceId(code), receiveTimestamp: 0n });
    expect(judge(kiss)).toEqual({ kind: "kiss", code, action });
  });
});
