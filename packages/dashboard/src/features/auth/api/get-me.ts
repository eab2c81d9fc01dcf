/**
 * `GET /api/auth/me` — the signed-in user; `mustChangePassword` is set for the first
 * admin's generated password and after an admin reset (docs/server.md).
 */
import { queryOptions, useQuery } from "@tanstack/react-query";
import { apiFetch } from "@/lib/api";

export interface Me {
  readonly id: string;
  readonly username: string;
  readonly role: "admin" | "operator" | "viewer";
  readonly mustChangePassword: boolean;
}

export function getMe(signal?: AbortSignal): Promise<Me> {
  return apiFetch<Me>("/api/auth/me", { signal });
}

export const meQueryOptions = () =>
  queryOptions({ queryKey: ["me"], queryFn: ({ signal }) => getMe(signal) });

export function useMe() {
  return useQuery(meQueryOptions());
}
