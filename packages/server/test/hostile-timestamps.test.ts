// Hostile bodies against the timestamp API (issue 4 §3, §8): wrong types, NaN/Infinity and
// huge numbers, a 10 MB body, deep nesting, odd unicode, 10 001 timestamps — always a 4xx
// problem+json, never a 5xx; then a few hundred random bodies through inject().

import { buildApp } from "@chronosync/server";
import fc from "fast-check";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createExternalDatabase, type TestDatabase } from "./helpers/databases.js";
import { bearerFor, TEST_MASTER_KEY } from "./helpers/tokens.js";

let db: TestDatabase;
let app: FastifyInstance;
let headers: Record<string, string>;

beforeAll(async () => {
  db = await createExternalDatabase();
  app = await buildApp({ dataDir: db.dataDir, databaseUrl: db.url, masterKey: TEST_MASTER_KEY });
  headers = { ...(await bearerFor("operator")), "content-type": "application/json" };
});
afterAll(async () => {
  await app?.close();
  await db?.dispose();
});

function send(url: string, body: string, extra: Record<string, string> = {}) {
  return app.inject({ method: "POST", url, payload: body, headers: { ...headers, ...extra } });
}

const NORMALIZE = "/api/timestamps/normalize";
const VERIFY = "/api/timestamps/verify";
const ts = (value: string) => `{"sourceId":"x","timestamps":[{"value":${value}}]}`;
const deep = (n: number, open: string, close: string, inner = "1") =>
  open.repeat(n) + inner + close.repeat(n);

const CASES: [string, string, string, number][] = [
  ["sourceId a number", NORMALIZE, '{"sourceId":5,"timestamps":[{"value":1}]}', 400],
  ["timestamps a string", NORMALIZE, '{"sourceId":"x","timestamps":"1"}', 400],
  ["value true", NORMALIZE, ts("true"), 400],
  ["value null", NORMALIZE, ts("null"), 400],
  ["value an object", NORMALIZE, ts('{"$gt":0}'), 400],
  ["precision a string", NORMALIZE, '{"sourceId":"x","timestamps":[{"value":1,"precision":"0.001"}]}', 400],
  ["precision negative", NORMALIZE, '{"sourceId":"x","timestamps":[{"value":1,"precision":-1}]}', 400],
  ["precision 1e308", NORMALIZE, '{"sourceId":"x","timestamps":[{"value":1,"precision":1e308}]}', 400],
  ["value NaN (not JSON)", NORMALIZE, ts("NaN"), 400],
  ["value Infinity (not JSON)", NORMALIZE, ts("Infinity"), 400],
  ["value 1e400 (parses to Infinity)", NORMALIZE, ts("1e400"), 400],
  ["value -1e400", NORMALIZE, ts("-1e400"), 400],
  ["value 1e300", NORMALIZE, ts("1e300"), 400],
  ["value a 40-digit integer", NORMALIZE, ts("1".repeat(40)), 400],
  ["value a 60-digit ns string", NORMALIZE, ts(`"${"9".repeat(60)}"`), 400],
  ["value a 10 kB string", NORMALIZE, ts(`"${"2".repeat(10_000)}"`), 400],
  [
    "roundTripMs 1e400",
    NORMALIZE,
    '{"sourceId":"x","timestamps":[{"value":1}],"requestMetadata":{"requestTimestamp":1,"roundTripMs":1e400}}',
    400,
  ],
  [
    "requestTimestamp far future",
    NORMALIZE,
    '{"sourceId":"x","timestamps":[{"value":1}],"requestMetadata":{"requestTimestamp":"9999-12-31T23:59:59Z"}}',
    400,
  ],
  [
    "deeply nested metadata",
    NORMALIZE,
    `{"sourceId":"x","timestamps":[{"value":1}],"requestMetadata":${deep(20_000, '{"a":', "}")}}`,
    400,
  ],
  ["deeply nested timestamps", NORMALIZE, `{"sourceId":"x","timestamps":${deep(50_000, "[", "]")}}`, 400],
  ["lone high surrogate in sourceId", NORMALIZE, '{"sourceId":"a\\ud800b","timestamps":[{"value":1}]}', 400],
  [
    "lone low surrogate in source",
    NORMALIZE,
    '{"sourceId":"a","timestamps":[{"value":1,"source":"\\udc00"}]}',
    400,
  ],
  ["NUL in sourceId", NORMALIZE, '{"sourceId":"a\\u0000b","timestamps":[{"value":1}]}', 400],
  [
    "NUL in clientId",
    NORMALIZE,
    '{"sourceId":"a","timestamps":[{"value":1}],"requestMetadata":{"clientId":"\\u0000"}}',
    400,
  ],
  ["fullwidth digits in RFC 3339", NORMALIZE, ts('"２０２３-12-20T06:35:23Z"'), 400],
  ["__proto__ key", NORMALIZE, '{"sourceId":"x","timestamps":[{"value":1}],"__proto__":{"admin":true}}', 400],
  ["truncated JSON", NORMALIZE, '{"sourceId":"x","timestamps":[{"val', 400],
  ["empty body", NORMALIZE, "", 400],
  ["a JSON array", NORMALIZE, "[]", 400],
  ["verify: deeply nested receipt", VERIFY, `{"receipt":${deep(50_000, '{"a":', "}")}}`, 200],
  [
    "verify: receipt with NUL and lone surrogates",
    VERIFY,
    '{"receipt":{"version":1,"entry":{"seq":"0","kind":"\\u0000","time":"\\ud800","payload":null,"prevHash":"x"},"entryHash":"y"}}',
    200,
  ],
  ["verify: 1001 receipts", VERIFY, `{"receipts":[${Array(1001).fill("{}").join(",")}]}`, 400],
  ["verify: range with a 30-digit seq", VERIFY, `{"range":{"from":"0","to":"${"9".repeat(30)}"}}`, 400],
];

