/**
 * A time source's falseticker history (issue 5 "Sources"): from the stored per-source rows
 * of the nodes' reports (`node_source_samples`, kept as long as raw reports), when and for
 * which nodes the source was rejected as a falseticker — as periods per node and as counts
 * per time bucket (nodes reporting the source, nodes flagging it) for a chart.
 */
import type pg from "pg";

/** Most buckets per answer, and most periods (the newest are dropped past it; `truncated`). */
export const MAX_BUCKETS = 500;
export const MAX_PERIODS = 1000;

export interface FalsetickerBucket {
  /** Start of the bucket (RFC 3339, ms). */
  readonly at: string;
  /** Nodes that reported the source in the bucket. */
  readonly nodes: number;
  /** Of those, nodes whose selection rejected it as a falseticker at least once. */
  readonly falsetickerNodes: number;
}

export interface FalsetickerPeriod {
  readonly nodeId: string;
  readonly hostname: string | null;
  /** First report in the period that flagged the source. */
  readonly from: string;
  /** Last report in the period that flagged it. */
  readonly to: string;
  /** The node's next report of the source no longer flagging it; null while still flagged (or the range ends). */
  readonly endedAt: string | null;
  readonly reports: number;
}

export interface FalsetickerHistory {
  readonly sourceId: string;
  readonly from: string;
  readonly to: string;
  readonly bucketSeconds: number;
  readonly buckets: readonly FalsetickerBucket[];
  readonly periods: readonly FalsetickerPeriod[];
  readonly truncated: boolean;
}

/** One island of flagged reports as the query answers it. */
export interface RunRow {
  node_id: string;
  hostname: string | null;
  started: Date;
  last: Date;
  reports: number;
  ended: Date | null;
  ended_state: string | null;
}

/**
 * Joins a node's consecutive islands when the report after one still flagged the source
 * (the island ended only at a gap in seqs). `rows` are ordered by node, then start.
 */
export function joinRuns(rows: readonly RunRow[]): RunRow[] {
  const out: RunRow[] = [];
  for (const row of rows) {
    const prev = out.at(-1);
    if (
      prev !== undefined &&
      prev.node_id === row.node_id &&
      prev.ended_state === "falseticker" &&
      prev.ended?.getTime() === row.started.getTime()
    )
      out[out.length - 1] = {
        ...prev,
        last: row.last,
        reports: prev.reports + row.reports,
        ended: row.ended,
        ended_state: row.ended_state,
      };
    else out.push({ ...row });
  }
  return out;
}

/** A source's periods as a falseticker in a range ($1 source, $2 from, $3 to). */
const RUNS_SQL = `WITH f AS (
       SELECT node_id, seq, at, seq - row_number() OVER (PARTITION BY node_id ORDER BY seq) AS island
       FROM node_source_samples
       WHERE source_id = $1 AND at >= $2 AND at <= $3 AND state = 'falseticker'
     ), r AS (
       SELECT node_id, min(at) AS started, max(at) AS last, max(seq) AS last_seq, count(*)::int AS reports
       FROM f GROUP BY node_id, island
     )
     SELECT r.node_id, n.hostname, r.started, r.last, r.reports, nx.at AS ended, nx.state AS ended_state
     FROM r LEFT JOIN nodes n ON n.id = r.node_id
     LEFT JOIN LATERAL (
       SELECT s.at, s.state FROM node_source_samples s
       WHERE s.node_id = r.node_id AND s.seq > r.last_seq AND s.source_id = $1 AND s.at <= $3
       ORDER BY s.seq LIMIT 1
     ) nx ON true
     ORDER BY r.node_id, r.started`;

/** Bucket width for a range: whole seconds, at least 10 s (the agents' report interval). */
export function bucketSeconds(fromMs: number, toMs: number, buckets: number): number {
  return Math.max(10, Math.ceil((toMs - fromMs) / 1000 / Math.max(1, Math.min(buckets, MAX_BUCKETS))));
}

/** The source's falseticker history between `from` and `to` (inclusive), in about `buckets` buckets. */
export async function falsetickerHistory(
  pool: pg.Pool,
  sourceId: string,
  from: Date,
  to: Date,
  buckets = 120,
): Promise<FalsetickerHistory> {
  const width = bucketSeconds(from.getTime(), to.getTime(), buckets);
  // The two queries are independent: run them on two pooled connections at once.
  const counting = pool.query<{ b: string; nodes: number; falsetickers: number }>(
    `SELECT floor((extract(epoch FROM at) - $4) / $5)::bigint::text AS b,
       count(DISTINCT node_id)::int AS nodes,
       count(DISTINCT node_id) FILTER (WHERE state = 'falseticker')::int AS falsetickers
     FROM node_source_samples WHERE source_id = $1 AND at >= $2 AND at <= $3
     GROUP BY 1`,
    [sourceId, from, to, from.getTime() / 1000, width],
  );
  // Periods: islands of consecutive report seqs that flagged the source (only the flagged
  // rows are read), then per island the node's next report of the source in range (by
  // primary key), which ends it. An island broken only by a gap in seqs (a report without
  // the source) is joined to the next one below.
  const running = pool.query<RunRow>(RUNS_SQL, [sourceId, from, to]);
  const [counted, runs] = await Promise.all([counting, running]);
  const byBucket = new Map(counted.rows.map((r) => [Number(r.b), r]));
  const count = Math.floor((to.getTime() - from.getTime()) / 1000 / width) + 1;
  const series: FalsetickerBucket[] = [];
  for (let i = 0; i < count; i++) {
    const row = byBucket.get(i);
    series.push({
      at: new Date(from.getTime() + i * width * 1000).toISOString(),
      nodes: row?.nodes ?? 0,
      falsetickerNodes: row?.falsetickers ?? 0,
    });
  }
  const periods = joinRuns(runs.rows).sort(
    (a, b) => a.started.getTime() - b.started.getTime() || a.node_id.localeCompare(b.node_id),
  );
  return {
    sourceId,
    from: from.toISOString(),
    to: to.toISOString(),
    bucketSeconds: width,
    buckets: series,
    periods: periods.slice(0, MAX_PERIODS).map((r) => ({
      nodeId: r.node_id,
      hostname: r.hostname,
      from: r.started.toISOString(),
      to: r.last.toISOString(),
      endedAt: r.ended?.toISOString() ?? null,
      reports: r.reports,
    })),
    truncated: periods.length > MAX_PERIODS,
  };
}
