import { type Clock, instantToNtp64, ManualClock, NS_PER_MS, NS_PER_S, nsToNtpShort } from "@chronosync/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  asciiReferenceId,
  createNtpRequest,
  decodeNtpPacket,
  encodeNtpPacket,
  handleNtpReply,
  kissCodeOf,
  type NtpReferenceState,
  NtpResponder,
} from "../src/index.js";
import { splitInstant, writeNtpTimestamp } from "../src/ntp/fast-timestamp.js";

const T = 1_763_900_000_123_456_789n;
const reference: NtpReferenceState = {
  leap: 1,
  stratum: 2,
  referenceId: 0xc0000201,
  referenceTime: T - 30n * NS_PER_S,
  rootDelayNs: 1_500_000n,
  rootDispersionNs: 250_000n,
  precision: -23,
};
const random = (n: number) => new Uint8Array(n).fill(0x5a);
const request = (patch: { version?: number; mode?: number; poll?: number } = {}) => {
  const bytes = createNtpRequest({ random, poll: patch.poll ?? 5 }).bytes;
  bytes[0] = ((patch.version ?? 4) << 3) | (patch.mode ?? 3);
  return bytes;
};
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

/** A clock that advances 1 µs per read, to tell reads apart. */
class TickingClock implements Clock {
  readonly precisionLog2 = -30;
  reads: bigint[] = [];
  constructor(private t: bigint) {}
  now(): bigint {
    this.t += 1000n;
    this.reads.push(this.t);
    return this.t;
  }
}

describe("NtpResponder replies", () => {
  it("answers a mode-3 request from its clock and reference state", () => {
    const clock = new TickingClock(T);
    const responder = new NtpResponder({ clock, reference, rateLimit: false });
    const req = request({ poll: 7 });
    const rx = T - 333n; // sub-µs: ns precision must survive
    const reply = decodeNtpPacket(responder.respond(req, rx, "127.0.0.1")!);
    expect(reply).toMatchObject({
      leap: 1,
      version: 4,
      mode: 4,
      stratum: 2,
      poll: 7,
      precision: -23,
      rootDelay: nsToNtpShort(1_500_000n),
      rootDispersion: nsToNtpShort(250_000n),
      referenceId: 0xc0000201,
      referenceTimestamp: instantToNtp64(T - 30n * NS_PER_S),
      receiveTimestamp: instantToNtp64(rx),
      extensionFields: [],
      mac: null,
    });
    expect(hex(encodeNtpPacket(reply).subarray(24, 32))).toBe(hex(req.subarray(40, 48)));
    // T3 is the clock's last read.
    expect(reply.transmitTimestamp).toBe(instantToNtp64(clock.reads.at(-1)!));
    expect(responder.stats).toEqual({ received: 1, answered: 1, rateLimited: 0, ignored: 0 });
  });

  it("replies with the request's version, 1 to 4", () => {
    const responder = new NtpResponder({ clock: new ManualClock(T), reference, rateLimit: false });
    for (const version of [1, 2, 3, 4]) {
      expect(decodeNtpPacket(responder.respond(request({ version }), T, "c")!).version).toBe(version);
    }
  });

  it("works with its own reply through handleNtpReply: offset 0 on one clock", () => {
    const clock = new ManualClock(T + 1500n); // T3
    const responder = new NtpResponder({ clock, reference: { ...reference, leap: 0 }, rateLimit: false });
    const req = createNtpRequest({ random });
    const reply = responder.respond(req.bytes, T + 1000n, "c")!; // T2
    const result = handleNtpReply(req, T, reply, T + 2500n);
    expect(result.kind === "sample" && result.sample.offsetNs).toBe(0n);
    expect(result.kind === "sample" && result.sample.delayNs).toBe(2000n);
  });

  it("ignores other modes, versions 0 and 5–7, short and malformed requests", () => {
    const responder = new NtpResponder({ clock: new ManualClock(T), reference, rateLimit: false });
    const ignored = [
      ...[0, 1, 2, 4, 5, 6, 7].map((mode) => request({ mode })),
      ...[0, 5, 6, 7].map((version) => request({ version })),
      request().subarray(0, 47),
      new Uint8Array(0),
      new Uint8Array([...request(), ...new Uint8Array(8)]), // 8 stray bytes
      new Uint8Array([...request({ version: 3 }), ...new Uint8Array(16)]), // v3 has no fields
    ];
    for (const bytes of ignored) expect(responder.respond(bytes, T, "c")).toBeNull();
    expect(responder.stats).toEqual({
      received: ignored.length,
      answered: 0,
      rateLimited: 0,
      ignored: ignored.length,
    });
  });

  it("answers requests with extension fields or a MAC with a plain 48-byte header", () => {
    const responder = new NtpResponder({ clock: new ManualClock(T), reference, rateLimit: false });
    const base = decodeNtpPacket(request());
    for (const packet of [
      { ...base, extensionFields: [{ fieldType: 0x104, value: new Uint8Array(32) }] },
      { ...base, mac: new Uint8Array(20) },
      { ...base, mac: new Uint8Array(4) },
    ]) {
      const reply = responder.respond(encodeNtpPacket(packet), T, "c");
      expect(reply?.length).toBe(48);
    }
  });

  it("follows a reference function and rebuilds its template when the object changes", () => {
    let ref = reference;
    const responder = new NtpResponder({ clock: new ManualClock(T), reference: () => ref, rateLimit: false });
    expect(decodeNtpPacket(responder.respond(request(), T, "c")!).stratum).toBe(2);
    ref = { ...reference, stratum: 3, referenceId: asciiReferenceId("LOCL") };
    const reply = decodeNtpPacket(responder.respond(request(), T, "c")!);
    expect([reply.stratum, reply.referenceId]).toEqual([3, asciiReferenceId("LOCL")]);
  });

  it("rejects a reference state that does not fit the header", () => {
    const clock = new ManualClock(T);
    for (const bad of [{ stratum: 256 }, { leap: 4 }, { precision: 200 }, { referenceId: -1 }]) {
      expect(
        () => new NtpResponder({ clock, reference: { ...reference, ...bad } as NtpReferenceState }),
      ).toThrow(/reference/i);
    }
  });
});

