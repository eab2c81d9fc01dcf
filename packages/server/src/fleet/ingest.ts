/**
 * Stores one report batch atomically (docs/report-protocol.md §3): under a per-node
 * advisory lock, a replayed `Idempotency-Key` answers the original counts; new reports
 * are inserted with ON CONFLICT (node_id, seq) DO NOTHING (so duplicates within and across
 * batches are stored once), their source rows and the 1-minute / 1-hour rollups (kept on
 * insert, in the same transaction) follow, then the node's current state, its alerts and
 * the live events (NOTIFY, delivered on COMMIT).
 */
import { createHash } from "node:crypto";
import type pg from "pg";
import { evaluateReport, nodeStateFor, type Policy } from "../alerts/evaluate.js";
import { enqueueDeliveries } from "../alerts/outbox.js";
import { type AlertChange, reconcileAlerts } from "../alerts/store.js";
import { ServerError } from "../errors.js";
import type { EventBus } from "../events/bus.js";
import type { ReportBatchBody } from "../schemas/fleet.js";
import { policyOf } from "./policies.js";
import { alertEvent, webhookDocument } from "./publish.js";
import { batchRows, type ReportRow, type SourceRow } from "./rows.js";
import { withTransaction } from "./tx.js";

export interface StoredBatch {
  readonly accepted: number;
  readonly duplicates: number;
  /** Alerts raised or resolved by this batch (their webhook deliveries are in the outbox). */
  readonly changes: readonly (AlertChange & { hostname: string })[];
}

interface NodeRow {
  id: string;
  hostname: string;
  state: string;
  last_seq: string | null;
  policy_id: string | null;
}

const ROLLUP_SQL = `
INSERT INTO report_rollups (node_id, resolution, bucket, n, offset_sum, offset_min, offset_max, bound_max,
  bound_sum, delay_sum, delay_n, jitter_sum, jitter_n, cpu_sum, rss_max)
SELECT r.node_id, res.name, date_trunc(res.unit, r.at, 'UTC'), count(*), sum(r.offset_ns), min(r.offset_ns),
  max(r.offset_ns), max(r.bound_ns), sum(r.bound_ns), coalesce(sum(r.delay_ns), 0), count(r.delay_ns),
  coalesce(sum(r.jitter_ns), 0), count(r.jitter_ns), sum(r.cpu_percent), max(r.rss_bytes)
FROM node_reports r, (VALUES ('1m', 'minute'), ('1h', 'hour')) AS res(name, unit)
WHERE r.node_id = $1 AND r.seq = ANY($2::bigint[])
GROUP BY r.node_id, res.name, date_trunc(res.unit, r.at, 'UTC')
ON CONFLICT (node_id, resolution, bucket) DO UPDATE SET
  n = report_rollups.n + excluded.n,
  offset_sum = report_rollups.offset_sum + excluded.offset_sum,
  offset_min = least(report_rollups.offset_min, excluded.offset_min),
  offset_max = greatest(report_rollups.offset_max, excluded.offset_max),
  bound_max = greatest(report_rollups.bound_max, excluded.bound_max),
  bound_sum = report_rollups.bound_sum + excluded.bound_sum,
  delay_sum = report_rollups.delay_sum + excluded.delay_sum,
  delay_n = report_rollups.delay_n + excluded.delay_n,
  jitter_sum = report_rollups.jitter_sum + excluded.jitter_sum,
  jitter_n = report_rollups.jitter_n + excluded.jitter_n,
  cpu_sum = report_rollups.cpu_sum + excluded.cpu_sum,
  rss_max = greatest(report_rollups.rss_max, excluded.rss_max)`;

