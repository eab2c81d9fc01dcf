// Group commit of normalize records on the real log (concurrent requests share one
// transaction and checkpoint, each gets its own record batch entry), failure isolation, and the
// normalize settings read from the environment.
import { hashRecordJson, type KeySet, RECORD_BATCH_KIND, verifyReceipt } from "@chronosync/core";
import { buildApp } from "@chronosync/server";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ServerError } from "../src/errors.js";
import type { BatchRecord } from "../src/ledger/ledger.js";
import { AppendQueue } from "../src/normalize/append-queue.js";
import { normalizeSettingsFromEnv } from "../src/normalize/settings.js";
import { createExternalDatabase, type TestDatabase } from "./helpers/databases.js";
import { TEST_MASTER_KEY } from "./helpers/tokens.js";

const record = (n: number): BatchRecord => {
  const json = JSON.stringify({ n });
  return { json, hash: hashRecordJson(json) };
};

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

  it("commits concurrent requests together; each gets its own batch entry, that verifies", async () => {
    const queue = new AppendQueue((batches) => app.ledger.appendBatches(batches));
    const requests = Array.from({ length: 30 }, (_, r) =>
      Array.from({ length: (r % 3) + 1 }, (_, i) => record(r * 10 + i)),
    );
    const answers = await Promise.all(requests.map((records) => queue.append(records)));
    expect(queue.requests).toBe(30);
    expect(queue.commits).toBeGreaterThan(1); // the first goes alone, at once
    expect(queue.commits).toBeLessThan(10);
    const seqs = new Set<string>();
    for (const [r, { receipt, tree }] of answers.entries()) {
      expect(receipt.entry.kind).toBe(RECORD_BATCH_KIND);
      expect(receipt.entry.payload).toEqual({ records: requests[r]!.length, recordsRoot: tree.root });
      expect(verifyReceipt(receipt, keySet)).toEqual({ valid: true });
      const stored = await app.ledger.storedRecords(BigInt(receipt.entry.seq));
      expect(stored?.records).toEqual(requests[r]!.map((x) => JSON.parse(x.json)));
      seqs.add(receipt.entry.seq);
    }
    expect(seqs.size).toBe(30);
    const exported = await app.ledger.export(0n);
    expect(exported.checkpoints.length).toBe(queue.commits);
  });
});

describe("AppendQueue failures", () => {
  it("a batch the log refuses fails only its own request", async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const seen: number[][] = [];
    const queue = new AppendQueue(async (batches) => {
      seen.push(batches.map((b) => b.length));
      if (seen.length === 1) await gate;
      if (batches.some((b) => b.length === 2)) throw new ServerError("BAD_REQUEST", "refused");
      return batches.map(() => ({}) as never);
    });
    const first = queue.append([record(0)]); // in flight: the next three queue behind it
    const rest = [queue.append([record(1)]), queue.append([record(2), record(3)]), queue.append([record(4)])];
    release();
    const results = await Promise.allSettled([first, ...rest]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "fulfilled", "rejected", "fulfilled"]);
    expect((results[2] as PromiseRejectedResult).reason).toMatchObject({ code: "BAD_REQUEST" });
    // Together first, then each alone.
    expect(seen).toEqual([[1], [1, 2, 1], [1], [2], [1]]);
  });

  it("fails every request of a batch on a database error, without retrying (no duplicates)", async () => {
    let calls = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const queue = new AppendQueue(async (batches) => {
      calls += 1;
      if (calls === 1) {
        await gate;
        return batches.map(() => ({}) as never);
      }
      throw Object.assign(new Error("Connection terminated unexpectedly"), { code: "57P01" });
    });
    const first = queue.append([record(1)]);
    const rest = [queue.append([record(2)]), queue.append([record(3), record(4)])];
    release();
    await first;
    const settled = await Promise.allSettled(rest);
    expect(settled.map((s) => s.status)).toEqual(["rejected", "rejected"]);
    expect(calls).toBe(2);
    await expect(queue.append([])).rejects.toThrow(RangeError);
  });
});

describe("AppendQueue with two commits in flight", () => {
  it("starts a second commit while the first runs, never a third, and serves everyone", async () => {
    const gates: (() => void)[] = [];
    let inFlight = 0;
    let most = 0;
    const seen: number[] = [];
    const queue = new AppendQueue(
      async (batches) => {
        inFlight += 1;
        most = Math.max(most, inFlight);
        seen.push(batches.length);
        await new Promise<void>((r) => gates.push(r));
        inFlight -= 1;
        return batches.map(() => ({}) as never);
      },
      20_000,
      undefined,
      2,
    );
    const all = Array.from({ length: 7 }, (_, i) => queue.append([record(i)]));
    // The first two went at once, alone each; the other five wait for one to end.
    await new Promise((r) => setTimeout(r, 10));
    expect(seen).toEqual([1, 1]);
    gates.shift()!();
    await new Promise((r) => setTimeout(r, 10));
    expect(seen).toEqual([1, 1, 5]);
    while (gates.length > 0) {
      gates.shift()!();
      await new Promise((r) => setTimeout(r, 10));
    }
    await Promise.all(all);
    expect(most).toBe(2);
    expect(queue.requests).toBe(7);
    expect(queue.commits).toBe(3);
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
