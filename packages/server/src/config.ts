/**
 * Server configuration: command-line flags override environment variables, which override
 * the defaults. Zero configuration gives 127.0.0.1:8080, data under `./.chronosync` and
 * an embedded PostgreSQL. See docs/server.md for the table.
 */
import { resolve } from "node:path";
import { ConfigError } from "./errors.js";

/** Everything `startServer` needs; `buildApp` needs the database parts only. */
export interface ServerConfig {
  readonly host: string;
  readonly port: number;
  /** Absolute path of the data directory (master key, embedded database). */
  readonly dataDir: string;
  /** External PostgreSQL ≥ 15; absent = embedded PostgreSQL under `<dataDir>/pg`. */
  readonly databaseUrl: string | undefined;
  /** Base64 of 32 bytes; absent = `<dataDir>/master.key`. */
  readonly masterKey: string | undefined;
  /** Password of the first admin; absent = generated and printed once. */
  readonly adminPassword: string | undefined;
  /** Milliseconds between background seals of unsealed log entries (0 = off). */
  readonly sealIntervalMs: number;
}

/** Flags as the CLI parsed them (strings, all optional). */
export interface ConfigFlags {
  readonly host?: string | undefined;
  readonly port?: string | undefined;
  readonly dataDir?: string | undefined;
  readonly databaseUrl?: string | undefined;
}

export const CONFIG_DEFAULTS = {
  host: "127.0.0.1",
  port: 8080,
  dataDir: "./.chronosync",
  sealIntervalMs: 1000,
} as const;

function parsePort(text: string, name: string): number {
  if (!/^\d{1,5}$/.test(text) || Number(text) > 65535)
    throw new ConfigError(`${name} must be a port 0-65535`);
  return Number(text);
}

function parseInterval(text: string, name: string): number {
  if (!/^\d{1,9}$/.test(text)) throw new ConfigError(`${name} must be a whole number of milliseconds`);
  return Number(text);
}

/** Checks a PostgreSQL connection URL's scheme (the driver checks the rest). */
function checkDatabaseUrl(url: string): string {
  if (!/^postgres(ql)?:\/\//.test(url)) throw new ConfigError("DATABASE_URL must start with postgres://");
  return url;
}

/**
 * Resolves the configuration from flags and environment (`CHRONOSYNC_HOST`,
 * `CHRONOSYNC_PORT`, `CHRONOSYNC_DATA_DIR`, `DATABASE_URL`, `CHRONOSYNC_MASTER_KEY`,
 * `CHRONOSYNC_ADMIN_PASSWORD`, `CHRONOSYNC_SEAL_INTERVAL_MS`).
 */
export function resolveConfig(flags: ConfigFlags, env: NodeJS.ProcessEnv, cwd: string): ServerConfig {
  const portText = flags.port ?? env.CHRONOSYNC_PORT;
  const url = flags.databaseUrl ?? env.DATABASE_URL;
  const interval = env.CHRONOSYNC_SEAL_INTERVAL_MS;
  return {
    host: flags.host ?? env.CHRONOSYNC_HOST ?? CONFIG_DEFAULTS.host,
    port: portText === undefined ? CONFIG_DEFAULTS.port : parsePort(portText, "port"),
    dataDir: resolve(cwd, flags.dataDir ?? env.CHRONOSYNC_DATA_DIR ?? CONFIG_DEFAULTS.dataDir),
    databaseUrl: url === undefined || url === "" ? undefined : checkDatabaseUrl(url),
    masterKey: env.CHRONOSYNC_MASTER_KEY === "" ? undefined : env.CHRONOSYNC_MASTER_KEY,
    adminPassword: env.CHRONOSYNC_ADMIN_PASSWORD === "" ? undefined : env.CHRONOSYNC_ADMIN_PASSWORD,
    sealIntervalMs:
      interval === undefined
        ? CONFIG_DEFAULTS.sealIntervalMs
        : parseInterval(interval, "CHRONOSYNC_SEAL_INTERVAL_MS"),
  };
}
