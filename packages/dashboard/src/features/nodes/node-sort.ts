/** Pure search and sort of the node table (tested without a browser). */
import type { NodeSummary } from "./api/types.js";

export type SortKey = "hostname" | "state" | "offsetNs" | "boundNs" | "lastReportAt" | "agentVersion";
export interface Sort {
  readonly key: SortKey;
  readonly dir: "asc" | "desc";
}

/** Worst first when ascending. */
const STATE_RANK: Record<string, number> = { "out-of-tolerance": 0, silent: 1, unknown: 2, ok: 3 };

function compare(a: NodeSummary, b: NodeSummary, key: SortKey): number {
  switch (key) {
    case "offsetNs":
    case "boundNs": {
      const x = a[key] === null ? Number.POSITIVE_INFINITY : Math.abs(a[key]);
      const y = b[key] === null ? Number.POSITIVE_INFINITY : Math.abs(b[key]);
      return x === y ? 0 : x < y ? -1 : 1;
    }
    case "state":
      return (STATE_RANK[a.state] ?? 9) - (STATE_RANK[b.state] ?? 9);
    default:
      return (a[key] ?? "").localeCompare(b[key] ?? "");
  }
}

/** Nodes whose hostname, id, state or version contains `query` (case-insensitive), sorted. */
export function filterAndSort(nodes: readonly NodeSummary[], query: string, sort: Sort): NodeSummary[] {
  const q = query.trim().toLowerCase();
  const hit =
    q === ""
      ? [...nodes]
      : nodes.filter((n) =>
          [n.hostname, n.id, n.state, n.agentVersion].some((f) => f.toLowerCase().includes(q)),
        );
  const sign = sort.dir === "asc" ? 1 : -1;
  return hit.sort((a, b) => sign * compare(a, b, sort.key) || a.hostname.localeCompare(b.hostname));
}
