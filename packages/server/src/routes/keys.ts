/**
 * Signing keys: `GET /.well-known/chronosync/keys` publishes the KeySet that verifies
 * every checkpoint (public); `POST /api/keys/rotate` (admin) retires the active key and
 * activates a new one, recorded in the signed log as `audit.key-rotated`.
 */
import { Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import { KeySetSchema, ProblemSchema } from "../schemas/ledger.js";

const RotateResponse = Type.Object({ keyId: Type.String(), retiredKeyIds: Type.Array(Type.String()) });

export async function keyRoutes(app: FastifyInstance): Promise<void> {
  app.get(
    "/.well-known/chronosync/keys",
    {
      schema: {
        tags: ["keys"],
        summary: "Public keys of the log (active and retired)",
        response: { 200: KeySetSchema },
      },
      config: { public: true },
    },
    async (_request, reply) => {
      reply.header("cache-control", "public, max-age=60");
      return app.keys.keySet();
    },
  );

  app.post(
    "/api/keys/rotate",
    {
      schema: {
        tags: ["keys"],
        summary: "Rotate the log's signing key (old keys stay published and verifiable)",
        security: [{ bearer: [] }],
        response: { 200: RotateResponse, "4xx": ProblemSchema },
      },
      config: { roles: ["admin"] },
    },
    async (request) => {
      const rotated = await app.keys.rotate();
      await app.ledger.append("audit.key-rotated", [{ by: request.user?.username ?? null, ...rotated }]);
      return rotated;
    },
  );
}
