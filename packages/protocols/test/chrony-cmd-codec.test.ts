/**
 * chronyd command codec (chrony 4.3 candm.h): the Float encoding against hand-computed
 * vectors and util.c's rules, request layout and padding, reply decode/encode round
 * trips, typed errors for malformed replies, fast-check properties and a 10 000-input fuzz.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  ChronyCmdDecodeError,
  type ChronySource,
  type ChronyTracking,
  createChronyRequest,
  decodeChronyFloat,
  decodeChronyReply,
  encodeChronyFloat,
  encodeChronyNSourcesReply,
  encodeChronySourceDataReply,
  encodeChronyTrackingReply,
} from "../src/index.js";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const fixed = (n: number) => new Uint8Array(n).map((_, i) => 0xa0 + i);

/** Relative precision of a 25-bit signed coefficient after rounding. */
const REL = 2 ** -23;

describe("chrony Float", () => {
  // value = coef × 2^(exp − 25); exp is 7-bit signed (top bits), coef 25-bit two's
  // complement, so the largest positive coefficient is 2^24 − 1 and 1.0 is 2^23 × 2^-23.
  const vectors: [number, number][] = [
    [0, 0x0000_0000],
    [1, 0x0480_0000], // exp 2, coef 2^23
    [-1, 0x0300_0000], // exp 1, coef −2^24 (the negative side reaches one further)
    [0.5, 0x0280_0000], // exp 1, coef 2^23
    [2, 0x0680_0000], // exp 3, coef 2^23
    [1234.5, 0x189a_5000], // exp 12, coef 1234.5 × 2^13
    [-1234.5, 0x1965_b000], // exp 12, coef −1234.5 × 2^13 mod 2^25
    [1e101, 0x7eff_ffff], // saturates: exp 63, coef 2^24 − 1
  ];
  it("encodes and decodes golden vectors", () => {
    for (const [value, raw] of vectors) {
      expect(encodeChronyFloat(value)).toBe(raw);
      if (value !== 1e101) expect(decodeChronyFloat(raw)).toBe(value);
    }
    expect(encodeChronyFloat(Number.NaN)).toBe(0);
    expect(encodeChronyFloat(1e-101)).toBe(0);
    // Exponent −64 (bits 1000000), coefficient 1: the smallest positive value, 2^-89.
    expect(decodeChronyFloat(((0x40 << 25) | 1) >>> 0)).toBe(2 ** -89);
  });
  it("1e-9 encodes within the format's precision", () => {
    const raw = encodeChronyFloat(1e-9);
    expect(Math.abs(decodeChronyFloat(raw) - 1e-9)).toBeLessThanOrEqual(1e-9 * REL);
  });
  it("round-trips 0, ±1, 1e-9, 1234.5, ppm and second values within the format's precision", () => {
    for (const x of [0, 1, -1, 1e-9, -1e-9, 1234.5, 0.013, -25.7, 3.2e-6, 86400, 1e-18]) {
      const y = decodeChronyFloat(encodeChronyFloat(x));
      expect(Math.abs(y - x)).toBeLessThanOrEqual(Math.abs(x) * REL);
    }
  });
  it("property: any value in chrony's range round-trips within 2^-23 relative", () => {
    fc.assert(
      fc.property(fc.double({ min: -1e15, max: 1e15, noNaN: true }), (x) => {
        const y = decodeChronyFloat(encodeChronyFloat(x));
        if (Math.abs(x) < 1e-100) return y === 0;
        // Below 2^-64 the exponent stops and precision falls to 2^-89 absolute.
        return Math.abs(y - x) <= Math.max(Math.abs(x) * REL, 2 ** -89);
      }),
      { numRuns: 5000 },
    );
  });
  it("property: decode → encode is the identity on canonical words", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffff_ffff }), (raw) => {
        const x = decodeChronyFloat(raw);
        return decodeChronyFloat(encodeChronyFloat(x)) === x;
      }),
      { numRuns: 5000 },
    );
  });
});

