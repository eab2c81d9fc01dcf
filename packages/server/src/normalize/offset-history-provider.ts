/**
 * Where the normalize route gets a node's offset history (issue 4 §3 (a)). The fleet
 * side implements it over agent reports; the default knows no node, so every timestamp
 * falls back to the request's own latency model (b) or to none (c).
 */
import type { Instant, OffsetReport } from "@chronosync/core";

/**
 * A source of agent offset reports. `historyAround(sourceId, atNs)` answers the reports
 * of node `sourceId` around its local instant `atNs` (strictly increasing `atNs`, at
 * least one; typically the two bracketing reports, or the last ones before `atNs`), or
 * null when `sourceId` is not an enrolled node with reports — at ANY instant: the route
 * asks once per request and, on null, stops asking for that request's other timestamps.
 * `historiesAround`, when implemented, answers many instants in one call (one query for a
 * 10 000-timestamp request instead of 10 000); the route prefers it.
 */
export interface OffsetHistoryProvider {
  historyAround(sourceId: string, atNs: Instant): Promise<readonly OffsetReport[] | null>;
  historiesAround?(
    sourceId: string,
    atNs: readonly Instant[],
  ): Promise<readonly (readonly OffsetReport[] | null)[] | null>;
}

/** Knows no node: every timestamp is normalized by the request's latency model or none. */
export const noOffsetHistory: OffsetHistoryProvider = {
  historyAround: async () => null,
};

declare module "fastify" {
  interface FastifyInstance {
    /** Offset histories of enrolled nodes (replace the default in app.ts). */
    offsetHistory: OffsetHistoryProvider;
  }
}
