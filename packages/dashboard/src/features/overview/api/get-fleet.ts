/**
 * `GET /api/nodes?limit=&offset=` read for the overview: every node's current state (all
 * pages of at most 1000), from which the fleet figures are computed (fleet-stats.ts).
 */
import { queryOptions, useQuery } from "@tanstack/react-query";
import { apiFetch } from "@/lib/api";
import type { FleetNode } from "./types";

export type { FleetNode } from "./types";

const PAGE = 1000;

export async function getFleet(signal?: AbortSignal): Promise<readonly FleetNode[]> {
  const nodes: FleetNode[] = [];
  for (;;) {
    const page = await apiFetch<{ total: number; nodes: FleetNode[] }>(
      `/api/nodes?limit=${PAGE}&offset=${nodes.length}`,
      { signal },
    );
    nodes.push(...page.nodes);
    if (page.nodes.length < PAGE || nodes.length >= page.total) return nodes;
  }
}

export const fleetQueryOptions = () =>
  queryOptions({ queryKey: ["nodes", "fleet"], queryFn: ({ signal }) => getFleet(signal) });

export function useFleet() {
  return useQuery(fleetQueryOptions());
}
