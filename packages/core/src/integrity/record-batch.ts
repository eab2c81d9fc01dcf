/**
 * Record batches: many records (normalized timestamps) sealed by ONE log entry, so the log
 * grows by one entry per commit instead of one per timestamp. Byte format:
 * docs/ledger-format.md §"Record batches".
 *
 * - A record's hash (its `integrityHash`) is hex SHA-256 over
 *   `"chronosync-record-v1\n" || canonicalJson(record)` (RFC 8785, UTF-8).
 * - The batch entry has kind {@link RECORD_BATCH_KIND} and payload
 *   `{ records: n, recordsRoot }`: the RFC 9162 Merkle root over `leafHash(recordHash)` of
 *   its n records, in order.
 * - A {@link RecordReceipt} proves one record: the record, its index and inclusion path in
 *   the batch, and the batch entry's own {@link Receipt} (checkpoint and proof).
 */
import { hash } from "node:crypto";
import { canonicalJson } from "./canonical-json.js";
import { isHash } from "./digest.js";
import type { KeySet } from "./key-set.js";
import type { LogEntry } from "./log-entry.js";
import { leafHash, MerkleTree, verifyInclusion } from "./merkle.js";
import { type Receipt, type VerifyReceiptOptions, type VerifyResult, verifyReceipt } from "./receipt.js";

/** Domain separation prefix of a record hash (then the record's canonical JSON). */
export const RECORD_HASH_PREFIX = "chronosync-record-v1\n";

/** The log kind of an entry sealing a batch of normalized timestamps. */
export const RECORD_BATCH_KIND = "timestamp.batch";

/** Payload of a {@link RECORD_BATCH_KIND} entry. */
export interface RecordBatchPayload {
  /** How many records the batch holds (≥ 1). */
  readonly records: number;
  /** RFC 9162 root over `leafHash(recordHash)` of the records, in order. */
  readonly recordsRoot: string;
}

/** Proof that one record is in the log. */
export interface RecordReceipt {
  readonly version: 2;
  /** The record exactly as logged (any JSON value with a canonical form). */
  readonly record: unknown;
  /** Position of the record in its batch (0-based). */
  readonly recordIndex: number;
  /** Inclusion proof (hex hashes, leaf to root) of the record in the batch's tree. */
  readonly recordProof: readonly string[];
  /** The receipt of the batch entry. */
  readonly receipt: Receipt;
}

/**
 * The record hash of a record's canonical JSON text, as the caller already made it (the
 * server builds records whose plain JSON.stringify is canonical, and hashes that text).
 */
export function hashRecordJson(canonical: string): string {
  return hash("sha256", RECORD_HASH_PREFIX + canonical, "hex");
}

/**
 * {@link hashRecordJson} of a text that already starts with {@link RECORD_HASH_PREFIX}
 * (the caller built it so; the hash of the rest is the record hash).
 */
export function hashPrefixedRecordJson(prefixed: string): string {
  return hash("sha256", prefixed, "hex");
}

/**
 * The record hash (hex) of `record`.
 * @throws {CanonicalJsonError} when the record has no canonical JSON form.
 */
export function hashRecord(record: unknown): string {
  return hashRecordJson(canonicalJson(record));
}

/** The batch payload and Merkle tree over `recordHashes` (hex, in order, at least one). */
export function recordBatch(recordHashes: readonly string[]): {
  payload: RecordBatchPayload;
  tree: MerkleTree;
} {
  const tree = MerkleTree.ofLeafData(recordHashes);
  return { payload: { records: recordHashes.length, recordsRoot: tree.root }, tree };
}

/** Why `payload` is not a {@link RecordBatchPayload}, or undefined. */
export function recordBatchProblem(payload: unknown): string | undefined {
  if (typeof payload !== "object" || payload === null) return "batch payload is not an object";
  const p = payload as Record<string, unknown>;
  if (typeof p.records !== "number" || !Number.isSafeInteger(p.records) || p.records < 1)
    return "batch payload's records is not a positive integer";
  if (!isHash(p.recordsRoot)) return "batch payload's recordsRoot is not 64 lowercase hex digits";
  return undefined;
}

