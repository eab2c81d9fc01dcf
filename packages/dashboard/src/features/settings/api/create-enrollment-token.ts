/**
 * `POST /api/enrollment-tokens` — a one-time, expiring token an agent trades for client
 * credentials (issue 4 §5; docs/report-protocol.md §1). Admin only.
 */
import { useMutation } from "@tanstack/react-query";
import { apiFetch } from "@/lib/api";

export interface EnrollmentToken {
  readonly token: string;
  readonly expiresAt: string;
}

export function createEnrollmentToken(input: {
  expiresInS: number;
  label?: string;
}): Promise<EnrollmentToken> {
  return apiFetch<EnrollmentToken>("/api/enrollment-tokens", { method: "POST", json: input });
}

export function useCreateEnrollmentToken() {
  return useMutation({ mutationFn: createEnrollmentToken });
}