async function insertReports(
  client: pg.ClientBase,
  nodeId: string,
  rows: readonly ReportRow[],
  now: Date,
): Promise<string[]> {
  const result = await client.query<{ seq: string }>(
    `INSERT INTO node_reports (node_id, seq, at_ns, at, received_at, status, offset_ns, bound_ns, frequency_ppm,
       delay_ns, jitter_ns, cpu_percent, rss_bytes, agent_version)
     SELECT $1, r.seq, r.at_ns, to_timestamp((r.at_ns / 1000000)::double precision / 1000), $3, r.status,
       r.offset_ns, r.bound_ns, r.frequency_ppm, r.delay_ns, r.jitter_ns, r.cpu_percent, r.rss_bytes, r.agent_version
     FROM jsonb_to_recordset($2::jsonb) AS r(seq bigint, at_ns bigint, status text, offset_ns bigint,
       bound_ns bigint, frequency_ppm float8, delay_ns bigint, jitter_ns bigint, cpu_percent float8,
       rss_bytes bigint, agent_version text)
     ON CONFLICT (node_id, seq) DO NOTHING
     RETURNING seq::text`,
    [nodeId, JSON.stringify(rows), now],
  );
  return result.rows.map((r) => r.seq);
}

async function insertSources(
  client: pg.ClientBase,
  nodeId: string,
  rows: readonly SourceRow[],
): Promise<void> {
  if (rows.length === 0) return;
  await client.query(
    `INSERT INTO node_source_samples (node_id, seq, source_id, at, url, protocol, state, reach, last_offset_ns,
       delay_ns, jitter_ns, stratum, poll, falsetickers, score)
     SELECT $1, s.seq, s.source_id, to_timestamp((s.at_ns / 1000000)::double precision / 1000), s.url, s.protocol,
       s.state, s.reach, s.last_offset_ns, s.delay_ns, s.jitter_ns, s.stratum, s.poll, s.falsetickers, s.score
     FROM jsonb_to_recordset($2::jsonb) AS s(seq bigint, at_ns bigint, source_id text, url text, protocol text,
       state text, reach text, last_offset_ns bigint, delay_ns bigint, jitter_ns bigint, stratum int, poll int,
       falsetickers int, score float8)
     ON CONFLICT DO NOTHING`,
    [nodeId, JSON.stringify(rows)],
  );
}

function bodyHash(body: ReportBatchBody): string {
  return createHash("sha256").update(JSON.stringify(body.reports)).digest("hex");
}

/**
 * The highest report seq stored for `nodeId` (0 before its first report), or undefined
 * when the node does not exist. `nodes.last_seq` only moves forward (`updateNode`), and
 * retention never lowers it, so seqs at or below it are duplicates for good.
 */
export async function lastReportSeq(pool: pg.Pool, nodeId: string): Promise<number | undefined> {
  const found = await pool.query<{ last_seq: string | null }>(
    "SELECT last_seq::text FROM nodes WHERE id = $1",
    [nodeId],
  );
  const row = found.rows[0];
  if (row === undefined) return undefined;
  return row.last_seq === null ? 0 : Number(row.last_seq);
}

/**
 * Stores `body` for `nodeId` (the token's node) under `idempotencyKey`; with `webhook`,
 * alert changes are queued in the webhook outbox in the same transaction.
 */
