/**
 * Operations endpoints: `/healthz` (the process answers), `/readyz` (the database answers
 * and every shipped migration is applied), `/metrics` (Prometheus text format).
 */
import { Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import { appliedMigrationCount, shippedMigrationCount } from "../db/migrate.js";
import { DatabaseUnavailableError, ServerError } from "../errors.js";

const Status = Type.Object({ status: Type.String() });

export async function healthRoutes(app: FastifyInstance): Promise<void> {
  const shipped = shippedMigrationCount();

  app.get(
    "/healthz",
    {
      schema: { tags: ["operations"], summary: "Liveness: the process is up", response: { 200: Status } },
      config: { public: true },
    },
    async () => ({ status: "ok" }),
  );

  app.get(
    "/readyz",
    {
      schema: {
        tags: ["operations"],
        summary: "Readiness: database reachable and migrations applied",
        response: { 200: Type.Object({ status: Type.String(), migrations: Type.Integer() }) },
      },
      config: { public: true },
    },
    async () => {
      let applied: number;
      try {
        applied = await appliedMigrationCount(app.database.pool);
      } catch (err) {
        throw new DatabaseUnavailableError("database unreachable", { cause: err });
      }
      if (applied < shipped)
        throw new ServerError("DATABASE_UNAVAILABLE", `${applied} of ${shipped} migrations applied`, {
          retryAfter: 5,
        });
      return { status: "ready", migrations: applied };
    },
  );

  app.get(
    "/metrics",
    {
      schema: { tags: ["operations"], summary: "Prometheus metrics", hide: false },
      config: { roles: ["admin", "operator"] },
    },
    async (_request, reply) => {
      const text = await app.metrics.registry.metrics();
      return reply.type(app.metrics.registry.contentType).send(text);
    },
  );
}
