/**
 * Fuzzing: 160 000 random and mutated datagrams per run through the three entry points
 * that see network bytes. Each must give a packet or an NtpDecodeError
 * (decodeNtpPacket), a sample, kiss or bogus verdict (handleNtpReply), and null or a
 * 48-byte reply no larger than the request (NtpResponder.respond) — never anything else.
 * A fixed-seed PRNG keeps runs reproducible; set NTP_FUZZ_SEED to explore.
 */
import { ManualClock } from "@chronosync/core";
import { expect, it } from "vitest";
import {
  asciiReferenceId,
  createNtpRequest,
  decodeNtpPacket,
  encodeNtpPacket,
  handleNtpReply,
  NtpDecodeError,
  type NtpReplyResult,
  NtpResponder,
} from "../src/index.js";
import { fromHex, rfcVectors } from "./helpers/vectors.js";

const RANDOM_PACKETS = 60_000;
const MUTATED_PACKETS = 100_000;

/** xorshift32: fast, seedable, good enough to pick mutations. */
function prng(seed: number) {
  let s = seed >>> 0 || 1;
  const next = () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 0x1_0000_0000;
  };
  return { next, int: (n: number) => Math.floor(next() * n) };
}

const seed = Number(process.env.NTP_FUZZ_SEED ?? 0x5eed_2024);
const rnd = prng(seed);

function randomBytes(length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = rnd.int(256);
  return bytes;
}

/** One mutation of `input`: bit flips, byte sets, truncation, extension or a bogus field. */
function mutate(input: Uint8Array): Uint8Array {
  let bytes = new Uint8Array(input);
  const rounds = 1 + rnd.int(3);
  for (let r = 0; r < rounds; r++) {
    switch (rnd.int(6)) {
      case 0:
        for (let i = 1 + rnd.int(8); i > 0 && bytes.length > 0; i--) {
          const at = rnd.int(bytes.length);
          bytes[at] = bytes[at]! ^ (1 << rnd.int(8));
        }
        break;
      case 1:
        if (bytes.length > 0) bytes[rnd.int(bytes.length)] = [0, 0xff, 0x7f, 0x80][rnd.int(4)]!;
        break;
      case 2:
        bytes = bytes.slice(0, rnd.int(bytes.length + 1));
        break;
      case 3: {
        const tail = randomBytes([4, 8, 12, 16, 20, 24, 28, 1, 3][rnd.int(9)]!);
        const grown = new Uint8Array(bytes.length + tail.length);
        grown.set(bytes);
        grown.set(tail, bytes.length);
        bytes = grown;
        break;
      }
      case 4: {
        // An extension field header with a hostile length at a field boundary.
        const at = 48 + 4 * rnd.int(8);
        if (bytes.length >= at + 4) {
          const length = [0, 4, 12, 16, 17, 28, 0xfffc, 0xffff, bytes.length - at][rnd.int(9)]!;
          bytes[at + 2] = (length >>> 8) & 0xff;
          bytes[at + 3] = length & 0xff;
        }
        break;
      }
      default:
        if (bytes.length > 0) bytes[0] = rnd.int(256); // leap, version and mode
    }
  }
  return bytes;
}

it(`fuzzes ${RANDOM_PACKETS} random and ${MUTATED_PACKETS} mutated datagrams (seed ${seed})`, () => {
  const clock = new ManualClock(1_763_900_000_123_456_789n, -23);
  const responder = new NtpResponder({
    clock,
    reference: {
      leap: 0,
      stratum: 1,
      referenceId: asciiReferenceId("GPS"),
      referenceTime: clock.now() - 1_000_000_000n,
      rootDelayNs: 0n,
      rootDispersionNs: 1000n,
      precision: -23,
    },
    rateLimit: { minIntervalMs: 1, burst: 4, tableSize: 64 },
  });
  const request = createNtpRequest({ random: randomBytes });
  const goodReply = responder.respond(request.bytes, clock.now(), "seed")!;
  const corpus = [
    goodReply,
    request.bytes,
    ...rfcVectors().map((v) => fromHex(v.hex)),
    ...rfcVectors().map((v) => {
      const bytes = fromHex(v.hex);
      bytes.set(request.bytes.subarray(40, 48), 24); // origin = our nonce: reach deep checks
      return bytes;
    }),
  ];
  const seen = { packets: 0, decodeErrors: 0, samples: 0, kisses: 0, bogus: 0, replies: 0 };
  const check = (bytes: Uint8Array, index: number) => {
    try {
      const packet = decodeNtpPacket(bytes);
      seen.packets++;
      if (encodeNtpPacket(packet).length !== bytes.length) throw new Error("re-encoded length differs");
    } catch (err) {
      if (!(err instanceof NtpDecodeError)) throw err;
      seen.decodeErrors++;
    }
    const t1 = clock.now() - BigInt(rnd.int(1_000_000));
    const result: NtpReplyResult = handleNtpReply(request, t1, bytes, clock.now());
    if (result.kind === "sample") seen.samples++;
    else if (result.kind === "kiss") seen.kisses++;
    else if (result.kind === "bogus") seen.bogus++;
    else throw new Error(`unexpected verdict ${JSON.stringify(result)}`);
    clock.advance(BigInt(rnd.int(2_000_000)));
    const reply = responder.respond(bytes, clock.now(), `10.0.0.${index % 200}`);
    if (reply !== null) {
      seen.replies++;
      if (reply.length !== 48 || reply.length > bytes.length || (reply[0]! & 7) !== 4) {
        throw new Error(`bad reply to ${Buffer.from(bytes).toString("hex")}`);
      }
    }
  };
  for (let i = 0; i < RANDOM_PACKETS; i++) {
    const length = rnd.next() < 0.7 ? 48 + rnd.int(80) : rnd.int(48);
    check(randomBytes(length), i);
  }
  for (let i = 0; i < MUTATED_PACKETS; i++) check(mutate(corpus[rnd.int(corpus.length)]!), i);

  const { received, answered, rateLimited, ignored } = responder.stats;
  expect(received).toBe(RANDOM_PACKETS + MUTATED_PACKETS + 1);
  expect(answered + rateLimited + ignored).toBe(received);
  // Every path was exercised.
  for (const [name, count] of Object.entries(seen)) expect(count, name).toBeGreaterThan(100);
});
