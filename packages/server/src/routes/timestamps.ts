/**
 * The seed's timestamp API (issue 4 §3; seed section 6):
 * - `POST /api/timestamps/normalize` — up to 10 000 timestamps onto UTC, each sealed in
 *   the signed log (one append per request, shared with concurrent requests by the
 *   group-commit queue), answered with its receipt;
 * - `POST /api/timestamps/verify` — receipts, records or a log range checked against the
 *   published keys. docs/api-timestamps.md has the details.
 */
import { type Clock, formatRfc3339, type Instant, type LogExport, systemClock } from "@chronosync/core";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { ServerError } from "../errors.js";
import { AppendQueue } from "../normalize/append-queue.js";
import { normalizeBatch } from "../normalize/normalize-batch.js";
import { createNormalizeMetrics } from "../normalize/normalize-metrics.js";
import { DEFAULT_NORMALIZE_SETTINGS, type NormalizeSettings } from "../normalize/settings.js";
import {
  exportSummary,
  TIMESTAMP_KIND,
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
}

/** Body limit of the normalize route: 10 000 timestamps with long source URLs fit. */
export const NORMALIZE_BODY_LIMIT = 4 * 1024 * 1024;
/**
 * Most entries in one verified range (widened to whole checkpoints by the export): about
 * 0.2 s of verification on the event loop here; the export route serves up to 100 000.
 */
export const MAX_VERIFY_RANGE = 10_000;

/** Body limit of the verify route: 1 000 receipts with their proofs fit. */
export const VERIFY_BODY_LIMIT = 8 * 1024 * 1024;

export async function timestampRoutes(app: FastifyInstance, options: TimestampRouteOptions): Promise<void> {
  const clock = options.clock ?? systemClock;
  const settings = options.settings ?? DEFAULT_NORMALIZE_SETTINGS;
  const metrics = createNormalizeMetrics(app.metrics.registry);
  const queue = new AppendQueue(
    (kind, payloads) => app.ledger.append(kind, payloads),
    TIMESTAMP_KIND,
    10_000,
    (requests) => metrics.requestsPerCommit.observe(requests),
  );
  const append = (payloads: readonly unknown[]) =>
    options.groupCommit === false ? app.ledger.append(TIMESTAMP_KIND, payloads) : queue.append(payloads);
  const receivedAt = new WeakMap<FastifyRequest, Instant>();

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
      // The records are built field by field above: plain JSON.stringify serializes the
      // 2 kB-per-record receipts faster than a compiled schema serializer.
      serializerCompiler: () => (data) => JSON.stringify(data),
      config: { roles: ["admin", "operator"], scopes: ["timestamps:write"] },
      // The receive time, before the body is read and parsed (latency model (b)).
      onRequest: async (request) => {
        receivedAt.set(request, clock.now());
      },
    },
    async (request) => {
      const receivedNs = receivedAt.get(request) ?? clock.now();
      const stopTimer = metrics.latency.startTimer();
      const records = await normalizeBatch(request.body, receivedNs, settings, app.offsetHistory);
      const receipts = await append(records);
      stopTimer();
      const tally = new Map<string, number>();
      for (const r of records) {
        const key = `${r.method} ${r.flags.length > 0}`;
        tally.set(key, (tally.get(key) ?? 0) + 1);
      }
      for (const [key, n] of tally) {
        const [method = "", flagged = ""] = key.split(" ");
        metrics.timestamps.inc({ method, flagged }, n);
      }
      return {
        receivedAt: formatRfc3339(receivedNs, 9),
        records: records.map((record, i) => {
          const receipt = receipts[i]!;
          return { ...record, integrityHash: receipt.entryHash, receipt };
        }),
      };
    },
  );

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
        const exp: LogExport = await app.ledger.export(from, to);
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
      const results =
        body.records !== undefined
          ? numbered(body.records.map((r) => verifyRecordItem(r, ctx)))
          : numbered((body.receipts ?? [body.receipt]).map((r) => verifyReceiptItem(r, ctx)));
      return { valid: results.every((r) => r.valid), results };
    },
  );
}
