// POST /api/timestamps/verify (issue 4 §3) on both backends: entry receipts, record
// receipts, normalized records (with the response's receipt, or their own) and log ranges;
// tampered, unsealed and foreign items answer CRYPTO_VERIFICATION_FAILED with the reason; a
// range or records tampered through SQL name the bad entry.
import { randomBytes } from "node:crypto";
import { hashRecord, ManualClock, verifyRecordBatchResponse } from "@chronosync/core";
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
  /** Four one-timestamp requests: their receipts and records. */
  let singles: Json[];
  /** One four-timestamp request. */
  let batch: Json;
  const clock = new ManualClock(1_764_400_000_000_000_000n);
  let viewer: { authorization: string };
  const verify = async (payload: object) =>
    app.inject({ method: "POST", url: "/api/timestamps/verify", payload, headers: viewer });
  const normalize = async (values: number[]) =>
    (
      await app.inject({
        method: "POST",
        url: "/api/timestamps/normalize",
        headers: await bearerFor("operator"),
        payload: {
          sourceId: "cluster-01",
          timestamps: values.map((value) => ({ value, precision: 0.001 })),
          requestMetadata: { requestTimestamp: 1703054123500 },
        },
      })
    ).json();

  beforeAll(async () => {
    db = await create();
    app = await buildApp({ dataDir: db.dataDir, databaseUrl: db.url, masterKey: TEST_MASTER_KEY, clock });
    viewer = await bearerFor("viewer");
    singles = [];
    for (const i of [1, 2, 3, 4]) singles.push(await normalize([1703054123456 + i]));
    batch = await normalize([5, 6, 7, 8].map((i) => 1703054123456 + i));
  });
  afterAll(async () => {
    await app?.close();
    await db?.dispose();
  });

  it("answers valid for a receipt, receipts, record receipts and records", async () => {
    const first = singles[0]!.receipt;
    expect((await verify({ receipt: first })).json()).toEqual({
      valid: true,
      results: [{ index: 0, seq: first.entry.seq, valid: true, sealed: true }],
    });
    const list = await verify({ receipts: singles.map((r) => r.receipt) });
    expect(list.json().valid).toBe(true);
    expect(list.json().results).toHaveLength(4);
    // A normalize response's records with its receipt.
    const recs = await verify({ records: batch.records, receipt: batch.receipt });
    expect(recs.json()).toMatchObject({
      valid: true,
      results: batch.records.map((_: unknown, index: number) => ({ index, valid: true })),
    });
    // Records each carrying their own receipt, without a path: the log's stored records give it.
    const own = singles.map((r) => ({ ...r.records[0], receipt: r.receipt }));
    expect((await verify({ records: own })).json().valid).toBe(true);
    // A record receipt (GET …/records/:index) in the receipts list.
    const single = await app.inject({
      method: "GET",
      url: `/api/ledger/entries/${batch.receipt.entry.seq}/records/2`,
      headers: viewer,
    });
    const mixed = (await verify({ receipts: [single.json(), first] })).json();
    expect(mixed).toMatchObject({ valid: true, results: [{ valid: true }, { valid: true }] });
  });

  it("names the reason per item: tampered, unsealed, foreign, junk", async () => {
    const edited = clone(singles[1]!.receipt);
    edited.entry.payload.recordsRoot = "0".repeat(64);
    const unsealed = clone(singles[2]!.receipt);
    delete unsealed.checkpoint;
    delete unsealed.proof;
    delete unsealed.leafIndex;
    const badProof = clone(batch.receipt);
    badProof.checkpoint.checkpoint.treeSize = 2;
    badProof.proof = ["0".repeat(64)];
    const res = await verify({ receipts: [singles[0]!.receipt, edited, unsealed, badProof, { junk: true }] });
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
    expect(p).toMatchObject({ index: 3, valid: false, code: "CRYPTO_VERIFICATION_FAILED" });
    expect(j).toMatchObject({ index: 4, valid: false, code: "CRYPTO_VERIFICATION_FAILED" });
  });

  it("refuses an edited record, a borrowed integrityHash and a rehashed forgery", async () => {
    const moved = clone(batch.records[0]);
    moved.normalizedTimestamp += 1000;
    const borrowed = clone(batch.records[1]);
    borrowed.integrityHash = batch.records[2].integrityHash;
    // A forger who edits a value and recomputes integrityHash still fails the batch's root.
    const forged = clone(batch.records[3]);
    forged.normalized = "2000-01-01T00:00:00.000000000Z";
    const { integrityHash: _h, recordIndex: _i, ...fields } = forged;
    forged.integrityHash = hashRecord(fields);
    const results = (await verify({ records: [moved, borrowed, forged], receipt: batch.receipt })).json()
      .results;
    expect(results[0]).toMatchObject({ valid: false, reason: expect.stringMatching(/integrityHash/) });
    expect(results[1]).toMatchObject({ valid: false, reason: expect.stringMatching(/integrityHash/) });
    expect(results[2]).toMatchObject({ valid: false, reason: expect.stringMatching(/recordsRoot/) });
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

  it("verifies a log range with its records, and names the entry whose records were edited through SQL", async () => {
    const first = singles[0]!.receipt.entry.seq;
    const last = batch.receipt.entry.seq;
    const ok = await verify({ range: { from: first, to: last } });
    expect(ok.json()).toMatchObject({
      valid: true,
      results: [{ index: 0, valid: true }],
      range: { from: first, to: last, entries: 5, unsealed: 0 },
    });
    await superuserQuery(
      db.adminUrl,
      `SET session_replication_role = replica;
       UPDATE ledger_entries SET records = replace(records, '"normalizedTimestamp":', '"normalizedTimestamp":1') WHERE seq = ${last}`,
    );
    const bad = (await verify({ range: { from: first, to: last } })).json();
    expect(bad.valid).toBe(false);
    expect(bad.results[0]).toMatchObject({
      valid: false,
      code: "CRYPTO_VERIFICATION_FAILED",
      firstBadSeq: last,
    });
    expect(bad.results[0].reason).toMatch(/recordsRoot/);
    // The response's own records still verify offline against the signed receipt…
    expect(verifyRecordBatchResponse(batch as never, await app.keys.keySet()).valid).toBe(true);
    // …but a record sent without its path is checked against the log's (edited) records: refused.
    const own = batch.records.map((r: Json) => ({ ...r, receipt: batch.receipt }));
    expect((await verify({ records: own })).json().valid).toBe(false);
  });

  it("answers 400 for a bad range or body shape and 404 past the log's end", async () => {
    for (const payload of [
      { range: { from: "5", to: "1" } },
      { range: { from: "0", to: "10000" } },
      {},
      { receipt: singles[0]!.receipt, range: { from: "0", to: "1" } },
      { receipts: [singles[0]!.receipt], records: batch.records },
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
