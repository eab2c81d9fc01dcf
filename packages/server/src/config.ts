/**
 * Server configuration: command-line flags override environment variables, which override
 * the defaults. Zero configuration gives 127.0.0.1:8080, data under `./.chronosync` and
 * an embedded PostgreSQL. See docs/server.md for the table.
 */
import { resolve } from "node:path";
import { ConfigError } from "./errors.js";
import type { FleetOptions } from "./fleet/services.js";
import { type NormalizeSettings, normalizeSettingsFromEnv } from "./normalize/settings.js";
import { resolveTlsPaths, type TlsPaths } from "./tls.js";

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
  /** Fleet settings: alert webhook and retention (docs/fleet.md). */
  readonly fleet?: FleetOptions | undefined;
  /** HTTPS (TLS 1.3 only) with these PEM files; absent = plain HTTP. */
  readonly tls?: TlsPaths | undefined;
  /** Normalize policy and latency estimate (`CHRONOSYNC_NORMALIZE_*`). */
  readonly normalize?: NormalizeSettings | undefined;
  /** The built dashboard served at `/` (`CHRONOSYNC_DASHBOARD_DIR`; default this repository's). */
  readonly dashboardDir?: string | undefined;
}

/** Flags as the CLI parsed them (strings, all optional). */
export interface ConfigFlags {
  readonly host?: string | undefined;
  readonly port?: string | undefined;
  readonly dataDir?: string | undefined;
  readonly databaseUrl?: string | undefined;
  readonly tlsCert?: string | undefined;
  readonly tlsKey?: string | undefined;
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

function parseDays(text: string | undefined, name: string, fallback: number): number {
  if (text === undefined || text === "") return fallback;
  if (!/^\d{1,5}$/.test(text) || Number(text) < 1)
    throw new ConfigError(`${name} must be a whole number of days ≥ 1`);
  return Number(text);
}

/**
 * Fleet settings from `CHRONOSYNC_ALERT_WEBHOOK_URL`, `CHRONOSYNC_ALERT_WEBHOOK_SECRET`
 * (required with the URL), `CHRONOSYNC_RETENTION_RAW_DAYS` (7),
 * `CHRONOSYNC_RETENTION_ROLLUP_DAYS` (400).
 */
function resolveFleet(env: NodeJS.ProcessEnv): FleetOptions {
  const url = env.CHRONOSYNC_ALERT_WEBHOOK_URL === "" ? undefined : env.CHRONOSYNC_ALERT_WEBHOOK_URL;
  const secret = env.CHRONOSYNC_ALERT_WEBHOOK_SECRET;
  if (url !== undefined) {
    if (!/^https?:\/\//.test(url)) throw new ConfigError("CHRONOSYNC_ALERT_WEBHOOK_URL must be http(s)://");
    if (secret === undefined || secret.length < 16)
      throw new ConfigError(
        "CHRONOSYNC_ALERT_WEBHOOK_SECRET (at least 16 characters) is required with a webhook URL",
      );
  }
  const rawDays = parseDays(env.CHRONOSYNC_RETENTION_RAW_DAYS, "CHRONOSYNC_RETENTION_RAW_DAYS", 7);
  const rollupDays = parseDays(env.CHRONOSYNC_RETENTION_ROLLUP_DAYS, "CHRONOSYNC_RETENTION_ROLLUP_DAYS", 400);
  if (rollupDays < rawDays)
    throw new ConfigError("CHRONOSYNC_RETENTION_ROLLUP_DAYS must be at least CHRONOSYNC_RETENTION_RAW_DAYS");
  return { webhookUrl: url, webhookSecret: secret, retention: { rawDays, rollupDays } };
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
    fleet: resolveFleet(env),
    tls: resolveTlsPaths(flags, env, cwd),
    normalize: normalizeSettingsFromEnv(env),
    dashboardDir: env.CHRONOSYNC_DASHBOARD_DIR ? resolve(cwd, env.CHRONOSYNC_DASHBOARD_DIR) : undefined,
  };
}
