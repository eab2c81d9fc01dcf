/**
 * Alert policies: `GET /api/policies` (signed in), `PUT /api/policies/:id` (admin; creates
 * or replaces; `default` applies to every node without its own). Every change is
 * appended to the signed log as `audit.policy-changed` with the old and new values.
 */
import type { FastifyInstance } from "fastify";
import { listPolicies, putPolicy } from "../fleet/policies.js";
import { ProblemSchema } from "../schemas/ledger.js";
import { PolicyBody, PolicyList, PolicyParams, PolicySchema } from "../schemas/nodes.js";
import type { FleetRouteOptions } from "./enrollment.js";

export async function policyRoutes(app: FastifyInstance, options: FleetRouteOptions): Promise<void> {
  const pool = app.database.pool;

  app.get(
    "/api/policies",
    {
      schema: {
        tags: ["fleet"],
        summary: "Alert policies",
        response: { 200: PolicyList, "4xx": ProblemSchema },
      },
      config: { roles: ["admin", "operator", "viewer"] },
    },
    async () => ({ policies: await listPolicies(pool) }),
  );

  app.put<{ Params: PolicyParams; Body: PolicyBody }>(
    "/api/policies/:id",
    {
      schema: {
        tags: ["fleet"],
        summary: "Create or replace an alert policy (tolerance in ns, silence in s)",
        params: PolicyParams,
        body: PolicyBody,
        response: { 200: PolicySchema, "4xx": ProblemSchema },
      },
    },
    async (request) => {
      const { policy, previous } = await putPolicy(
        pool,
        { id: request.params.id, ...request.body, falsetickerAlerts: request.body.falsetickerAlerts ?? true },
        options.now(),
      );
      const strip = (p: typeof policy) => ({
        toleranceNs: p.toleranceNs,
        silentAfterS: p.silentAfterS,
        falsetickerAlerts: p.falsetickerAlerts,
      });
      await app.ledger.append("audit.policy-changed", [
        {
          policyId: policy.id,
          before: previous === undefined ? null : strip(previous),
          after: strip(policy),
          by: request.user?.username ?? "unknown",
        },
      ]);
      return policy;
    },
  );
}
