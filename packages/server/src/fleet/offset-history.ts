/**
 * The normalization engine's view of agent reports (issue 4 §3 method (a)): the reports of
 * the node an event came from, around the event's instant, as core's `OffsetReport`s.
 * A report's `at` is the agent's virtual (≈ UTC) clock; the node's local clock read
 * `at − offset` then (offset = true − local), which is the `atNs` the engine expects.
 */
import type { OffsetReport } from "@chronosync/core";
import type pg from "pg";
import type { OffsetHistoryProvider } from "../normalize/offset-history-provider.js";

/** Largest |offset| assumed when bounding the index scan (a day). */
const MAX_OFFSET_NS = 86_400_000_000_000n;
/** How long a sourceId → node lookup is remembered (a new enrollment shows within it). */
export const NODE_LOOKUP_TTL_MS = 5_000;
/** Most remembered lookups (the memory starts over when full). */
const MAX_LOOKUPS = 10_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface Row {
  at_ns: string;
  offset_ns: string;
  bound_ns: string;
  frequency_ppm: number;
}

/**
 * The normalize route's {@link OffsetHistoryProvider} over `node_reports`: the node
 * `sourceId` names (its node id, else its hostname), up to `window` reports on each side
 * of local instant `atNs` (default 8), strictly increasing; null for no node or no reports.
 * Which node a sourceId names is remembered for `lookupTtlMs`.
 */
export function createOffsetHistoryProvider(
  pool: pg.Pool,
  window = 8,
  lookupTtlMs = NODE_LOOKUP_TTL_MS,
): OffsetHistoryProvider {
  // sourceId → node id (or none), remembered for `lookupTtlMs`: most normalize requests
  // come from systems that are no enrolled node, and asking again per request cost a
  // database round trip each.
  const lookups = new Map<string, { nodeId: string | undefined; at: number }>();
  async function nodeIdOf(sourceId: string): Promise<string | undefined> {
    const now = Date.now();
    const hit = lookups.get(sourceId);
    if (hit !== undefined && now - hit.at < lookupTtlMs) return hit.nodeId;
    const result = await pool.query<{ id: string }>(
      `SELECT id FROM nodes WHERE ($1::boolean AND id::text = lower($2)) OR hostname = $2
       ORDER BY (id::text = lower($2)) DESC, enrolled_at DESC LIMIT 1`,
      [UUID.test(sourceId), sourceId],
    );
    const nodeId = result.rows[0]?.id;
    if (lookups.size >= MAX_LOOKUPS) lookups.clear();
    lookups.set(sourceId, { nodeId, at: now });
    return nodeId;
  }
  return {
    async historyAround(sourceId, atNs) {
      const nodeId = await nodeIdOf(sourceId);
      if (nodeId === undefined) return null;
      const cols = "at_ns::text, offset_ns::text, bound_ns::text, frequency_ppm";
      const result = await pool.query<Row>(
        `(SELECT ${cols} FROM node_reports WHERE node_id = $1 AND at_ns <= $2::bigint + $3::bigint
            AND at_ns - offset_ns <= $2::bigint ORDER BY at_ns DESC LIMIT $4)
         UNION ALL
         (SELECT ${cols} FROM node_reports WHERE node_id = $1 AND at_ns >= $2::bigint - $3::bigint
            AND at_ns - offset_ns > $2::bigint ORDER BY at_ns ASC LIMIT $4)`,
        [nodeId, atNs.toString(), MAX_OFFSET_NS.toString(), window],
      );
      const reports = result.rows
        .map(
          (r): OffsetReport => ({
            atNs: BigInt(r.at_ns) - BigInt(r.offset_ns),
            offsetNs: BigInt(r.offset_ns),
            boundNs: BigInt(r.bound_ns),
            frequencyPpm: r.frequency_ppm,
          }),
        )
        .sort((a, b) => (a.atNs < b.atNs ? -1 : a.atNs > b.atNs ? 1 : 0));
      const strict = reports.filter((r, i) => i === 0 || r.atNs > reports[i - 1]!.atNs);
      return strict.length === 0 ? null : strict;
    },
  };
}
