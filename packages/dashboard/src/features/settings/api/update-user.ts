/**
 * `PATCH /api/users/:id` — change a user's role, or disable / enable them (admin; audited
 * as `audit.user-updated`). Disabling ends their sessions; the server refuses to leave
 * no enabled admin (409).
 */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { apiFetch } from "@/lib/api";
import type { UserAccount } from "./get-users";

export interface UserChange {
  readonly id: string;
  readonly role?: UserAccount["role"];
  readonly disabled?: boolean;
}

export function updateUser({ id, ...change }: UserChange): Promise<UserAccount> {
  return apiFetch<UserAccount>(`/api/users/${encodeURIComponent(id)}`, { method: "PATCH", json: change });
}

export function useUpdateUser() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: updateUser,
    onSuccess: () => client.invalidateQueries({ queryKey: ["users"] }),
  });
}
