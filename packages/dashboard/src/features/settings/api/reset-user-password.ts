/**
 * `POST /api/users/:id/password` — set a temporary password (admin; audited as
 * `audit.password-reset`, never the password). The user must change it at next sign-in;
 * their sessions end.
 */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { apiFetch } from "@/lib/api";

export function resetUserPassword(input: { id: string; password: string }): Promise<void> {
  return apiFetch<void>(`/api/users/${encodeURIComponent(input.id)}/password`, {
    method: "POST",
    json: { password: input.password },
  });
}

export function useResetUserPassword() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: resetUserPassword,
    onSuccess: () => client.invalidateQueries({ queryKey: ["users"] }),
  });
}
