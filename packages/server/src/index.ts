/** @chronosync/server: the Fastify app, its database, keys and signed log. See docs/server.md. */
export { type AppOptions, buildApp } from "./app.js";
export { deriveJwtKey, issueAccessToken, verifyAccessToken } from "./auth/tokens.js";
export { createUser, ensureAdmin, ROLES, type Role } from "./auth/users.js";
export { CONFIG_DEFAULTS, type ConfigFlags, resolveConfig, type ServerConfig } from "./config.js";
export { type Database, type OpenDatabaseOptions, openDatabase } from "./db/database.js";
export { type EmbeddedDatabase, startEmbeddedDatabase } from "./db/embedded.js";
export { appliedMigrationCount, migrate, migrationsFolder, shippedMigrationCount } from "./db/migrate.js";
export * from "./errors.js";
export { loadMasterKey, openSecret, sealSecret } from "./keys/master-key.js";
export { SigningKeyStore } from "./keys/signing-keys.js";
export { Ledger, openLedger } from "./ledger/ledger.js";
export { type RunningServer, type StartOptions, startServer } from "./server.js";
