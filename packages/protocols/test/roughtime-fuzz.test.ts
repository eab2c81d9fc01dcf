/**
 * Fuzzing the Roughtime entry points that see network bytes, with fast-check:
 * 60 000 random byte strings and 60 000 mutated valid packets (bit flips, byte
 * overwrites, truncation, extension, header-field rewrites). Every input must give a
 * message or a RoughtimeDecodeError (decoders), a verified response or a
 * RoughtimeDecodeError / RoughtimeVerificationError (verify), and null or a response no
 * longer than the request (RoughtimeResponder.respond) — never anything else. Plus:
 * decode → encode → decode is stable for arbitrary well-formed messages.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  decodeRoughtimeMessage,
  decodeRoughtimeRequest,
  decodeRoughtimeResponse,
  encodeRoughtimeMessage,
  encodeRoughtimeRequest,
  nodeEd25519,
  RoughtimeDecodeError,
  RoughtimeResponder,
  RoughtimeVerificationError,
  roughtimeSrv,
  verifyRoughtimeResponse,
} from "../src/index.js";

const seed = Number(process.env.ROUGHTIME_FUZZ_SEED ?? 0x70_6874);
const RANDOM_RUNS = 60_000;
const MUTATED_RUNS = 60_000;

const responder = new RoughtimeResponder({
  longTermSecretKey: new Uint8Array(32).fill(7),
  randomBytes: (n) => new Uint8Array(n).fill(8),
  ed25519: nodeEd25519,
});
const now = 1_800_000_000_000_000_000n;
const requests = [
  encodeRoughtimeRequest({ nonce: new Uint8Array(32).fill(1), srv: roughtimeSrv(responder.publicKey) }),
  encodeRoughtimeRequest({ nonce: new Uint8Array(32).fill(2), versions: [1] }),
  encodeRoughtimeRequest({ nonce: new Uint8Array(32).fill(3) }),
];
const responses = responder.respond(requests, now).map((r) => r!);

function decodesOrTypedError(f: () => unknown): boolean {
  try {
    f();
    return true;
  } catch (err) {
    if (err instanceof RoughtimeDecodeError || err instanceof RoughtimeVerificationError) return true;
    throw err;
  }
}

function respondsSafely(packet: Uint8Array): boolean {
  const [reply] = responder.respond([packet], now);
  return reply === null || reply === undefined || reply.length <= packet.length;
}

const mutation = fc.oneof(
  fc.record({ kind: fc.constant("flip" as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant("set" as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }),
  fc.record({ kind: fc.constant("extend" as const), bytes: fc.uint8Array({ maxLength: 64 }) }),
  fc.record({
    kind: fc.constant("u32" as const),
    at: fc.nat({ max: 200 }),
    value: fc.oneof(fc.constantFrom(0, 1, 3, 4, 0xffffffff, 0x80000000), fc.nat()),
  }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

function mutate(base: Uint8Array, mutations: Mutation[]): Uint8Array {
  let out = base.slice();
  for (const m of mutations) {
    if (out.length === 0) break;
    if (m.kind === "flip") out[m.at % out.length]! ^= 1 << m.bit;
    else if (m.kind === "set") out[m.at % out.length] = m.value;
    else if (m.kind === "truncate") out = out.slice(0, m.at % out.length);
    else if (m.kind === "extend") out = Uint8Array.from([...out, ...m.bytes]);
    else if (out.length >= 16) {
      // Rewrite a 4-byte-aligned field of the framing or header (counts, offsets, tags).
      const at = 8 + 4 * (m.at % Math.floor((out.length - 8) / 4));
      new DataView(out.buffer, out.byteOffset).setUint32(at, m.value >>> 0, true);
    }
  }
  return out;
}

describe("Roughtime fuzz", () => {
  it(`${RANDOM_RUNS} random byte strings give a message or a typed error`, () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 64 }),
          fc.uint8Array({ minLength: 1024, maxLength: 1100 }),
          fc
            .uint8Array({ maxLength: 600 })
            .map((b) => Uint8Array.from([...new TextEncoder().encode("ROUGHTIM"), ...b])),
        ),
        (bytes) =>
          decodesOrTypedError(() => decodeRoughtimeMessage(bytes)) &&
          decodesOrTypedError(() => decodeRoughtimeRequest(bytes)) &&
          decodesOrTypedError(() => decodeRoughtimeResponse(bytes)) &&
          decodesOrTypedError(() =>
            verifyRoughtimeResponse(requests[0]!, bytes, responder.publicKey, nodeEd25519),
          ),
      ),
      { numRuns: RANDOM_RUNS, seed },
    );
  });

  it(`${MUTATED_RUNS} mutated requests and responses give a result or a typed error`, () => {
    let accepted = 0;
    fc.assert(
      fc.property(
        fc.nat({ max: 2 }),
        fc.boolean(),
        fc.array(mutation, { minLength: 1, maxLength: 4 }),
        (i, isRequest, ms) => {
          if (isRequest) {
            const packet = mutate(requests[i]!, ms);
            return decodesOrTypedError(() => decodeRoughtimeRequest(packet)) && respondsSafely(packet);
          }
          const packet = mutate(responses[i]!, ms);
          return decodesOrTypedError(() => {
            verifyRoughtimeResponse(requests[i]!, packet, responder.publicKey, nodeEd25519);
            accepted++;
          });
        },
      ),
      { numRuns: MUTATED_RUNS, seed },
    );
    // Mutations that still verify are only those outside signed or hashed bytes (rare).
    expect(accepted).toBeLessThan(MUTATED_RUNS / 20);
  });

  it("decode → encode → decode is stable for arbitrary well-formed messages", () => {
    const value = fc.nat({ max: 16 }).chain((n) => fc.uint8Array({ minLength: 4 * n, maxLength: 4 * n }));
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(fc.nat({ max: 0xffffffff }), value), {
          minLength: 1,
          maxLength: 12,
          selector: (e) => e[0],
        }),
        (entries) => {
          const bytes = encodeRoughtimeMessage(entries);
          const decoded = decodeRoughtimeMessage(bytes);
          expect(encodeRoughtimeMessage([...decoded.entries()])).toEqual(bytes);
          expect([...decoded.keys()]).toEqual(entries.map((e) => e[0]).sort((a, b) => a - b));
        },
      ),
      { numRuns: 5_000, seed },
    );
  });
});
