/**
 * PTP codec fuzzing (fast-check): 60 000 random byte strings and 60 000 mutations of the
 * golden vectors each give a message, a tagged skip or a PtpDecodeError — nothing else —
 * and every decoded message re-encodes to bytes that decode to the same message.
 */
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodePtpMessage, encodePtpMessage, PtpDecodeError } from "../src/index.js";

const vectorFiles = ["ptp4l-captures.json", "hand-built.json"];
const seeds = vectorFiles.flatMap((name) =>
  (
    JSON.parse(readFileSync(new URL(`./vectors/ptp/${name}`, import.meta.url), "utf8")) as { hex: string }[]
  ).map((v) => Uint8Array.from(Buffer.from(v.hex, "hex"))),
);

let counted = 0;
function check(bytes: Uint8Array): void {
  counted++;
  let result: ReturnType<typeof decodePtpMessage>;
  try {
    result = decodePtpMessage(bytes);
  } catch (err) {
    if (err instanceof PtpDecodeError) return;
    throw err;
  }
  if (result.kind === "skip") return;
  const again = decodePtpMessage(encodePtpMessage(result.message));
  expect(again).toEqual(result);
}

const mutation = fc.record({
  seed: fc.nat({ max: seeds.length - 1 }),
  flips: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }),
  cut: fc.option(fc.nat(), { nil: undefined }),
  extra: fc.uint8Array({ maxLength: 16 }),
  lengthField: fc.option(fc.integer({ min: 0, max: 0xffff }), { nil: undefined }),
});

describe("PTP codec fuzz", () => {
  it("random bytes: message, skip or PtpDecodeError", () => {
    const header = fc.uint8Array({ minLength: 0, maxLength: 120 });
    // Half fully random, half with a plausible version and length so bodies get parsed.
    const plausible = fc
      .tuple(fc.integer({ min: 0, max: 15 }), fc.uint8Array({ minLength: 34, maxLength: 120 }))
      .map(([type, bytes]) => {
        const out = bytes.slice();
        out[0] = type;
        out[1] = 2;
        out[2] = out.length >> 8;
        out[3] = out.length & 0xff;
        return out;
      });
    fc.assert(
      fc.property(fc.oneof(header, plausible), (bytes) => check(bytes)),
      { numRuns: 60_000 },
    );
  });

  it("mutated golden vectors: message, skip or PtpDecodeError", () => {
    fc.assert(
      fc.property(mutation, ({ seed, flips, cut, extra, lengthField }) => {
        let bytes = seeds[seed]!.slice();
        for (const [at, value] of flips) bytes[at % bytes.length] = value;
        if (lengthField !== undefined) {
          bytes[2] = lengthField >> 8;
          bytes[3] = lengthField & 0xff;
        }
        if (cut !== undefined) bytes = bytes.subarray(0, cut % (bytes.length + 1));
        const joined = new Uint8Array(bytes.length + extra.length);
        joined.set(bytes);
        joined.set(extra, bytes.length);
        check(joined);
      }),
      { numRuns: 60_000 },
    );
    expect(counted).toBeGreaterThanOrEqual(100_000);
  });
});
