/**
 * Checkpoints: each seals one batch of consecutive log entries under its own RFC 9162
 * Merkle root, chains to the previous checkpoint's hash, and is signed with Ed25519
 * (RFC 8032) over `"chronosync-checkpoint-v1\n" || canonicalJson(checkpoint)`.
 * Byte format: docs/ledger-format.md.
 */
import { sign, verify } from "node:crypto";
import { parseRfc3339 } from "../rfc3339.js";
import { canonicalJson } from "./canonical-json.js";
import { isHash, sha256, toHex, ZERO_HASH } from "./digest.js";
import { type KeyInput, type KeySet, publicKeyOf, toKeyObject } from "./key-set.js";
import { hashEntry, isSeq, type LogEntry } from "./log-entry.js";
import { leafHash, merkleRoot } from "./merkle.js";

/** Domain separation prefix of the checkpoint signing input and checkpoint hash. */
export const CHECKPOINT_PREFIX = "chronosync-checkpoint-v1\n";

/** The sealed statement about one batch `firstSeq..lastSeq` of the log `logId`. */
export interface Checkpoint {
  readonly logId: string;
  readonly firstSeq: string;
  readonly lastSeq: string;
  /** lastSeq − firstSeq + 1: the leaves of this batch's tree. */
  readonly treeSize: number;
  /** RFC 9162 root over leafHash(hashEntry(e)) for the batch's entries, in seq order. */
  readonly rootHash: string;
  /** {@link hashCheckpoint} of the previous checkpoint; 64 zeros for the first. */
  readonly prevCheckpointHash: string;
  /** RFC 3339: when the batch was sealed. */
  readonly time: string;
  /** Key id of the signing key in the published {@link KeySet}. */
  readonly keyId: string;
}

/** A checkpoint and its Ed25519 signature (base64 of 64 bytes). */
export interface SignedCheckpoint {
  readonly checkpoint: Checkpoint;
  readonly signature: string;
}

function signingInput(cp: Checkpoint): string {
  const { logId, firstSeq, lastSeq, treeSize, rootHash, prevCheckpointHash, time, keyId } = cp;
  return (
    CHECKPOINT_PREFIX +
    canonicalJson({ logId, firstSeq, lastSeq, treeSize, rootHash, prevCheckpointHash, time, keyId })
  );
}

/** Hex SHA-256 of the checkpoint's signing input (the signature is not part of it). */
export function hashCheckpoint(cp: Checkpoint): string {
  return toHex(sha256(signingInput(cp)));
}

/** Signs `cp` with an Ed25519 private key (KeyObject or PEM). */
export function signCheckpoint(cp: Checkpoint, privateKey: KeyInput): SignedCheckpoint {
  const signature = sign(null, Buffer.from(signingInput(cp), "utf8"), toKeyObject(privateKey, "private"));
  return { checkpoint: cp, signature: signature.toString("base64") };
}

/** Who seals: the log, the sealing time (RFC 3339) and the signing key's id. */
export interface CheckpointMeta {
  readonly logId: string;
  readonly time: string;
  readonly keyId: string;
}

/**
 * The checkpoint sealing `entries` (consecutive, in order, non-empty) after `previous`
 * (undefined for the log's first checkpoint).
 */
export function buildCheckpoint(
  entries: readonly LogEntry[],
  previous: Checkpoint | undefined,
  meta: CheckpointMeta,
): Checkpoint {
  const first = entries[0];
  if (first === undefined) throw new RangeError("a checkpoint seals at least one entry");
  return buildCheckpointFromHashes(first.seq, entries.map(hashEntry), previous, meta);
}

/**
 * Like {@link buildCheckpoint}, from the entry hashes (hex, in seq order) of the batch
 * starting at `firstSeq`: for a log that stored them at append time.
 */
