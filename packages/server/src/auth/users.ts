/**
 * People: bcrypt (cost 12) password hashes, roles admin / operator / viewer, and lockout
 * after repeated failures (kept in the database, so it holds across server processes).
 */
import { randomBytes } from "node:crypto";
import { hash, verify } from "@node-rs/bcrypt";
import type pg from "pg";

export type Role = "admin" | "operator" | "viewer";
export const ROLES: readonly Role[] = ["admin", "operator", "viewer"];

/** bcrypt work factor (OWASP Password Storage Cheat Sheet: ≥ 10). */
export const BCRYPT_COST = 12;
/** Consecutive failures that lock an account, and for how long. */
export const LOCKOUT = { failures: 5, seconds: 15 * 60 } as const;

export interface UserRow {
  id: string;
  username: string;
  password_hash: string;
  role: Role;
  failed_logins: number;
  locked_until: Date | null;
}

/** A bcrypt hash of `password` at {@link BCRYPT_COST}. */
export function hashPassword(password: string): Promise<string> {
  return hash(password, { cost: BCRYPT_COST });
}

/** A fixed hash to compare against when the user does not exist (equal timing). */
let dummyHash: Promise<string> | undefined;

/** True when `password` matches `user` (or burns the same time when `user` is absent). */
export async function checkPassword(user: UserRow | undefined, password: string): Promise<boolean> {
  if (user === undefined) {
    dummyHash ??= hashPassword(randomBytes(16).toString("hex"));
    await verify(password, await dummyHash);
    return false;
  }
  return verify(password, user.password_hash);
}

export async function findUser(pool: pg.Pool, username: string): Promise<UserRow | undefined> {
  // A disabled user (users API) cannot sign in or refresh: they are not found.
  const result = await pool.query<UserRow>("SELECT * FROM users WHERE username = $1 AND NOT disabled", [
    username,
  ]);
  return result.rows[0];
}

export async function findUserById(pool: pg.Pool, id: string): Promise<UserRow | undefined> {
  const result = await pool.query<UserRow>("SELECT * FROM users WHERE id = $1 AND NOT disabled", [id]);
  return result.rows[0];
}

/** Creates a user; returns undefined when the username is taken. */
export async function createUser(
  pool: pg.Pool,
  username: string,
  password: string,
  role: Role,
): Promise<UserRow | undefined> {
  const result = await pool.query<UserRow>(
    `INSERT INTO users (username, password_hash, role) VALUES ($1, $2, $3)
     ON CONFLICT (username) DO NOTHING RETURNING *`,
    [username, await hashPassword(password), role],
  );
  return result.rows[0];
}

/**
 * Creates the first admin (`admin`) unless it exists. Returns the password when one was
 * generated (to print once), `created` whether this call made the account.
 */
export async function ensureAdmin(
  pool: pg.Pool,
  password: string | undefined,
): Promise<{ created: boolean; generatedPassword?: string }> {
  if ((await findUser(pool, "admin")) !== undefined) return { created: false };
  const chosen = password ?? randomBytes(18).toString("base64url");
  const created = (await createUser(pool, "admin", chosen, "admin")) !== undefined;
  if (!created) return { created: false };
  // A generated password must be changed at first sign-in (GET /api/auth/me reports it).
  if (password === undefined)
    await pool.query("UPDATE users SET must_change_password = true WHERE username = 'admin'");
  return password === undefined ? { created, generatedPassword: chosen } : { created };
}

/** Records a failed login; locks the account after {@link LOCKOUT}.failures in a row. */
export async function recordFailure(pool: pg.Pool, userId: string, now: Date): Promise<void> {
  await pool.query(
    `UPDATE users SET failed_logins = failed_logins + 1,
       locked_until = CASE WHEN failed_logins + 1 >= $2 THEN $3::timestamptz ELSE locked_until END
     WHERE id = $1`,
    [userId, LOCKOUT.failures, new Date(now.getTime() + LOCKOUT.seconds * 1000)],
  );
}

export async function recordSuccess(pool: pg.Pool, userId: string): Promise<void> {
  await pool.query("UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = $1", [userId]);
}
