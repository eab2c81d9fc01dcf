/**
 * `PUT /api/policies/:id` — create or replace a policy (admin; audited in the log as
 * `audit.policy-changed`). Tolerance in ns, silence in s (server bounds: 10 s … 30 days).
 */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { z } from "zod";
import { apiFetch } from "@/lib/api";

export const policySchema = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, "Lowercase letters, digits, - and _ (up to 63)"),
  toleranceUs: z.coerce.number<string>().positive("A positive number of microseconds").max(9e9),
  silentAfterS: z.coerce
    .number<string>()
    .int("Whole seconds")
    .min(10, "At least 10 s")
    .max(30 * 86_400),
});

export type PolicyInput = z.infer<typeof policySchema>;

export function putPolicy(input: PolicyInput): Promise<unknown> {
  return apiFetch(`/api/policies/${encodeURIComponent(input.id)}`, {
    method: "PUT",
    json: { toleranceNs: Math.round(input.toleranceUs * 1000), silentAfterS: input.silentAfterS },
  });
}

export function usePutPolicy() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: putPolicy,
    onSuccess: () => client.invalidateQueries({ queryKey: ["policies"] }),
  });
}
