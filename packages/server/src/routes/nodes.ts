/**
 * The dashboard's fleet API: nodes with current state (paged, sorted), one node with its
 * sources, a node's history (raw or rolled up), its policy and decommissioning (admin),
 * and alerts.
 */
import { parseRfc3339 } from "@chronosync/core";
import type { FastifyInstance } from "fastify";
import { listAlerts } from "../alerts/store.js";
import { ServerError } from "../errors.js";
import { nodeHistory } from "../fleet/history.js";
import { deleteNode, getNode, listNodes } from "../fleet/nodes.js";
import { ProblemSchema } from "../schemas/ledger.js";
import {
  AlertList,
  AlertQuery,
  HistoryQuery,
  HistorySchema,
  NodeDetail,
  NodeList,
  NodeListQuery,
  NodeParams,
  NodePolicyBody,
} from "../schemas/nodes.js";
import type { FleetRouteOptions } from "./enrollment.js";

const SIGNED_IN = ["admin", "operator", "viewer"] as const;
const HOUR_NS = 3_600_000_000_000n;

function instant(text: string | undefined, name: string, fallback: bigint): bigint {
  if (text === undefined) return fallback;
  try {
    return parseRfc3339(text);
  } catch {
    throw new ServerError("VALIDATION_FAILED", `${name} must be an RFC 3339 instant`, {
      errors: [{ pointer: `/querystring/${name}`, detail: "not an RFC 3339 instant" }],
    });
  }
}

export async function nodeRoutes(app: FastifyInstance, options: FleetRouteOptions): Promise<void> {
  const pool = app.database.pool;

  app.get<{ Querystring: NodeListQuery }>(
    "/api/nodes",
    {
      schema: {
        tags: ["fleet"],
        summary: "Nodes with their current state, paged and sorted",
        querystring: NodeListQuery,
        response: { 200: NodeList, "4xx": ProblemSchema },
      },
      config: { roles: SIGNED_IN },
    },
    async (request) => {
      const q = request.query;
      return listNodes(pool, {
        limit: Number(q.limit ?? "100"),
        offset: Number(q.offset ?? "0"),
        sort: (q.sort ?? "hostname") as "hostname",
        order: q.order ?? "asc",
        state: q.state,
      });
    },
  );

  app.get<{ Params: NodeParams }>(
    "/api/nodes/:id",
    {
      schema: {
        tags: ["fleet"],
        summary: "One node: current state and the sources of its latest report",
        params: NodeParams,
        response: { 200: NodeDetail, "4xx": ProblemSchema },
      },
      config: { roles: SIGNED_IN },
    },
    async (request) => {
      const node = await getNode(pool, request.params.id);
      if (node === undefined) throw new ServerError("NOT_FOUND", "no such node");
      return node;
    },
  );

  app.get<{ Params: NodeParams; Querystring: HistoryQuery }>(
    "/api/nodes/:id/history",
    {
      schema: {
        tags: ["fleet"],
        summary: "A node's offset, delay, jitter, bound, CPU and RSS over a range (raw, 1m or 1h)",
        params: NodeParams,
        querystring: HistoryQuery,
        response: { 200: HistorySchema, "4xx": ProblemSchema },
      },
      config: { roles: SIGNED_IN },
    },
    async (request) => {
      const nowNs = BigInt(options.now().getTime()) * 1_000_000n;
      const to = instant(request.query.to, "to", nowNs);
      const from = instant(request.query.from, "from", to - HOUR_NS);
      if (from > to) throw new ServerError("BAD_REQUEST", "from is after to");
      const exists = await pool.query("SELECT 1 FROM nodes WHERE id = $1", [request.params.id]);
      if (exists.rowCount === 0) throw new ServerError("NOT_FOUND", "no such node");
      return nodeHistory(pool, request.params.id, from, to, request.query.resolution ?? "raw");
    },
  );

  app.delete<{ Params: NodeParams }>(
    "/api/nodes/:id",
    {
      schema: {
        tags: ["fleet"],
        summary: "Decommission a node: its clients, reports, rollups and alerts are deleted",
        params: NodeParams,
        response: { "4xx": ProblemSchema },
      },
    },
    async (request, reply) => {
      const hostname = await deleteNode(pool, request.params.id);
      if (hostname === undefined) throw new ServerError("NOT_FOUND", "no such node");
      await app.ledger.append("audit.node-deleted", [
        { nodeId: request.params.id, hostname, by: request.user?.username ?? "unknown" },
      ]);
      return reply.code(204).send();
    },
  );

  app.put<{ Params: NodeParams; Body: NodePolicyBody }>(
    "/api/nodes/:id/policy",
    {
      schema: {
        tags: ["fleet"],
        summary: "Put a node under an alert policy",
        params: NodeParams,
        body: NodePolicyBody,
        response: { "4xx": ProblemSchema },
      },
    },
    async (request, reply) => {
      const { policyId } = request.body;
      const known = await pool.query("SELECT 1 FROM policies WHERE id = $1", [policyId]);
      if (known.rowCount === 0) throw new ServerError("BAD_REQUEST", `no policy ${policyId}`);
      const updated = await pool.query("UPDATE nodes SET policy_id = $2 WHERE id = $1", [
        request.params.id,
        policyId,
      ]);
      if (updated.rowCount === 0) throw new ServerError("NOT_FOUND", "no such node");
      await app.ledger.append("audit.policy-changed", [
        { nodeId: request.params.id, policyId, by: request.user?.username ?? "unknown" },
      ]);
      return reply.code(204).send();
    },
  );

  app.get<{ Querystring: AlertQuery }>(
    "/api/alerts",
    {
      schema: {
        tags: ["fleet"],
        summary: "Alerts, newest first (open=true: open ones only)",
        querystring: AlertQuery,
        response: { 200: AlertList, "4xx": ProblemSchema },
      },
      config: { roles: SIGNED_IN },
    },
    async (request) => {
      const q = request.query;
      const rows = await listAlerts(pool, {
        open: q.open === undefined ? undefined : q.open === "true",
        nodeId: q.nodeId,
        limit: Number(q.limit ?? "100"),
      });
      return {
        alerts: rows.map((a) => ({
          id: a.id,
          nodeId: a.node_id,
          hostname: a.hostname,
          kind: a.kind,
          sourceId: a.source_id,
          message: a.message,
          detail: a.detail,
          raisedAt: a.raised_at.toISOString(),
          resolvedAt: a.resolved_at?.toISOString() ?? null,
        })),
      };
    },
  );
}
