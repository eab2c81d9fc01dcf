/**
 * `GET /api/ledger/checkpoints?from=&limit=` — signed checkpoints in chain order, paged by
 * `nextIndex` (docs/server.md "The signed log"; docs/ledger-format.md).
 */
import { infiniteQueryOptions, useInfiniteQuery } from "@tanstack/react-query";
import { apiFetch } from "@/lib/api";

export interface SignedCheckpoint {
  readonly index: string;
  readonly checkpoint: {
    readonly logId: string;
    readonly firstSeq: string;
    readonly lastSeq: string;
    readonly treeSize: number;
    readonly rootHash: string;
    readonly prevCheckpointHash: string;
    readonly time: string;
    readonly keyId: string;
  };
  readonly signature: string;
}

export interface CheckpointPage {
  readonly checkpoints: readonly SignedCheckpoint[];
  readonly nextIndex: string | null;
}

export function getCheckpoints(from: string, limit: number, signal?: AbortSignal): Promise<CheckpointPage> {
  return apiFetch<CheckpointPage>(`/api/ledger/checkpoints?from=${encodeURIComponent(from)}&limit=${limit}`, {
    signal,
  });
}

export const checkpointsQueryOptions = (limit = 50) =>
  infiniteQueryOptions({
    queryKey: ["ledger", "checkpoints", limit],
    queryFn: ({ pageParam, signal }) => getCheckpoints(pageParam, limit, signal),
    initialPageParam: "0",
    getNextPageParam: (last) => last.nextIndex ?? undefined,
  });

export function useCheckpoints(limit = 50) {
  return useInfiniteQuery(checkpointsQueryOptions(limit));
}
