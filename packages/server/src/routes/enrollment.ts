/**
 * Enrollment tokens (admin): create (the token is answered once, stored as a SHA-256
 * hash), list, revoke. Creations and revocations are appended to the signed log.
 */
import type { FastifyInstance } from "fastify";
import {
  createEnrollmentToken,
  type EnrollmentTokenRow,
  listEnrollmentTokens,
  revokeEnrollmentToken,
} from "../clients/store.js";
import { ServerError } from "../errors.js";
import {
  CreatedEnrollmentToken,
  CreateEnrollmentTokenBody,
  EnrollmentTokenList,
  IdParams,
} from "../schemas/clients.js";
import { ProblemSchema } from "../schemas/ledger.js";

export interface FleetRouteOptions {
  readonly now: () => Date;
}

function tokenDocument(row: EnrollmentTokenRow, now: Date) {
  const status =
    row.used_at !== null
      ? "used"
      : row.revoked_at !== null
        ? "revoked"
        : row.expires_at <= now
          ? "expired"
          : "active";
  return {
    id: row.id,
    label: row.label,
    createdBy: row.created_by,
    createdAt: row.created_at.toISOString(),
    expiresAt: row.expires_at.toISOString(),
    usedAt: row.used_at?.toISOString() ?? null,
    nodeId: row.node_id,
    revokedAt: row.revoked_at?.toISOString() ?? null,
    status: status as "active" | "used" | "revoked" | "expired",
  };
}

export async function enrollmentRoutes(app: FastifyInstance, options: FleetRouteOptions): Promise<void> {
  const pool = app.database.pool;

  app.post<{ Body: CreateEnrollmentTokenBody }>(
    "/api/enrollment-tokens",
    {
      schema: {
        tags: ["fleet"],
        summary: "Create a one-time, expiring enrollment token (shown once)",
        body: CreateEnrollmentTokenBody,
        response: { 201: CreatedEnrollmentToken, "4xx": ProblemSchema },
      },
    },
    async (request, reply) => {
      const now = options.now();
      const createdBy = request.user?.username ?? "unknown";
      const { token, row } = await createEnrollmentToken(
        pool,
        { label: request.body.label ?? "", expiresInS: request.body.expiresInS, createdBy },
        now,
      );
      await app.ledger.append("audit.enrollment-token-created", [
        { id: row.id, label: row.label, expiresAt: row.expires_at.toISOString(), by: createdBy },
      ]);
      return reply.code(201).send({ ...tokenDocument(row, now), token });
    },
  );

  app.get(
    "/api/enrollment-tokens",
    {
      schema: {
        tags: ["fleet"],
        summary: "Enrollment tokens (never the tokens themselves)",
        response: { 200: EnrollmentTokenList, "4xx": ProblemSchema },
      },
    },
    async () => {
      const now = options.now();
      return { tokens: (await listEnrollmentTokens(pool)).map((r) => tokenDocument(r, now)) };
    },
  );

  app.delete<{ Params: IdParams }>(
    "/api/enrollment-tokens/:id",
    {
      schema: {
        tags: ["fleet"],
        summary: "Revoke an enrollment token",
        params: IdParams,
        response: { "4xx": ProblemSchema },
      },
    },
    async (request, reply) => {
      const row = await revokeEnrollmentToken(pool, request.params.id, options.now());
      if (row === undefined) throw new ServerError("NOT_FOUND", "no such enrollment token");
      await app.ledger.append("audit.enrollment-token-revoked", [
        { id: row.id, label: row.label, by: request.user?.username ?? "unknown" },
      ]);
      return reply.code(204).send();
    },
  );
}
