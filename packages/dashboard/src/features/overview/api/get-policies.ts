/** `GET /api/policies` — tolerance policies (issue 4 §5), for the share of nodes within tolerance. */
import { queryOptions, useQuery } from "@tanstack/react-query";
import { apiFetch } from "@/lib/api";
import type { Policy } from "./types";

export async function getPolicies(signal?: AbortSignal): Promise<readonly Policy[]> {
  return (await apiFetch<{ policies: Policy[] }>("/api/policies", { signal })).policies;
}

export const policiesQueryOptions = () =>
  queryOptions({ queryKey: ["policies"], queryFn: ({ signal }) => getPolicies(signal), staleTime: 60_000 });

export function usePolicies() {
  return useQuery(policiesQueryOptions());
}
