/**
 * Fuzzing of every NTS entry point that sees network bytes, with fast-check: random
 * inputs and mutations (bit flips, byte sets, cuts, splices) of captured real messages.
 * - decodeNtsKeMessage: records or NtsKeDecodeError; decode→encode gives the input back.
 * - readNtsPacketFields / decodeNtsAuthenticator: fields or NtsFieldDecodeError.
 * - NtsResponder.respond: null or a reply no larger than the request.
 * - handleNtsReply: a verdict, never a throw.
 * 240 000 inputs per run; FC_SEED in the environment picks another seed.
 */
import { readFileSync } from "node:fs";
import { ManualClock } from "@chronosync/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { NtsFieldDecodeError, NtsKeDecodeError } from "../src/errors.js";
import { asciiReferenceId, NtpResponder } from "../src/ntp/index.js";
import {
  createNtsRequest,
  decodeNtsAuthenticator,
  decodeNtsKeMessage,
  encodeNtsKeRecords,
  handleNtsReply,
  NtsCookieKeys,
  NtsResponder,
  readNtsPacketFields,
} from "../src/nts/index.js";

const fromHex = (h: string) => new Uint8Array(Buffer.from(h, "hex"));
const capture = JSON.parse(
  readFileSync(new URL("./vectors/nts/chronyd-capture.json", import.meta.url), "utf8"),
);
const seed = Number(process.env.FC_SEED ?? 0x4e7553);

/** A mutation of one of `seeds`: flips, sets, a cut, a splice of random bytes. */
function mutated(seeds: Uint8Array[]): fc.Arbitrary<Uint8Array> {
  return fc
    .record({
      which: fc.nat(seeds.length - 1),
      flips: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { maxLength: 6 }),
      cut: fc.option(fc.nat()),
      splice: fc.option(fc.tuple(fc.nat(), fc.uint8Array({ maxLength: 12 }))),
    })
    .map(({ which, flips, cut, splice }) => {
      let b = new Uint8Array(seeds[which]!);
      for (const [at, x] of flips) if (b.length > 0) b[at % b.length] = b[at % b.length]! ^ x;
      if (splice !== null && b.length > 0) {
        const at = splice[0] % b.length;
        b = new Uint8Array([...b.subarray(0, at), ...splice[1], ...b.subarray(at)]);
      }
      if (cut !== null && b.length > 0) b = b.subarray(0, cut % (b.length + 1));
      return b;
    });
}

function keDecodes(bytes: Uint8Array): void {
  try {
    const records = decodeNtsKeMessage(bytes);
    expect(encodeNtsKeRecords(records)).toEqual(bytes);
  } catch (err) {
    if (!(err instanceof NtsKeDecodeError)) throw err;
  }
}

describe("NTS-KE decoder fuzz", () => {
  const seeds = [
    fromHex(capture.chronydServer.keResponseHex),
    fromHex(capture.chronydClient.keRequestHex),
    fromHex("80020002000180000000"),
    fromHex("00060009746573742e7465737400070002007b80000000"),
  ];
  it("60 000 random inputs: records or NtsKeDecodeError, decode→encode exact", () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 96 }), keDecodes), { numRuns: 60_000, seed });
  });
  it("60 000 mutated captures: records or NtsKeDecodeError", () => {
    fc.assert(fc.property(mutated(seeds), keDecodes), { numRuns: 60_000, seed });
  });
});

describe("NTS NTP fuzz", () => {
  const random = (n: number) => new Uint8Array(n).map((_, i) => (i * 37 + n) & 0xff);
  const clock = new ManualClock(1_800_000_000_000_000_000n);
  const keys = new NtsCookieKeys({ random: (n) => new Uint8Array(n).fill(3) });
  const session = { aeadAlgorithm: 15, c2s: new Uint8Array(32).fill(1), s2c: new Uint8Array(32).fill(2) };
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
  const responder = new NtsResponder({ ntp, keys, random });
  const ours = createNtsRequest({ random, c2s: session.c2s, cookie: keys.seal(session), placeholders: 2 });
  const ourReply = responder.respond(ours.bytes, clock.now(), "127.0.0.1");
  const requests = [
    ours.bytes,
    fromHex(capture.chronydClient.ntpRequestHex),
    fromHex(capture.chronydServer.ntpRequestHex),
  ];
  const replies = [
    ourReply!,
    fromHex(capture.chronydServer.ntpResponseHex),
    fromHex(capture.chronydServer.nakResponseHex),
  ];

  const serves = (bytes: Uint8Array) => {
    const reply = responder.respond(bytes, clock.now(), "10.0.0.1");
    if (reply !== null) expect(reply.length).toBeLessThanOrEqual(Math.max(48, bytes.length));
  };
  const judges = (bytes: Uint8Array) => {
    const result = handleNtsReply(ours, session.s2c, clock.now(), bytes, clock.now() + 1000n);
    expect(["sample", "nak", "kiss", "bogus"]).toContain(result.kind);
  };
  const fields = (bytes: Uint8Array) => {
    try {
      for (const f of readNtsPacketFields(bytes)) if (f.fieldType === 0x0404) decodeNtsAuthenticator(f.value);
    } catch (err) {
      if (!(err instanceof NtsFieldDecodeError)) throw err;
    }
  };

  it("the valid seeds do what they should", () => {
    expect(handleNtsReply(ours, session.s2c, clock.now(), ourReply!, clock.now() + 1000n).kind).toBe(
      "sample",
    );
  });
  it("20 000 random + 30 000 mutated requests: NtsResponder gives null or a reply no larger", () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 40, maxLength: 400 }), serves), {
      numRuns: 20_000,
      seed,
    });
    fc.assert(fc.property(mutated(requests), serves), { numRuns: 30_000, seed });
  });
  it("20 000 random + 30 000 mutated replies: handleNtsReply gives a verdict", () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 40, maxLength: 400 }), judges), {
      numRuns: 20_000,
      seed,
    });
    fc.assert(fc.property(mutated(replies), judges), { numRuns: 30_000, seed });
  });
  it("10 000 random + 10 000 mutated packets: fields or NtsFieldDecodeError", () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 400 }), fields), { numRuns: 10_000, seed });
    fc.assert(fc.property(mutated([...requests, ...replies]), fields), { numRuns: 10_000, seed });
  });
});
