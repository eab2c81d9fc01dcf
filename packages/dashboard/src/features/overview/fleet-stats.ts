/**
 * Pure fleet figures for the overview: mean and p99 of |offset|, share of nodes within
 * their policy tolerance, counts by status, the worst nodes and the |offset| distribution
 * in decades. Nodes that have never reported (null offset) are left out of the figures.
 */
import type { FleetNode, Policy } from "./api/types.js";

/** The PRD's accuracy line for the fleet mean (10 ms). */
export const PRD_TARGET_NS = 10_000_000;

export interface FleetStats {
  readonly reporting: number;
  readonly meanAbsNs: number | undefined;
  readonly p99AbsNs: number | undefined;
  readonly byStatus: Readonly<Record<string, number>>;
  readonly withinTolerance: readonly { policy: string; toleranceNs: number; share: number; nodes: number }[];
  readonly worst: readonly FleetNode[];
  readonly distribution: readonly { label: string; count: number }[];
}

const BUCKETS = [
  { label: "< 1 µs", max: 1e3 },
  { label: "1–10 µs", max: 1e4 },
  { label: "10–100 µs", max: 1e5 },
  { label: "100 µs–1 ms", max: 1e6 },
  { label: "1–10 ms", max: 1e7 },
  { label: "≥ 10 ms", max: Number.POSITIVE_INFINITY },
];

/** Nearest-rank percentile of ascending `sorted`. */
export function percentile(sorted: readonly number[], p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

/** `policies` gives each node's tolerance (by its `policyId`); nodes of unknown policies are left out of the shares. */
export function fleetStats(
  nodes: readonly FleetNode[],
  policies: readonly Policy[],
  worstCount = 5,
): FleetStats {
  const measured = nodes.filter(
    (n): n is FleetNode & { offsetNs: number } => n.offsetNs !== null && Number.isFinite(n.offsetNs),
  );
  const abs = measured.map((n) => Math.abs(n.offsetNs)).sort((a, b) => a - b);
  const byStatus: Record<string, number> = {};
  for (const n of nodes) byStatus[n.state] = (byStatus[n.state] ?? 0) + 1;
  const tolerance = new Map(policies.map((p) => [p.id, p.toleranceNs]));
  const shares = new Map<string, { toleranceNs: number; total: number; within: number }>();
  for (const n of measured) {
    const toleranceNs = tolerance.get(n.policyId);
    if (toleranceNs === undefined) continue;
    const p = shares.get(n.policyId) ?? { toleranceNs, total: 0, within: 0 };
    p.total++;
    if (Math.abs(n.offsetNs) <= toleranceNs) p.within++;
    shares.set(n.policyId, p);
  }
  return {
    reporting: measured.length,
    meanAbsNs: abs.length === 0 ? undefined : abs.reduce((s, v) => s + v, 0) / abs.length,
    p99AbsNs: percentile(abs, 99),
    byStatus,
    withinTolerance: [...shares].map(([policy, p]) => ({
      policy,
      toleranceNs: p.toleranceNs,
      share: p.within / p.total,
      nodes: p.total,
    })),
    worst: [...measured].sort((a, b) => Math.abs(b.offsetNs) - Math.abs(a.offsetNs)).slice(0, worstCount),
    distribution: BUCKETS.map((b, i) => ({
      label: b.label,
      count: abs.filter((v) => v >= (BUCKETS[i - 1]?.max ?? 0) && v < b.max).length,
    })),
  };
}
