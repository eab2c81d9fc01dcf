import { type KeySet, ManualClock, verifyLogExport, verifyReceipt } from "@chronosync/core";
import { buildApp, openDatabase } from "@chronosync/server";
import fc from "fast-check";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKENDS, superuserQuery, type TestDatabase } from "./helpers/databases.js";
import { bearerFor, TEST_MASTER_KEY } from "./helpers/tokens.js";

describe.each(BACKENDS)("signed log on $name PostgreSQL", ({ create }) => {
  let db: TestDatabase;
  let app: FastifyInstance;
  let keySet: KeySet;
  const clock = new ManualClock(1_764_400_000_123_456_789n);

  beforeAll(async () => {
    db = await create();
    app = await buildApp({ dataDir: db.dataDir, databaseUrl: db.url, clock, masterKey: TEST_MASTER_KEY });
    keySet = await app.keys.keySet();
  });
  afterAll(async () => {
    await app?.close();
    await db?.dispose();
  });

  it("appends a batch with consecutive seqs and answers sealed receipts that verify", async () => {
    const receipts = await app.ledger.append("test.event", [{ a: 1 }, { b: "two" }, { c: [3, null, true] }]);
    expect(receipts.map((r) => r.entry.seq)).toEqual(["0", "1", "2"]);
    expect(receipts[0]!.entry.time).toBe("2025-11-29T07:06:40.123456789Z");
    for (const receipt of receipts) {
      expect(receipt.checkpoint).toBeDefined();
      expect(verifyReceipt(receipt, keySet)).toEqual({ valid: true });
    }
    const more = await app.ledger.append("test.event", [{ d: 4 }]);
    expect(more[0]!.entry.seq).toBe("3");
    expect(more[0]!.entry.prevHash).toBe(receipts[2]!.entryHash);
  });

  it("serves an entry with its inclusion proof, checkpoints and a verifying export over HTTP", async () => {
    const entry = await app.inject({
      method: "GET",
      url: "/api/ledger/entries/1",
      headers: await bearerFor("viewer"),
    });
    expect(entry.statusCode).toBe(200);
    expect(verifyReceipt(entry.json(), keySet)).toEqual({ valid: true });
    const page = await app.inject({
      method: "GET",
      url: "/api/ledger/checkpoints?limit=1",
      headers: await bearerFor("viewer"),
    });
    expect(page.json().checkpoints).toHaveLength(1);
    expect(page.json().nextIndex).toBe("1");
    const exported = await app.inject({
      method: "GET",
      url: "/api/ledger/export?from=0",
      headers: await bearerFor("viewer"),
    });
    expect(exported.json().entries).toHaveLength(4);
    expect(verifyLogExport(exported.json(), keySet)).toEqual({ valid: true });
    const keys = await app.inject({ method: "GET", url: "/.well-known/chronosync/keys" });
    expect(keys.json()).toEqual(keySet);
  });

  it("answers problem+json for unknown entries and malformed parameters", async () => {
    const missing = await app.inject({
      method: "GET",
      url: "/api/ledger/entries/999",
      headers: await bearerFor("viewer"),
    });
    expect(missing.statusCode).toBe(404);
    expect(missing.headers["content-type"]).toMatch(/^application\/problem\+json/);
    const bad = await app.inject({
      method: "GET",
      url: "/api/ledger/entries/-1",
      headers: await bearerFor("viewer"),
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ code: "VALIDATION_FAILED", errors: [{ pointer: "/params/seq" }] });
  });

  it("refuses UPDATE, DELETE and TRUNCATE on the log tables, even for the owner", async () => {
    const pool = app.database.pool;
    await expect(pool.query("UPDATE ledger_entries SET kind = 'x' WHERE seq = 0")).rejects.toThrow(
      /append-only/,
    );
    await expect(pool.query("DELETE FROM ledger_entries WHERE seq = 3")).rejects.toThrow(/append-only/);
    await expect(pool.query("TRUNCATE ledger_entries")).rejects.toThrow(/append-only/);
    await expect(pool.query("DELETE FROM ledger_checkpoints")).rejects.toThrow(/append-only/);
    await expect(pool.query("TRUNCATE ledger_checkpoints CASCADE")).rejects.toThrow(/append-only/);
    const count = await superuserQuery(db.url, "SELECT count(*)::int AS n FROM ledger_entries");
    expect(count.rows[0].n).toBe(4);
  });

  it("rotates the signing key: old checkpoints still verify, new ones use the new key", async () => {
    const before = (await app.ledger.receipt(0n))!;
    clock.advance(1_000n);
    const { keyId, retiredKeyIds } = await app.keys.rotate();
    expect(retiredKeyIds).toEqual([before.checkpoint!.checkpoint.keyId]);
    clock.advance(1_000n);
    const [after] = await app.ledger.append("test.event", [{ e: 5 }]);
    expect(after!.checkpoint!.checkpoint.keyId).toBe(keyId);
    const rotated = await app.keys.keySet();
    expect(rotated.keys).toHaveLength(2);
    expect(rotated.keys.find((k) => k.keyId !== keyId)?.retiredAt).toBeDefined();
    expect(verifyReceipt(before, rotated)).toEqual({ valid: true });
    expect(verifyReceipt(after!, rotated)).toEqual({ valid: true });
    expect(verifyLogExport(await app.ledger.export(0n), rotated)).toEqual({ valid: true });
  });

  it("rotates over HTTP for admins and records the rotation in the log", async () => {
    clock.advance(1_000n);
    const res = await app.inject({
      method: "POST",
      url: "/api/keys/rotate",
      headers: await bearerFor("admin"),
    });
    expect(res.statusCode).toBe(200);
    const { keyId } = res.json();
    const exported = await app.ledger.export(0n);
    const last = exported.entries[exported.entries.length - 1]!;
    expect(last).toMatchObject({ kind: "audit.key-rotated", payload: { by: "test-admin", keyId } });
    expect(exported.checkpoints[exported.checkpoints.length - 1]!.checkpoint.keyId).toBe(keyId);
    expect(verifyLogExport(exported, await app.keys.keySet())).toEqual({ valid: true });
  });

  it("refuses to start with a master key that does not decrypt the signing key", async () => {
    await expect(
      buildApp({
        dataDir: db.dataDir,
        databaseUrl: db.url,
        clock,
        masterKey: Buffer.alloc(32, 7).toString("base64"),
      }),
    ).rejects.toMatchObject({ code: "MASTER_KEY_INVALID" });
  });

  it("refuses payloads JSON or PostgreSQL cannot hold, appending nothing", async () => {
    const tail = (await app.ledger.export(0n)).entries.length;
    for (const bad of [{ a: Number.NaN }, { a: undefined }, "nul\u0000byte", { b: 1n }]) {
      await expect(app.ledger.append("test.event", [{ ok: 1 }, bad])).rejects.toMatchObject({
        code: "BAD_REQUEST",
      });
    }
    expect((await app.ledger.export(0n)).entries).toHaveLength(tail);
  });

  it("leaves entries unsealed when sealing on append is off; the background sealer seals them", async () => {
    const database = await openDatabase({ dataDir: db.dataDir, databaseUrl: db.url });
    const lazy = await buildApp({
      dataDir: db.dataDir,
      database,
      clock,
      masterKey: TEST_MASTER_KEY,
      sealOnAppend: false,
    });
    const sealer = await buildApp({
      dataDir: db.dataDir,
      database,
      clock,
      masterKey: TEST_MASTER_KEY,
      sealIntervalMs: 20,
    });
    try {
      const [receipt] = await lazy.ledger.append("test.event", [{ lazy: true }]);
      expect(receipt!.checkpoint).toBeUndefined();
      const seq = BigInt(receipt!.entry.seq);
      for (let i = 0; i < 100 && (await lazy.ledger.receipt(seq))?.checkpoint === undefined; i++) {
        await new Promise((r) => setTimeout(r, 20));
      }
      const sealed = (await lazy.ledger.receipt(seq))!;
      expect(sealed.checkpoint).toBeDefined();
      expect(verifyReceipt(sealed, await lazy.keys.keySet())).toEqual({ valid: true });
    } finally {
      await sealer.close();
      await lazy.close();
      await database.close();
    }
  });

  it("re-opens the same database and keeps the chain (restart)", async () => {
    const database = await openDatabase({ dataDir: db.dataDir, databaseUrl: db.url });
    const again = await buildApp({ dataDir: db.dataDir, database, clock, masterKey: TEST_MASTER_KEY });
    try {
      const [next] = await again.ledger.append("test.event", [{ f: 6 }]);
      expect(next!.entry.seq).toBe("7");
      expect(again.ledger.logId).toBe(app.ledger.logId);
      expect(verifyLogExport(await again.ledger.export(0n), await again.keys.keySet())).toEqual({
        valid: true,
      });
    } finally {
      await again.close();
      await database.close();
    }
  });
});

