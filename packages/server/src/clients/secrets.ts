/**
 * Random bearer secrets (enrollment tokens, client secrets) and their stored form. The
 * secrets carry 256 random bits, so a plain SHA-256 is enough to store them (a slow
 * password hash protects low-entropy secrets only); comparison is by hash lookup.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-10.10
 */
import { createHash, randomBytes } from "node:crypto";

/** A new secret: 32 random bytes, base64url, with a readable prefix (`cset_`, `css_`). */
export function newSecret(prefix: string): string {
  return `${prefix}${randomBytes(32).toString("base64url")}`;
}

/** A new client id: `node-` and 16 random hex digits. */
export function newClientId(): string {
  return `node-${randomBytes(8).toString("hex")}`;
}

/** SHA-256 hex of a secret, the only form kept in the database. */
export function hashSecret(secret: string): string {
  return createHash("sha256").update(secret, "utf8").digest("hex");
}
