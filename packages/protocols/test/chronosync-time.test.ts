// ChronoSync time over HTTP: the pure messages (the server side is tested in
// packages/server/test/time.test.ts against a real server).
import { generateKeyPairSync, sign, verify } from "node:crypto";
import { CryptoVerificationFailedError } from "@chronosync/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  ChronosyncTimeDecodeError,
  createTimeRequest,
  parseTimeRequest,
  parseTimeResponse,
  type TimeResponseBody,
  timeResponseSigningInput,
  timeSample,
  verifyTimeResponse,
} from "../src/index.js";

const { publicKey, privateKey } = generateKeyPairSync("ed25519");
const request = createTimeRequest(1_000_000_000n, new Uint8Array(16).fill(7));

function answer(body: Partial<TimeResponseBody> = {}): string {
  const b: TimeResponseBody = {
    version: 1,
    nonce: request.nonce,
    t1: request.t1,
    t2: "1000500000",
    t3: "1000600000",
    leap: 0,
    keyId: "k1",
    ...body,
  };
  return JSON.stringify({
    ...b,
    signature: sign(null, timeResponseSigningInput(b), privateKey).toString("base64"),
  });
}
const verifier = (_id: string, m: Uint8Array, s: Uint8Array) => verify(null, m, publicKey, s);

describe("ChronoSync time messages", () => {
  it("computes NTP's offset and delay from t1..t4 (RFC 5905 §8)", () => {
    const response = parseTimeResponse(answer(), request);
    verifyTimeResponse(response, verifier);
    // t1 = 1.0000 s, t2 = 1.0005, t3 = 1.0006, t4 = 1.0010 → θ = (0.5 − 0.4)/2 ms, δ = 1.0 − 0.1 ms.
    const sample = timeSample(response, 1_001_000_000n);
    expect(sample.offsetNs).toBe(50_000n);
    expect(sample.delayNs).toBe(900_000n);
  });

  it("writes the signed bytes as prefix + RFC 8785 canonical JSON", () => {
    const bytes = timeResponseSigningInput({
      version: 1,
      nonce: "AA==",
      t1: "1",
      t2: "2",
      t3: "3",
      leap: 0,
      keyId: "k",
    });
    expect(new TextDecoder().decode(bytes)).toBe(
      'chronosync-time-v1\n{"keyId":"k","leap":0,"nonce":"AA==","t1":"1","t2":"2","t3":"3","version":1}',
    );
  });

  it("refuses answers to another request, bad fields and bad signatures with typed errors", () => {
    expect(() => parseTimeResponse(answer({ t1: "5" }), request)).toThrow(ChronosyncTimeDecodeError);
    expect(() => parseTimeResponse(answer({ t3: "1000400000" }), request)).toThrow(/t3 is before t2/);
    expect(() => parseTimeResponse("{", request)).toThrow(ChronosyncTimeDecodeError);
    expect(() => parseTimeResponse("x".repeat(5000), request)).toThrow(/too large/);
    const forged = parseTimeResponse(answer(), request);
    expect(() => verifyTimeResponse({ ...forged, t2: "1000500001" }, verifier)).toThrow(
      CryptoVerificationFailedError,
    );
  });

  it("any input parses or throws the typed decode error (fuzz)", () => {
    const typed = (f: () => unknown) => {
      try {
        f();
      } catch (err) {
        if (!(err instanceof ChronosyncTimeDecodeError)) throw err;
      }
    };
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.json(),
          fc.jsonValue().map((v) => JSON.stringify(v)),
        ),
        (text) => {
          typed(() => parseTimeResponse(text, request));
          typed(() =>
            parseTimeRequest(
              (() => {
                try {
                  return JSON.parse(text);
                } catch {
                  return text;
                }
              })(),
            ),
          );
        },
      ),
      { numRuns: 20_000 },
    );
    // Mutations of a valid answer: one character changed.
    const good = answer();
    fc.assert(
      fc.property(fc.nat(good.length - 1), fc.string({ minLength: 1, maxLength: 1 }), (i, c) => {
        typed(() => parseTimeResponse(good.slice(0, i) + c + good.slice(i + 1), request));
      }),
      { numRuns: 20_000 },
    );
  });
});
