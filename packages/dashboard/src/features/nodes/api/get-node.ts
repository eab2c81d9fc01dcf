/** `GET /api/nodes/:id` — one node: state, policy, resource use, sources (issue 4 §5). */
import { queryOptions, useQuery } from "@tanstack/react-query";
import { apiFetch } from "@/lib/api";
import type { NodeDetail } from "./types";

export function getNode(id: string, signal?: AbortSignal): Promise<NodeDetail> {
  return apiFetch<NodeDetail>(`/api/nodes/${encodeURIComponent(id)}`, { signal });
}

export const nodeQueryOptions = (id: string) =>
  queryOptions({ queryKey: ["nodes", id], queryFn: ({ signal }) => getNode(id, signal) });

export function useNode(id: string) {
  return useQuery(nodeQueryOptions(id));
}
