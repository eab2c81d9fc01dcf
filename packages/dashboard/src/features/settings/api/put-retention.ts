/**
 * `PUT /api/settings/retention` — store the retention (admin; audited in the log as
 * `audit.retention-changed`). The retention job uses it from its next run.
 */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { apiFetch } from "@/lib/api";
import type { RetentionInput } from "../retention-rules";
import type { Retention } from "./get-retention";

export function putRetention(input: RetentionInput): Promise<Retention> {
  return apiFetch<Retention>("/api/settings/retention", { method: "PUT", json: input });
}

export function usePutRetention() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: putRetention,
    onSuccess: (saved) => client.setQueryData(["retention"], saved),
  });
}
