/** `GET /api/clients` — OAuth clients of enrolled nodes (admin; secrets are never shown again). */
import { queryOptions, useQuery } from "@tanstack/react-query";
import { apiFetch } from "@/lib/api";

export interface ApiClient {
  readonly clientId: string;
  readonly nodeId: string;
  readonly hostname: string;
  readonly scopes: readonly string[];
  readonly createdAt: string;
  readonly revokedAt: string | null;
  readonly lastUsedAt: string | null;
}

export async function getClients(signal?: AbortSignal): Promise<readonly ApiClient[]> {
  return (await apiFetch<{ clients: ApiClient[] }>("/api/clients", { signal })).clients;
}

export const clientsQueryOptions = () =>
  queryOptions({ queryKey: ["clients"], queryFn: ({ signal }) => getClients(signal) });

export function useClients() {
  return useQuery(clientsQueryOptions());
}
