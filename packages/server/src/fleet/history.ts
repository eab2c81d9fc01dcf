/**
 * A node's history over a time range: raw reports, or the 1-minute / 1-hour rollups
 * (means, with min/max where they matter). Ranges are on the agent's report instant.
 */
import { formatRfc3339 } from "@chronosync/core";
import type pg from "pg";

export type Resolution = "raw" | "1m" | "1h";

/** Most points answered per call (7 days of 1-minute rollups fit); `truncated` tells when the range held more. */
export const MAX_HISTORY_POINTS = 12_000;

interface RawRow {
  seq: string;
  at_ns: string;
  status: string;
  offset_ns: string;
  bound_ns: string;
  frequency_ppm: number;
  delay_ns: string | null;
  jitter_ns: string | null;
  cpu_percent: number;
  rss_bytes: string;
}

interface RollupRow {
  bucket: Date;
  n: number;
  offset_sum: number;
  offset_min: string;
  offset_max: string;
  bound_max: string;
  bound_sum: number;
  delay_sum: number;
  delay_n: number;
  jitter_sum: number;
  jitter_n: number;
  cpu_sum: number;
  rss_max: string;
}

const num = (x: string | null): number | null => (x === null ? null : Number(x));
const mean = (sum: number, n: number): number | null => (n === 0 ? null : Math.round(sum / n));

export async function nodeHistory(
  pool: pg.Pool,
  nodeId: string,
  fromNs: bigint,
  toNs: bigint,
  resolution: Resolution,
) {
  if (resolution === "raw") {
    const result = await pool.query<RawRow>(
      `SELECT seq::text, at_ns::text, status, offset_ns::text, bound_ns::text, frequency_ppm, delay_ns::text,
         jitter_ns::text, cpu_percent, rss_bytes::text
       FROM node_reports WHERE node_id = $1 AND at_ns >= $2 AND at_ns <= $3 ORDER BY at_ns, seq LIMIT $4`,
      [nodeId, fromNs.toString(), toNs.toString(), MAX_HISTORY_POINTS + 1],
    );
    return {
      resolution,
      truncated: result.rows.length > MAX_HISTORY_POINTS,
      points: result.rows.slice(0, MAX_HISTORY_POINTS).map((r) => ({
        at: formatRfc3339(BigInt(r.at_ns), 9),
        seq: Number(r.seq),
        status: r.status,
        n: 1,
        offsetNs: Number(r.offset_ns),
        offsetMinNs: Number(r.offset_ns),
        offsetMaxNs: Number(r.offset_ns),
        boundNs: Number(r.bound_ns),
        delayNs: num(r.delay_ns),
        jitterNs: num(r.jitter_ns),
        frequencyPpm: r.frequency_ppm,
        cpuPercent: r.cpu_percent,
        rssBytes: Number(r.rss_bytes),
      })),
    };
  }
  const result = await pool.query<RollupRow>(
    `SELECT bucket, n, offset_sum, offset_min::text, offset_max::text, bound_max::text, bound_sum, delay_sum, delay_n,
       jitter_sum, jitter_n, cpu_sum, rss_max::text
     FROM report_rollups WHERE node_id = $1 AND resolution = $2
       AND bucket >= date_trunc($5, to_timestamp(($3::bigint / 1000000)::double precision / 1000), 'UTC')
       AND bucket <= to_timestamp(($4::bigint / 1000000)::double precision / 1000)
     ORDER BY bucket LIMIT $6`,
    [
      nodeId,
      resolution,
      fromNs.toString(),
      toNs.toString(),
      resolution === "1m" ? "minute" : "hour",
      MAX_HISTORY_POINTS + 1,
    ],
  );
  return {
    resolution,
    truncated: result.rows.length > MAX_HISTORY_POINTS,
    points: result.rows.slice(0, MAX_HISTORY_POINTS).map((r) => ({
      at: r.bucket.toISOString(),
      n: r.n,
      offsetNs: Math.round(r.offset_sum / r.n),
      offsetMinNs: Number(r.offset_min),
      offsetMaxNs: Number(r.offset_max),
      boundNs: Number(r.bound_max),
      delayNs: mean(r.delay_sum, r.delay_n),
      jitterNs: mean(r.jitter_sum, r.jitter_n),
      cpuPercent: r.cpu_sum / r.n,
      rssBytes: Number(r.rss_max),
    })),
  };
}
