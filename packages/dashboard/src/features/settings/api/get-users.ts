/** `GET /api/users` — accounts and roles (admin only; issue 4 §6). */
import { queryOptions, useQuery } from "@tanstack/react-query";
import { apiFetch } from "@/lib/api";

export interface UserAccount {
  readonly id: string;
  readonly username: string;
  readonly role: "admin" | "operator" | "viewer";
  readonly disabled: boolean;
  readonly mustChangePassword: boolean;
  readonly createdAt: string;
  readonly lockedUntil: string | null;
}

export async function getUsers(signal?: AbortSignal): Promise<readonly UserAccount[]> {
  return (await apiFetch<{ users: UserAccount[] }>("/api/users", { signal })).users;
}

export const usersQueryOptions = () =>
  queryOptions({ queryKey: ["users"], queryFn: ({ signal }) => getUsers(signal) });

export function useUsers(enabled: boolean) {
  return useQuery({ ...usersQueryOptions(), enabled });
}
