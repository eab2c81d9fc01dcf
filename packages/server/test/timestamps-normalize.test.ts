// POST /api/timestamps/normalize (issue 4 §3) on both backends: the seed's body, the three
// offset models, policy flags and strict rejection, one record batch entry per request with
// a receipt that verifies, roles and machine scopes, and the 10 000-timestamp limit.
import {
  hashRecord,
  type KeySet,
  ManualClock,
  type OffsetReport,
  verifyReceipt,
  verifyRecordBatchResponse,
  verifyRecordReceipt,
} from "@chronosync/core";
import { buildApp, deriveJwtKey } from "@chronosync/server";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { issueClientToken } from "../src/clients/tokens.js";
import { BACKENDS, type TestDatabase } from "./helpers/databases.js";
import { bearerFor, TEST_MASTER_KEY } from "./helpers/tokens.js";

const SEED_VALUE = 1703054123456; // 2023-12-20T06:35:23.456Z
const SEED = {
  sourceId: "cluster-01",
  timestamps: [{ value: SEED_VALUE, precision: 0.001, source: "ntp://pool.ntp.org" }],
  requestMetadata: { clientId: "unique-client-identifier", requestTimestamp: 1703054123500 },
};
const MS = 1_000_000n;

/** Node "node-7" runs 2 ms behind UTC at the seed's instant, drifting +1 ppm. */
const HISTORY: OffsetReport[] = [
  { atNs: BigInt(SEED_VALUE - 10_000) * MS, offsetNs: 1_990_000n, boundNs: 50_000n, frequencyPpm: 1 },
  { atNs: BigInt(SEED_VALUE + 10_000) * MS, offsetNs: 2_010_000n, boundNs: 70_000n, frequencyPpm: 1 },
];