/**
 * Why `records` (parsed records, in order) are not exactly the records `entry` seals, or
 * undefined. For log exports, which carry each batch entry's records beside it.
 */
export function recordsProblem(entry: LogEntry, records: readonly unknown[]): string | undefined {
  const shape = recordBatchProblem(entry.payload);
  if (shape !== undefined) return shape;
  const payload = entry.payload as RecordBatchPayload;
  if (records.length !== payload.records)
    return `entry ${entry.seq} seals ${payload.records} records, the export holds ${records.length}`;
  let hashes: string[];
  try {
    hashes = records.map(hashRecord);
  } catch (err) {
    return `a record of entry ${entry.seq} has no canonical form: ${(err as Error).message}`;
  }
  if (recordBatch(hashes).payload.recordsRoot !== payload.recordsRoot)
    return `the records of entry ${entry.seq} do not hash to its recordsRoot (a record was altered, added, removed or reordered)`;
  return undefined;
}

function fail(reason: string, firstBadSeq?: string): VerifyResult {
  return firstBadSeq === undefined
    ? { valid: false, code: "CRYPTO_VERIFICATION_FAILED", reason }
    : { valid: false, code: "CRYPTO_VERIFICATION_FAILED", reason, firstBadSeq };
}

/**
 * Verifies that a record with hash `recordHash` sits at `recordIndex` of the batch sealed
 * by `entry` (whose receipt the caller verifies). Answers the problem, or undefined.
 */
export function recordInclusionProblem(
  recordHash: string,
  recordIndex: unknown,
  recordProof: unknown,
  entry: LogEntry,
): string | undefined {
  if (entry.kind !== RECORD_BATCH_KIND)
    return `entry ${entry.seq} is a ${entry.kind}, not a ${RECORD_BATCH_KIND}`;
  const shape = recordBatchProblem(entry.payload);
  if (shape !== undefined) return `entry ${entry.seq}: ${shape}`;
  const { records, recordsRoot } = entry.payload as RecordBatchPayload;
  if (typeof recordIndex !== "number" || !Number.isSafeInteger(recordIndex) || recordIndex < 0)
    return "recordIndex is not a non-negative integer";
  if (recordIndex >= records) return `recordIndex ${recordIndex} is outside the batch of ${records} records`;
  if (!Array.isArray(recordProof)) return "recordProof is not an array";
  if (!verifyInclusion(leafHash(recordHash), recordIndex, records, recordProof as string[], recordsRoot))
    return `the record's inclusion proof does not lead to entry ${entry.seq}'s recordsRoot`;
  return undefined;
}

/**
 * Verifies a record receipt offline: the batch entry's receipt verifies (signature, range,
 * inclusion — see {@link verifyReceipt}), the entry is a record batch, and the record's
 * hash is included at `recordIndex` under its `recordsRoot`. Never throws.
 */
export function verifyRecordReceipt(
  receipt: RecordReceipt,
  keySet: KeySet,
  options: VerifyReceiptOptions = {},
): VerifyResult {
  if (typeof receipt !== "object" || receipt === null) return fail("record receipt is not an object");
  if (receipt.version !== 2) return fail(`unsupported record receipt version ${String(receipt.version)}`);
  if (!("record" in receipt)) return fail("record receipt has no record");
  let recordHash: string;
  try {
    recordHash = hashRecord(receipt.record);
  } catch (err) {
    return fail(`record has no canonical form: ${(err as Error).message}`);
  }
  const entryResult = verifyReceipt(receipt.receipt, keySet, options);
  if (!entryResult.valid) return entryResult;
  const entry = receipt.receipt.entry;
  const problem = recordInclusionProblem(recordHash, receipt.recordIndex, receipt.recordProof, entry);
  return problem === undefined ? { valid: true } : fail(problem, entry.seq);
}

