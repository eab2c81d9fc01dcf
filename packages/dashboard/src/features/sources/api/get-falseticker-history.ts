/**
 * `GET /api/timestamps/sources/falseticker-history` — when, and for which nodes, a source
 * was rejected as a falseticker over a range: periods per node and counts per bucket
 * (packages/server/src/schemas/source-history.ts). Kept as long as raw reports.
 */
import { keepPreviousData, queryOptions, useQuery } from "@tanstack/react-query";
import { apiFetch } from "@/lib/api";
import type { FalsetickerHistory, SourceRange } from "./types";

export type { FalsetickerBucket, FalsetickerHistory, FalsetickerPeriod, SourceRange } from "./types";

export function getFalsetickerHistory(
  sourceId: string,
  range: SourceRange,
  signal?: AbortSignal,
): Promise<FalsetickerHistory> {
  const query = new URLSearchParams({ sourceId, from: range.from, to: range.to, buckets: "120" });
  return apiFetch<FalsetickerHistory>(`/api/timestamps/sources/falseticker-history?${query}`, { signal });
}

export const falsetickerHistoryQueryOptions = (sourceId: string, range: SourceRange) =>
  queryOptions({
    queryKey: ["sources", "falseticker-history", sourceId, range.from, range.to],
    queryFn: ({ signal }) => getFalsetickerHistory(sourceId, range, signal),
  });

export function useFalsetickerHistory(sourceId: string | undefined, range: SourceRange) {
  return useQuery({
    ...falsetickerHistoryQueryOptions(sourceId ?? "", range),
    enabled: sourceId !== undefined,
    placeholderData: keepPreviousData,
  });
}
