/**
 * `POST /api/timestamps/verify` — verifies a receipt, records or a log range (issue 4 §3);
 * answers per item `valid` or the reason (`CRYPTO_VERIFICATION_FAILED` with detail).
 */
import { useMutation } from "@tanstack/react-query";
import { apiFetch } from "@/lib/api";

export interface VerifyItemResult {
  readonly index: number;
  readonly seq?: string;
  readonly valid: boolean;
  readonly code?: "CRYPTO_VERIFICATION_FAILED";
  readonly reason?: string;
  readonly firstBadSeq?: string;
  readonly sealed?: boolean;
}

export interface VerifyResponse {
  /** True when every item is valid. */
  readonly valid: boolean;
  readonly results: readonly VerifyItemResult[];
}

export function verifyReceipt(receipt: unknown): Promise<VerifyResponse> {
  return apiFetch<VerifyResponse>("/api/timestamps/verify", { method: "POST", json: { receipt } });
}

export function useVerify() {
  return useMutation({ mutationFn: verifyReceipt });
}