/** A normalize response as the server answers it: its batch entry's receipt and every record. */
export interface RecordBatchResponse {
  readonly receipt: Receipt;
  /** Each record's logged fields plus `integrityHash` and `recordIndex`, in batch order. */
  readonly records: readonly Record<string, unknown>[];
}

/** Outcome of {@link verifyRecordBatchResponse}: the entry's, then one per record. */
export interface RecordBatchResult {
  readonly valid: boolean;
  readonly receipt: VerifyResult;
  readonly records: readonly VerifyResult[];
}

/** The logged fields of a record as answered (without what the server adds beside them). */
export function recordFields(answered: Record<string, unknown>): Record<string, unknown> {
  const { integrityHash: _h, recordIndex: _i, recordProof: _p, receipt: _r, ...fields } = answered;
  return fields;
}

/**
 * Verifies a whole normalize response offline: the batch entry's receipt verifies, every
 * record's `integrityHash` is the hash of its fields, the records are the batch's, in order
 * (`recordIndex` 0…n−1, n = the entry's `records`), and their tree's root is the entry's
 * `recordsRoot`. Names each bad record. Never throws.
 */
export function verifyRecordBatchResponse(
  response: RecordBatchResponse,
  keySet: KeySet,
  options: VerifyReceiptOptions = {},
): RecordBatchResult {
  const records = Array.isArray(response?.records) ? response.records : [];
  const entryResult =
    typeof response === "object" && response !== null
      ? verifyReceipt(response.receipt, keySet, options)
      : fail("response is not an object");
  const all = (result: VerifyResult): RecordBatchResult => ({
    valid: false,
    receipt: entryResult,
    records: records.map(() => result),
  });
  if (!entryResult.valid) return all(fail(`the batch entry's receipt is not valid: ${entryResult.reason}`));
  const entry = response.receipt.entry;
  if (entry.kind !== RECORD_BATCH_KIND)
    return all(fail(`entry ${entry.seq} is a ${entry.kind}, not a ${RECORD_BATCH_KIND}`, entry.seq));
  const shape = recordBatchProblem(entry.payload);
  if (shape !== undefined) return all(fail(`entry ${entry.seq}: ${shape}`, entry.seq));
  const payload = entry.payload as RecordBatchPayload;
  if (records.length !== payload.records)
    return all(
      fail(
        `entry ${entry.seq} seals ${payload.records} records, the response holds ${records.length}`,
        entry.seq,
      ),
    );
  // Leaf i: the hash of record i's fields when it checks out, else the hash it claims (so
  // the other records can still be proven included), else none.
  const leaves: (string | undefined)[] = [];
  let results: VerifyResult[] = records.map((answered, i) => {
    const claimed = isHash(answered?.integrityHash) ? (answered.integrityHash as string) : undefined;
    if (typeof answered !== "object" || answered === null) {
      leaves.push(undefined);
      return fail(`record ${i} is not an object`, entry.seq);
    }
    let computed: string;
    try {
      computed = hashRecord(recordFields(answered));
    } catch (err) {
      leaves.push(claimed);
      return fail(`record ${i} has no canonical form: ${(err as Error).message}`, entry.seq);
    }
    if (answered.integrityHash !== computed) {
      leaves.push(claimed);
      return fail(`record ${i} was altered: its fields do not hash to its integrityHash`, entry.seq);
    }
    leaves.push(computed);
    if (answered.recordIndex !== i)
      return fail(`record ${i} says recordIndex ${String(answered.recordIndex)}`, entry.seq);
    return { valid: true };
  });
  const known = leaves.filter((l): l is string => l !== undefined);
  const rootProblem =
    known.length !== leaves.length
      ? "a record without a readable integrityHash leaves the batch's root unprovable"
      : recordBatch(known).payload.recordsRoot !== payload.recordsRoot
        ? `the records do not hash to entry ${entry.seq}'s recordsRoot`
        : undefined;
  if (rootProblem !== undefined) results = results.map((r) => (r.valid ? fail(rootProblem, entry.seq) : r));
  return { valid: results.every((r) => r.valid), receipt: entryResult, records: results };
}
