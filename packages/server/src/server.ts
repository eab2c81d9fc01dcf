/**
 * `startServer(config)`: the whole server process minus signal handling — open the
 * database (embedded or external) and migrate, build the app, create the first admin,
 * listen. The CLI (`chronosync server`) prints the URL and stops it on SIGTERM/SIGINT.
 */
import type { FastifyInstance, FastifyServerOptions } from "fastify";
import { buildApp } from "./app.js";
import { ensureAdmin } from "./auth/users.js";
import type { ServerConfig } from "./config.js";
import { openDatabase } from "./db/database.js";
import { startTelemetry, type Telemetry } from "./telemetry/telemetry.js";
import { loadTls } from "./tls.js";

/** A listening server. `close()` stops the app, then the embedded database. */
export interface RunningServer {
  readonly app: FastifyInstance;
  /** Base URL, e.g. `http://127.0.0.1:8080`. */
  readonly url: string;
  /** Whether the database is the embedded PostgreSQL. */
  readonly embedded: boolean;
  /** The first admin's password when this start generated it (print it once). */
  readonly generatedAdminPassword: string | undefined;
  /** True when this start created the `admin` account. */
  readonly adminCreated: boolean;
  close(): Promise<void>;
}

export interface StartOptions {
  readonly logger?: FastifyServerOptions["logger"];
  /** Lines from the embedded PostgreSQL and the pool (default: dropped). */
  readonly log?: (line: string) => void;
  /** Tracing / error tracking (default: started from `process.env`, see telemetry/telemetry.ts). */
  readonly telemetry?: Telemetry;
  /** Apply pending migrations first (default true; a cluster's primary already did). */
  readonly migrate?: boolean;
  /** Create the first admin when missing (default true; a cluster's first worker only). */
  readonly ensureAdmin?: boolean;
}

function formatUrl(host: string, port: number, scheme = "http"): string {
  return host.includes(":") ? `${scheme}://[${host}]:${port}` : `${scheme}://${host}:${port}`;
}

/** Starts the server described by `config` and resolves once it listens. */
export async function startServer(config: ServerConfig, options: StartOptions = {}): Promise<RunningServer> {
  // Unreadable or mismatched TLS files fail the start before anything else (CONFIG_INVALID).
  const tls = config.tls === undefined ? undefined : await loadTls(config.tls.certPath, config.tls.keyPath);
  const database = await openDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    log: options.log,
    ...(options.migrate === false ? { migrate: false } : {}),
  });
  let app: FastifyInstance | undefined;
  const telemetry = options.telemetry ?? (await startTelemetry(process.env));
  try {
    app = await buildApp({
      dataDir: config.dataDir,
      database,
      masterKey: config.masterKey,
      sealIntervalMs: config.sealIntervalMs,
      appendThread: true,
      fleet: config.fleet,
      logger: options.logger ?? false,
      telemetry,
      ...(tls === undefined ? {} : { tls }),
      ...(config.normalize === undefined ? {} : { normalize: config.normalize }),
      dashboardDir: config.dashboardDir,
    });
    for (const warning of telemetry.warnings) app.log.warn(warning);
    const admin =
      options.ensureAdmin === false
        ? { created: false, generatedPassword: undefined }
        : await ensureAdmin(database.pool, config.adminPassword);
    if (admin.created) await app.ledger.append("audit.user-created", [{ username: "admin", role: "admin" }]);
    await app.listen({ host: config.host, port: config.port });
    const address = app.server.address();
    const port = address !== null && typeof address === "object" ? address.port : config.port;
    const running = app;
    let closed: Promise<void> | undefined;
    return {
      app: running,
      url: formatUrl(config.host, port, tls === undefined ? "http" : "https"),
      embedded: database.embedded,
      generatedAdminPassword: admin.generatedPassword,
      adminCreated: admin.created,
      close: () => {
        closed ??= running.close().then(() => database.close());
        return closed;
      },
    };
  } catch (err) {
    await app?.close().catch(() => {});
    if (app === undefined) await telemetry.shutdown();
    await database.close();
    throw err;
  }
}
