/**
 * Retention of the fleet's time series: `GET /api/settings/retention` (signed in) and
 * `PUT /api/settings/retention` (admin). The configuration (CHRONOSYNC_RETENTION_*,
 * docs/fleet.md) gives the defaults; a PUT stores all the values in `server_settings` and
 * the retention job uses them from its next run. Every change is appended to the signed
 * log as `audit.retention-changed` with the values before and after.
 */
import { type Static, Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import {
  IDEMPOTENCY_KEY_HOURS,
  MAX_RETENTION_DAYS,
  RETENTION_DEFAULTS,
  type RetentionPolicy,
  readRetention,
  type StoredRetention,
  storeRetention,
} from "../fleet/retention.js";
import { ProblemSchema } from "../schemas/ledger.js";

const Days = (description: string) =>
  Type.Integer({ minimum: 1, maximum: MAX_RETENTION_DAYS, description: `${description} (days)` });

export const RetentionBody = Type.Object(
  {
    rawDays: Days("raw reports and their per-source rows"),
    minuteRollupDays: Days("1-minute rollups; at least rawDays"),
    hourRollupDays: Days("1-hour rollups; at least minuteRollupDays"),
    resolvedAlertDays: Days("resolved alerts"),
    webhookDeliveryDays: Days("delivered or failed alert webhook deliveries"),
  },
  { additionalProperties: false },
);
export type RetentionBody = Static<typeof RetentionBody>;

export const RetentionSchema = Type.Object({
  ...RetentionBody.properties,
  idempotencyKeyHours: Type.Integer({ description: "report batch idempotency keys (hours, fixed)" }),
  source: Type.Union([Type.Literal("configuration"), Type.Literal("stored")], {
    description: "configuration: the server's defaults; stored: chosen by an admin",
  }),
  updatedAt: Type.Union([Type.String(), Type.Null()]),
  updatedBy: Type.Union([Type.String(), Type.Null()]),
});

export interface RetentionRouteOptions {
  /** The configuration's retention (the defaults while none is stored). */
  readonly defaults?: RetentionPolicy | undefined;
  readonly now: () => Date;
}

function retentionDocument(r: StoredRetention) {
  return {
    ...r.settings,
    idempotencyKeyHours: IDEMPOTENCY_KEY_HOURS,
    source: r.updatedAt === null ? ("configuration" as const) : ("stored" as const),
    updatedAt: r.updatedAt,
    updatedBy: r.updatedBy,
  };
}

export async function retentionRoutes(app: FastifyInstance, options: RetentionRouteOptions): Promise<void> {
  const pool = app.database.pool;
  const defaults = options.defaults ?? RETENTION_DEFAULTS;

  app.get(
    "/api/settings/retention",
    {
      schema: {
        tags: ["fleet"],
        summary: "How long the fleet's reports, rollups, alerts and webhook deliveries are kept",
        response: { 200: RetentionSchema, "4xx": ProblemSchema },
      },
      config: { roles: ["admin", "operator", "viewer"] },
    },
    async () => retentionDocument(await readRetention(pool, defaults)),
  );

  app.put<{ Body: RetentionBody }>(
    "/api/settings/retention",
    {
      schema: {
        tags: ["fleet"],
        summary:
          "Set the retention (all values; raw ≤ 1-minute ≤ 1-hour rollups); used from the retention job's next run",
        body: RetentionBody,
        response: { 200: RetentionSchema, "4xx": ProblemSchema },
      },
    },
    async (request) => {
      const by = request.user?.username ?? "unknown";
      const { before, after } = await storeRetention(pool, request.body, by, options.now(), defaults);
      await app.ledger.append("audit.retention-changed", [
        { before: before.settings, after: after.settings, by },
      ]);
      return retentionDocument(after);
    },
  );
}