describe("NtpResponder rate limiting", () => {
  it("sends a RATE kiss once the burst is spent, then drops three in four", () => {
    const clock = new ManualClock(T);
    const responder = new NtpResponder({ clock, reference, rateLimit: { minIntervalMs: 1000, burst: 3 } });
    const req = createNtpRequest({ random });
    const out = Array.from({ length: 12 }, () => responder.respond(req.bytes, T, "198.51.100.7"));
    expect(out.slice(0, 3).every((r) => r !== null && decodeNtpPacket(r).stratum === 2)).toBe(true);
    expect(out.slice(3).map((r) => (r === null ? "-" : kissCodeOf(decodeNtpPacket(r))))).toEqual([
      "RATE",
      "-",
      "-",
      "-",
      "RATE",
      "-",
      "-",
      "-",
      "RATE",
    ]);
    const kiss = decodeNtpPacket(out[3]!);
    expect(kiss).toMatchObject({ leap: 3, mode: 4, stratum: 0, originTimestamp: req.nonce });
    expect([kiss.receiveTimestamp, kiss.transmitTimestamp]).toEqual([req.nonce, req.nonce]);
    expect(handleNtpReply(req, T, out[3]!, T + 1000n)).toEqual({
      kind: "kiss",
      code: "RATE",
      action: "backoff",
    });
    expect(responder.stats).toEqual({ received: 12, answered: 3, rateLimited: 9, ignored: 0 });
    // Another client is not affected; the first one gets a token back per interval.
    expect(decodeNtpPacket(responder.respond(req.bytes, T, "198.51.100.8")!).stratum).toBe(2);
    expect(decodeNtpPacket(responder.respond(req.bytes, T + NS_PER_S, "198.51.100.7")!).stratum).toBe(2);
    expect(kissCodeOf(decodeNtpPacket(responder.respond(req.bytes, T + NS_PER_S, "198.51.100.7")!))).toBe(
      "RATE",
    );
  });

  it("is on by default: a 16-packet burst, then one per 125 ms", () => {
    const responder = new NtpResponder({ clock: new ManualClock(T), reference });
    const req = request();
    let t = T;
    for (let i = 0; i < 16; i++) expect(decodeNtpPacket(responder.respond(req, t, "a")!).stratum).toBe(2);
    expect(kissCodeOf(decodeNtpPacket(responder.respond(req, t, "a")!))).toBe("RATE");
    for (let i = 0; i < 20; i++) {
      t += 125n * NS_PER_MS;
      expect(decodeNtpPacket(responder.respond(req, t, "a")!).stratum).toBe(2);
    }
  });

  it("never sends more packets than it receives, nor more kisses than a quarter of floods", () => {
    const responder = new NtpResponder({ clock: new ManualClock(T), reference });
    const req = request();
    let sent = 0;
    let kisses = 0;
    for (let i = 0; i < 10_000; i++) {
      const r = responder.respond(req, T + BigInt(i) * 1000n, "203.0.113.9");
      if (r !== null) {
        sent++;
        if (r[1] === 0) kisses++;
      }
    }
    expect(sent).toBeLessThan(10_000 / 4 + 20);
    expect(kisses).toBeLessThanOrEqual(Math.ceil((10_000 - 16) / 4));
  });

  it("can be turned off (rateLimit false or minIntervalMs 0)", () => {
    for (const rateLimit of [false as const, { minIntervalMs: 0 }]) {
      const responder = new NtpResponder({ clock: new ManualClock(T), reference, rateLimit });
      for (let i = 0; i < 1000; i++) expect(responder.respond(request(), T, "a")).not.toBeNull();
      expect(responder.stats.answered).toBe(1000);
    }
  });

  it("keeps a fixed table: many clients evict each other, no one is locked out", () => {
    const responder = new NtpResponder({
      clock: new ManualClock(T),
      reference,
      rateLimit: { minIntervalMs: 1000, burst: 1, tableSize: 8 },
    });
    const req = request();
    for (let i = 0; i < 5000; i++)
      responder.respond(req, T + BigInt(i), `10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`);
    expect(responder.stats.answered).toBe(5000);
  });

  it("survives the clock stepping back", () => {
    const responder = new NtpResponder({ clock: new ManualClock(T), reference, rateLimit: { burst: 2 } });
    const req = request();
    responder.respond(req, T, "a");
    responder.respond(req, T, "a");
    expect(responder.respond(req, T - 3600n * NS_PER_S, "a")?.[1]).toBe(0); // a kiss, no time
    expect(responder.respond(req, T - 3600n * NS_PER_S + NS_PER_S, "a")?.[1]).toBe(2);
  });

  it("rejects bad settings", () => {
    const clock = new ManualClock(T);
    for (const rateLimit of [{ minIntervalMs: -1 }, { burst: 0 }, { burst: 1.5 }, { tableSize: 0 }]) {
      expect(() => new NtpResponder({ clock, reference, rateLimit })).toThrow(/rate limit/);
    }
  });
});

describe("fast timestamps", () => {
  it("match core's instantToNtp64 bit for bit", () => {
    const split = new Float64Array(2);
    const out = new Uint8Array(8);
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 62n), max: 2n ** 62n }), (instant) => {
        splitInstant(instant, split);
        writeNtpTimestamp(out, 0, split[0]!, split[1]!);
        expect(new DataView(out.buffer).getBigUint64(0)).toBe(instantToNtp64(instant));
      }),
      { numRuns: 20_000 },
    );
    for (const ns of [0n, 1n, 999_999_999n, 500_000_000n, 232n, 233n]) {
      splitInstant(T - (T % NS_PER_S) + ns, split);
      writeNtpTimestamp(out, 0, split[0]!, split[1]!);
      expect(new DataView(out.buffer).getBigUint64(0)).toBe(instantToNtp64(T - (T % NS_PER_S) + ns));
    }
  });
});