export function buildCheckpointFromHashes(
  firstSeq: string,
  entryHashes: readonly string[],
  previous: Checkpoint | undefined,
  meta: CheckpointMeta,
): Checkpoint {
  if (entryHashes.length === 0) throw new RangeError("a checkpoint seals at least one entry");
  if (!isSeq(firstSeq)) throw new RangeError(`firstSeq ${JSON.stringify(firstSeq)} is not a decimal string`);
  return {
    logId: meta.logId,
    firstSeq,
    lastSeq: String(BigInt(firstSeq) + BigInt(entryHashes.length - 1)),
    treeSize: entryHashes.length,
    rootHash: merkleRoot(entryHashes.map((h) => leafHash(h))),
    prevCheckpointHash: previous === undefined ? ZERO_HASH : hashCheckpoint(previous),
    time: meta.time,
    keyId: meta.keyId,
  };
}

/** Why `value` is not a well-formed checkpoint (or its range is inconsistent), else undefined. */
export function checkpointProblem(value: unknown): string | undefined {
  if (typeof value !== "object" || value === null) return "checkpoint is not an object";
  const c = value as Record<string, unknown>;
  if (typeof c.logId !== "string" || typeof c.time !== "string" || typeof c.keyId !== "string") {
    return "checkpoint logId, time or keyId is not a string";
  }
  if (!isSeq(c.firstSeq) || !isSeq(c.lastSeq)) return "checkpoint firstSeq/lastSeq is not a decimal string";
  if (!isHash(c.rootHash) || !isHash(c.prevCheckpointHash))
    return "checkpoint hash is not 64 lowercase hex digits";
  const size = BigInt(c.lastSeq) - BigInt(c.firstSeq) + 1n;
  if (typeof c.treeSize !== "number" || size < 1n || BigInt(c.treeSize) !== size) {
    return `checkpoint treeSize ${String(c.treeSize)} does not match seq ${c.firstSeq}..${c.lastSeq}`;
  }
  return undefined;
}

function instant(text: string): bigint | undefined {
  try {
    return parseRfc3339(text);
  } catch {
    return undefined;
  }
}

/**
 * Verifies a signed checkpoint against published keys: well-formed, signed by the key it
 * names, and dated before that key's `retiredAt` (if any). Returns the reason it fails,
 * or undefined when it verifies. Never throws.
 */
export function checkpointSignatureProblem(signed: SignedCheckpoint, keySet: KeySet): string | undefined {
  if (typeof signed !== "object" || signed === null) return "signed checkpoint is not an object";
  const problem = checkpointProblem(signed.checkpoint);
  if (problem !== undefined) return problem;
  const cp = signed.checkpoint;
  const keys = Array.isArray(keySet?.keys) ? keySet.keys : [];
  const key = keys.find((k) => k?.keyId === cp.keyId);
  if (key === undefined) return `checkpoint signed by unknown key ${cp.keyId}`;
  const publicKey = publicKeyOf(key);
  if (typeof publicKey === "string") return publicKey;
  const time = instant(cp.time);
  if (time === undefined) return `checkpoint time ${JSON.stringify(cp.time)} is not RFC 3339`;
  if (key.retiredAt !== undefined) {
    const retired = instant(key.retiredAt);
    if (retired === undefined || time >= retired) return `key ${key.keyId} was retired before ${cp.time}`;
  }
  if (typeof signed.signature !== "string") return "signature is not a string";
  const signature = Buffer.from(signed.signature, "base64");
  if (signature.length !== 64) return "signature is not base64 of 64 bytes";
  try {
    if (verify(null, Buffer.from(signingInput(cp), "utf8"), publicKey, signature)) return undefined;
  } catch {
    // an unencodable checkpoint cannot carry a valid signature
  }
  return `checkpoint signature does not verify with key ${key.keyId}`;
}

/** Verifies a signed checkpoint's signature and key (see {@link checkpointSignatureProblem}). */
export function verifyCheckpoint(signed: SignedCheckpoint, keySet: KeySet): boolean {
  return checkpointSignatureProblem(signed, keySet) === undefined;
}