describe("hostile bodies", () => {
  it.each(CASES.map(([name, url, body, status]) => ({ name, url, body, status })))(
    "$name → $status",
    async ({ url, body, status }) => {
      const res = await send(url, body);
      expect(res.statusCode, res.body.slice(0, 300)).toBe(status);
      if (status >= 400) {
        expect(res.headers["content-type"]).toMatch(/^application\/problem\+json/);
        expect(res.json()).toMatchObject({ status, code: expect.any(String) });
      } else {
        expect(res.json().results[0]).toMatchObject({ valid: false, code: "CRYPTO_VERIFICATION_FAILED" });
      }
    },
  );

  it("an odd but well-formed unicode sourceId (RTL override, emoji, BOM) is accepted and logged as sent", async () => {
    // Quotes and backslashes too: the log's SQL carries the records as escaped literals.
    for (const sourceId of ["\u202Enode\u{1F570}\uFEFF", `O'Brien \\ "q" \\' E'x' $$`]) {
      const res = await send(NORMALIZE, JSON.stringify({ sourceId, timestamps: [{ value: 1 }] }));
      expect(res.statusCode).toBe(200);
      expect(res.json().records[0].sourceId).toBe(sourceId);
      const seq = res.json().receipt.entry.seq;
      const logged = await app.inject({
        method: "GET",
        url: `/api/ledger/entries/${seq}/records/0`,
        headers: await bearerFor("viewer"),
      });
      expect(logged.json().record.sourceId).toBe(sourceId);
    }
  });

  it("a 10 MB body is 413 problem+json", async () => {
    const big = `{"sourceId":"x","timestamps":[{"value":1,"source":"${"a".repeat(10 * 1024 * 1024)}"}]}`;
    for (const url of [NORMALIZE, VERIFY]) {
      const res = await send(url, big);
      expect(res.statusCode).toBe(413);
      expect(res.json()).toMatchObject({ code: "PAYLOAD_TOO_LARGE" });
    }
  });

  it("10 001 timestamps are 400 naming /body/timestamps; an XML body is 415", async () => {
    const many = JSON.stringify({
      sourceId: "x",
      timestamps: Array.from({ length: 10_001 }, () => ({ value: 1 })),
    });
    const res = await send(NORMALIZE, many);
    expect(res.statusCode).toBe(400);
    expect(res.json().errors[0]).toMatchObject({ pointer: "/body/timestamps" });
    expect((await send(NORMALIZE, "hello", { "content-type": "application/xml" })).statusCode).toBe(415);
  });
});

