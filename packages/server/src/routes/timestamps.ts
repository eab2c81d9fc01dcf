/**
 * The seed's timestamp API (issue 4 §3; seed section 6):
 * - `POST /api/timestamps/normalize` — up to 10 000 timestamps onto UTC, each sealed in
 *   the signed log: the request's records become one record batch entry, committed with
 *   concurrent requests' entries by the group-commit queue; answered with the entry's
 *   receipt;
 * - `POST /api/timestamps/verify` — receipts, records or a log range checked against the
 *   published keys. docs/api-timestamps.md has the details.
 */
import {
  type Clock,
  formatRfc3339,
  type Instant,
  isSeq,
  type LogExport,
  type MerkleTree,
  systemClock,
} from "@chronosync/core";
import type { FastifyInstance } from "fastify";
import { ServerError } from "../errors.js";
import { type AppendThread, NORMALIZE_COMMIT_RECORDS } from "../ledger/append-thread.js";
import type { AppendedBatch, BatchRecord } from "../ledger/ledger.js";
import { receiptJson } from "../ledger/receipt-json.js";
import { AppendQueue } from "../normalize/append-queue.js";
import { type NormalizedRecord, normalizeBatch } from "../normalize/normalize-batch.js";
import { createNormalizeMetrics } from "../normalize/normalize-metrics.js";
import { DEFAULT_NORMALIZE_SETTINGS, type NormalizeSettings } from "../normalize/settings.js";
import {
  exportSummary,
  verifyExportItem,
  verifyReceiptItem,
  verifyRecordItem,
} from "../normalize/verify-items.js";
import { ProblemSchema } from "../schemas/ledger.js";
import {
  NormalizeBody,
  NormalizeResponse,
  VerifyBody,
  type VerifyItemResult,
  VerifyResponse,
} from "../schemas/timestamps.js";

export interface TimestampRouteOptions {
  readonly clock?: Clock;
  readonly settings?: NormalizeSettings;
  /** Share appends across concurrent requests (default true). */
  readonly groupCommit?: boolean;
  /** Append on this thread instead of the request thread (app.ts starts it). */
  readonly appendThread?: AppendThread;
}

/**
 * Fewest records of a normalize request that appends on the append thread. Measured here
 * (BENCHMARKS.md §7): a one-timestamp request on the thread cost ≈ 100 µs more CPU in all
 * (messages, wake-ups, smaller commits) and saved ≈ 30 µs of the event loop; a 1 000-record
 * one saved ≈ 7 ms of the event loop's ≈ 20.
 */
export const APPEND_THREAD_MIN_RECORDS = 32;

/** Body limit of the normalize route: 10 000 timestamps with long source URLs fit. */
export const NORMALIZE_BODY_LIMIT = 4 * 1024 * 1024;
/**
 * Most entries in one verified range (widened to whole checkpoints by the export): about
 * 0.2 s of verification on the event loop here; the export route serves up to 100 000.
 */
export const MAX_VERIFY_RANGE = 10_000;
/** Most records of record batches checked in one verified range (about 0.3 s here). */
export const MAX_VERIFY_RECORDS = 50_000;

/** Most batch entries whose stored records one verify request reads. */
export const MAX_VERIFY_ENTRIES = 20;

/** Body limit of the verify route: 1 000 receipts with their proofs fit. */
export const VERIFY_BODY_LIMIT = 8 * 1024 * 1024;

declare module "fastify" {
  interface FastifyRequest {
    /** When the normalize route received the request (set by its onRequest hook). */
    normalizeReceivedNs: Instant | null;
  }
}

