/**
 * `POST /api/timestamps/normalize` — the seed's request (seeds/000 §6): `sourceId`,
 * `timestamps[] {value, precision, source}`, `requestMetadata`; each record comes back
 * normalized, with its uncertainty and flags, all sealed by one log entry whose receipt
 * comes with them (issue 4 §3).
 */
import { useMutation } from "@tanstack/react-query";
import { apiFetch } from "@/lib/api";
import type { NormalizeTimestamp } from "./types";

export type { NormalizeTimestamp } from "./types";

export interface NormalizeRequest {
  readonly sourceId: string;
  readonly timestamps: readonly NormalizeTimestamp[];
  readonly requestMetadata?: {
    readonly clientId?: string;
    readonly requestTimestamp?: number;
    readonly roundTripMs?: number;
  };
}

/** packages/server/src/schemas/timestamps.ts `NormalizedRecordSchema`. */
export interface NormalizedRecord {
  readonly sourceId: string;
  readonly source?: string;
  readonly receivedAt: string;
  readonly originalTimestamp: number;
  readonly normalizedTimestamp: number;
  readonly precision: number;
  /** One-way latency compensated for, ms. */
  readonly networkLatency: number;
  /** RFC 3339 with nanoseconds: the origin's clock, and UTC. */
  readonly original: string;
  readonly normalized: string;
  /** Nanoseconds as decimal strings. */
  readonly offsetNs: string;
  readonly uncertaintyNs: string;
  readonly method: "agent-history" | "request-latency" | "none";
  readonly flags: readonly ("TIMESTAMP_DIVERGENCE" | "PRECISION_THRESHOLD_EXCEEDED")[];
  /** The record's hash: SHA-256 of "chronosync-record-v1\n" and its canonical JSON. */
  readonly integrityHash: string;
  /** Its position in the request's record batch entry. */
  readonly recordIndex: number;
}

export interface NormalizeResponse {
  readonly records: readonly NormalizedRecord[];
  readonly receivedAt: string;
  /** The receipt of the request's record batch entry (docs/ledger-format.md). */
  readonly receipt: unknown;
}

export function normalize(request: NormalizeRequest): Promise<NormalizeResponse> {
  return apiFetch<NormalizeResponse>("/api/timestamps/normalize", { method: "POST", json: request });
}

export function useNormalize() {
  return useMutation({ mutationFn: normalize });
}