describe("payloads survive PostgreSQL jsonb byte-exactly for hashing", () => {
  let db: TestDatabase;
  let app: FastifyInstance;
  beforeAll(async () => {
    db = await BACKENDS[0].create();
    app = await buildApp({ dataDir: db.dataDir, databaseUrl: db.url, masterKey: TEST_MASTER_KEY });
  });
  afterAll(async () => {
    await app?.close();
    await db?.dispose();
  });

  it("random JSON payloads (unicode, big and tiny numbers, nesting) read back into a verifying log", async () => {
    const payload = fc
      .jsonValue({ maxDepth: 4 })
      .chain((v) =>
        fc.oneof(
          fc.constant(v),
          fc.double({ noNaN: true, noDefaultInfinity: true }),
          fc.string({ unit: "binary" }),
        ),
      )
      .filter((v) => !JSON.stringify(v).includes("\\u0000"));
    await fc.assert(
      fc.asyncProperty(fc.array(payload, { minLength: 1, maxLength: 5 }), async (payloads) => {
        const receipts = await app.ledger.append("test.random", payloads);
        const keySet = await app.keys.keySet();
        for (const r of receipts) {
          const stored = (await app.ledger.receipt(BigInt(r.entry.seq)))!;
          expect(verifyReceipt(stored, keySet)).toEqual({ valid: true });
          expect(stored.entryHash).toBe(r.entryHash);
        }
      }),
      { numRuns: 60 },
    );
    expect(verifyLogExport(await app.ledger.export(0n), await app.keys.keySet())).toEqual({ valid: true });
  });
});
