/** `GET /api/ledger/entries/:seq` — one entry's receipt with its inclusion proof. */
import { queryOptions, useQuery } from "@tanstack/react-query";
import { apiFetch } from "@/lib/api";

export interface Receipt {
  readonly version: 1;
  readonly entry: {
    readonly seq: string;
    readonly kind: string;
    readonly time: string;
    readonly payload: unknown;
    readonly prevHash: string;
  };
  readonly entryHash: string;
  readonly checkpoint?: {
    readonly checkpoint: { readonly keyId: string; readonly time: string };
    readonly signature: string;
  };
  readonly leafIndex?: number;
  readonly proof?: readonly string[];
}

export function getEntry(seq: string, signal?: AbortSignal): Promise<Receipt> {
  return apiFetch<Receipt>(`/api/ledger/entries/${encodeURIComponent(seq)}`, { signal });
}

export const entryQueryOptions = (seq: string) =>
  queryOptions({ queryKey: ["ledger", "entry", seq], queryFn: ({ signal }) => getEntry(seq, signal) });

export function useEntry(seq: string | undefined) {
  return useQuery({ ...entryQueryOptions(seq ?? ""), enabled: seq !== undefined });
}