describe("requests", () => {
  it("tracking: header, random sequence, zero padding to the 104-byte reply", () => {
    const r = createChronyRequest({ kind: "tracking" }, { random: fixed });
    expect(r.bytes.length).toBe(104);
    expect(hex(r.bytes.subarray(0, 20))).toBe(`0601000000210000a0a1a2a3${"00".repeat(8)}`);
    expect(r.bytes.subarray(20).every((b) => b === 0)).toBe(true);
    expect(r.sequence).toBe(0xa0a1a2a3);
  });
  it("n_sources and source_data: padded to their replies (32 and 76 bytes), index in the data", () => {
    expect(createChronyRequest({ kind: "n-sources" }, { random: fixed }).bytes.length).toBe(32);
    const sd = createChronyRequest({ kind: "source-data", index: 3 }, { random: fixed });
    expect(sd.bytes.length).toBe(76);
    expect(hex(sd.bytes.subarray(4, 6))).toBe("000f");
    expect(hex(sd.bytes.subarray(20, 24))).toBe("00000003");
  });
  it("rejects a bad index or short randomness", () => {
    expect(() => createChronyRequest({ kind: "source-data", index: -1 }, { random: fixed })).toThrow(/index/);
    expect(() => createChronyRequest({ kind: "tracking" }, { random: () => new Uint8Array(2) })).toThrow(
      /random/,
    );
  });
});

const tracking: ChronyTracking = {
  refId: 0x7f000001,
  ipAddr: "127.0.0.1",
  stratum: 2,
  leapStatus: 0,
  refTime: 1_795_455_827_097_818_942n,
  currentCorrectionS: -1.333e-6,
  lastOffsetS: -5e-9,
  rmsOffsetS: 1.727e-6,
  freqPpm: 0.0133,
  residFreqPpm: -0.00046,
  skewPpm: 0.1287,
  rootDelayS: 6.634e-6,
  rootDispersionS: 1.2e-6,
  lastUpdateIntervalS: 0.2545,
};
const source: ChronySource = {
  ipAddr: "2001:db8::1",
  poll: -2,
  stratum: 1,
  state: "sync",
  mode: "client",
  flags: 0,
  reachability: 0o377,
  sinceSample: 0,
  origLatestMeas: 1.462e-6,
  latestMeas: 1.467e-6,
  latestMeasErr: 4.986e-6,
};

/** Encoding is lossy only in the Floats: re-encode the decoded value and compare bytes. */
function close(a: number, b: number) {
  expect(Math.abs(a - b)).toBeLessThanOrEqual(Math.abs(b) * REL + 1e-30);
}