describe.each(BACKENDS)("normalize on $name PostgreSQL", ({ create }) => {
  let db: TestDatabase;
  let app: FastifyInstance;
  let strict: FastifyInstance;
  let keySet: KeySet;
  let operator: { authorization: string };
  // The server receives the seed request 70 ms after the client stamped it.
  const clock = new ManualClock((1703054123500n + 70n) * MS);
  const post = (payload: unknown, headers: Record<string, string> = operator, on = app) =>
    on.inject({ method: "POST", url: "/api/timestamps/normalize", payload: payload as object, headers });

  beforeAll(async () => {
    db = await create();
    const provider = {
      historyAround: async (sourceId: string) => (sourceId === "node-7" ? HISTORY : null),
    };
    app = await buildApp({
      dataDir: db.dataDir,
      databaseUrl: db.url,
      masterKey: TEST_MASTER_KEY,
      clock,
      offsetHistory: provider,
      normalize: {
        policy: { maxDivergenceNs: 30n * MS, maxUncertaintyNs: 60n * MS, strict: false },
        config: {
          maxDriftPpm: 15,
          frequencyUncertaintyPpm: 1,
          latencyEstimate: { minNs: 0n, maxNs: 100n * MS },
        },
      },
    });
    strict = await buildApp({
      dataDir: db.dataDir,
      database: app.database,
      masterKey: TEST_MASTER_KEY,
      clock,
      normalize: {
        policy: { maxDivergenceNs: 30n * MS, maxUncertaintyNs: 60n * MS, strict: true },
        config: {
          maxDriftPpm: 15,
          frequencyUncertaintyPpm: 1,
          latencyEstimate: { minNs: 0n, maxNs: 100n * MS },
        },
      },
    });
    keySet = await app.keys.keySet();
    operator = await bearerFor("operator");
  });
  afterAll(async () => {
    await strict?.close();
    await app?.close();
    await db?.dispose();
  });

  it("normalizes the seed's request by its requestTimestamp and latency estimate, with a verifying receipt", async () => {
    const res = await post(SEED);
    expect(res.statusCode, res.body).toBe(200);
    const [record] = res.json().records;
    // offset = receive (req + 70 ms) − latency (50 ms, midpoint of 0–100 ms) − req = +20 ms.
    expect(record).toMatchObject({
      sourceId: "cluster-01",
      source: "ntp://pool.ntp.org",
      clientId: "unique-client-identifier",
      originalTimestamp: SEED_VALUE,
      normalizedTimestamp: SEED_VALUE + 20,
      precision: 0.001,
      networkLatency: 50,
      original: "2023-12-20T06:35:23.456000000Z",
      normalized: "2023-12-20T06:35:23.476000000Z",
      offsetNs: "20000000",
      // ±50 ms latency + 15 ppm over the 44 ms between event and request + 1 ms precision.
      uncertaintyNs: String(50_000_000 + 660 + 1_000_000),
      method: "request-latency",
      flags: [],
      receivedAt: "2023-12-20T06:35:23.570000000Z",
    });
    const { receipt } = res.json();
    const { integrityHash, recordIndex, ...logged } = record;
    expect(integrityHash).toBe(hashRecord(logged));
    expect(recordIndex).toBe(0);
    expect(receipt.entry.kind).toBe("timestamp.batch");
    expect(receipt.entry.payload).toMatchObject({ records: 1 });
    expect(verifyReceipt(receipt, keySet)).toEqual({ valid: true });
    expect(verifyRecordBatchResponse(res.json(), keySet).valid).toBe(true);
    // The record's own receipt, from the log, verifies offline too and holds the same record.
    const single = await app.inject({
      method: "GET",
      url: `/api/ledger/entries/${receipt.entry.seq}/records/0`,
      headers: await bearerFor("viewer"),
    });
    expect(single.statusCode, single.body).toBe(200);
    expect(single.json().record).toEqual(logged);
    expect(verifyRecordReceipt(single.json(), keySet)).toEqual({ valid: true });
  });

  it("compensates half a client-measured round trip, and says 'none' without any model", async () => {
    const rtt = await post({ ...SEED, requestMetadata: { ...SEED.requestMetadata, roundTripMs: 8 } });
    expect(rtt.json().records[0]).toMatchObject({
      method: "request-latency",
      networkLatency: 4,
      offsetNs: String(66n * MS), // 70 − 4
      uncertaintyNs: String(4_000_000 + 660 + 1_000_000),
    });
    const none = await post({ sourceId: "x", timestamps: [{ value: SEED_VALUE, precision: 0.5 }] });
    expect(none.json().records[0]).toMatchObject({
      method: "none",
      offsetNs: "0",
      uncertaintyNs: "500000000",
      networkLatency: 0,
      normalizedTimestamp: SEED_VALUE,
      flags: ["PRECISION_THRESHOLD_EXCEEDED"],
    });
  });

  it("uses an enrolled node's offset history first (interpolated between reports)", async () => {
    const res = await post({ ...SEED, sourceId: "node-7" });
    expect(res.json().records[0]).toMatchObject({
      method: "agent-history",
      offsetNs: "2000000",
      normalized: "2023-12-20T06:35:23.458000000Z",
      networkLatency: 0,
      // max bound 70 µs + 1 ppm over the 10 s to the nearer report + 1 ms precision.
      uncertaintyNs: String(70_000 + 10_000 + 1_000_000),
    });
  });

  it("takes epoch ms, epoch ns strings and RFC 3339 text for the same instant", async () => {
    const res = await post({
      sourceId: "x",
      timestamps: [
        { value: SEED_VALUE },
        { value: "1703054123456000000" },
        { value: "2023-12-20T07:35:23.456+01:00" },
        { value: 1703054123456.789 },
      ],
    });
    expect(res.statusCode).toBe(200);
    const normalized = res.json().records.map((r: { normalized: string }) => r.normalized);
    expect(normalized).toEqual([
      "2023-12-20T06:35:23.456000000Z",
      "2023-12-20T06:35:23.456000000Z",
      "2023-12-20T06:35:23.456000000Z",
      "2023-12-20T06:35:23.456789000Z",
    ]);
  });

  it("appends a request's records as one record batch entry whose response verifies offline", async () => {
    const timestamps = Array.from({ length: 50 }, (_, i) => ({ value: SEED_VALUE + i, precision: 0 }));
    const res = await post({ sourceId: "batch", timestamps });
    const body = res.json();
    expect(body.records.map((r: { recordIndex: number }) => r.recordIndex)).toEqual([...Array(50).keys()]);
    expect(body.receipt.entry.payload.records).toBe(50);
    const result = verifyRecordBatchResponse(body, keySet);
    expect(result.valid).toBe(true);
    expect(result.records).toHaveLength(50);
    // Any edited value is caught and named.
    const edited = structuredClone(body);
    edited.records[7].normalized = "2023-12-20T06:35:23.999000000Z";
    const bad = verifyRecordBatchResponse(edited, keySet);
    expect(bad.valid).toBe(false);
    expect(bad.records[7]).toMatchObject({
      valid: false,
      reason: expect.stringContaining("record 7 was altered"),
    });
    expect(bad.records[6]).toEqual({ valid: true });
    // Dropping a record is caught too.
    const short = { ...body, records: body.records.slice(1) };
    expect(verifyRecordBatchResponse(short, keySet).valid).toBe(false);
    // And each record's path through GET …/records/:index leads to the same root.
    const one = await app.inject({
      method: "GET",
      url: `/api/ledger/entries/${body.receipt.entry.seq}/records/49`,
      headers: await bearerFor("viewer"),
    });
    expect(verifyRecordReceipt(one.json(), keySet)).toEqual({ valid: true });
    const missing = await app.inject({
      method: "GET",
      url: `/api/ledger/entries/${body.receipt.entry.seq}/records/50`,
      headers: await bearerFor("viewer"),
    });
    expect(missing.statusCode).toBe(404);
  });

  it("flags divergence beyond the policy; a strict policy rejects naming the items and logs nothing", async () => {
    const late = { ...SEED, requestMetadata: { requestTimestamp: 1703054123500 - 40 } }; // offset +60 ms
    const flagged = await post(late);
    expect(flagged.json().records[0].flags).toEqual(["TIMESTAMP_DIVERGENCE"]);
    const before = (await app.ledger.export(0n)).entries.length;
    const body = {
      sourceId: "x",
      timestamps: [{ value: SEED_VALUE }, { value: SEED_VALUE, precision: 0.2 }],
      requestMetadata: { requestTimestamp: 1703054123500 - 40 },
    };
    const res = await post(body, operator, strict);
    expect(res.statusCode).toBe(422);
    expect(res.headers["content-type"]).toMatch(/^application\/problem\+json/);
    expect(res.json()).toMatchObject({ code: "TIMESTAMP_DIVERGENCE", status: 422 });
    expect(res.json().errors).toEqual([
      {
        pointer: "/body/timestamps/0",
        detail: expect.stringMatching(/^TIMESTAMP_DIVERGENCE: offset 60000000 ns/),
      },
      {
        pointer: "/body/timestamps/1",
        detail: expect.stringMatching(/^TIMESTAMP_DIVERGENCE, PRECISION_THRESHOLD_EXCEEDED/),
      },
    ]);
    expect((await app.ledger.export(0n)).entries.length).toBe(before);
    expect((await post(SEED, operator, strict)).statusCode).toBe(200);
  });

  it("names every unparsable value with its field path", async () => {
    const res = await post({
      sourceId: "x",
      timestamps: [{ value: "yesterday" }, { value: 1 }, { value: "99999999999999999999999" }],
      requestMetadata: { requestTimestamp: "2023-13-01T00:00:00Z" },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe("VALIDATION_FAILED");
    expect(res.json().errors.map((e: { pointer: string }) => e.pointer)).toEqual([
      "/body/requestMetadata/requestTimestamp",
      "/body/timestamps/0/value",
      "/body/timestamps/2/value",
    ]);
  });

  it("takes 10 000 timestamps and refuses 10 001", async () => {
    const many = (n: number) => ({
      sourceId: "bulk",
      timestamps: Array.from({ length: n }, (_, i) => ({ value: SEED_VALUE + i })),
    });
    const ok = await post(many(10_000));
    expect(ok.statusCode).toBe(200);
    expect(ok.json().records).toHaveLength(10_000);
    const last = ok.json().records[9_999];
    expect(last.normalized).toBe(new Date(SEED_VALUE + 9_999).toISOString().replace("Z", "000000Z"));
    const tooMany = await post(many(10_001));
    expect(tooMany.statusCode).toBe(400);
    expect(tooMany.json()).toMatchObject({ code: "VALIDATION_FAILED" });
    expect(tooMany.json().errors[0].pointer).toBe("/body/timestamps");
  }, 60_000);

  it("is for operators, admins and machine clients with scope timestamps:write", async () => {
    expect((await post(SEED, await bearerFor("admin"))).statusCode).toBe(200);
    expect((await post(SEED, await bearerFor("viewer"))).statusCode).toBe(403);
    expect((await post(SEED, {})).statusCode).toBe(401);
    const key = deriveJwtKey(Buffer.from(TEST_MASTER_KEY, "base64"));
    const machine = async (scopes: ("reports:write" | "timestamps:write")[]) => ({
      authorization: `Bearer ${await issueClientToken(key, { clientId: "c1", nodeId: "n1", scopes }, new Date())}`,
    });
    expect((await post(SEED, await machine(["timestamps:write"]))).statusCode).toBe(200);
    expect((await post(SEED, await machine(["reports:write"]))).statusCode).toBe(403);
  });
});

describe("normalize: provider calls and group commit", () => {
  let db: TestDatabase;
  let app: FastifyInstance;
  const asked: string[] = [];
  let bulk: { sourceId: string; n: number }[] = [];
  beforeAll(async () => {
    db = await BACKENDS[0].create();
    const provider = {
      historyAround: async (sourceId: string, atNs: bigint) => {
        asked.push(`${sourceId}@${atNs}`);
        return sourceId === "node-7" ? HISTORY : null;
      },
    };
    app = await buildApp({
      dataDir: db.dataDir,
      databaseUrl: db.url,
      masterKey: TEST_MASTER_KEY,
      offsetHistory: provider,
    });
  });
  afterAll(async () => {
    await app?.close();
    await db?.dispose();
  });
  const body = (sourceId: string, n: number) => ({
    sourceId,
    timestamps: Array.from({ length: n }, (_, i) => ({ value: SEED_VALUE + i })),
  });

  it("asks the provider once for a source it does not know, per timestamp for a node", async () => {
    const headers = await bearerFor("operator");
    const post = (payload: object) =>
      app.inject({ method: "POST", url: "/api/timestamps/normalize", payload, headers });
    expect((await post(body("unknown", 100))).statusCode).toBe(200);
    expect(asked).toHaveLength(1);
    const res = await post(body("node-7", 3));
    expect(asked).toHaveLength(4);
    expect(res.json().records.map((r: { method: string }) => r.method)).toEqual(
      Array(3).fill("agent-history"),
    );
  });

  it("prefers the provider's bulk lookup when it has one", async () => {
    const calls = asked.length;
    app.offsetHistory.historiesAround = async (sourceId, instants) => {
      bulk.push({ sourceId, n: instants.length });
      return instants.map((_, i) => (i % 2 === 0 ? HISTORY : null));
    };
    try {
      const headers = await bearerFor("operator");
      const res = await app.inject({
        method: "POST",
        url: "/api/timestamps/normalize",
        payload: body("node-7", 4),
        headers,
      });
      expect(res.json().records.map((r: { method: string }) => r.method)).toEqual([
        "agent-history",
        "none",
        "agent-history",
        "none",
      ]);
      expect(bulk).toEqual([{ sourceId: "node-7", n: 4 }]);
      expect(asked.length).toBe(calls);
    } finally {
      delete app.offsetHistory.historiesAround;
      bulk = [];
    }
  });

  it("concurrent requests share commits and checkpoints; every receipt still verifies", async () => {
    const headers = await bearerFor("operator");
    const keySet = await app.keys.keySet();
    const responses = await Promise.all(
      Array.from({ length: 24 }, () =>
        app.inject({ method: "POST", url: "/api/timestamps/normalize", payload: body("x", 2), headers }),
      ),
    );
    const receipts = responses.map((r) => r.json().receipt);
    expect(receipts).toHaveLength(24);
    for (const r of responses) expect(verifyRecordBatchResponse(r.json(), keySet).valid).toBe(true);
    const checkpoints = new Set(
      receipts.map(
        (r: { checkpoint: { checkpoint: { firstSeq: string } } }) => r.checkpoint.checkpoint.firstSeq,
      ),
    );
    expect(checkpoints.size).toBeLessThan(24);
    // One entry per request, each with its two records.
    expect(new Set(receipts.map((r: { entry: { seq: string } }) => r.entry.seq)).size).toBe(24);
    for (const r of receipts) expect(r.entry.payload.records).toBe(2);
  });
});

describe("normalize metrics", () => {
  it("counts timestamps by method and flag, times the handler and the requests per commit", async () => {
    const db = await BACKENDS[0].create();
    const app = await buildApp({ dataDir: db.dataDir, databaseUrl: db.url, masterKey: TEST_MASTER_KEY });
    try {
      const headers = await bearerFor("operator");
      await app.inject({ method: "POST", url: "/api/timestamps/normalize", payload: SEED, headers });
      await app.inject({
        method: "POST",
        url: "/api/timestamps/normalize",
        headers,
        payload: { sourceId: "x", timestamps: [{ value: 1 }, { value: 2, precision: 5 }] },
      });
      const text = (await app.inject({ url: "/metrics", headers })).body;
      // The seed's requestTimestamp (2023) is years behind the server's clock: divergence.
      expect(text).toMatch(
        /chronosync_normalize_timestamps_total\{method="request-latency",flagged="true"\} 1/,
      );
      expect(text).toMatch(/chronosync_normalize_timestamps_total\{method="none",flagged="false"\} 1/);
      expect(text).toMatch(/chronosync_normalize_timestamps_total\{method="none",flagged="true"\} 1/);
      expect(text).toMatch(/chronosync_normalize_seconds_count 2/);
      expect(text).toMatch(/chronosync_normalize_requests_per_commit_count 2/);
    } finally {
      await app.close();
      await db.dispose();
    }
  });
});
