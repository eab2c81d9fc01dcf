/**
 * The signed log's read API: checkpoints, one entry's receipt, one record's receipt, range
 * exports (record batches with their records).
 */
import type { FastifyInstance } from "fastify";
import { ServerError } from "../errors.js";
import {
  CheckpointPageSchema,
  CheckpointQuery,
  ExportQuery,
  LogExportSchema,
  ProblemSchema,
  ReceiptSchema,
  RecordParams,
  RecordReceiptSchema,
  SeqParams,
} from "../schemas/ledger.js";

/** Largest export answered at once (entries); page with `from`/`to` beyond it. */
export const MAX_EXPORT_ENTRIES = 100_000;

export async function ledgerRoutes(app: FastifyInstance): Promise<void> {
  app.get<{ Querystring: CheckpointQuery }>(
    "/api/ledger/checkpoints",
    {
      schema: {
        tags: ["ledger"],
        summary: "Signed checkpoints in chain order, paged",
        querystring: CheckpointQuery,
        response: { 200: CheckpointPageSchema, "4xx": ProblemSchema },
      },
      config: { roles: ["admin", "operator", "viewer"] },
    },
    async (request) =>
      app.ledger.checkpoints(BigInt(request.query.from ?? "0"), Number(request.query.limit ?? "100")),
  );

  app.get<{ Params: SeqParams }>(
    "/api/ledger/entries/:seq",
    {
      schema: {
        tags: ["ledger"],
        summary: "One log entry as a receipt: entry, checkpoint and inclusion proof once sealed",
        params: SeqParams,
        response: { 200: ReceiptSchema, "4xx": ProblemSchema },
      },
      config: { roles: ["admin", "operator", "viewer"] },
    },
    async (request) => {
      const receipt = await app.ledger.receipt(BigInt(request.params.seq));
      if (receipt === undefined) throw new ServerError("NOT_FOUND", `no log entry ${request.params.seq}`);
      return receipt;
    },
  );

  app.get<{ Params: RecordParams }>(
    "/api/ledger/entries/:seq/records/:index",
    {
      schema: {
        tags: ["ledger"],
        summary:
          "One record of a record batch entry as a record receipt: the record, its inclusion path in the batch and the entry's receipt",
        params: RecordParams,
        response: { 200: RecordReceiptSchema, "4xx": ProblemSchema },
      },
      config: { roles: ["admin", "operator", "viewer"] },
    },
    async (request) => {
      const { seq, index } = request.params;
      const receipt = await app.ledger.recordReceipt(BigInt(seq), Number(index));
      if (receipt === undefined)
        throw new ServerError(
          "NOT_FOUND",
          `no record ${index} in log entry ${seq} (or it is not a record batch)`,
        );
      return receipt;
    },
  );

  app.get<{ Querystring: ExportQuery }>(
    "/api/ledger/export",
    {
      schema: {
        tags: ["ledger"],
        summary: `A verifiable range of the log (widened to whole checkpoints; at most ${MAX_EXPORT_ENTRIES} entries from \`from\`)`,
        querystring: ExportQuery,
        response: { 200: LogExportSchema, "4xx": ProblemSchema },
      },
      config: { roles: ["admin", "operator", "viewer"] },
    },
    async (request) => {
      const from = BigInt(request.query.from ?? "0");
      const to =
        request.query.to === undefined ? from + BigInt(MAX_EXPORT_ENTRIES) - 1n : BigInt(request.query.to);
      if (to < from)
        throw new ServerError("BAD_REQUEST", "to must not be before from", {
          errors: [{ pointer: "/querystring/to", detail: "must be ≥ from" }],
        });
      if (to - from >= BigInt(MAX_EXPORT_ENTRIES))
        throw new ServerError("BAD_REQUEST", `at most ${MAX_EXPORT_ENTRIES} entries per export`);
      return app.ledger.export(from, to);
    },
  );
}