describe("fuzzing the normalize route", () => {
  const text = fc.string({ unit: fc.nat(0xffff).map((c) => String.fromCharCode(c)), maxLength: 12 });
  const anyValue = fc.oneof(
    fc.double(),
    fc.integer(),
    fc.bigInt({ min: -(10n ** 25n), max: 10n ** 25n }).map(String),
    fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
    text,
    fc.anything({ maxDepth: 2 }),
  );
  const item = fc.record(
    { value: anyValue, precision: fc.oneof(fc.double(), fc.anything({ maxDepth: 1 })), source: text },
    { requiredKeys: [] },
  );
  // Bodies that pass validation (so the engine and the log see random input too).
  const nearlyValid = fc
    .record(
      {
        sourceId: fc.string({ minLength: 1, maxLength: 20 }),
        timestamps: fc.array(
          fc.record(
            {
              value: fc.oneof(
                fc.integer({ min: -62_167_219_200_000, max: 253_402_300_799_999 }),
                fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
                fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }).map(String),
              ),
              precision: fc.double({ min: 0, max: 86_400, noNaN: true }),
              source: fc.webUrl(),
            },
            { requiredKeys: ["value"] },
          ),
          { minLength: 1, maxLength: 5 },
        ),
        requestMetadata: fc.record(
          {
            requestTimestamp: fc.integer({ min: -62_167_219_200_000, max: 253_402_300_799_999 }),
            roundTripMs: fc.double({ min: 0, max: 60_000, noNaN: true }),
          },
          { requiredKeys: [] },
        ),
      },
      { requiredKeys: ["sourceId", "timestamps"] },
    )
    .map((b) => JSON.stringify(b));
  const body = fc.oneof(
    nearlyValid,
    fc
      .record(
        {
          sourceId: fc.oneof(text, fc.anything({ maxDepth: 1 })),
          timestamps: fc.oneof(fc.array(item, { maxLength: 4 }), fc.anything({ maxDepth: 2 })),
          requestMetadata: fc.oneof(
            fc.record(
              { clientId: text, requestTimestamp: anyValue, roundTripMs: fc.oneof(fc.double(), text) },
              { requiredKeys: [] },
            ),
            fc.anything({ maxDepth: 2 }),
          ),
        },
        { requiredKeys: [] },
      )
      .map((b) => JSON.stringify(b)),
    fc.anything({ maxDepth: 3 }).map((x) => JSON.stringify(x) ?? "null"),
    text,
  );

  it("answers < 500 to every body, problem+json on every 4xx", async () => {
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(body, async (raw) => {
        const res = await send(NORMALIZE, raw);
        statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
        expect(res.statusCode, `${raw.slice(0, 200)} → ${res.body.slice(0, 200)}`).toBeLessThan(500);
        if (res.statusCode >= 400) expect(res.headers["content-type"]).toMatch(/^application\/problem\+json/);
      }),
      { numRuns: 400 },
    );
    // The generator reaches past validation too: some bodies are normalized and logged.
    expect(statuses.get(200) ?? 0).toBeGreaterThan(0);
    expect(statuses.get(400) ?? 0).toBeGreaterThan(0);
  }, 120_000);
});
