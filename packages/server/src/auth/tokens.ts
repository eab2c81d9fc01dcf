/**
 * Access tokens: short-lived JWTs (HS256, RFC 7519) whose key is derived from the master
 * key with HKDF, so every server process sharing the master key accepts them. Refresh
 * tokens: 32 random bytes, stored as SHA-256 hashes, single use (rotated on refresh; a
 * reused token revokes every token of its user, OAuth 2.0 Security BCP §4.14).
 * @see https://www.rfc-editor.org/rfc/rfc7519
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4.14
 */
import { createHash, hkdfSync, randomBytes } from "node:crypto";
import { jwtVerify, SignJWT } from "jose";
import type pg from "pg";
import type { Role } from "./users.js";

export const ACCESS_TOKEN_SECONDS = 15 * 60;
export const REFRESH_TOKEN_SECONDS = 7 * 24 * 3600;
const ISSUER = "chronosync";

export interface AccessClaims {
  readonly sub: string;
  readonly username: string;
  readonly role: Role;
}

/** The JWT signing key derived from the master key. */
export function deriveJwtKey(masterKey: Buffer): Uint8Array {
  return new Uint8Array(hkdfSync("sha256", masterKey, Buffer.alloc(0), "chronosync-jwt-v1", 32));
}

export async function issueAccessToken(key: Uint8Array, claims: AccessClaims, now: Date): Promise<string> {
  const iat = Math.floor(now.getTime() / 1000);
  // iatMs: the issue time in ms, so a revocation (TokenRevocations) tells tokens issued
  // just before it from those issued just after.
  return new SignJWT({ username: claims.username, role: claims.role, iatMs: now.getTime() })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(claims.sub)
    .setIssuer(ISSUER)
    .setIssuedAt(iat)
    .setExpirationTime(iat + ACCESS_TOKEN_SECONDS)
    .sign(key);
}

/** The claims of a valid token, or undefined (bad signature, expired, malformed). */
export async function verifyAccessToken(
  key: Uint8Array,
  token: string,
  now: Date,
): Promise<AccessClaims | undefined> {
  try {
    const { payload } = await jwtVerify(token, key, {
      issuer: ISSUER,
      algorithms: ["HS256"],
      currentDate: now,
    });
    const { sub, username, role } = payload as Record<string, unknown>;
    if (typeof sub !== "string" || typeof username !== "string") return undefined;
    if (role !== "admin" && role !== "operator" && role !== "viewer") return undefined;
    return { sub, username, role };
  } catch {
    return undefined;
  }
}

function tokenHash(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

export async function issueRefreshToken(pool: pg.Pool, userId: string, now: Date): Promise<string> {
  const token = randomBytes(32).toString("base64url");
  await pool.query("INSERT INTO refresh_tokens (token_hash, user_id, expires_at) VALUES ($1, $2, $3)", [
    tokenHash(token),
    userId,
    new Date(now.getTime() + REFRESH_TOKEN_SECONDS * 1000),
  ]);
  return token;
}

/**
 * Uses up a refresh token: the user id when it was valid and unused; undefined otherwise.
 * A second use of a used token revokes all of its user's tokens.
 */
export async function consumeRefreshToken(
  pool: pg.Pool,
  token: string,
  now: Date,
): Promise<string | undefined> {
  const hash = tokenHash(token);
  const used = await pool.query<{ user_id: string; expires_at: Date }>(
    "UPDATE refresh_tokens SET used_at = $2 WHERE token_hash = $1 AND used_at IS NULL RETURNING user_id, expires_at",
    [hash, now],
  );
  const row = used.rows[0];
  if (row !== undefined) return row.expires_at > now ? row.user_id : undefined;
  const replayed = await pool.query<{ user_id: string }>(
    "SELECT user_id FROM refresh_tokens WHERE token_hash = $1",
    [hash],
  );
  const victim = replayed.rows[0]?.user_id;
  if (victim !== undefined) await revokeUserTokens(pool, victim, now);
  return undefined;
}

export async function revokeUserTokens(pool: pg.Pool, userId: string, now: Date): Promise<void> {
  await pool.query("UPDATE refresh_tokens SET used_at = $2 WHERE user_id = $1 AND used_at IS NULL", [
    userId,
    now,
  ]);
}

export async function revokeRefreshToken(pool: pg.Pool, token: string, now: Date): Promise<void> {
  await pool.query("UPDATE refresh_tokens SET used_at = $2 WHERE token_hash = $1 AND used_at IS NULL", [
    tokenHash(token),
    now,
  ]);
}
