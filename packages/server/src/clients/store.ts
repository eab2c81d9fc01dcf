/**
 * Enrollment tokens and OAuth clients in the database. An enrollment token is used once:
 * `enroll` consumes it under a row lock, creates the node and its client in one
 * transaction, and answers the client secret (shown once, stored hashed).
 */
import type pg from "pg";
import { ServerError } from "../errors.js";
import { withTransaction } from "../fleet/tx.js";
import { hashSecret, newClientId, newSecret } from "./secrets.js";
import { type ClientClaims, type ClientScope, isClientScope } from "./tokens.js";

/** Scopes an enrolled agent's client receives. */
export const AGENT_SCOPES: readonly ClientScope[] = ["reports:write", "timestamps:write"];

export interface EnrollmentTokenRow {
  id: string;
  label: string;
  created_by: string;
  created_at: Date;
  expires_at: Date;
  used_at: Date | null;
  node_id: string | null;
  revoked_at: Date | null;
}

export async function createEnrollmentToken(
  pool: pg.Pool,
  input: { label: string; expiresInS: number; createdBy: string },
  now: Date,
): Promise<{ token: string; row: EnrollmentTokenRow }> {
  const token = newSecret("cset_");
  const result = await pool.query<EnrollmentTokenRow>(
    `INSERT INTO enrollment_tokens (token_hash, label, created_by, created_at, expires_at)
     VALUES ($1, $2, $3, $4, $5) RETURNING *`,
    [hashSecret(token), input.label, input.createdBy, now, new Date(now.getTime() + input.expiresInS * 1000)],
  );
  return { token, row: result.rows[0]! };
}

export async function listEnrollmentTokens(pool: pg.Pool): Promise<EnrollmentTokenRow[]> {
  return (await pool.query<EnrollmentTokenRow>("SELECT * FROM enrollment_tokens ORDER BY created_at DESC"))
    .rows;
}

/** Revokes an unused token; undefined when there is no such token. */
export async function revokeEnrollmentToken(
  pool: pg.Pool,
  id: string,
  now: Date,
): Promise<EnrollmentTokenRow | undefined> {
  const result = await pool.query<EnrollmentTokenRow>(
    "UPDATE enrollment_tokens SET revoked_at = COALESCE(revoked_at, $2) WHERE id = $1 RETURNING *",
    [id, now],
  );
  return result.rows[0];
}

export interface Enrolled {
  readonly nodeId: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly scopes: readonly ClientScope[];
  readonly tokenId: string;
}

/**
 * Trades a one-time enrollment token for a node and its client credentials.
 * Throws UNAUTHORIZED (unknown token) or GONE (used, revoked or expired).
 */
export async function enroll(
  pool: pg.Pool,
  input: { token: string; hostname: string; agentVersion: string },
  now: Date,
): Promise<Enrolled> {
  return withTransaction(pool, async (client) => {
    const found = await client.query<EnrollmentTokenRow>(
      "SELECT * FROM enrollment_tokens WHERE token_hash = $1 FOR UPDATE",
      [hashSecret(input.token)],
    );
    const token = found.rows[0];
    if (token === undefined) throw new ServerError("UNAUTHORIZED", "unknown enrollment token");
    if (token.used_at !== null) throw new ServerError("GONE", "enrollment token already used");
    if (token.revoked_at !== null) throw new ServerError("GONE", "enrollment token revoked");
    if (token.expires_at <= now) throw new ServerError("GONE", "enrollment token expired");
    const node = await client.query<{ id: string }>(
      "INSERT INTO nodes (hostname, agent_version, enrolled_at) VALUES ($1, $2, $3) RETURNING id",
      [input.hostname, input.agentVersion, now],
    );
    const nodeId = node.rows[0]!.id;
    const clientId = newClientId();
    const clientSecret = newSecret("css_");
    await client.query(
      `INSERT INTO oauth_clients (client_id, secret_hash, node_id, scopes, created_at)
       VALUES ($1, $2, $3, $4, $5)`,
      [clientId, hashSecret(clientSecret), nodeId, AGENT_SCOPES, now],
    );
    await client.query("UPDATE enrollment_tokens SET used_at = $2, node_id = $3 WHERE id = $1", [
      token.id,
      now,
      nodeId,
    ]);
    return { nodeId, clientId, clientSecret, scopes: AGENT_SCOPES, tokenId: token.id };
  });
}

export interface ClientRow {
  client_id: string;
  node_id: string;
  scopes: string[];
  created_at: Date;
  revoked_at: Date | null;
  last_used_at: Date | null;
  hostname: string;
}

/** The client's claims when id and secret match an unrevoked client; undefined otherwise. */
export async function authenticateClient(
  pool: pg.Pool,
  clientId: string,
  secret: string,
  now: Date,
): Promise<ClientClaims | undefined> {
  const result = await pool.query<{ node_id: string; scopes: string[] }>(
    `UPDATE oauth_clients SET last_used_at = $3
     WHERE client_id = $1 AND secret_hash = $2 AND revoked_at IS NULL RETURNING node_id, scopes`,
    [clientId, hashSecret(secret), now],
  );
  const row = result.rows[0];
  if (row === undefined) return undefined;
  return { clientId, nodeId: row.node_id, scopes: row.scopes.filter(isClientScope) };
}

/** True when the client exists and is not revoked (tokens of revoked clients stop at once). */
export async function clientActive(pool: pg.Pool, clientId: string): Promise<boolean> {
  const result = await pool.query("SELECT 1 FROM oauth_clients WHERE client_id = $1 AND revoked_at IS NULL", [
    clientId,
  ]);
  return result.rowCount === 1;
}

export async function listClients(pool: pg.Pool): Promise<ClientRow[]> {
  const result = await pool.query<ClientRow>(
    `SELECT c.client_id, c.node_id, c.scopes, c.created_at, c.revoked_at, c.last_used_at, n.hostname
     FROM oauth_clients c JOIN nodes n ON n.id = c.node_id ORDER BY c.created_at DESC`,
  );
  return result.rows;
}

export async function revokeClient(
  pool: pg.Pool,
  clientId: string,
  now: Date,
): Promise<ClientRow | undefined> {
  const result = await pool.query<ClientRow>(
    `UPDATE oauth_clients c SET revoked_at = COALESCE(c.revoked_at, $2) FROM nodes n
     WHERE c.client_id = $1 AND n.id = c.node_id
     RETURNING c.client_id, c.node_id, c.scopes, c.created_at, c.revoked_at, c.last_used_at, n.hostname`,
    [clientId, now],
  );
  return result.rows[0];
}
