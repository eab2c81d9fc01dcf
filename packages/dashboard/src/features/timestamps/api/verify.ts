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

/**
 * An entry or record receipt goes as `{ receipt }`; a whole normalize response as
 * `{ records, receipt }` (every record against its batch entry).
 */
export function verifyReceipt(doc: unknown): Promise<VerifyResponse> {
  const d = doc as { records?: unknown; receipt?: unknown } | null;
  const json =
    typeof d === "object" && d !== null && Array.isArray(d.records) && "receipt" in d
      ? { records: d.records, receipt: d.receipt }
      : { receipt: doc };
  return apiFetch<VerifyResponse>("/api/timestamps/verify", { method: "POST", json });
}

export function useVerify() {
  return useMutation({ mutationFn: verifyReceipt });
}
