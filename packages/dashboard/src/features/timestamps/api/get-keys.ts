/**
 * `GET /.well-known/chronosync/keys` — the published Ed25519 keys of the log, retired
 * ones included (docs/ledger-format.md §5). Public: no token needed.
 */
import { queryOptions, useQuery } from "@tanstack/react-query";
import { apiFetch } from "@/lib/api";
import type { PublishedKey } from "../verify-receipt";

export async function getKeys(signal?: AbortSignal): Promise<readonly PublishedKey[]> {
  return (await apiFetch<{ keys: PublishedKey[] }>("/.well-known/chronosync/keys", { signal, auth: false }))
    .keys;
}

export const keysQueryOptions = () =>
  queryOptions({ queryKey: ["keys"], queryFn: ({ signal }) => getKeys(signal), staleTime: 300_000 });

export function useKeys() {
  return useQuery(keysQueryOptions());
}
