/**
 * Read side of the fleet for the dashboard: nodes with their current state (paged,
 * sorted), one node with its sources and open alerts, and every time source seen in the
 * nodes' latest reports.
 */
import type pg from "pg";
import { withTransaction } from "./tx.js";

interface NodeRow {
  id: string;
  hostname: string;
  agent_version: string;
  policy_id: string | null;
  enrolled_at: Date;
  last_report_at: Date | null;
  last_seq: string | null;
  state: string;
  sync_status: string | null;
  offset_ns: string | null;
  bound_ns: string | null;
  frequency_ppm: number | null;
  cpu_percent: number | null;
  rss_bytes: string | null;
  dropped_reports: string;
}

const NODE_COLUMNS = `id, hostname, agent_version, policy_id, enrolled_at, last_report_at, last_seq::text, state,
  sync_status, offset_ns::text, bound_ns::text, frequency_ppm, cpu_percent, rss_bytes::text, dropped_reports::text`;

const num = (x: string | null): number | null => (x === null ? null : Number(x));

export function nodeDocument(row: NodeRow) {
  return {
    id: row.id,
    hostname: row.hostname,
    agentVersion: row.agent_version,
    policyId: row.policy_id ?? "default",
    state: row.state,
    syncStatus: row.sync_status,
    offsetNs: num(row.offset_ns),
    boundNs: num(row.bound_ns),
    frequencyPpm: row.frequency_ppm,
    cpuPercent: row.cpu_percent,
    rssBytes: num(row.rss_bytes),
    lastReportAt: row.last_report_at?.toISOString() ?? null,
    lastSeq: num(row.last_seq),
    enrolledAt: row.enrolled_at.toISOString(),
    droppedReports: Number(row.dropped_reports),
  };
}
export type NodeDocument = ReturnType<typeof nodeDocument>;

/** Sort keys of `GET /api/nodes` and their SQL (NULLs last either way). */
export const NODE_SORTS = {
  hostname: "hostname",
  state: "state",
  lastReportAt: "last_report_at",
  offset: "abs(offset_ns)",
  bound: "bound_ns",
  agentVersion: "agent_version",
} as const;
export type NodeSort = keyof typeof NODE_SORTS;

export interface NodeListQuery {
  readonly limit: number;
  readonly offset: number;
  readonly sort: NodeSort;
  readonly order: "asc" | "desc";
  readonly state?: string | undefined;
}

export async function listNodes(
  pool: pg.Pool,
  q: NodeListQuery,
): Promise<{ total: number; nodes: NodeDocument[] }> {
  const order = `${NODE_SORTS[q.sort]} ${q.order === "desc" ? "DESC" : "ASC"} NULLS LAST, id`;
  const rows = await pool.query<NodeRow & { total: string }>(
    `SELECT ${NODE_COLUMNS}, count(*) OVER ()::text AS total FROM nodes
     WHERE ($1::text IS NULL OR state = $1) ORDER BY ${order} LIMIT $2 OFFSET $3`,
    [q.state ?? null, q.limit, q.offset],
  );
  let total = Number(rows.rows[0]?.total ?? 0);
  if (rows.rows.length === 0 && q.offset > 0) {
    const count = await pool.query<{ n: string }>(
      "SELECT count(*)::text AS n FROM nodes WHERE ($1::text IS NULL OR state = $1)",
      [q.state ?? null],
    );
    total = Number(count.rows[0]?.n ?? 0);
  }
  return { total, nodes: rows.rows.map(nodeDocument) };
}

interface SampleRow {
  node_id: string;
  hostname: string;
  source_id: string;
  url: string;
  protocol: string;
  state: string;
  reach: string;
  last_offset_ns: string | null;
  delay_ns: string | null;
  jitter_ns: string | null;
  stratum: number | null;
  poll: number | null;
  falsetickers: number;
  score: number | null;
  at: Date;
}

function sampleDocument(s: SampleRow) {
  return {
    id: s.source_id,
    url: s.url,
    protocol: s.protocol,
    state: s.state,
    reach: s.reach,
    reachable: s.reach !== "0",
    lastOffsetNs: num(s.last_offset_ns),
    delayNs: num(s.delay_ns),
    jitterNs: num(s.jitter_ns),
    stratum: s.stratum,
    poll: s.poll,
    falsetickers: s.falsetickers,
    score: s.score,
    at: s.at.toISOString(),
  };
}

async function latestSamples(pool: pg.Pool, nodeId: string | null): Promise<SampleRow[]> {
  const result = await pool.query<SampleRow>(
    `SELECT s.node_id, n.hostname, s.source_id, s.url, s.protocol, s.state, s.reach, s.last_offset_ns::text,
       s.delay_ns::text, s.jitter_ns::text, s.stratum, s.poll, s.falsetickers, s.score, s.at
     FROM nodes n JOIN node_source_samples s ON s.node_id = n.id AND s.seq = n.last_seq
     WHERE ($1::uuid IS NULL OR n.id = $1) ORDER BY s.source_id, s.at DESC`,
    [nodeId],
  );
  return result.rows;
}

export async function getNode(pool: pg.Pool, id: string) {
  const found = await pool.query<NodeRow>(`SELECT ${NODE_COLUMNS} FROM nodes WHERE id = $1`, [id]);
  const row = found.rows[0];
  if (row === undefined) return undefined;
  const sources = (await latestSamples(pool, id)).map(sampleDocument);
  const policy = await pool.query<{ tolerance_ns: string; silent_after_s: number }>(
    "SELECT tolerance_ns::text, silent_after_s FROM policies WHERE id = COALESCE($1, 'default')",
    [row.policy_id],
  );
  const p = policy.rows[0];
  return {
    ...nodeDocument(row),
    toleranceNs: p === undefined ? null : Number(p.tolerance_ns),
    silentAfterS: p?.silent_after_s ?? null,
    sources,
  };
}

/**
 * Every source in the nodes' latest reports, keyed by source id: the newest sample's
 * values, and per node its state and offset (issue 4 §3 `GET /api/timestamps/sources`).
 */
export async function listSources(pool: pg.Pool) {
  const bySource = new Map<string, { latest: SampleRow; nodes: SampleRow[] }>();
  for (const s of await latestSamples(pool, null)) {
    const entry = bySource.get(s.source_id);
    if (entry === undefined) bySource.set(s.source_id, { latest: s, nodes: [s] });
    else entry.nodes.push(s);
  }
  return [...bySource.values()].map(({ latest, nodes }) => ({
    ...sampleDocument(latest),
    nodes: nodes.map((s) => ({
      nodeId: s.node_id,
      hostname: s.hostname,
      state: s.state,
      lastOffsetNs: num(s.last_offset_ns),
      score: s.score,
    })),
  }));
}

/**
 * Decommissions a node: its OAuth clients (so its tokens stop at once), reports, source
 * rows, rollups, idempotency keys and alerts go with it. Its hostname, or undefined.
 */
export async function deleteNode(pool: pg.Pool, id: string): Promise<string | undefined> {
  return withTransaction(pool, async (client) => {
    await client.query("SELECT pg_advisory_xact_lock(hashtext('chronosync-node'), hashtext($1))", [id]);
    const gone = await client.query<{ hostname: string }>(
      "DELETE FROM nodes WHERE id = $1 RETURNING hostname",
      [id],
    );
    const hostname = gone.rows[0]?.hostname;
    if (hostname === undefined) return undefined;
    for (const table of ["node_reports", "node_source_samples", "report_rollups", "report_batches", "alerts"])
      await client.query(`DELETE FROM ${table} WHERE node_id = $1`, [id]);
    return hostname;
  });
}
