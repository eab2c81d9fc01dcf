/**
 * `GET /api/nodes?limit=&offset=` — every node with its current state (issue 4 §5). The
 * server pages at most 1000 nodes per call; this reads all pages so the table can search
 * and sort thousands of rows locally.
 */
import { queryOptions, useQuery } from "@tanstack/react-query";
import { apiFetch } from "@/lib/api";
import type { NodeSummary } from "./types";

const PAGE = 1000;

export async function getNodes(signal?: AbortSignal): Promise<readonly NodeSummary[]> {
  const nodes: NodeSummary[] = [];
  for (;;) {
    const page = await apiFetch<{ total: number; nodes: NodeSummary[] }>(
      `/api/nodes?limit=${PAGE}&offset=${nodes.length}&sort=hostname`,
      { signal },
    );
    nodes.push(...page.nodes);
    if (page.nodes.length < PAGE || nodes.length >= page.total) return nodes;
  }
}

export const nodesQueryOptions = () =>
  queryOptions({ queryKey: ["nodes"], queryFn: ({ signal }) => getNodes(signal), refetchInterval: 30_000 });

export function useNodes() {
  return useQuery(nodesQueryOptions());
}
