/**
 * Alert policies (table `policies`): tolerance in ns, silence in seconds, falseticker
 * alerts on or off. `default` always exists (migration 0003) and applies to every node
 * without its own `policy_id`.
 */
import type pg from "pg";
import type { Policy } from "../alerts/evaluate.js";

interface PolicyRow {
  id: string;
  tolerance_ns: string;
  silent_after_s: number;
  falseticker_alerts: boolean;
  updated_at: Date;
}

export interface PolicyDocument {
  readonly id: string;
  readonly toleranceNs: number;
  readonly silentAfterS: number;
  readonly falsetickerAlerts: boolean;
  readonly updatedAt: string;
}

const SELECT = "SELECT id, tolerance_ns::text, silent_after_s, falseticker_alerts, updated_at FROM policies";

function toPolicy(row: PolicyRow): Policy {
  return {
    id: row.id,
    toleranceNs: BigInt(row.tolerance_ns),
    silentAfterS: row.silent_after_s,
    falsetickerAlerts: row.falseticker_alerts,
  };
}

export function policyDocument(row: PolicyRow): PolicyDocument {
  return {
    id: row.id,
    toleranceNs: Number(row.tolerance_ns),
    silentAfterS: row.silent_after_s,
    falsetickerAlerts: row.falseticker_alerts,
    updatedAt: row.updated_at.toISOString(),
  };
}

/** The policy with `id`, else `default`. */
export async function policyOf(client: pg.ClientBase | pg.Pool, id: string | null): Promise<Policy> {
  const result = await client.query<PolicyRow>(
    `${SELECT} WHERE id = COALESCE($1, 'default') OR id = 'default' ORDER BY (id = 'default')`,
    [id],
  );
  const row = result.rows[0];
  if (row === undefined) throw new Error("the default policy is missing (migration 0003)");
  return toPolicy(row);
}

export async function listPolicies(pool: pg.Pool): Promise<PolicyDocument[]> {
  return (await pool.query<PolicyRow>(`${SELECT} ORDER BY id`)).rows.map(policyDocument);
}

/** Creates or replaces a policy; answers it and the previous version (undefined when new). */
export async function putPolicy(
  pool: pg.Pool,
  input: { id: string; toleranceNs: number; silentAfterS: number; falsetickerAlerts: boolean },
  now: Date,
): Promise<{ policy: PolicyDocument; previous: PolicyDocument | undefined }> {
  const before = await pool.query<PolicyRow>(`${SELECT} WHERE id = $1`, [input.id]);
  const result = await pool.query<PolicyRow>(
    `INSERT INTO policies (id, tolerance_ns, silent_after_s, falseticker_alerts, updated_at)
     VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (id) DO UPDATE SET tolerance_ns = excluded.tolerance_ns, silent_after_s = excluded.silent_after_s,
       falseticker_alerts = excluded.falseticker_alerts, updated_at = excluded.updated_at
     RETURNING id, tolerance_ns::text, silent_after_s, falseticker_alerts, updated_at`,
    [input.id, String(input.toleranceNs), input.silentAfterS, input.falsetickerAlerts, now],
  );
  const prev = before.rows[0];
  return {
    policy: policyDocument(result.rows[0]!),
    previous: prev === undefined ? undefined : policyDocument(prev),
  };
}
