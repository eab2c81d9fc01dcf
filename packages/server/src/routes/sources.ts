/** `GET /api/timestamps/sources` (issue 4 §3): every time source seen across the fleet. */
import { parseRfc3339 } from "@chronosync/core";
import type { FastifyInstance } from "fastify";
import { ServerError } from "../errors.js";
import { listSources } from "../fleet/nodes.js";
import { falsetickerHistory } from "../fleet/source-history.js";
import { ProblemSchema } from "../schemas/ledger.js";
import { SourceList } from "../schemas/nodes.js";
import { FalsetickerHistoryQuery, FalsetickerHistorySchema } from "../schemas/source-history.js";

export async function sourceRoutes(app: FastifyInstance): Promise<void> {
  app.get(
    "/api/timestamps/sources",
    {
      schema: {
        tags: ["fleet"],
        summary:
          "Every time source in the nodes' latest reports: URL, protocol, stratum, offset, delay, jitter, reachability, score, state, nodes using it",
        response: { 200: SourceList, "4xx": ProblemSchema },
      },
      config: { roles: ["admin", "operator", "viewer"] },
    },
    async () => ({ sources: await listSources(app.database.pool) }),
  );
  registerFalsetickerHistory(app);
}

/** An RFC 3339 query value as a Date (millisecond precision), or a VALIDATION_FAILED problem. */
function queryInstant(text: string, name: string): Date {
  try {
    return new Date(Number(parseRfc3339(text) / 1_000_000n));
  } catch {
    throw new ServerError("VALIDATION_FAILED", `${name} must be an RFC 3339 instant`, {
      errors: [{ pointer: `/querystring/${name}`, detail: "not an RFC 3339 instant" }],
    });
  }
}

/** `GET /api/timestamps/sources/falseticker-history`: when, and for which nodes, a source was a falseticker. */
function registerFalsetickerHistory(app: FastifyInstance): void {
  app.get<{ Querystring: FalsetickerHistoryQuery }>(
    "/api/timestamps/sources/falseticker-history",
    {
      schema: {
        tags: ["fleet"],
        summary:
          "When a source was rejected as a falseticker, and by which nodes, over a range: periods per node and counts per bucket (from the raw per-source rows, kept as long as raw reports)",
        querystring: FalsetickerHistoryQuery,
        response: { 200: FalsetickerHistorySchema, "4xx": ProblemSchema },
      },
      config: { roles: ["admin", "operator", "viewer"] },
    },
    async (request) => {
      const from = queryInstant(request.query.from, "from");
      const to = queryInstant(request.query.to, "to");
      if (from.getTime() >= to.getTime())
        throw new ServerError("VALIDATION_FAILED", "from must be before to", {
          errors: [{ pointer: "/querystring/from", detail: "not before to" }],
        });
      const buckets = request.query.buckets === undefined ? undefined : Number(request.query.buckets);
      return falsetickerHistory(app.database.pool, request.query.sourceId, from, to, buckets);
    },
  );
}
