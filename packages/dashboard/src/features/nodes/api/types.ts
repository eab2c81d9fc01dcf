/**
 * Node shapes of the fleet API (issue 4 §5), as packages/server/src/schemas/nodes.ts
 * defines them. Durations are nanoseconds as JSON numbers, instants RFC 3339. Free of
 * imports so pure code and tests can use them.
 */

/** `ok` / `out-of-tolerance` / `silent` / `unknown` (the server may add more). */
export type NodeState = "ok" | "out-of-tolerance" | "silent" | "unknown" | (string & {});

export interface NodeSummary {
  readonly id: string;
  readonly hostname: string;
  readonly agentVersion: string;
  readonly policyId: string;
  readonly state: NodeState;
  readonly syncStatus: string | null;
  readonly offsetNs: number | null;
  readonly boundNs: number | null;
  readonly frequencyPpm: number | null;
  readonly cpuPercent: number | null;
  readonly rssBytes: number | null;
  readonly lastReportAt: string | null;
  readonly enrolledAt: string;
  readonly droppedReports: number;
}

export interface NodeSource {
  readonly id: string;
  readonly url: string;
  readonly protocol: string;
  readonly state: string;
  readonly reach: string;
  readonly reachable: boolean;
  readonly lastOffsetNs: number | null;
  readonly delayNs: number | null;
  readonly jitterNs: number | null;
  readonly stratum: number | null;
  readonly poll: number | null;
  readonly falsetickers: number;
  readonly score: number | null;
  readonly at: string;
}

export interface NodeDetail extends NodeSummary {
  readonly toleranceNs: number | null;
  readonly silentAfterS: number | null;
  readonly sources: readonly NodeSource[];
}

/** One point of `GET /api/nodes/:id/history` (a raw report, or a 1-minute / 1-hour bucket). */
export interface HistoryPoint {
  readonly at: string;
  readonly n: number;
  readonly offsetNs: number;
  readonly offsetMinNs: number;
  readonly offsetMaxNs: number;
  readonly boundNs: number;
  readonly delayNs: number | null;
  readonly jitterNs: number | null;
  readonly cpuPercent: number;
  readonly rssBytes: number;
}

export interface History {
  readonly resolution: string;
  readonly truncated: boolean;
  readonly points: readonly HistoryPoint[];
}

/** A history query: RFC 3339 bounds and the rollup (`raw` | `1m` | `1h`). */
export interface HistoryRange {
  readonly from: string;
  readonly to: string;
  readonly resolution: "raw" | "1m" | "1h";
}