describe("replies", () => {
  it("tracking: encode → decode keeps every field; decode → encode is byte-stable", () => {
    const bytes = encodeChronyTrackingReply(tracking, 0x1234_5678);
    expect(bytes.length).toBe(104);
    const reply = decodeChronyReply(bytes);
    if (reply.kind !== "tracking") throw new Error(reply.kind);
    expect(reply.header).toEqual({ command: 33, reply: 5, status: 0, sequence: 0x1234_5678 });
    const t = reply.tracking;
    expect({ ...t, refTime: 0n }).toMatchObject({
      refId: 0x7f000001,
      ipAddr: "127.0.0.1",
      stratum: 2,
      leapStatus: 0,
    });
    expect(t.refTime).toBe(tracking.refTime);
    for (const k of ["currentCorrectionS", "freqPpm", "skewPpm", "lastUpdateIntervalS"] as const)
      close(t[k], tracking[k]);
    expect(hex(encodeChronyTrackingReply(t, 0x1234_5678))).toBe(hex(bytes));
  });
  it("n_sources and source_data (IPv6 address) round-trip", () => {
    const n = decodeChronyReply(encodeChronyNSourcesReply(3, 9));
    expect(n).toMatchObject({ kind: "n-sources", nSources: 3 });
    const bytes = encodeChronySourceDataReply(source, 9);
    expect(bytes.length).toBe(76);
    const sd = decodeChronyReply(bytes);
    if (sd.kind !== "source-data") throw new Error(sd.kind);
    expect(sd.source).toMatchObject({
      ipAddr: "2001:db8::1",
      poll: -2,
      state: "sync",
      mode: "client",
      reachability: 255,
    });
    close(sd.source.latestMeasErr, source.latestMeasErr);
    expect(hex(encodeChronySourceDataReply(sd.source, 9))).toBe(hex(bytes));
  });
  it("a status reply (RPY_NULL) decodes as status", () => {
    const bytes = new Uint8Array(28);
    bytes.set([6, 2, 0, 0, 0, 33, 0, 1, 0, 2]);
    expect(decodeChronyReply(bytes)).toMatchObject({ kind: "status", header: { status: 2, command: 33 } });
  });
  const bad = (mutate: (b: Uint8Array) => Uint8Array, reason: string) => {
    const bytes = mutate(encodeChronyTrackingReply(tracking, 1));
    try {
      decodeChronyReply(bytes);
    } catch (err) {
      expect(err).toBeInstanceOf(ChronyCmdDecodeError);
      expect((err as ChronyCmdDecodeError).reason).toBe(reason);
      expect((err as ChronyCmdDecodeError).code).toBe("CHRONY_CMD_DECODE_ERROR");
      return;
    }
    throw new Error("decoded");
  };
  it("malformed replies throw ChronyCmdDecodeError with a reason", () => {
    bad((b) => b.subarray(0, 27), "too-short");
    bad((b) => b.subarray(0, 103), "too-short");
    bad((b) => b.subarray(0, 28), "too-short");
    bad((b) => b.map((x, i) => (i === 0 ? 5 : x)), "bad-header");
    bad((b) => b.map((x, i) => (i === 1 ? 1 : x)), "bad-header");
    bad((b) => b.map((x, i) => (i === 3 ? 1 : x)), "bad-header");
    bad((b) => b.map((x, i) => (i === 7 ? 99 : x)), "unknown-reply");
    bad((b) => b.map((x, i) => (i === 28 + 4 + 17 ? 9 : x)), "bad-value"); // address family 9
    bad((b) => b.map((x, i) => (i === 28 + 27 ? 4 : x)), "bad-value"); // leap status 4
    bad((b) => b.map((x, i) => (i >= 28 + 36 && i < 28 + 40 ? 0xff : x)), "bad-value"); // nsec ≥ 1e9
  });
});

describe("fuzz", () => {
  /** xorshift32 with a fixed seed: reproducible. */
  let s = 0x5eed_c0de;
  const next = () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return s >>> 0;
  };
  it("10 000 random byte strings decode or throw ChronyCmdDecodeError; decodes re-encode stably", () => {
    const kinds: Record<string, number> = {};
    for (let i = 0; i < 10_000; i++) {
      const length = next() % 120;
      const bytes = new Uint8Array(length).map(() => next() & 0xff);
      // Half of them get a valid header start, so the data decoders see input too.
      if (i % 2 === 0 && length >= 8) bytes.set([6, 2, 0, 0, 0, 0, 0, [1, 2, 3, 5][(i >> 1) % 4] ?? 5]);
      if (i % 2 === 0 && bytes[7] === 5 && length >= 104) {
        bytes.set([0, next() % 4], 28 + 20); // address family 0–3
        bytes.set([0, next() % 4], 28 + 26); // leap status 0–3
        bytes[28 + 36] = 0; // nanoseconds < 2^24
      }
      if (i % 2 === 0 && bytes[7] === 3 && length >= 76)
        bytes.set([0, next() % 4, 0, 0, 0, next() % 6, 0, next() % 3], 28 + 16);
      let reply: ReturnType<typeof decodeChronyReply>;
      try {
        reply = decodeChronyReply(bytes);
      } catch (err) {
        expect(err).toBeInstanceOf(ChronyCmdDecodeError);
        kinds.error = (kinds.error ?? 0) + 1;
        continue;
      }
      kinds[reply.kind] = (kinds[reply.kind] ?? 0) + 1;
      const seq = reply.header.sequence;
      if (reply.kind === "tracking") {
        const again = decodeChronyReply(encodeChronyTrackingReply(reply.tracking, seq));
        expect(again).toMatchObject({ kind: "tracking", tracking: reply.tracking });
      } else if (reply.kind === "source-data") {
        const again = decodeChronyReply(encodeChronySourceDataReply(reply.source, seq));
        expect(again).toMatchObject({ kind: "source-data", source: reply.source });
      }
    }
    expect(kinds.error).toBeGreaterThan(0);
    expect(kinds.tracking ?? 0).toBeGreaterThan(0);
  });
});
