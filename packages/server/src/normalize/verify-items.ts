/**
 * `POST /api/timestamps/verify` (issue 4 §3): receipts and normalized records checked
 * offline against this server's published keys and log id, and log ranges checked from
 * the server's own export — hash chain, Merkle inclusion, checkpoint signatures and
 * checkpoint chain. Every item answers `valid` or `CRYPTO_VERIFICATION_FAILED` with the
 * reason; nothing here throws on hostile input.
 * @see ../../../../docs/ledger-format.md
 */
import {
  canonicalJson,
  type KeySet,
  type LogExport,
  type Receipt,
  verifyLogExport,
  verifyReceipt,
} from "@chronosync/core";
import type { VerifyItemResult } from "../schemas/timestamps.js";

/** The log kind of normalized timestamps. */
export const TIMESTAMP_KIND = "timestamp.normalized";

type ItemResult = Omit<VerifyItemResult, "index">;

const invalid = (reason: string, extra: Partial<ItemResult> = {}): ItemResult => ({
  valid: false,
  code: "CRYPTO_VERIFICATION_FAILED",
  reason,
  ...extra,
});

function seqOf(item: unknown): string | undefined {
  const seq = (item as { entry?: { seq?: unknown } } | null)?.entry?.seq;
  return typeof seq === "string" && seq.length <= 20 ? seq : undefined;
}

/** What every item of one request is checked against; `checkpointCache` is per request. */
export interface VerifyContext {
  readonly keySet: KeySet;
  readonly logId: string;
  readonly checkpointCache: Map<string, string | undefined>;
}

/** A receipt: verifyReceipt against the key set, and the checkpoint must be of `logId`. */
export function verifyReceiptItem(item: unknown, ctx: VerifyContext): ItemResult {
  const { keySet, logId } = ctx;
  const seq = seqOf(item);
  const at = seq === undefined ? {} : { seq };
  const result = verifyReceipt(item as Receipt, keySet, { checkpointCache: ctx.checkpointCache });
  if (!result.valid) {
    const { valid: _v, code: _c, ...rest } = result;
    return invalid(result.reason, { ...at, ...rest });
  }
  const cpLog = (item as Receipt).checkpoint?.checkpoint.logId;
  if (cpLog !== logId) {
    return invalid(`checkpoint belongs to log ${JSON.stringify(cpLog)}, not this server's ${logId}`, at);
  }
  return { valid: true, ...at, sealed: true };
}

function same(a: unknown, b: unknown): boolean {
  try {
    return canonicalJson(a) === canonicalJson(b);
  } catch {
    return false;
  }
}

/**
 * A normalized record as the normalize route answered it: its receipt verifies, it is a
 * `timestamp.normalized` entry, `integrityHash` is the entry hash, and every other field
 * equals the logged payload (so an edited `normalized` value is caught).
 */
export function verifyRecordItem(item: unknown, ctx: VerifyContext): ItemResult {
  if (typeof item !== "object" || item === null || Array.isArray(item))
    return invalid("record is not an object");
  const { receipt, integrityHash, ...fields } = item as Record<string, unknown>;
  if (typeof receipt !== "object" || receipt === null) return invalid("record has no receipt");
  const checked = verifyReceiptItem(receipt, ctx);
  if (!checked.valid) return checked;
  const { entry, entryHash } = receipt as Receipt;
  const at = { seq: entry.seq };
  if (entry.kind !== TIMESTAMP_KIND)
    return invalid(`entry ${entry.seq} is a ${entry.kind}, not a ${TIMESTAMP_KIND}`, at);
  if (integrityHash !== entryHash) return invalid(`integrityHash is not the entry hash ${entryHash}`, at);
  if (!same(fields, entry.payload)) {
    const payload = (entry.payload ?? {}) as Record<string, unknown>;
    const keys = new Set([...Object.keys(fields), ...Object.keys(payload)]);
    const differing = [...keys].filter((k) => !same(fields[k] ?? null, payload[k] ?? null)).slice(0, 10);
    return invalid(`record differs from the logged entry ${entry.seq} in: ${differing.join(", ")}`, {
      ...at,
      detail: { fields: differing },
    });
  }
  return checked;
}

/** The counts of an export (entries past the last checkpoint are not sealed yet). */
export function exportSummary(exp: LogExport): { entries: number; checkpoints: number; unsealed: number } {
  const last = exp.checkpoints.at(-1)?.checkpoint.lastSeq;
  const firstSeq = exp.entries[0]?.seq;
  const sealedCount =
    last === undefined || firstSeq === undefined ? 0 : Number(BigInt(last) - BigInt(firstSeq) + 1n);
  return {
    entries: exp.entries.length,
    checkpoints: exp.checkpoints.length,
    unsealed: exp.entries.length - Math.max(0, sealedCount),
  };
}

/** A log range, already exported by the server: verifyLogExport against the key set. */
export function verifyExportItem(exp: LogExport, keySet: KeySet): ItemResult {
  const result = verifyLogExport(exp, keySet);
  if (result.valid) return { valid: true };
  const { valid: _v, code: _c, ...rest } = result;
  return invalid(result.reason, rest);
}
