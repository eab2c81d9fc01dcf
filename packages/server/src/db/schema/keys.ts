/**
 * Signing keys: the Ed25519 public key in the clear, the private key (PKCS#8 DER)
 * encrypted with AES-256-GCM under the master key: `iv(12) || ciphertext || tag(16)`,
 * base64, with the key id as additional authenticated data. Times are RFC 3339 text
 * with nanoseconds, the precision of checkpoint times.
 */
import { pgTable, text } from "drizzle-orm/pg-core";

export const signingKeys = pgTable("signing_keys", {
  keyId: text("key_id").primaryKey(),
  algorithm: text("algorithm").notNull().default("Ed25519"),
  publicKey: text("public_key").notNull(),
  privateKeyEncrypted: text("private_key_encrypted").notNull(),
  /** RFC 3339 with nanoseconds, compared with checkpoint times by verifiers. */
  createdAt: text("created_at").notNull(),
  retiredAt: text("retired_at"),
});

/** One row per server-wide setting, e.g. the log id chosen at first start. */
export const serverSettings = pgTable("server_settings", {
  name: text("name").primaryKey(),
  value: text("value").notNull(),
});
