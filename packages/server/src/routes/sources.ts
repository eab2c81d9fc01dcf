/** `GET /api/timestamps/sources` (issue 4 §3): every time source seen across the fleet. */
import type { FastifyInstance } from "fastify";
import { listSources } from "../fleet/nodes.js";
import { ProblemSchema } from "../schemas/ledger.js";
import { SourceList } from "../schemas/nodes.js";

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
}
