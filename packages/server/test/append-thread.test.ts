// Normalize appends on the append thread (ledger/append-thread.ts): concurrent requests of
// two apps on one database (each with its own thread) get receipts that verify, the log's
// chain and checkpoints verify with no gap or duplicate, the metrics still count commits,
// a thread that cannot open the log fails the start, and a database outage answers 503
// and recovers.
import { rm } from "node:fs/promises";
import { type KeySet, verifyLogExport, verifyRecordBatchResponse } from "@chronosync/core";
import { buildApp, startEmbeddedDatabase } from "@chronosync/server";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findFreePort } from "../src/db/embedded.js";
import { createExternalDatabase, makeDataDir, type TestDatabase } from "./helpers/databases.js";
import { bearerFor, TEST_MASTER_KEY } from "./helpers/tokens.js";

const body = (n: number, first: number) => ({
  sourceId: "thread-test",
  timestamps: Array.from({ length: n }, (_, i) => ({
    value: first + i,
    precision: 0.001,
    source: "ntp://a",
  })),
  requestMetadata: { requestTimestamp: first },
});

describe("append thread", () => {
  let db: TestDatabase;
  let apps: FastifyInstance[] = [];
  let keySet: KeySet;
  beforeAll(async () => {
    db = await createExternalDatabase();
    for (let i = 0; i < 2; i++)
      apps.push(
        await buildApp({
          dataDir: db.dataDir,
          databaseUrl: db.url,
          masterKey: TEST_MASTER_KEY,
          appendThread: true,
        }),
      );
    keySet = await apps[0]!.keys.keySet();
  });
  afterAll(async () => {
    for (const app of apps) await app.close();
    apps = [];
    await db?.dispose();
  });

  it("seals concurrent requests of two apps; every answer and the whole log verify", async () => {
    const headers = await bearerFor("operator");
    const sizes = Array.from({ length: 60 }, (_, i) => (i % 7 === 0 ? 300 : (i % 3) + 1));
    const answers = await Promise.all(
      sizes.map((n, i) =>
        apps[i % 2]!.inject({
          method: "POST",
          url: "/api/timestamps/normalize",
          headers,
          payload: body(n, 1_703_054_123_000 + i * 1000),
        }),
      ),
    );
    const seqs = new Set<string>();
    for (const [i, res] of answers.entries()) {
      expect(res.statusCode, res.body).toBe(200);
      const json = res.json();
      expect(json.records).toHaveLength(sizes[i]!);
      expect(verifyRecordBatchResponse(json, keySet).valid).toBe(true);
      seqs.add(json.receipt.entry.seq);
    }
    expect(seqs.size).toBe(60);
    const exported = await apps[0]!.ledger.export(0n);
    expect(exported.entries).toHaveLength(60);
    expect(exported.entries.map((e) => Number(e.seq))).toEqual([...Array(60).keys()]);
    expect(verifyLogExport(exported, keySet).valid).toBe(true);
    // Group commit still happened (fewer checkpoints than requests) and was observed.
    expect(exported.checkpoints.length).toBeLessThan(60);
    const metrics = await apps[0]!.metrics.registry.getSingleMetricAsString(
      "chronosync_normalize_requests_per_commit",
    );
    const count = Number(/_count (\d+)/.exec(metrics)?.[1]);
    const sum = Number(/_sum (\d+)/.exec(metrics)?.[1]);
    expect(sum).toBe(30);
    expect(count).toBeGreaterThan(0);
    expect(count).toBeLessThan(30);
  });

  it("appends on the request thread once the thread is gone", async () => {
    const headers = await bearerFor("operator");
    const app = apps[1]!;
    expect(app.appendThread?.alive).toBe(true);
    await app.appendThread?.close();
    expect(app.appendThread?.alive).toBe(false);
    const res = await app.inject({
      method: "POST",
      url: "/api/timestamps/normalize",
      headers,
      payload: body(100, 1_703_054_999_000),
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(verifyRecordBatchResponse(res.json(), keySet).valid).toBe(true);
  });

  it("a thread that cannot open the log fails the app's start", async () => {
    const wrongKey = Buffer.alloc(32, 7).toString("base64");
    await expect(
      buildApp({ dataDir: db.dataDir, databaseUrl: db.url, masterKey: wrongKey, appendThread: true }),
    ).rejects.toThrow(/master key|decrypt/);
  });
});

describe("append thread during a database outage", () => {
  it("answers 503 with Retry-After while the database is down and appends again after", async () => {
    const dataDir = await makeDataDir();
    const port = await findFreePort();
    let embedded = await startEmbeddedDatabase(dataDir, undefined, { port });
    let app: FastifyInstance | undefined;
    try {
      app = await buildApp({
        dataDir,
        databaseUrl: embedded.url,
        masterKey: TEST_MASTER_KEY,
        appendThread: true,
      });
      const headers = await bearerFor("operator");
      const on = app;
      const post = () =>
        on.inject({
          method: "POST",
          url: "/api/timestamps/normalize",
          headers,
          payload: body(40, 1_703_054_123_000),
        });
      expect((await post()).statusCode).toBe(200);
      await embedded.stop();
      const down = await post();
      expect(down.statusCode, down.body).toBe(503);
      expect(down.headers["retry-after"]).toBe("5");
      expect(down.json()).toMatchObject({ code: "DATABASE_UNAVAILABLE" });
      embedded = await startEmbeddedDatabase(dataDir, undefined, { port });
      const again = await post();
      expect(again.statusCode, again.body).toBe(200);
      expect(again.json().receipt.entry.seq).toBe("1");
    } finally {
      await app?.close();
      await embedded.stop();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
