/**
 * `GET /api/settings/retention` — how long the fleet's reports, rollups, alerts and webhook
 * deliveries are kept (the server's configuration, or an admin's stored choice).
 */
import { queryOptions, useQuery } from "@tanstack/react-query";
import { apiFetch } from "@/lib/api";
import type { RetentionInput } from "../retention-rules";

export interface Retention extends RetentionInput {
  /** Report batch idempotency keys, hours (fixed by the server). */
  readonly idempotencyKeyHours: number;
  readonly source: "configuration" | "stored";
  readonly updatedAt: string | null;
  readonly updatedBy: string | null;
}

export function getRetention(signal?: AbortSignal): Promise<Retention> {
  return apiFetch<Retention>("/api/settings/retention", { signal });
}

export const retentionQueryOptions = () =>
  queryOptions({ queryKey: ["retention"], queryFn: ({ signal }) => getRetention(signal) });

export function useRetention() {
  return useQuery(retentionQueryOptions());
}
