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
  hashRecord,
  type KeySet,
  type LogExport,
  type Receipt,
  type RecordReceipt,
  recordInclusionProblem,
  verifyLogExport,
  verifyReceipt,
  verifyRecordReceipt,
} from "@chronosync/core";
import type { VerifyItemResult } from "../schemas/timestamps.js";

/** The log kind of a normalized timestamp in the earlier format (one entry per record). */
export const LEGACY_TIMESTAMP_KIND = "timestamp.normalized";

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
  /**
   * The inclusion path of record `index` of batch entry `seq` from the records this log
   * stores, for records submitted without their `recordProof` (undefined: unknown).
   */
  readonly storedProof?: (seq: string, index: number) => string[] | undefined;
}

/**
 * A receipt: an entry receipt (version 1) or a record receipt (version 2), verified against
 * the key set; the checkpoint must be of `logId`.
 */
export function verifyReceiptItem(item: unknown, ctx: VerifyContext): ItemResult {
  const { keySet, logId } = ctx;
  const isRecordReceipt = (item as { version?: unknown } | null)?.version === 2;
  const entryReceipt = isRecordReceipt ? (item as { receipt?: unknown }).receipt : item;
  const seq = seqOf(entryReceipt);
  const at = seq === undefined ? {} : { seq };
  const options = { checkpointCache: ctx.checkpointCache };
  const result = isRecordReceipt
    ? verifyRecordReceipt(item as RecordReceipt, keySet, options)
    : verifyReceipt(item as Receipt, keySet, options);
  if (!result.valid) {
    const { valid: _v, code: _c, ...rest } = result;
    return invalid(result.reason, { ...at, ...rest });
  }
  const cpLog = (entryReceipt as Receipt).checkpoint?.checkpoint.logId;
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
 * A normalized record as the normalize route answered it, checked against its batch
 * entry's receipt (`shared`, the response's top-level receipt, or the record's own
 * `receipt`): `integrityHash` is the hash of the record's other fields, the receipt
 * verifies, and the inclusion path — the record's `recordProof`, else the one of the
 * records this log stores for the entry — leads from the record at `recordIndex` to the
 * batch's `recordsRoot` (so an edited `normalized` value is caught). Records of the
 * earlier format (one `timestamp.normalized` entry each, with their own receipt) are
 * still accepted.
 */
export function verifyRecordItem(item: unknown, ctx: VerifyContext, shared?: unknown): ItemResult {
  if (typeof item !== "object" || item === null || Array.isArray(item))
    return invalid("record is not an object");
  const {
    receipt: own,
    integrityHash,
    recordIndex,
    recordProof,
    ...fields
  } = item as Record<string, unknown>;
  const receipt = own ?? shared;
  if (typeof receipt !== "object" || receipt === null) return invalid("record has no receipt");
  if (recordIndex === undefined) return verifyLegacyRecord(fields, integrityHash, receipt, ctx);
  const checked = verifyReceiptItem(receipt, ctx);
  if (!checked.valid) return checked;
  const { entry } = receipt as Receipt;
  const at = { seq: entry.seq };
  let recordHash: string;
  try {
    recordHash = hashRecord(fields);
  } catch (err) {
    return invalid(`record has no canonical form: ${(err as Error).message}`, at);
  }
  if (integrityHash !== recordHash)
    return invalid(`integrityHash is not the hash of the record's fields (${recordHash})`, at);
  const proof =
    recordProof ?? (typeof recordIndex === "number" ? ctx.storedProof?.(entry.seq, recordIndex) : undefined);
  if (proof === undefined)
    return invalid(
      "record has no recordProof and this log holds no records for its entry (send the whole normalize response, or the record's receipt from GET /api/ledger/entries/{seq}/records/{index})",
      at,
    );
  const problem = recordInclusionProblem(recordHash, recordIndex, proof, entry);
  if (problem !== undefined) return invalid(problem, at);
  return checked;
}

/** A record of the earlier format: one `timestamp.normalized` entry per record. */
function verifyLegacyRecord(
  fields: Record<string, unknown>,
  integrityHash: unknown,
  receipt: object,
  ctx: VerifyContext,
): ItemResult {
  const checked = verifyReceiptItem(receipt, ctx);
  if (!checked.valid) return checked;
  const { entry, entryHash } = receipt as Receipt;
  const at = { seq: entry.seq };
  if (entry.kind !== LEGACY_TIMESTAMP_KIND)
    return invalid(`entry ${entry.seq} is a ${entry.kind}, not a ${LEGACY_TIMESTAMP_KIND}`, at);
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
