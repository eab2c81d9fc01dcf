/**
 * `GET /api/nodes/:id/history?from=&to=&resolution=` — a node's time series over a range,
 * raw or rolled up (`raw` | `1m` | `1h`, issue 4 §5).
 */
import { keepPreviousData, queryOptions, useQuery } from "@tanstack/react-query";
import { apiFetch } from "@/lib/api";
import type { History, HistoryRange } from "./types";

export type { HistoryRange } from "./types";

export function getNodeHistory(id: string, range: HistoryRange, signal?: AbortSignal): Promise<History> {
  const q = new URLSearchParams({ from: range.from, to: range.to, resolution: range.resolution });
  return apiFetch<History>(`/api/nodes/${encodeURIComponent(id)}/history?${q}`, { signal });
}

export const nodeHistoryQueryOptions = (id: string, range: HistoryRange) =>
  queryOptions({
    queryKey: ["nodes", id, "history", range],
    queryFn: ({ signal }) => getNodeHistory(id, range, signal),
  });

export function useNodeHistory(id: string, range: HistoryRange | undefined) {
  return useQuery({
    ...nodeHistoryQueryOptions(id, range ?? { from: "", to: "", resolution: "raw" }),
    enabled: range !== undefined,
    // A live refresh slides the range: keep drawing the last answer until the new one arrives.
    placeholderData: keepPreviousData,
  });
}
