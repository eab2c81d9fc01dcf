/**
 * `buildApp(options)`: the Fastify application without `listen()`, so tests drive it with
 * `inject()`. Opens (or adopts) the database, loads the master key and signing keys,
 * opens the ledger, wires plugins and routes. Closing the app closes what it opened.
 */

import { type Clock, formatRfc3339, systemClock } from "@chronosync/core";
import cookie from "@fastify/cookie";
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import Fastify, { type FastifyInstance, type FastifyServerOptions } from "fastify";
import { deriveJwtKey } from "./auth/tokens.js";
import { type Database, openDatabase } from "./db/database.js";
import { ServerError } from "./errors.js";
import { createOffsetHistoryProvider } from "./fleet/offset-history.js";
import { type FleetOptions, registerFleet } from "./fleet/services.js";
import { loadMasterKey } from "./keys/master-key.js";
import { SigningKeyStore } from "./keys/signing-keys.js";
import { AppendThread, NORMALIZE_COMMIT_RECORDS } from "./ledger/append-thread.js";
import { type Ledger, openLedger } from "./ledger/ledger.js";
import type { OffsetHistoryProvider } from "./normalize/offset-history-provider.js";
import type { NormalizeSettings } from "./normalize/settings.js";
import { registerAuth } from "./plugins/auth.js";
import { dashboardFallback } from "./plugins/dashboard.js";
import { registerErrorHandler, sendProblem, toProblem } from "./plugins/error-handler.js";
import { type Metrics, registerMetrics } from "./plugins/metrics.js";
import { authRoutes } from "./routes/auth.js";
import { healthRoutes } from "./routes/health.js";
import { keyRoutes } from "./routes/keys.js";
import { ledgerRoutes } from "./routes/ledger.js";
import { retentionRoutes } from "./routes/retention.js";
import { timeRoutes } from "./routes/time.js";
import { timestampRoutes } from "./routes/timestamps.js";
import { registerTelemetry } from "./telemetry/plugin.js";
import { withRedaction } from "./telemetry/redact.js";
import type { Telemetry } from "./telemetry/telemetry.js";
import { type TlsMaterial, tlsServerFactory } from "./tls.js";

declare module "fastify" {
  interface FastifyInstance {
    database: Database;
    keys: SigningKeyStore;
    ledger: Ledger;
    /** The normalize route's append thread, when it runs one (ledger/append-thread.ts). */
    appendThread: AppendThread | null;
    metrics: Metrics;
  }
  interface FastifyContextConfig {
    /** No authentication needed (health, docs, public keys). */
    public?: boolean;
    /** Roles allowed; absent on a non-public route = admin only. */
    roles?: readonly ("admin" | "operator" | "viewer")[];
  }
}

export interface AppOptions {
  /** Data directory (master key file, embedded database). */
  readonly dataDir: string;
  /** External PostgreSQL; absent = embedded. Ignored when `database` is given. */
  readonly databaseUrl?: string | undefined;
  /** An already open database to use (not closed with the app). */
  readonly database?: Database;
  /** Base64 master key; absent = `<dataDir>/master.key`. */
  readonly masterKey?: string | undefined;
  readonly clock?: Clock;
  /** Seal after every append (default true). */
  readonly sealOnAppend?: boolean;
  readonly maxCheckpointSize?: number;
  /** Fastify/pino logger options (default: off). */
  readonly logger?: FastifyServerOptions["logger"];
  /** Request body limit in bytes (default 1 MiB). */
  readonly bodyLimit?: number;
  /** Login attempts per client address per minute (default 10). */
  readonly loginsPerMinute?: number;
  /** Milliseconds between background seals of entries others left unsealed (default 0 = off). */
  readonly sealIntervalMs?: number;
  /** Normalize policy and model tuning (default: core's defaults, not strict). */
  readonly normalize?: NormalizeSettings;
  /** Offset histories of enrolled nodes for the normalize route (default: none known). */
  readonly offsetHistory?: OffsetHistoryProvider;
  /** Share log appends of concurrent normalize requests (default true). */
  readonly groupCommit?: boolean;
  /**
   * Normalize requests' log appends run on a thread of their own (ledger/append-thread.ts;
   * `startServer` turns it on). Needs the system clock: ignored with `clock` or without
   * group commit.
   */
  readonly appendThread?: boolean;
  /** Serve HTTPS (TLS 1.3 only) with this certificate and key. */
  readonly tls?: TlsMaterial;
  /** Tracing and error tracking started by `startTelemetry` (shut down with the app). */
  readonly telemetry?: Telemetry;
  /** Fleet: alert webhook, retention, job intervals (docs/fleet.md). */
  readonly fleet?: FleetOptions;
  /** The built dashboard served at `/` (default packages/dashboard/dist of this repository). */
  readonly dashboardDir?: string | undefined;
}

