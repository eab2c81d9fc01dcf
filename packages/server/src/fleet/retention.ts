/**
 * Retention of the fleet time series (these tables are ordinary, unlike the log's
 * append-only tables): raw reports and their per-source rows older than `rawDays`,
 * 1-minute rollups older than `minuteRollupDays`, 1-hour rollups older than
 * `hourRollupDays`, resolved alerts older than `resolvedAlertDays`, finished webhook
 * deliveries older than `webhookDeliveryDays` and idempotency keys older than 48 h are
 * deleted. Times are the report instants (`at`) and the rows' own times.
 *
 * The server's configuration (`RetentionPolicy`, from the environment) gives the defaults;
 * an admin's choice (`PUT /api/settings/retention`) is stored in `server_settings` and wins.
 */
import type pg from "pg";
import { ServerError } from "../errors.js";
import { withTransaction } from "./tx.js";

export interface RetentionPolicy {
  /** Days raw reports are kept (default 7). */
  readonly rawDays: number;
  /** Days 1-hour rollups are kept (default 400). */
  readonly rollupDays: number;
}

export const RETENTION_DEFAULTS: RetentionPolicy = { rawDays: 7, rollupDays: 400 };

/** Days each kind of fleet row is kept. */
export interface RetentionSettings {
  /** Raw reports and their per-source rows (node history below 6 h, falseticker history). */
  readonly rawDays: number;
  /** 1-minute rollups (node history up to 7 days). */
  readonly minuteRollupDays: number;
  /** 1-hour rollups (node history beyond 7 days). */
  readonly hourRollupDays: number;
  /** Resolved alerts (open ones are never deleted). */
  readonly resolvedAlertDays: number;
  /** Delivered or failed alert webhook deliveries. */
  readonly webhookDeliveryDays: number;
}

/** Report batch idempotency keys are kept this long (an agent's retry window; not settable). */
export const IDEMPOTENCY_KEY_HOURS = 48;

/** Longest retention accepted (100 years). */
export const MAX_RETENTION_DAYS = 36_500;

const SETTING = "fleet.retention";

/**
 * The settings a configuration implies: 1-minute rollups 4 × raw, at least 30 days but no
 * longer than the 1-hour rollups (ranges past 7 days read those); alerts as hourly rollups.
 */
export function retentionFromPolicy(policy: RetentionPolicy): RetentionSettings {
  return {
    rawDays: policy.rawDays,
    minuteRollupDays: Math.min(policy.rollupDays, Math.max(30, policy.rawDays * 4)),
    hourRollupDays: policy.rollupDays,
    resolvedAlertDays: policy.rollupDays,
    webhookDeliveryDays: policy.rawDays,
  };
}

/**
 * Checks stored or requested settings: whole days in 1 … MAX_RETENTION_DAYS, and each
 * coarser level kept at least as long as the finer one (raw ≤ 1-minute ≤ 1-hour), so a
 * history range never falls in a hole. Answers the field errors (JSON pointers under
 * `base`), empty when valid.
 */
export function retentionErrors(
  settings: RetentionSettings,
  base = "/body",
): { pointer: string; detail: string }[] {
  const errors: { pointer: string; detail: string }[] = [];
  for (const [key, days] of Object.entries(settings))
    if (!Number.isInteger(days) || days < 1 || days > MAX_RETENTION_DAYS)
      errors.push({ pointer: `${base}/${key}`, detail: `whole days from 1 to ${MAX_RETENTION_DAYS}` });
  if (errors.length > 0) return errors;
  if (settings.minuteRollupDays < settings.rawDays)
    errors.push({
      pointer: `${base}/minuteRollupDays`,
      detail: "keep 1-minute rollups at least as long as raw reports",
    });
  if (settings.hourRollupDays < settings.minuteRollupDays)
    errors.push({
      pointer: `${base}/hourRollupDays`,
      detail: "keep 1-hour rollups at least as long as 1-minute rollups",
    });
  return errors;
}

/** The effective settings, when and by whom they were stored (null: the configuration's defaults). */
export interface StoredRetention {
  readonly settings: RetentionSettings;
  readonly updatedAt: string | null;
  readonly updatedBy: string | null;
}

