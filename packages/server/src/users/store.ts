/**
 * User administration (issue 4 §6): list, create, change role, disable, reset a password,
 * change one's own. Passwords are bcrypt (cost 12, auth/users.ts). A reset or an
 * admin-chosen first password sets `must_change_password`; changing it clears the flag.
 * Disabling a user or changing a password revokes the user's refresh tokens; deleting one
 * removes them with the user (ON DELETE CASCADE).
 */
import type pg from "pg";
import { revokeUserTokens } from "../auth/tokens.js";
import { hashPassword, type Role } from "../auth/users.js";
import { ServerError } from "../errors.js";
import { withTransaction } from "../fleet/tx.js";

export interface UserAdminRow {
  id: string;
  username: string;
  role: Role;
  disabled: boolean;
  must_change_password: boolean;
  created_at: Date;
  locked_until: Date | null;
}

const COLUMNS = "id, username, role, disabled, must_change_password, created_at, locked_until";

export function userDocument(row: UserAdminRow) {
  return {
    id: row.id,
    username: row.username,
    role: row.role,
    disabled: row.disabled,
    mustChangePassword: row.must_change_password,
    createdAt: row.created_at.toISOString(),
    lockedUntil: row.locked_until?.toISOString() ?? null,
  };
}

export async function listUsers(pool: pg.Pool): Promise<UserAdminRow[]> {
  return (await pool.query<UserAdminRow>(`SELECT ${COLUMNS} FROM users ORDER BY username`)).rows;
}

export async function getUser(pool: pg.Pool, id: string): Promise<UserAdminRow | undefined> {
  return (await pool.query<UserAdminRow>(`SELECT ${COLUMNS} FROM users WHERE id = $1`, [id])).rows[0];
}

/** Creates a user; CONFLICT when the username is taken. */
export async function addUser(
  pool: pg.Pool,
  input: { username: string; password: string; role: Role; mustChangePassword: boolean },
): Promise<UserAdminRow> {
  const result = await pool.query<UserAdminRow>(
    `INSERT INTO users (username, password_hash, role, must_change_password) VALUES ($1, $2, $3, $4)
     ON CONFLICT (username) DO NOTHING RETURNING ${COLUMNS}`,
    [input.username, await hashPassword(input.password), input.role, input.mustChangePassword],
  );
  const row = result.rows[0];
  if (row === undefined) throw new ServerError("CONFLICT", `username ${input.username} is taken`);
  return row;
}

/**
 * Changes role and/or disabled; refuses (CONFLICT) to leave no enabled admin. Answers the
 * row before and after, undefined when there is no such user.
 */
export async function updateUser(
  pool: pg.Pool,
  id: string,
  change: { role?: Role | undefined; disabled?: boolean | undefined },
  now: Date,
): Promise<{ before: UserAdminRow; after: UserAdminRow } | undefined> {
  return withTransaction(pool, async (client) => {
    // Serialize admin changes so two requests cannot each remove "the other" last admin.
    await client.query("SELECT pg_advisory_xact_lock(hashtext('chronosync-users'))");
    const found = await client.query<UserAdminRow>(`SELECT ${COLUMNS} FROM users WHERE id = $1 FOR UPDATE`, [
      id,
    ]);
    const before = found.rows[0];
    if (before === undefined) return undefined;
    const role = change.role ?? before.role;
    const disabled = change.disabled ?? before.disabled;
    if (before.role === "admin" && !before.disabled && (role !== "admin" || disabled)) {
      const admins = await client.query<{ n: string }>(
        "SELECT count(*)::text AS n FROM users WHERE role = 'admin' AND NOT disabled AND id <> $1",
        [id],
      );
      if (Number(admins.rows[0]?.n ?? 0) === 0)
        throw new ServerError("CONFLICT", "this is the last enabled admin");
    }
    const updated = await client.query<UserAdminRow>(
      `UPDATE users SET role = $2, disabled = $3 WHERE id = $1 RETURNING ${COLUMNS}`,
      [id, role, disabled],
    );
    if (disabled && !before.disabled) await revokeUserTokens(pool, id, now);
    return { before, after: updated.rows[0]! };
  });
}

/** Sets a new password; `mustChange` flags it for change at next sign-in. */
export async function setPassword(
  pool: pg.Pool,
  id: string,
  password: string,
  mustChange: boolean,
  now: Date,
): Promise<UserAdminRow | undefined> {
  const result = await pool.query<UserAdminRow>(
    `UPDATE users SET password_hash = $2, must_change_password = $3, failed_logins = 0, locked_until = NULL
     WHERE id = $1 RETURNING ${COLUMNS}`,
    [id, await hashPassword(password), mustChange],
  );
  const row = result.rows[0];
  if (row !== undefined) await revokeUserTokens(pool, id, now);
  return row;
}

/**
 * Deletes a user (their refresh tokens go with them); refuses (CONFLICT) to delete the
 * last enabled admin. Answers the deleted row, undefined when there is no such user.
 */
export async function deleteUser(pool: pg.Pool, id: string): Promise<UserAdminRow | undefined> {
  return withTransaction(pool, async (client) => {
    await client.query("SELECT pg_advisory_xact_lock(hashtext('chronosync-users'))");
    const found = await client.query<UserAdminRow>(`SELECT ${COLUMNS} FROM users WHERE id = $1 FOR UPDATE`, [
      id,
    ]);
    const row = found.rows[0];
    if (row === undefined) return undefined;
    if (row.role === "admin" && !row.disabled) {
      const admins = await client.query<{ n: string }>(
        "SELECT count(*)::text AS n FROM users WHERE role = 'admin' AND NOT disabled AND id <> $1",
        [id],
      );
      if (Number(admins.rows[0]?.n ?? 0) === 0)
        throw new ServerError("CONFLICT", "this is the last enabled admin");
    }
    await client.query("DELETE FROM users WHERE id = $1", [id]);
    return row;
  });
}