/**
 * Seals, every `intervalMs`, entries another process appended but did not seal (it
 * crashed between append and seal, or runs with sealing off).
 */
function startSealer(app: FastifyInstance, intervalMs: number): void {
  if (intervalMs <= 0) return;
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    app.ledger
      .seal()
      .catch((err: unknown) => app.log.warn({ err }, "background seal failed"))
      .finally(() => {
        running = false;
      });
  }, intervalMs);
  timer.unref();
  app.addHook("onClose", async () => clearInterval(timer));
}

/** Builds the app; the caller listens (or injects) and closes it. */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const clock = options.clock ?? systemClock;
  const masterKey = await loadMasterKey(options.dataDir, options.masterKey);
  const ownsDatabase = options.database === undefined;
  const database =
    options.database ?? (await openDatabase({ databaseUrl: options.databaseUrl, dataDir: options.dataDir }));
  const app = Fastify({
    // Secrets in headers and bodies are redacted (telemetry/redact.ts).
    logger: withRedaction(options.logger ?? false),
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    // No type coercion: a number where a string belongs is a 400, not silently "5".
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: true } },
    ...(options.tls === undefined ? {} : { serverFactory: tlsServerFactory(options.tls) }),
    // Errors Fastify raises before routing (a malformed URL, a bad content type) answer
    // problem+json like every other error.
    frameworkErrors: (err, request, reply) => {
      const { problem } = toProblem(new ServerError("BAD_REQUEST", err.message), request.url);
      sendProblem(reply, problem);
    },
  });
  try {
    const maxCheckpointSize = options.maxCheckpointSize ?? 10_000;
    const keys = new SigningKeyStore(database.pool, masterKey, () => formatRfc3339(clock.now(), 9));
    let metrics: Metrics | undefined;
    const ledger = await openLedger({
      pool: database.pool,
      keys,
      now: () => clock.now(),
      sealOnAppend: options.sealOnAppend ?? true,
      maxCheckpointSize,
      onAppend: (_n, seconds) => metrics?.appendDuration.observe(seconds),
    });
    metrics = registerMetrics(app, database.pool, () => ledger.unsealedCount());
    app.decorate("database", database);
    app.decorate("keys", keys);
    app.decorate("ledger", ledger);
    app.decorate("metrics", metrics);
    // Default: the fleet's agent reports (fleet/offset-history.ts).
    app.decorate("offsetHistory", options.offsetHistory ?? createOffsetHistoryProvider(database.pool));
    registerErrorHandler(app, await dashboardFallback(options.dashboardDir));
    if (options.telemetry !== undefined) registerTelemetry(app, options.telemetry);
    const now = () => new Date(Number(clock.now() / 1_000_000n));
    const jwtKey = deriveJwtKey(masterKey);
    await app.register(cookie);
    registerAuth(app, jwtKey, now);
    await app.register(swagger, {
      openapi: {
        openapi: "3.1.0",
        info: { title: "ChronoSync server", version: "0.1.0", description: "See docs/server.md" },
        components: { securitySchemes: { bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT" } } },
      },
    });
    await app.register(swaggerUi, { routePrefix: "/docs" });
    await app.register(healthRoutes);
    await app.register(keyRoutes);
    await app.register(ledgerRoutes);
    await app.register(timeRoutes, { clock });
    const appendThread =
      options.appendThread === true && options.clock === undefined && options.groupCommit !== false
        ? await AppendThread.start({
            databaseUrl: database.url,
            masterKey,
            maxCheckpointSize,
            maxRecords: NORMALIZE_COMMIT_RECORDS,
          })
        : undefined;
    app.decorate("appendThread", appendThread ?? null);
    if (appendThread !== undefined) {
      appendThread.log = (message) => app.log.warn(message);
      app.addHook("onClose", () => appendThread.close());
    }
    await app.register(timestampRoutes, {
      clock,
      ...(appendThread === undefined ? {} : { appendThread }),
      ...(options.normalize === undefined ? {} : { settings: options.normalize }),
      ...(options.groupCommit === undefined ? {} : { groupCommit: options.groupCommit }),
    });
    await app.register(authRoutes, { jwtKey, now, loginsPerMinute: options.loginsPerMinute ?? 10 });
    await registerFleet(app, { ...options.fleet, jwtKey, now });
    await app.register(retentionRoutes, { defaults: options.fleet?.retention, now });
    startSealer(app, options.sealIntervalMs ?? 0);
    // Registered last so it runs after every other onClose hook (the sealer's included).
    if (ownsDatabase) app.addHook("onClose", () => database.close());
    await app.ready();
    return app;
  } catch (err) {
    await app.close().catch(() => {});
    if (ownsDatabase) await database.close();
    throw err;
  }
}
