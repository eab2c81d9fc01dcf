// ChronoSync time over HTTP (issue 6 §4b): the server's POST /api/time answered to the
// protocols package's client (so the two sides' signed bytes agree), over a real socket.
import { generateKeyPairSync } from "node:crypto";
import { CryptoVerificationFailedError } from "@chronosync/core";
import {
  ChronosyncTimeDecodeError,
  createTimeRequest,
  createTimeSource,
  parseTimeResponse,
  queryChronosyncTime,
  verifyTimeResponse,
} from "@chronosync/protocols";
import { buildApp } from "@chronosync/server";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createExternalDatabase, type TestDatabase } from "./helpers/databases.js";
import { TEST_MASTER_KEY } from "./helpers/tokens.js";

describe("POST /api/time (signed four-timestamp exchange)", () => {
  let db: TestDatabase;
  let app: FastifyInstance;
  let base: string;
  beforeAll(async () => {
    db = await createExternalDatabase();
    app = await buildApp({ dataDir: db.dataDir, databaseUrl: db.url, masterKey: TEST_MASTER_KEY });
    base = await app.listen({ host: "127.0.0.1", port: 0 });
  });
  afterAll(async () => {
    await app?.close();
    await db?.dispose();
  });

  it("measures this machine's own clock as ≈ 0 offset with signed answers", async () => {
    const result = await queryChronosyncTime(base, { samples: 6 });
    expect(result.authenticated).toBe(true);
    expect(result.samples).toHaveLength(6);
    // Same clock on both ends: the offset is within the round trip's half, well under 2 ms here.
    expect(Math.abs(Number(result.best.offsetNs))).toBeLessThan(Number(result.best.delayNs) / 2 + 200_000);
    expect(Number(result.best.delayNs)).toBeGreaterThan(0);
    expect(Number(result.best.delayNs)).toBeLessThan(50_000_000);
    for (const s of result.samples) expect(s.t3 >= s.t2).toBe(true);
  });

  it("answers only what was asked (nonce, t1) and its signature fails under another key", async () => {
    const keys = (await app.inject("/.well-known/chronosync/keys")).json();
    const request = createTimeRequest(123_456_789n, new Uint8Array(16).fill(9));
    const res = await app.inject({ method: "POST", url: "/api/time", payload: request });
    expect(res.statusCode).toBe(200);
    const response = parseTimeResponse(res.body, request);
    expect(response).toMatchObject({ nonce: request.nonce, t1: "123456789", leap: 0 });
    const other = generateKeyPairSync("ed25519").publicKey.export({ format: "jwk" }).x as string;
    const wrongKeys = {
      keys: [
        {
          keyId: response.keyId,
          algorithm: "Ed25519",
          publicKey: Buffer.from(other, "base64url").toString("base64"),
        },
      ],
    };
    // The published key verifies it; a different key under the same id does not.
    await expect(queryChronosyncTime(base, { keySet: keys, samples: 1 })).resolves.toMatchObject({
      authenticated: true,
    });
    await expect(queryChronosyncTime(base, { keySet: wrongKeys, samples: 1 })).rejects.toBeInstanceOf(
      CryptoVerificationFailedError,
    );
    // A tampered t3 breaks the signature.
    const tampered = { ...response, t3: (BigInt(response.t3) + 1n).toString() };
    expect(() => verifyTimeResponse(tampered, () => false)).toThrow(CryptoVerificationFailedError);
    // Someone else's answer is refused before any signature check.
    const mine = createTimeRequest(1n, new Uint8Array(16).fill(1));
    expect(() => parseTimeResponse(res.body, mine)).toThrow(ChronosyncTimeDecodeError);
  });

  it("is a TimeSource: chronosync+http:// measures through the registry", async () => {
    const port = new URL(base).port;
    const source = createTimeSource(`chronosync+http://127.0.0.1:${port}?samples=3`);
    try {
      const sample = await source.measure();
      expect(sample).toMatchObject({ protocol: "chronosync", authenticated: true, leap: 0 });
      expect(Math.abs(Number(sample.offsetNs))).toBeLessThan(Number(sample.uncertaintyNs) + 200_000);
    } finally {
      await source.close();
    }
    expect(() => createTimeSource(`chronosync://127.0.0.1:${port}?samples=0`)).toThrow(/samples/);
  });

  it("refuses malformed requests with problem+json 400", async () => {
    for (const payload of [
      {},
      { version: 2, nonce: "AAAAAAAAAAAAAAAAAAAAAA==", t1: "1" },
      { version: 1, nonce: "short", t1: "1" },
      { version: 1, nonce: "AAAAAAAAAAAAAAAAAAAAAA==", t1: 1 },
      { version: 1, nonce: "AAAAAAAAAAAAAAAAAAAAAA==", t1: "-1" },
      { version: 1, nonce: "AAAAAAAAAAAAAAAAAAAAAA==", t1: "1", extra: true },
    ]) {
      const res = await app.inject({ method: "POST", url: "/api/time", payload });
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(res.headers["content-type"]).toMatch(/^application\/problem\+json/);
    }
  });
});
