/** `DELETE /api/clients/:clientId` — revoke a node's client: its tokens and reports are refused from now on. */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { apiFetch } from "@/lib/api";

export function revokeClient(clientId: string): Promise<void> {
  return apiFetch<void>(`/api/clients/${encodeURIComponent(clientId)}`, { method: "DELETE" });
}

export function useRevokeClient() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: revokeClient,
    onSuccess: () => client.invalidateQueries({ queryKey: ["clients"] }),
  });
}
