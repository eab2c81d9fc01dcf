/**
 * Receipts: what the log hands back for one appended entry — the entry, its hash and,
 * once its batch is sealed, the signed checkpoint and the RFC 9162 inclusion proof
 * (https://www.rfc-editor.org/rfc/rfc9162#section-2.1.3). Verifiable offline with the
 * published key set.
 */
import {
  type Checkpoint,
  checkpointProblem,
  checkpointSignatureProblem,
  hashCheckpoint,
  type SignedCheckpoint,
} from "./checkpoint.js";
import { isHash } from "./digest.js";
import type { KeySet } from "./key-set.js";
import { hashEntry, type LogEntry, logEntryProblem } from "./log-entry.js";
import { leafHash, MerkleTree, verifyInclusion } from "./merkle.js";

/**
 * Outcome of verifying a receipt (and the shape every verifier answers with). `sealed:
 * false` marks the one failure that is not tampering: the receipt carries no checkpoint
 * yet, so nothing signed vouches for the entry (fetch the receipt again later).
 */
export type VerifyResult =
  | { readonly valid: true }
  | {
      readonly valid: false;
      readonly code: "CRYPTO_VERIFICATION_FAILED";
      readonly reason: string;
      readonly firstBadSeq?: string;
      readonly sealed?: false;
    };

/** Proof that one entry is in the log. No checkpoint: not sealed yet (ask again later). */
export interface Receipt {
  readonly version: 1;
  readonly entry: LogEntry;
  readonly entryHash: string;
  readonly checkpoint?: SignedCheckpoint;
  /** Position of the entry in its checkpoint's batch: seq − firstSeq. */
  readonly leafIndex?: number;
  /** Inclusion proof (hex hashes, leaf to root) of the entry in the checkpoint's tree. */
  readonly proof?: readonly string[];
}

/** Options of {@link verifyReceipt}. */
export interface VerifyReceiptOptions {
  /**
   * Checkpoint signature checks already made WITH THE SAME key set, keyed by checkpoint
   * hash and signature: receipts of one batch share a checkpoint, so one Ed25519
   * verification serves them all. Pass a new Map per key set (e.g. per request).
   */
  readonly checkpointCache?: Map<string, string | undefined>;
}

/** The signature problem of `signed` (see checkpointSignatureProblem), remembered in `cache`. */
function signatureProblem(
  signed: SignedCheckpoint,
  keySet: KeySet,
  cache: Map<string, string | undefined> | undefined,
): string | undefined {
  const cacheable =
    cache !== undefined &&
    typeof signed === "object" &&
    signed !== null &&
    typeof signed.signature === "string" &&
    checkpointProblem(signed.checkpoint) === undefined;
  if (!cacheable) return checkpointSignatureProblem(signed, keySet);
  const key = `${hashCheckpoint(signed.checkpoint)}:${signed.signature}`;
  if (cache.has(key)) return cache.get(key);
  const problem = checkpointSignatureProblem(signed, keySet);
  cache.set(key, problem);
  return problem;
}

function fail(reason: string, firstBadSeq?: string): VerifyResult {
  return firstBadSeq === undefined
    ? { valid: false, code: "CRYPTO_VERIFICATION_FAILED", reason }
    : { valid: false, code: "CRYPTO_VERIFICATION_FAILED", reason, firstBadSeq };
}

/**
 * The receipt for `entry`: unsealed without `sealed`, else with `sealed.checkpoint` and the
 * inclusion proof over `sealed.batch` (the checkpoint's entries, in order).
 */
export function buildReceipt(
  entry: LogEntry,
  sealed?: { checkpoint: SignedCheckpoint; batch: readonly LogEntry[] | MerkleTree },
): Receipt {
  const entryHash = hashEntry(entry);
  if (sealed === undefined) return { version: 1, entry, entryHash };
  const cp: Checkpoint = sealed.checkpoint.checkpoint;
  const leafIndex = Number(BigInt(entry.seq) - BigInt(cp.firstSeq));
  const tree =
    sealed.batch instanceof MerkleTree ? sealed.batch : MerkleTree.ofLeafData(sealed.batch.map(hashEntry));
  return {
    version: 1,
    entry,
    entryHash,
    checkpoint: sealed.checkpoint,
    leafIndex,
    proof: tree.inclusionProof(leafIndex),
  };
}

/**
 * Verifies a receipt offline: the entry hashes to `entryHash`, the checkpoint is signed by
 * a published key valid at its time, covers the entry's seq at `leafIndex`, and the
 * inclusion proof leads to its root. A receipt without a checkpoint is NOT valid (anyone
 * can hash an entry of their own): it answers `valid: false` with `sealed: false` and the
 * reason "not sealed …" once its hash checks out. Never throws.
 * @see https://www.rfc-editor.org/rfc/rfc9162#section-2.1.3.2
 */
export function verifyReceipt(
  receipt: Receipt,
  keySet: KeySet,
  options: VerifyReceiptOptions = {},
): VerifyResult {
  if (typeof receipt !== "object" || receipt === null) return fail("receipt is not an object");
  if (receipt.version !== 1) return fail(`unsupported receipt version ${String(receipt.version)}`);
  const shape = logEntryProblem(receipt.entry);
  if (shape !== undefined) return fail(shape);
  const seq = receipt.entry.seq;
  let computed: string;
  try {
    computed = hashEntry(receipt.entry);
  } catch (err) {
    return fail(`entry has no canonical form: ${(err as Error).message}`, seq);
  }
  if (!isHash(receipt.entryHash) || computed !== receipt.entryHash) {
    return fail(`entry ${seq} does not hash to entryHash (computed ${computed})`, seq);
  }
  if (receipt.checkpoint === undefined) {
    return {
      valid: false,
      code: "CRYPTO_VERIFICATION_FAILED",
      reason: `not sealed: entry ${seq} has no signed checkpoint yet (only its hash was checked)`,
      sealed: false,
    };
  }
  const problem = signatureProblem(receipt.checkpoint, keySet, options.checkpointCache);
  if (problem !== undefined) return fail(problem, seq);
  const cp = receipt.checkpoint.checkpoint;
  const index = BigInt(seq) - BigInt(cp.firstSeq);
  if (index < 0n || BigInt(seq) > BigInt(cp.lastSeq)) {
    return fail(`entry ${seq} is outside the checkpoint's range ${cp.firstSeq}..${cp.lastSeq}`, seq);
  }
  if (receipt.leafIndex !== Number(index)) {
    return fail(`leafIndex ${String(receipt.leafIndex)} is not seq ${seq} − firstSeq ${cp.firstSeq}`, seq);
  }
  if (!Array.isArray(receipt.proof)) return fail("sealed receipt without an inclusion proof", seq);
  if (!verifyInclusion(leafHash(computed), receipt.leafIndex, cp.treeSize, receipt.proof, cp.rootHash)) {
    return fail(`inclusion proof of entry ${seq} does not lead to the checkpoint's root`, seq);
  }
  return { valid: true };
}
