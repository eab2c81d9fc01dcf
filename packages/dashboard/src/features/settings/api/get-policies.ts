/** `GET /api/policies` — tolerance and silence policies (issue 4 §5; any role). */
import { queryOptions, useQuery } from "@tanstack/react-query";
import { apiFetch } from "@/lib/api";

export interface Policy {
  readonly id: string;
  readonly toleranceNs: number;
  readonly silentAfterS: number;
  readonly falsetickerAlerts: boolean;
  readonly updatedAt: string;
}

export async function getPolicies(signal?: AbortSignal): Promise<readonly Policy[]> {
  return (await apiFetch<{ policies: Policy[] }>("/api/policies", { signal })).policies;
}

export const policiesQueryOptions = () =>
  queryOptions({ queryKey: ["policies"], queryFn: ({ signal }) => getPolicies(signal) });

export function usePolicies() {
  return useQuery(policiesQueryOptions());
}