export async function timestampRoutes(app: FastifyInstance, options: TimestampRouteOptions): Promise<void> {
  const clock = options.clock ?? systemClock;
  const settings = options.settings ?? DEFAULT_NORMALIZE_SETTINGS;
  const metrics = createNormalizeMetrics(app.metrics.registry);
  const queue = new AppendQueue(
    (batches) => app.ledger.appendBatches(batches),
    NORMALIZE_COMMIT_RECORDS,
    (requests) => metrics.requestsPerCommit.observe(requests),
  );
  const append = (records: readonly BatchRecord[]): Promise<AppendedBatch> =>
    options.groupCommit === false ? app.ledger.appendBatch(records) : queue.append(records);
  const thread = options.appendThread;
  if (thread !== undefined) {
    thread.onCommit = (requests) => metrics.requestsPerCommit.observe(requests);
    thread.onAppend = (_entries, seconds) => app.metrics.appendDuration.observe(seconds);
  }
  /**
   * Appends the records as one batch entry; the JSON of its receipt. Requests of at least
   * {@link APPEND_THREAD_MIN_RECORDS} records append on the append thread; smaller ones
   * here, where a message each way to the thread would cost more than it saves (and all of
   * them here should the thread have died: its pending appends failed with it).
   */
  const appendReceipt = (records: readonly BatchRecord[]): Promise<string> =>
    thread?.alive === true && records.length >= APPEND_THREAD_MIN_RECORDS
      ? thread.append(records)
      : append(records).then(({ receipt }) => receiptJson(receipt));
  app.decorateRequest("normalizeReceivedNs", null);
  /** Label sets of the timestamps counter, made once each. */
  const labelSets = new Map<string, { method: string; flagged: string }>();
  const count = (method: string, flagged: boolean, n: number): void => {
    const key = flagged ? `${method} true` : method;
    let labels = labelSets.get(key);
    if (labels === undefined) {
      labels = { method, flagged: String(flagged) };
      labelSets.set(key, labels);
    }
    metrics.timestamps.inc(labels, n);
  };
  /** Counts `records` by method and flag: a run of alike records (the usual request) is one add. */
  const countRecords = (records: readonly NormalizedRecord[]): void => {
    let method = records[0]!.method;
    let flagged = records[0]!.flagged;
    let n = 0;
    for (const r of records) {
      if (r.method === method && r.flagged === flagged) {
        n += 1;
        continue;
      }
      count(method, flagged, n);
      method = r.method;
      flagged = r.flagged;
      n = 1;
    }
    count(method, flagged, n);
  };

  app.post<{ Body: NormalizeBody }>(
    "/api/timestamps/normalize",
    {
      bodyLimit: NORMALIZE_BODY_LIMIT,
      schema: {
        tags: ["timestamps"],
        summary: "Normalize timestamps onto UTC; each result is sealed in the signed log with its receipt",
        security: [{ bearer: [] }],
        body: NormalizeBody,
        response: { 200: NormalizeResponse, "4xx": ProblemSchema },
      },
      config: { roles: ["admin", "operator"], scopes: ["timestamps:write"] },
      // The receive time, before the body is read and parsed (latency model (b)). A callback
      // hook: no promise and no extra microtask per request.
      onRequest: (request, _reply, done) => {
        request.normalizeReceivedNs = clock.now();
        done();
      },
    },
    async (request, reply) => {
      const receivedNs = request.normalizeReceivedNs ?? clock.now();
      const started = performance.now();
      const receivedAt = formatRfc3339(receivedNs, 9);
      const records = await normalizeBatch(request.body, receivedNs, settings, app.offsetHistory, receivedAt);
      if (records.length === 0) throw new ServerError("VALIDATION_FAILED", "no timestamps to normalize");
      const receipt = await appendReceipt(records);
      metrics.latency.observe((performance.now() - started) / 1000);
      countRecords(records);
      // The records are canonical JSON already (that text was hashed and logged): the answer
      // is put together from it rather than serialized again. No per-record inclusion path:
      // the response holds every record of its batch entry, so a verifier rebuilds the tree
      // (GET /api/ledger/entries/:seq/records/:index gives one record's path).
      const answered = (r: NormalizedRecord, i: number): string =>
        `${r.json.slice(0, -1)},"integrityHash":"${r.hash}","recordIndex":${i}}`;
      const parts = records.length === 1 ? answered(records[0]!, 0) : records.map(answered).join(",");
      return reply
        .type("application/json; charset=utf-8")
        .send(`{"receivedAt":"${receivedAt}","receipt":${receipt},"records":[${parts}]}`);
    },
  );

  /**
   * The trees of the stored records of the batch entries that `records` without their own
   * `recordProof` point to (through their receipt or the shared one), at most
   * {@link MAX_VERIFY_ENTRIES} entries.
   */
  async function storedTrees(
    records: readonly Record<string, unknown>[],
    shared: unknown,
  ): Promise<Map<string, MerkleTree>> {
    const trees = new Map<string, MerkleTree>();
    const seen = new Set<string>();
    for (const record of records) {
      if (record.recordProof !== undefined) continue;
      const seq = (record.receipt ?? shared) as { entry?: { seq?: unknown } } | undefined;
      const value = seq?.entry?.seq;
      if (!isSeq(value) || seen.has(value)) continue;
      if (seen.size >= MAX_VERIFY_ENTRIES) break;
      seen.add(value);
      const batch = await app.ledger.storedRecords(BigInt(value));
      if (batch !== undefined) trees.set(value, batch.tree);
    }
    return trees;
  }

  app.post<{ Body: VerifyBody }>(
    "/api/timestamps/verify",
    {
      bodyLimit: VERIFY_BODY_LIMIT,
      schema: {
        tags: ["timestamps"],
        summary: "Verify a receipt, a list of receipts or normalized records, or a log range",
        security: [{ bearer: [] }],
        body: VerifyBody,
        response: { 200: VerifyResponse, "4xx": ProblemSchema },
      },
      config: { roles: ["admin", "operator", "viewer"], scopes: ["timestamps:write"] },
    },
    async (request) => {
      const body = request.body;
      if (Object.keys(body).length === 2 && (body.records === undefined || body.receipt === undefined))
        throw new ServerError(
          "BAD_REQUEST",
          "give one of receipt, receipts, records or range (records may come with their receipt)",
          { errors: [{ pointer: "/body", detail: "only records and receipt go together" }] },
        );
      const keySet = await app.keys.keySet();
      const ctx = { keySet, logId: app.ledger.logId, checkpointCache: new Map<string, string | undefined>() };
      const numbered = (list: Omit<VerifyItemResult, "index">[]): VerifyItemResult[] =>
        list.map((r, index) => ({ index, ...r }));
      if (body.range !== undefined) {
        const from = BigInt(body.range.from);
        const to = BigInt(body.range.to);
        if (to < from || to - from >= BigInt(MAX_VERIFY_RANGE))
          throw new ServerError(
            "BAD_REQUEST",
            `range must have from ≤ to and at most ${MAX_VERIFY_RANGE} entries (verify longer ranges in pieces, or offline from GET /api/ledger/export)`,
            {
              errors: [
                { pointer: "/body/range/to", detail: `must be ≥ from and < from + ${MAX_VERIFY_RANGE}` },
              ],
            },
          );
        const exp: LogExport = await app.ledger.export(from, to, MAX_VERIFY_RECORDS);
        if (exp.entries.length === 0) throw new ServerError("NOT_FOUND", `no log entries in ${from}..${to}`);
        const result = verifyExportItem(exp, keySet);
        const first = exp.entries[0]?.seq ?? body.range.from;
        const last = exp.entries.at(-1)?.seq ?? body.range.to;
        return {
          valid: result.valid,
          results: numbered([result]),
          range: { from: first, to: last, ...exportSummary(exp) },
        };
      }
      const stored = body.records === undefined ? undefined : await storedTrees(body.records, body.receipt);
      const storedProof = (seq: string, index: number): string[] | undefined => {
        const tree = stored?.get(seq);
        return tree === undefined || index >= tree.size ? undefined : tree.inclusionProof(index);
      };
      const results =
        body.records !== undefined
          ? numbered(body.records.map((r) => verifyRecordItem(r, { ...ctx, storedProof }, body.receipt)))
          : numbered((body.receipts ?? [body.receipt]).map((r) => verifyReceiptItem(r, ctx)));
      return { valid: results.every((r) => r.valid), results };
    },
  );
}
