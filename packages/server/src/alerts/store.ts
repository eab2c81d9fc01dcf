/**
 * Alert rows: at most one open alert per (node, kind, source) — a partial unique index
 * guards it across server processes. `reconcile` raises the wanted alerts that are not
 * open and resolves the open ones (of the kinds considered) that are no longer wanted.
 */
import type pg from "pg";
import type { AlertKind } from "../events/types.js";
import type { WantedAlert } from "./evaluate.js";

export interface AlertRow {
  id: string;
  node_id: string;
  kind: AlertKind;
  source_id: string;
  message: string;
  detail: Record<string, unknown>;
  raised_at: Date;
  resolved_at: Date | null;
}

export interface AlertChange {
  readonly action: "raised" | "resolved";
  readonly alert: AlertRow;
}

/** Raises one alert unless the same one is open; the new row, or undefined. */
export async function raiseAlert(
  client: pg.ClientBase,
  nodeId: string,
  wanted: WantedAlert,
  now: Date,
): Promise<AlertRow | undefined> {
  const result = await client.query<AlertRow>(
    `INSERT INTO alerts (node_id, kind, source_id, message, detail, raised_at)
     VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (node_id, kind, source_id) WHERE resolved_at IS NULL DO NOTHING
     RETURNING id::text, node_id, kind, source_id, message, detail, raised_at, resolved_at`,
    [nodeId, wanted.kind, wanted.sourceId, wanted.message, JSON.stringify(wanted.detail), now],
  );
  return result.rows[0];
}

/** Brings the node's open alerts of `kinds` in line with `wanted`; returns the changes. */
export async function reconcileAlerts(
  client: pg.ClientBase,
  nodeId: string,
  kinds: readonly AlertKind[],
  wanted: readonly WantedAlert[],
  now: Date,
): Promise<AlertChange[]> {
  const changes: AlertChange[] = [];
  const keep = wanted.map((w) => `${w.kind} ${w.sourceId}`);
  const resolved = await client.query<AlertRow>(
    `UPDATE alerts SET resolved_at = $4
     WHERE node_id = $1 AND resolved_at IS NULL AND kind = ANY($2::text[])
       AND NOT (kind || ' ' || source_id = ANY($3::text[]))
     RETURNING id::text, node_id, kind, source_id, message, detail, raised_at, resolved_at`,
    [nodeId, kinds, keep, now],
  );
  for (const alert of resolved.rows) changes.push({ action: "resolved", alert });
  for (const w of wanted) {
    const alert = await raiseAlert(client, nodeId, w, now);
    if (alert !== undefined) changes.push({ action: "raised", alert });
  }
  return changes;
}

export interface AlertQuery {
  readonly open?: boolean;
  readonly nodeId?: string;
  readonly limit: number;
}

export async function listAlerts(pool: pg.Pool, q: AlertQuery): Promise<(AlertRow & { hostname: string })[]> {
  const result = await pool.query<AlertRow & { hostname: string }>(
    `SELECT a.id::text, a.node_id, a.kind, a.source_id, a.message, a.detail, a.raised_at, a.resolved_at, n.hostname
     FROM alerts a JOIN nodes n ON n.id = a.node_id
     WHERE ($1::boolean IS NULL OR (a.resolved_at IS NULL) = $1) AND ($2::uuid IS NULL OR a.node_id = $2)
     ORDER BY a.raised_at DESC, a.id DESC LIMIT $3`,
    [q.open ?? null, q.nodeId ?? null, q.limit],
  );
  return result.rows;
}
