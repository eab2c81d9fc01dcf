/**
 * `chronosync server`: runs the ChronoSync server (see docs/server.md) until SIGINT or
 * SIGTERM, then stops it cleanly, embedded PostgreSQL included. Zero configuration:
 * 127.0.0.1:8080, data in ./.chronosync, an embedded PostgreSQL. The server package is
 * loaded only when this command runs, so other commands start fast and bundles of the
 * agent stay free of it.
 */
import type { ServerConfig } from "@chronosync/server";
import { parseCommandArgs } from "../args.js";
import type { CliContext } from "../context.js";
import { CliError, UsageError } from "../errors.js";
import { quote } from "../target.js";

export const SERVER_HELP = `Usage: chronosync server [options]

Runs the ChronoSync server: the HTTP API (OpenAPI at /docs), the signed log, auth.
With no DATABASE_URL it starts an embedded PostgreSQL under <data-dir>/pg.
The first start creates the user "admin" (password from CHRONOSYNC_ADMIN_PASSWORD,
else generated and printed once) and an Ed25519 signing key.

Options:
  --host HOST           address to listen on (default 127.0.0.1; env CHRONOSYNC_HOST)
  --port PORT           port, 0 = any free one (default 8080; env CHRONOSYNC_PORT)
  --data-dir DIR        master key and embedded database (default ./.chronosync;
                        env CHRONOSYNC_DATA_DIR)
  --database-url URL    external PostgreSQL >= 15 (env DATABASE_URL)
  --tls-cert FILE       serve HTTPS (TLS 1.3 only) with this PEM certificate chain
                        (env CHRONOSYNC_TLS_CERT); needs --tls-key
  --tls-key FILE        its PEM private key (env CHRONOSYNC_TLS_KEY)
  --workers N|auto      server processes sharing the port and the database
                        (default 1; auto = one per core; env CHRONOSYNC_WORKERS)
  -h, --help            show this help

Environment: CHRONOSYNC_MASTER_KEY (base64 of 32 bytes; default <data-dir>/master.key),
CHRONOSYNC_ADMIN_PASSWORD, CHRONOSYNC_SEAL_INTERVAL_MS (default 1000),
CHRONOSYNC_LOG_LEVEL (default info; JSON logs on stderr).

Exit status: 0 stopped by SIGINT/SIGTERM, 2 bad option or configuration,
7 database unreachable or cannot listen, 1 internal error.
`;

interface ServerFlags {
  host?: string;
  port?: string;
  "data-dir"?: string;
  "database-url"?: string;
  "tls-cert"?: string;
  "tls-key"?: string;
  workers?: string;
  help?: boolean;
}

export const SERVER_OPTIONS = {
  host: { type: "string" },
  port: { type: "string" },
  "data-dir": { type: "string" },
  "database-url": { type: "string" },
  "tls-cert": { type: "string" },
  "tls-key": { type: "string" },
  workers: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

/** Maps the server's start-up failures onto the CLI's exit statuses. */
export function translateStartError(err: unknown): unknown {
  const code = (err as { code?: unknown })?.code;
  const message = err instanceof Error ? err.message : String(err);
  if (code === "CONFIG_INVALID" || code === "MASTER_KEY_INVALID") return new UsageError(message);
  if (code === "DATABASE_UNAVAILABLE") return new CliError("CLI_NETWORK", message, { cause: err });
  if (code === "EADDRINUSE" || code === "EACCES" || code === "EADDRNOTAVAIL")
    return new CliError("CLI_NETWORK", `cannot listen: ${(err as Error).message}`, { cause: err });
  if (code === "ECONNREFUSED" || code === "ENOTFOUND" || code === "28P01" || code === "3D000")
    return new CliError("CLI_NETWORK", `database: ${(err as Error).message}`, { cause: err });
  return err;
}

export interface RunServerOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** Fastify logger (default: JSON on stderr at CHRONOSYNC_LOG_LEVEL). */
  readonly logger?: boolean | object;
}

/** Runs `chronosync server`; resolves with 0 once stopped by a signal. */
export async function runServer(
  args: readonly string[],
  ctx: CliContext,
  options: RunServerOptions = {},
): Promise<number> {
  const { values, positionals } = parseCommandArgs<ServerFlags>("server", args, SERVER_OPTIONS);
  if (values.help === true) {
    ctx.out(SERVER_HELP);
    return 0;
  }
  if (positionals.length > 0)
    throw new UsageError(`unexpected argument ${quote(positionals[0]!)} for server`);
  const env = options.env ?? process.env;
  const { parseWorkers, resolveConfig, startCluster, startServer } = await import("@chronosync/server");
  let config: ServerConfig;
  let workers: number;
  try {
    workers =
      values.workers !== undefined
        ? parseWorkers(values.workers)
        : parseWorkers(env.CHRONOSYNC_WORKERS, "CHRONOSYNC_WORKERS");
    config = resolveConfig(
      {
        host: values.host,
        port: values.port,
        dataDir: values["data-dir"],
        databaseUrl: values["database-url"],
        tlsCert: values["tls-cert"],
        tlsKey: values["tls-key"],
      },
      env,
      options.cwd ?? process.cwd(),
    );
  } catch (err) {
    throw translateStartError(err);
  }
  const stopped = ctx.waitForStop();
  const logger = options.logger ?? {
    level: env.CHRONOSYNC_LOG_LEVEL ?? "info",
    stream: process.stderr,
    redact: ["req.headers.authorization", "req.headers.cookie", 'res.headers["set-cookie"]'],
  };
  const logLevel = env.CHRONOSYNC_LOG_LEVEL ?? "info";
  const server = await (workers > 1
    ? startCluster(config, {
        workers,
        logLevel: options.logger === false ? false : logLevel,
        log: (line) => ctx.err(`chronosync: ${line}\n`),
      })
    : startServer(config, { logger })
  ).catch((err: unknown) => {
    throw translateStartError(err);
  });
  let where = server.embedded ? `embedded PostgreSQL in ${config.dataDir}/pg` : "external PostgreSQL";
  if (workers > 1) where += `; ${workers} worker processes`;
  let banner = `ChronoSync server listening on ${server.url} (${where}; API docs at ${server.url}/docs)\n`;
  if (server.generatedAdminPassword !== undefined) {
    banner +=
      `Created user "admin" with password: ${server.generatedAdminPassword}\n` +
      "This password is shown only once; store it now.\n";
  } else if (server.adminCreated) {
    banner += 'Created user "admin" with the password from CHRONOSYNC_ADMIN_PASSWORD.\n';
  }
  ctx.out(banner);
  const signal = await stopped;
  ctx.err(`chronosync: ${signal} received, stopping\n`);
  await server.close();
  return 0;
}