export async function storeBatch(
  pool: pg.Pool,
  bus: EventBus,
  input: { nodeId: string; idempotencyKey: string; body: ReportBatchBody; webhook?: boolean },
  now: Date,
): Promise<StoredBatch> {
  const { nodeId, body } = input;
  const rows = batchRows(body.reports);
  const hash = bodyHash(body);
  return withTransaction(pool, async (client) => {
    await client.query("SELECT pg_advisory_xact_lock(hashtext('chronosync-node'), hashtext($1))", [nodeId]);
    const replay = await client.query<{ body_hash: string; accepted: number; duplicates: number }>(
      "SELECT body_hash, accepted, duplicates FROM report_batches WHERE node_id = $1 AND idempotency_key = $2",
      [nodeId, input.idempotencyKey],
    );
    const previous = replay.rows[0];
    if (previous !== undefined) {
      if (previous.body_hash !== hash)
        throw new ServerError("IDEMPOTENCY_KEY_REUSED", "this Idempotency-Key was used for another batch");
      return { accepted: previous.accepted, duplicates: previous.duplicates, changes: [] };
    }
    const found = await client.query<NodeRow>(
      "SELECT id, hostname, state, last_seq::text, policy_id FROM nodes WHERE id = $1 FOR UPDATE",
      [nodeId],
    );
    const node = found.rows[0];
    if (node === undefined) throw new ServerError("FORBIDDEN", "the node of this token no longer exists");
    const inserted = await insertReports(client, nodeId, rows.reports, now);
    const fresh = new Set(inserted);
    await insertSources(
      client,
      nodeId,
      rows.sources.filter((s) => fresh.has(s.seq)),
    );
    if (inserted.length > 0) await client.query(ROLLUP_SQL, [nodeId, inserted]);
    const changes = await updateNode(client, bus, node, body, rows.reports, fresh, now);
    if (input.webhook === true)
      await enqueueDeliveries(
        client,
        changes.map((c) => webhookDocument(c, c.hostname)),
        now,
      );
    const accepted = inserted.length;
    const duplicates = body.reports.length - accepted;
    await client.query(
      `INSERT INTO report_batches (node_id, idempotency_key, body_hash, accepted, duplicates, received_at)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [nodeId, input.idempotencyKey, hash, accepted, duplicates, now],
    );
    return { accepted, duplicates, changes };
  });
}

/** Moves the node's current state to its newest report, reconciles alerts, publishes events. */
async function updateNode(
  client: pg.ClientBase,
  bus: EventBus,
  node: NodeRow,
  body: ReportBatchBody,
  rows: readonly ReportRow[],
  fresh: ReadonlySet<string>,
  now: Date,
): Promise<(AlertChange & { hostname: string })[]> {
  let newest: { row: ReportRow; index: number } | undefined;
  rows.forEach((row, index) => {
    if (!fresh.has(row.seq)) return;
    if (newest === undefined || BigInt(row.seq) > BigInt(newest.row.seq)) newest = { row, index };
  });
  const isNewer =
    newest !== undefined && (node.last_seq === null || BigInt(newest.row.seq) > BigInt(node.last_seq));
  await client.query(
    "UPDATE nodes SET last_report_at = $2, dropped_reports = dropped_reports + $3 WHERE id = $1",
    [node.id, now, body.dropped],
  );
  if (!isNewer || newest === undefined) return [];
  const { row, index } = newest;
  const report = body.reports[index]!;
  const policy: Policy = await policyOf(client, node.policy_id);
  const wanted = evaluateReport(policy, {
    offsetNs: BigInt(row.offset_ns),
    boundNs: BigInt(row.bound_ns),
    sources: report.sources,
  });
  const state = nodeStateFor(wanted);
  await client.query(
    `UPDATE nodes SET last_seq = $2, state = $3, sync_status = $4, offset_ns = $5, bound_ns = $6,
       frequency_ppm = $7, cpu_percent = $8, rss_bytes = $9, agent_version = $10 WHERE id = $1`,
    [
      node.id,
      row.seq,
      state,
      row.status,
      row.offset_ns,
      row.bound_ns,
      row.frequency_ppm,
      row.cpu_percent,
      row.rss_bytes,
      row.agent_version,
    ],
  );
  const changes = await reconcileAlerts(client, node.id, ["offset", "falseticker", "silent"], wanted, now);
  await bus.publish(
    {
      type: "report",
      nodeId: node.id,
      hostname: node.hostname,
      accepted: fresh.size,
      lastSeq: Number(row.seq),
      at: report.at,
      offsetNs: Number(row.offset_ns),
      boundNs: Number(row.bound_ns),
      status: row.status,
    },
    client,
  );
  if (state !== node.state)
    await bus.publish(
      { type: "node-state", nodeId: node.id, hostname: node.hostname, from: node.state, to: state },
      client,
    );
  for (const change of changes) await bus.publish(alertEvent(change, node.hostname), client);
  return changes.map((c) => ({ ...c, hostname: node.hostname }));
}
