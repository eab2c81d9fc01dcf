// POST /api/timestamps/verify (issue 4 §3) on both backends: receipts, normalized records
// and log ranges; tampered, unsealed and foreign items answer CRYPTO_VERIFICATION_FAILED
// with the reason; a range tampered through SQL names the first bad entry.
import { randomBytes } from "node:crypto";
import { ManualClock } from "@chronosync/core";
import { buildApp } from "@chronosync/server";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKENDS, superuserQuery, type TestDatabase } from "./helpers/databases.js";
import { bearerFor, TEST_MASTER_KEY } from "./helpers/tokens.js";

// biome-ignore lint/suspicious/noExplicitAny: JSON documents of the API, probed field by field
type Json = Record<string, any>;
const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x));

describe.each(BACKENDS)("verify on $name PostgreSQL", ({ create }) => {
  let db: TestDatabase;
  let app: FastifyInstance;
  let records: Json[];
  const clock = new ManualClock(1_764_400_000_000_000_000n);
  let viewer: { authorization: string };
  const verify = async (payload: object) =>
    app.inject({ method: "POST", url: "/api/timestamps/verify", payload, headers: viewer });

  beforeAll(async () => {
    db = await create();
    app = await buildApp({ dataDir: db.dataDir, databaseUrl: db.url, masterKey: TEST_MASTER_KEY, clock });
    viewer = await bearerFor("viewer");
    const res = await app.inject({
      method: "POST",
      url: "/api/timestamps/normalize",
      headers: await bearerFor("operator"),
      payload: {
        sourceId: "cluster-01",
        timestamps: [1, 2, 3, 4].map((i) => ({ value: 1703054123456 + i, precision: 0.001 })),
        requestMetadata: { requestTimestamp: 1703054123500 },
      },
    });
    records = res.json().records;
  });
  afterAll(async () => {
    await app?.close();
    await db?.dispose();
  });

  it("answers valid for a receipt, a list of receipts and a list of records", async () => {
    expect((await verify({ receipt: records[0]!.receipt })).json()).toEqual({
      valid: true,
      results: [{ index: 0, seq: records[0]!.receipt.entry.seq, valid: true, sealed: true }],
    });
    const list = await verify({ receipts: records.map((r) => r.receipt) });
    expect(list.json().valid).toBe(true);
    expect(list.json().results).toHaveLength(4);
    const recs = await verify({ records });
    expect(recs.json()).toMatchObject({
      valid: true,
      results: records.map((_, index) => ({ index, valid: true })),
    });
  });

  it("names the reason per item: tampered, unsealed, foreign, junk", async () => {
    const edited = clone(records[1]!.receipt);
    edited.entry.payload.normalized = "2000-01-01T00:00:00.000000000Z";
    const unsealed = clone(records[2]!.receipt);
    delete unsealed.checkpoint;
    delete unsealed.proof;
    delete unsealed.leafIndex;
    const badProof = clone(records[3]!.receipt);
    badProof.proof[0] = "0".repeat(64);
    const res = await verify({ receipts: [records[0]!.receipt, edited, unsealed, badProof, { junk: true }] });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.valid).toBe(false);
    const [ok, e, u, p, j] = body.results;
    expect(ok).toMatchObject({ index: 0, valid: true });
    expect(e).toMatchObject({
      index: 1,
      valid: false,
      code: "CRYPTO_VERIFICATION_FAILED",
      firstBadSeq: edited.entry.seq,
    });
    expect(e.reason).toMatch(/does not hash to entryHash/);
    expect(u).toMatchObject({ index: 2, valid: false, code: "CRYPTO_VERIFICATION_FAILED", sealed: false });
    expect(u.reason).toMatch(/^not sealed/);
    expect(p.reason).toMatch(/inclusion proof/);
    expect(j).toMatchObject({ index: 4, valid: false, code: "CRYPTO_VERIFICATION_FAILED" });
  });

  it("refuses a record whose fields differ from the logged entry, or with a wrong integrityHash", async () => {
    const moved = clone(records[0]!);
    moved.normalizedTimestamp += 1000;
    const rehashed = clone(records[1]!);
    rehashed.integrityHash = records[2]!.integrityHash;
    const [m, h] = (await verify({ records: [moved, rehashed] })).json().results;
    expect(m).toMatchObject({
      valid: false,
      reason: expect.stringMatching(/differs .* normalizedTimestamp/),
    });
    expect(m.detail).toEqual({ fields: ["normalizedTimestamp"] });
    expect(h).toMatchObject({ valid: false, reason: expect.stringMatching(/integrityHash/) });
  });

  it("refuses a receipt of another log (another server's key and log id)", async () => {
    const otherUrl = await db.scratch();
    const other = await buildApp({
      dataDir: db.dataDir,
      databaseUrl: otherUrl,
      masterKey: randomBytes(32).toString("base64"),
      clock,
    });
    try {
      const [foreign] = await other.ledger.append("timestamp.normalized", [{ n: 1 }]);
      const [r] = (await verify({ receipt: foreign! })).json().results;
      expect(r).toMatchObject({ valid: false, code: "CRYPTO_VERIFICATION_FAILED" });
      expect(r.reason).toMatch(/key/);
    } finally {
      await other.close();
    }
  });

  it("verifies a log range from the server's own export, and names the first bad entry after SQL tampering", async () => {
    const first = records[0]!.receipt.entry.seq;
    const last = records[3]!.receipt.entry.seq;
    const ok = await verify({ range: { from: first, to: last } });
    expect(ok.json()).toMatchObject({
      valid: true,
      results: [{ index: 0, valid: true }],
      range: { from: first, entries: 4, checkpoints: 1, unsealed: 0 },
    });
    await superuserQuery(
      db.adminUrl,
      `SET session_replication_role = replica;
       UPDATE ledger_entries SET payload = jsonb_set(payload, '{normalized}', '"2000-01-01T00:00:00Z"') WHERE seq = ${records[2]!.receipt.entry.seq}`,
    );
    const bad = (await verify({ range: { from: first, to: last } })).json();
    expect(bad.valid).toBe(false);
    expect(bad.results[0]).toMatchObject({
      valid: false,
      code: "CRYPTO_VERIFICATION_FAILED",
      firstBadSeq: records[2]!.receipt.entry.seq,
    });
  });

  it("answers 400 for a bad range or body shape and 404 past the log's end", async () => {
    for (const payload of [
      { range: { from: "5", to: "1" } },
      { range: { from: "0", to: "10000" } },
      {},
      { receipt: records[0]!.receipt, range: { from: "0", to: "1" } },
      { receipts: [] },
      { range: { from: "-1", to: "1" } },
    ]) {
      const res = await verify(payload);
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(res.headers["content-type"]).toMatch(/problem\+json/);
    }
    expect((await verify({ range: { from: "900000", to: "900001" } })).statusCode).toBe(404);
  });
});
