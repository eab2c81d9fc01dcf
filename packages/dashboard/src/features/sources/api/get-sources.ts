/**
 * `GET /api/timestamps/sources` — every time source seen across the fleet (the seed's
 * §6 endpoint; packages/server/src/schemas/nodes.ts `SourceList`).
 */
import { queryOptions, useQuery } from "@tanstack/react-query";
import { apiFetch } from "@/lib/api";

export interface FleetSource {
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
  /** Times the source was rejected as a falseticker. */
  readonly falsetickers: number;
  /** Reliability, 0–1. */
  readonly score: number | null;
  readonly at: string;
  readonly nodes: readonly {
    readonly nodeId: string;
    readonly hostname: string;
    readonly state: string;
    readonly lastOffsetNs: number | null;
    readonly score: number | null;
  }[];
}

export async function getSources(signal?: AbortSignal): Promise<readonly FleetSource[]> {
  return (await apiFetch<{ sources: FleetSource[] }>("/api/timestamps/sources", { signal })).sources;
}

export const sourcesQueryOptions = () =>
  queryOptions({
    queryKey: ["sources"],
    queryFn: ({ signal }) => getSources(signal),
    refetchInterval: 60_000,
  });

export function useSources() {
  return useQuery(sourcesQueryOptions());
}
