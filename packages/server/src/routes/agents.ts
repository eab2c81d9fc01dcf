/**
 * The agent-facing routes of docs/report-protocol.md: `POST /api/agents/enroll` (a
 * one-time token for a node and its OAuth client), `POST /api/agents/reports`
 * (batches, machine token with scope `reports:write`, `Idempotency-Key`) and
 * `GET /api/agents/reports/last-seq` (where the node's seqs stand on the server).
 */
import type { FastifyInstance } from "fastify";
import { RateLimiter } from "../auth/rate-limit.js";
import { clientActive, enroll } from "../clients/store.js";
import { ServerError } from "../errors.js";
import { lastReportSeq, storeBatch } from "../fleet/ingest.js";
import type { FleetServices } from "../fleet/services.js";
import {
  EnrollBody,
  EnrollResponse,
  LastSeqResponse,
  ReportBatchBody,
  ReportBatchResponse,
} from "../schemas/fleet.js";
import { ProblemSchema } from "../schemas/ledger.js";

const IDEMPOTENCY_KEY = /^[A-Za-z0-9._:-]{1,128}$/;

export interface AgentRouteOptions {
  readonly now: () => Date;
  readonly services: FleetServices;
}

/** Failed enrollments (unknown, used, revoked or expired tokens) per address per minute. */
export const FAILED_ENROLLMENTS_PER_MINUTE = 10;

export async function agentRoutes(app: FastifyInstance, options: AgentRouteOptions): Promise<void> {
  const pool = app.database.pool;
  const failedEnrollments = new RateLimiter(FAILED_ENROLLMENTS_PER_MINUTE, 60_000);

  app.post<{ Body: EnrollBody }>(
    "/api/agents/enroll",
    {
      schema: {
        tags: ["agents"],
        summary: "Trade a one-time enrollment token for a node id and OAuth client credentials",
        body: EnrollBody,
        response: { 201: EnrollResponse, "4xx": ProblemSchema },
      },
      config: { public: true },
    },
    async (request, reply) => {
      const now = options.now();
      const wait = failedEnrollments.blocked(request.ip, now.getTime());
      if (wait !== undefined)
        throw new ServerError("TOO_MANY_REQUESTS", "too many failed enrollments from this address", {
          retryAfter: wait,
        });
      let enrolled: Awaited<ReturnType<typeof enroll>>;
      try {
        enrolled = await enroll(pool, request.body, now);
      } catch (err) {
        if (err instanceof ServerError && (err.code === "UNAUTHORIZED" || err.code === "GONE"))
          failedEnrollments.hit(request.ip, now.getTime());
        throw err;
      }
      await app.ledger.append("audit.node-enrolled", [
        {
          nodeId: enrolled.nodeId,
          hostname: request.body.hostname,
          clientId: enrolled.clientId,
          scopes: enrolled.scopes,
          enrollmentTokenId: enrolled.tokenId,
          ip: request.ip,
        },
      ]);
      return reply.code(201).send({
        nodeId: enrolled.nodeId,
        clientId: enrolled.clientId,
        clientSecret: enrolled.clientSecret,
        scopes: enrolled.scopes,
      });
    },
  );

  app.post<{ Body: ReportBatchBody }>(
    "/api/agents/reports",
    {
      schema: {
        tags: ["agents"],
        summary: "A batch of agent reports; deduplicated by (nodeId, seq) and Idempotency-Key",
        body: ReportBatchBody,
        response: { 202: ReportBatchResponse, "4xx": ProblemSchema },
      },
      config: { scopes: ["reports:write"], roles: [] },
    },
    async (request, reply) => {
      const client = request.client;
      if (client === null) throw new ServerError("FORBIDDEN", "reports need an agent token");
      if (!(await clientActive(pool, client.clientId))) {
        reply.header("www-authenticate", 'Bearer realm="chronosync", error="invalid_token"');
        throw new ServerError("UNAUTHORIZED", "this client was revoked");
      }
      const body = request.body;
      if (body.nodeId !== client.nodeId)
        throw new ServerError("FORBIDDEN", "nodeId is not the node of this token");
      const header = request.headers["idempotency-key"];
      const key = typeof header === "string" ? header : body.batchId;
      if (!IDEMPOTENCY_KEY.test(key))
        throw new ServerError("VALIDATION_FAILED", "Idempotency-Key must be 1-128 of A-Z a-z 0-9 . _ : -", {
          errors: [{ pointer: "/headers/idempotency-key", detail: "invalid" }],
        });
      const stored = await storeBatch(
        pool,
        options.services.events,
        { nodeId: client.nodeId, idempotencyKey: key, body, webhook: options.services.webhook !== undefined },
        options.now(),
      );
      options.services.metrics.reports.inc(stored.accepted);
      if (stored.changes.length > 0) void options.services.webhook?.kick();
      return reply.code(202).send({ accepted: stored.accepted, duplicates: stored.duplicates });
    },
  );

  app.get(
    "/api/agents/reports/last-seq",
    {
      schema: {
        tags: ["agents"],
        summary:
          "The highest report seq stored for the token's node (0: none), so an agent that lost its report buffer continues above it",
        response: { 200: LastSeqResponse, "4xx": ProblemSchema },
      },
      config: { scopes: ["reports:write"], roles: [] },
    },
    async (request, reply) => {
      const client = request.client;
      if (client === null) throw new ServerError("FORBIDDEN", "this needs an agent token");
      if (!(await clientActive(pool, client.clientId))) {
        reply.header("www-authenticate", 'Bearer realm="chronosync", error="invalid_token"');
        throw new ServerError("UNAUTHORIZED", "this client was revoked");
      }
      const lastSeq = await lastReportSeq(pool, client.nodeId);
      if (lastSeq === undefined)
        throw new ServerError("FORBIDDEN", "the node of this token no longer exists");
      return { nodeId: client.nodeId, lastSeq };
    },
  );
}
