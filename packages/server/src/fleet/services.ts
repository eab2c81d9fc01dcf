/**
 * The fleet's running parts in one server process: the cross-process event bus, the
 * alert webhook, the periodic silence check and the retention job, the ingest counter,
 * and the offset history the normalization engine reads. `registerFleet` wires them and
 * the fleet, user and OAuth routes into the app; closing the app stops them.
 */
import { formatRfc3339 } from "@chronosync/core";
import type { FastifyInstance } from "fastify";
import { Counter } from "prom-client";
import { WebhookDispatcher } from "../alerts/outbox.js";
import { markSilentNodes } from "../alerts/silence.js";
import { EventBus } from "../events/bus.js";
import { agentRoutes } from "../routes/agents.js";
import { clientRoutes } from "../routes/clients.js";
import { enrollmentRoutes } from "../routes/enrollment.js";
import { eventRoutes } from "../routes/events.js";
import { nodeRoutes } from "../routes/nodes.js";
import { oauthRoutes } from "../routes/oauth.js";
import { policyRoutes } from "../routes/policies.js";
import { sourceRoutes } from "../routes/sources.js";
import { userRoutes } from "../routes/users.js";
import { applyRetention, RETENTION_DEFAULTS, type RetentionPolicy } from "./retention.js";

/** Fleet settings (docs/fleet.md; environment variables in config.ts). */
export interface FleetOptions {
  /** Alert webhook URL; absent = no webhook. */
  readonly webhookUrl?: string | undefined;
  /** HMAC-SHA-256 key of the webhook signature (required with a URL). */
  readonly webhookSecret?: string | undefined;
  readonly webhookAttempts?: number;
  readonly webhookBackoffMs?: number;
  /** Milliseconds between polls of the webhook outbox (default 1000). */
  readonly webhookPollMs?: number;
  readonly retention?: RetentionPolicy;
  /** Milliseconds between retention runs (default 1 h; 0 = off). */
  readonly retentionIntervalMs?: number;
  /** Milliseconds between silence checks (default 15 s; 0 = off). */
  readonly silenceCheckMs?: number;
  /** Milliseconds between SSE heartbeats (default 15 s). */
  readonly heartbeatMs?: number;
}

export interface FleetServices {
  readonly events: EventBus;
  /** The outbox dispatcher when a webhook URL is configured. */
  readonly webhook: WebhookDispatcher | undefined;
  readonly metrics: { readonly reports: Counter };
  /** Runs the silence check once (the timer calls it too). */
  checkSilence(): Promise<number>;
  /** Runs the retention job once. */
  applyRetention(): ReturnType<typeof applyRetention>;
}

declare module "fastify" {
  interface FastifyInstance {
    fleet: FleetServices;
  }
}

function every(app: FastifyInstance, ms: number, name: string, job: () => Promise<unknown>): void {
  if (ms <= 0) return;
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    job()
      .catch((err: unknown) => app.log.warn({ err }, `${name} failed`))
      .finally(() => {
        running = false;
      });
  }, ms);
  timer.unref();
  app.addHook("onClose", async () => clearInterval(timer));
}

/** Wires the fleet into `app` (call after auth, before `ready()`). */
export async function registerFleet(
  app: FastifyInstance,
  options: FleetOptions & { jwtKey: Uint8Array; now: () => Date },
): Promise<void> {
  const { now } = options;
  const pool = app.database.pool;
  const events = new EventBus({
    url: app.database.url,
    pool,
    now: () => formatRfc3339(BigInt(now().getTime()) * 1_000_000n, 3),
    log: (message, err) => app.log.warn({ err }, message),
  });
  await events.start();
  // Other processes' token revocations; and every disabled user's tokens as of now.
  events.subscribe((event) => {
    if (event.type === "user-revoked") app.tokenRevocations.revoke(event.userId, event.atMs);
  });
  const disabled = await pool.query<{ id: string }>("SELECT id FROM users WHERE disabled");
  for (const row of disabled.rows) app.tokenRevocations.revoke(row.id, now().getTime());
  const webhook =
    options.webhookUrl === undefined
      ? undefined
      : new WebhookDispatcher({
          pool,
          url: options.webhookUrl,
          secret: options.webhookSecret ?? "",
          attempts: options.webhookAttempts ?? 5,
          backoffMs: options.webhookBackoffMs ?? 1000,
          pollMs: options.webhookPollMs ?? 1000,
          nowSeconds: () => Math.floor(now().getTime() / 1000),
          log: (message, err) => app.log.warn({ err }, message),
        });
  const reports = new Counter({
    name: "chronosync_reports_ingested_total",
    help: "Agent reports stored (duplicates excluded)",
    registers: [app.metrics.registry],
  });
  const services: FleetServices = {
    events,
    webhook,
    metrics: { reports },
    async checkSilence() {
      const changes = await markSilentNodes(pool, events, now(), webhook !== undefined);
      if (changes.length > 0) void webhook?.kick();
      return changes.length;
    },
    applyRetention: () => applyRetention(pool, options.retention ?? RETENTION_DEFAULTS, now()),
  };
  app.decorate("fleet", services);
  app.addHook("onClose", async () => {
    await webhook?.close();
    await events.close();
  });
  const routeOptions = { now };
  await app.register(enrollmentRoutes, routeOptions);
  await app.register(clientRoutes, routeOptions);
  await app.register(agentRoutes, { now, services });
  await app.register(oauthRoutes, { jwtKey: options.jwtKey, now });
  await app.register(nodeRoutes, routeOptions);
  await app.register(sourceRoutes);
  await app.register(policyRoutes, routeOptions);
  await app.register(eventRoutes, { bus: events, heartbeatMs: options.heartbeatMs });
  await app.register(userRoutes, routeOptions);
  every(app, options.silenceCheckMs ?? 15_000, "silence check", () => services.checkSilence());
  every(app, options.retentionIntervalMs ?? 3_600_000, "retention", () => services.applyRetention());
}
