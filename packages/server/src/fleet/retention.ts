/**
 * Retention of the fleet time series (these tables are ordinary, unlike the log's
 * append-only tables): raw reports and their source rows older than `rawDays`, 1-minute
 * rollups older than `rawDays` × 4 (at least 30 days), 1-hour rollups older than
 * `rollupDays`, idempotency keys older than 48 h, resolved alerts older than
 * `rollupDays` and finished webhook deliveries older than `rawDays` are deleted. Times are the report instants (`at`) and the rows' own times.
 */
import type pg from "pg";

export interface RetentionPolicy {
  /** Days raw reports are kept (default 7). */
  readonly rawDays: number;
  /** Days 1-hour rollups are kept (default 400). */
  readonly rollupDays: number;
}

export const RETENTION_DEFAULTS: RetentionPolicy = { rawDays: 7, rollupDays: 400 };

export interface RetentionResult {
  readonly reports: number;
  readonly sources: number;
  readonly rollups: number;
  readonly batches: number;
  readonly alerts: number;
}

const DAY_MS = 86_400_000;

/** Deletes what is past retention at `now`; returns the rows deleted per table. */
export async function applyRetention(
  pool: pg.Pool,
  policy: RetentionPolicy,
  now: Date,
): Promise<RetentionResult> {
  const raw = new Date(now.getTime() - policy.rawDays * DAY_MS);
  const minute = new Date(now.getTime() - Math.max(30, policy.rawDays * 4) * DAY_MS);
  const hour = new Date(now.getTime() - policy.rollupDays * DAY_MS);
  const reports = await pool.query("DELETE FROM node_reports WHERE at < $1", [raw]);
  const sources = await pool.query("DELETE FROM node_source_samples WHERE at < $1", [raw]);
  const rollups = await pool.query(
    `DELETE FROM report_rollups WHERE (resolution = '1m' AND bucket < $1) OR (resolution = '1h' AND bucket < $2)`,
    [minute, hour],
  );
  const batches = await pool.query("DELETE FROM report_batches WHERE received_at < $1", [
    new Date(now.getTime() - 2 * DAY_MS),
  ]);
  const alerts = await pool.query("DELETE FROM alerts WHERE resolved_at < $1", [hour]);
  await pool.query(
    "DELETE FROM webhook_deliveries WHERE (delivered_at IS NOT NULL OR failed_at IS NOT NULL) AND created_at < $1",
    [raw],
  );
  return {
    reports: reports.rowCount ?? 0,
    sources: sources.rowCount ?? 0,
    rollups: rollups.rowCount ?? 0,
    batches: batches.rowCount ?? 0,
    alerts: alerts.rowCount ?? 0,
  };
}
