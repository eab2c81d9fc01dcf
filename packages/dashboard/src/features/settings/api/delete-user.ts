/**
 * `DELETE /api/users/:id` — delete a user (admin; audited as `audit.user-deleted`). Nobody
 * deletes their own account, and the last enabled admin stays (409).
 */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { apiFetch } from "@/lib/api";

export function deleteUser(id: string): Promise<void> {
  return apiFetch<void>(`/api/users/${encodeURIComponent(id)}`, { method: "DELETE" });
}

export function useDeleteUser() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: deleteUser,
    onSuccess: () => client.invalidateQueries({ queryKey: ["users"] }),
  });
}
