/** @chronosync/server: the Fastify app, its database, keys and signed log. See docs/server.md. */

export { SIGNATURE_HEADER, signWebhook, verifyWebhookSignature } from "./alerts/webhook.js";
export { type AppOptions, buildApp } from "./app.js";
export { deriveJwtKey, issueAccessToken, verifyAccessToken } from "./auth/tokens.js";
export { createUser, ensureAdmin, ROLES, type Role } from "./auth/users.js";
export { type ClientClaims, verifyClientToken } from "./clients/tokens.js";
export { type ClusterOptions, parseWorkers, type RunningCluster, startCluster } from "./cluster.js";
export { CONFIG_DEFAULTS, type ConfigFlags, resolveConfig, type ServerConfig } from "./config.js";
export { type Database, type OpenDatabaseOptions, openDatabase } from "./db/database.js";
export { type EmbeddedDatabase, startEmbeddedDatabase } from "./db/embedded.js";
export { appliedMigrationCount, migrate, migrationsFolder, shippedMigrationCount } from "./db/migrate.js";
export * from "./errors.js";
export { createOffsetHistoryProvider } from "./fleet/offset-history.js";
export type { FleetOptions, FleetServices } from "./fleet/services.js";
export { loadMasterKey, openSecret, sealSecret } from "./keys/master-key.js";
export { SigningKeyStore } from "./keys/signing-keys.js";
export { Ledger, openLedger } from "./ledger/ledger.js";
export { noOffsetHistory, type OffsetHistoryProvider } from "./normalize/offset-history-provider.js";
export {
  DEFAULT_NORMALIZE_SETTINGS,
  type NormalizeSettings,
  normalizeSettingsFromEnv,
} from "./normalize/settings.js";
export { type RunningServer, type StartOptions, startServer } from "./server.js";
export { LOG_REDACT_PATHS, withRedaction } from "./telemetry/redact.js";
export { NO_TELEMETRY, startTelemetry, TELEMETRY_PACKAGES, type Telemetry } from "./telemetry/telemetry.js";
export { loadTls, resolveTlsPaths, TLS_MIN_VERSION, type TlsMaterial, type TlsPaths } from "./tls.js";