function parseStored(value: string, defaults: RetentionSettings): StoredRetention | undefined {
  try {
    const json = JSON.parse(value) as Partial<RetentionSettings> & { updatedAt?: string; updatedBy?: string };
    const settings: RetentionSettings = {
      rawDays: json.rawDays ?? defaults.rawDays,
      minuteRollupDays: json.minuteRollupDays ?? defaults.minuteRollupDays,
      hourRollupDays: json.hourRollupDays ?? defaults.hourRollupDays,
      resolvedAlertDays: json.resolvedAlertDays ?? defaults.resolvedAlertDays,
      webhookDeliveryDays: json.webhookDeliveryDays ?? defaults.webhookDeliveryDays,
    };
    // A hand-edited row that breaks the rules is ignored rather than deleting too much.
    if (retentionErrors(settings).length > 0) return undefined;
    return { settings, updatedAt: json.updatedAt ?? null, updatedBy: json.updatedBy ?? null };
  } catch {
    return undefined;
  }
}

/** Reads the stored retention, or the configuration's defaults when none (or an invalid one) is stored. */
export async function readRetention(
  pool: pg.Pool | pg.PoolClient,
  policy: RetentionPolicy = RETENTION_DEFAULTS,
): Promise<StoredRetention> {
  const defaults = retentionFromPolicy(policy);
  const row = (
    await pool.query<{ value: string }>("SELECT value FROM server_settings WHERE name = $1", [SETTING])
  ).rows[0];
  const stored = row === undefined ? undefined : parseStored(row.value, defaults);
  return stored ?? { settings: defaults, updatedAt: null, updatedBy: null };
}

/**
 * Stores new settings (BAD_REQUEST with field errors when they break the rules); answers
 * what was in effect before and what is now.
 */
export async function storeRetention(
  pool: pg.Pool,
  settings: RetentionSettings,
  by: string,
  now: Date,
  policy: RetentionPolicy = RETENTION_DEFAULTS,
): Promise<{ before: StoredRetention; after: StoredRetention }> {
  const errors = retentionErrors(settings);
  if (errors.length > 0)
    throw new ServerError("VALIDATION_FAILED", errors.map((e) => e.detail).join("; "), { errors });
  return withTransaction(pool, async (client) => {
    await client.query("SELECT pg_advisory_xact_lock(hashtext('chronosync-retention'))");
    const before = await readRetention(client, policy);
    const after: StoredRetention = { settings, updatedAt: now.toISOString(), updatedBy: by };
    await client.query(
      `INSERT INTO server_settings (name, value) VALUES ($1, $2)
       ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value`,
      [SETTING, JSON.stringify({ ...settings, updatedAt: after.updatedAt, updatedBy: by })],
    );
    return { before, after };
  });
}

export interface RetentionResult {
  readonly reports: number;
  readonly sources: number;
  readonly rollups: number;
  readonly batches: number;
  readonly alerts: number;
}

const DAY_MS = 86_400_000;

/**
 * Deletes what is past retention at `now`: the stored settings when an admin chose them,
 * else those `policy` (the configuration) implies. Returns the rows deleted per table.
 */
export async function applyRetention(
  pool: pg.Pool,
  policy: RetentionPolicy,
  now: Date,
): Promise<RetentionResult> {
  const { settings } = await readRetention(pool, policy);
  const before = (days: number) => new Date(now.getTime() - days * DAY_MS);
  const raw = before(settings.rawDays);
  const reports = await pool.query("DELETE FROM node_reports WHERE at < $1", [raw]);
  const sources = await pool.query("DELETE FROM node_source_samples WHERE at < $1", [raw]);
  const rollups = await pool.query(
    `DELETE FROM report_rollups WHERE (resolution = '1m' AND bucket < $1) OR (resolution = '1h' AND bucket < $2)`,
    [before(settings.minuteRollupDays), before(settings.hourRollupDays)],
  );
  const batches = await pool.query("DELETE FROM report_batches WHERE received_at < $1", [
    new Date(now.getTime() - IDEMPOTENCY_KEY_HOURS * 3_600_000),
  ]);
  const alerts = await pool.query("DELETE FROM alerts WHERE resolved_at < $1", [
    before(settings.resolvedAlertDays),
  ]);
  await pool.query(
    "DELETE FROM webhook_deliveries WHERE (delivered_at IS NOT NULL OR failed_at IS NOT NULL) AND created_at < $1",
    [before(settings.webhookDeliveryDays)],
  );
  return {
    reports: reports.rowCount ?? 0,
    sources: sources.rowCount ?? 0,
    rollups: rollups.rowCount ?? 0,
    batches: batches.rowCount ?? 0,
    alerts: alerts.rowCount ?? 0,
  };
}
