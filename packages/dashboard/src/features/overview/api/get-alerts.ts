/**
 * `GET /api/alerts?limit=` — recent alerts, newest first: a node beyond its tolerance, a
 * falseticker, a node silent too long (issue 4 §5 "Alerts").
 */
import { queryOptions, useQuery } from "@tanstack/react-query";
import { apiFetch } from "@/lib/api";
import type { FleetAlert } from "./types";

export async function getAlerts(limit: number, signal?: AbortSignal): Promise<readonly FleetAlert[]> {
  return (await apiFetch<{ alerts: FleetAlert[] }>(`/api/alerts?limit=${limit}`, { signal })).alerts;
}

export const alertsQueryOptions = (limit = 10) =>
  queryOptions({ queryKey: ["alerts", limit], queryFn: ({ signal }) => getAlerts(limit, signal) });

export function useAlerts(limit = 10) {
  return useQuery(alertsQueryOptions(limit));
}
