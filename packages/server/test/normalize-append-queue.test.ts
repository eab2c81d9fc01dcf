// Group commit of normalize records on the real log (concurrent requests share one
// transaction and checkpoint, each gets its own receipts), failure isolation, and the
// normalize settings read from the environment.
import { type KeySet, verifyReceipt } from "@chronosync/core";
import { buildApp } from "@chronosync/server";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AppendQueue } from "../src/normalize/append-queue.js";
import { normalizeSettingsFromEnv } from "../src/normalize/settings.js";
import { createExternalDatabase, type TestDatabase } from "./helpers/databases.js";
import { TEST_MASTER_KEY } from "./helpers/tokens.js";

describe("AppendQueue on the signed log", () => {
  let db: TestDatabase;
  let app: FastifyInstance;
  let keySet: KeySet;
  beforeAll(async () => {
    db = await createExternalDatabase();
    app = await buildApp({ dataDir: db.dataDir, databaseUrl: db.url, masterKey: TEST_MASTER_KEY });
    keySet = await app.keys.keySet();
  });
  afterAll(async () => {
    await app?.close();
    await db?.dispose();
  });

  it("commits concurrent requests together; each gets its own receipts, in order, that verify", async () => {
    const queue = new AppendQueue((k, p) => app.ledger.append(k, p), "test.grouped");
    const requests = Array.from({ length: 30 }, (_, r) =>
      Array.from({ length: (r % 3) + 1 }, (_, i) => ({ r, i })),
    );
    const answers = await Promise.all(requests.map((payloads) => queue.append(payloads)));
    expect(queue.requests).toBe(30);
    expect(queue.commits).toBeGreaterThan(1); // the first goes alone, at once
    expect(queue.commits).toBeLessThan(10);
    const seqs = new Set<string>();
    for (const [r, receipts] of answers.entries()) {
      expect(receipts.map((x) => x.entry.payload)).toEqual(requests[r]);
      const first = BigInt(receipts[0]!.entry.seq);
      receipts.forEach((x, i) => {
        expect(BigInt(x.entry.seq)).toBe(first + BigInt(i));
        expect(verifyReceipt(x, keySet)).toEqual({ valid: true });
        seqs.add(x.entry.seq);
      });
    }
    expect(seqs.size).toBe(60);
    const exported = await app.ledger.export(0n);
    expect(exported.checkpoints.length).toBe(queue.commits);
  });

  it("a payload the log refuses fails only its own request", async () => {
    const queue = new AppendQueue((k, p) => app.ledger.append(k, p), "test.grouped");
    const first = queue.append([{ n: "first" }]); // in flight: the next three queue behind it
    const results = await Promise.allSettled([
      first,
      queue.append([{ n: "a" }]),
      queue.append([{ n: "bad\u0000" }]),
      queue.append([{ n: "b" }, { n: "c" }]),
    ]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "fulfilled", "rejected", "fulfilled"]);
    expect((results[2] as PromiseRejectedResult).reason).toMatchObject({ code: "BAD_REQUEST" });
    expect(
      (results[3] as PromiseFulfilledResult<{ entry: { payload: unknown } }[]>).value.map(
        (x) => x.entry.payload,
      ),
    ).toEqual([{ n: "b" }, { n: "c" }]);
  });
});

describe("AppendQueue failures", () => {
  it("fails every request of a batch on a database error, without retrying (no duplicates)", async () => {
    let calls = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const queue = new AppendQueue(async (_k, payloads) => {
      calls += 1;
      if (calls === 1) {
        await gate;
        return payloads.map(() => ({}) as never);
      }
      throw Object.assign(new Error("Connection terminated unexpectedly"), { code: "57P01" });
    }, "k");
    const first = queue.append([1]);
    const rest = [queue.append([2]), queue.append([3, 4])];
    release();
    await first;
    const settled = await Promise.allSettled(rest);
    expect(settled.map((s) => s.status)).toEqual(["rejected", "rejected"]);
    expect(calls).toBe(2);
    expect(await queue.append([])).toEqual([]);
  });
});

describe("normalize settings from the environment", () => {
  it("reads strictness, limits and the latency estimate in ms", () => {
    expect(normalizeSettingsFromEnv({})).toBeUndefined();
    expect(normalizeSettingsFromEnv({ CHRONOSYNC_NORMALIZE_STRICT: "true" })?.policy).toEqual({
      strict: true,
      maxDivergenceNs: 1_000_000_000n,
      maxUncertaintyNs: 1_000_000_000n,
    });
    const s = normalizeSettingsFromEnv({
      CHRONOSYNC_NORMALIZE_STRICT: "true",
      CHRONOSYNC_NORMALIZE_MAX_DIVERGENCE_MS: "2.5",
      CHRONOSYNC_NORMALIZE_MAX_UNCERTAINTY_MS: "10",
      CHRONOSYNC_NORMALIZE_LATENCY_MS: "0.2-30",
    });
    expect(s?.policy).toEqual({ strict: true, maxDivergenceNs: 2_500_000n, maxUncertaintyNs: 10_000_000n });
    expect(s?.config.latencyEstimate).toEqual({ minNs: 200_000n, maxNs: 30_000_000n });
    expect(
      normalizeSettingsFromEnv({ CHRONOSYNC_NORMALIZE_LATENCY_MS: "40" })?.config.latencyEstimate,
    ).toEqual({
      minNs: 0n,
      maxNs: 40_000_000n,
    });
    for (const env of [
      { CHRONOSYNC_NORMALIZE_STRICT: "yes" },
      { CHRONOSYNC_NORMALIZE_MAX_DIVERGENCE_MS: "-1" },
      { CHRONOSYNC_NORMALIZE_LATENCY_MS: "30-2" },
      { CHRONOSYNC_NORMALIZE_LATENCY_MS: "1e3" },
    ])
      expect(() => normalizeSettingsFromEnv(env), JSON.stringify(env)).toThrow(
        expect.objectContaining({ code: "CONFIG_INVALID" }),
      );
  });
});
