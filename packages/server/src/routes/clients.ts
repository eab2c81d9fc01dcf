/** OAuth clients of enrolled nodes (admin): list, revoke. Revocations go to the signed log. */
import type { FastifyInstance } from "fastify";
import { type ClientRow, listClients, revokeClient } from "../clients/store.js";
import { ServerError } from "../errors.js";
import { ClientList, ClientParams } from "../schemas/clients.js";
import { ProblemSchema } from "../schemas/ledger.js";
import type { FleetRouteOptions } from "./enrollment.js";

function clientDocument(row: ClientRow) {
  return {
    clientId: row.client_id,
    nodeId: row.node_id,
    hostname: row.hostname,
    scopes: row.scopes,
    createdAt: row.created_at.toISOString(),
    revokedAt: row.revoked_at?.toISOString() ?? null,
    lastUsedAt: row.last_used_at?.toISOString() ?? null,
  };
}

export async function clientRoutes(app: FastifyInstance, options: FleetRouteOptions): Promise<void> {
  const pool = app.database.pool;

  app.get(
    "/api/clients",
    {
      schema: {
        tags: ["fleet"],
        summary: "OAuth clients of enrolled nodes (secrets are never shown again)",
        response: { 200: ClientList, "4xx": ProblemSchema },
      },
    },
    async () => ({ clients: (await listClients(pool)).map(clientDocument) }),
  );

  app.delete<{ Params: ClientParams }>(
    "/api/clients/:clientId",
    {
      schema: {
        tags: ["fleet"],
        summary: "Revoke a client: its token requests and reports are refused from now on",
        params: ClientParams,
        response: { "4xx": ProblemSchema },
      },
    },
    async (request, reply) => {
      const row = await revokeClient(pool, request.params.clientId, options.now());
      if (row === undefined) throw new ServerError("NOT_FOUND", "no such client");
      await app.ledger.append("audit.client-revoked", [
        { clientId: row.client_id, nodeId: row.node_id, by: request.user?.username ?? "unknown" },
      ]);
      return reply.code(204).send();
    },
  );
}
