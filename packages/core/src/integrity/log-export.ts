/**
 * Log exports: a range of entries with the signed checkpoints that seal them, verified
 * offline — hash chain (prevHash links, no gap), each checkpoint's RFC 9162 root over its
 * batch, signatures, checkpoint chain — naming the first bad entry or checkpoint.
 */
import { checkpointSignatureProblem, hashCheckpoint, type SignedCheckpoint } from "./checkpoint.js";
import { ZERO_HASH } from "./digest.js";
import type { KeySet } from "./key-set.js";
import { hashEntry, type LogEntry, logEntryProblem } from "./log-entry.js";
import { leafHash, merkleRoot } from "./merkle.js";
import { RECORD_BATCH_KIND, recordsProblem } from "./record-batch.js";

/**
 * An exported entry: the entry, plus, for a record batch, the records it seals (parsed,
 * in order) — not part of the entry hash, checked against the entry's `recordsRoot`.
 */
export type ExportedEntry = LogEntry & { readonly records?: readonly unknown[] };

/** A range of the log: consecutive entries and the checkpoints sealing (whole batches of) them. */
export interface LogExport {
  readonly version: 1;
  readonly entries: readonly ExportedEntry[];
  readonly checkpoints: readonly SignedCheckpoint[];
}

/** Which check failed, and where. */
export interface LogExportFailureDetail {
  readonly check: "shape" | "seq" | "chain" | "checkpoint" | "records";
  readonly entryIndex?: number;
  readonly checkpointIndex?: number;
}

/** Outcome of {@link verifyLogExport}. */
export type LogExportResult =
  | { readonly valid: true }
  | {
      readonly valid: false;
      readonly code: "CRYPTO_VERIFICATION_FAILED";
      readonly reason: string;
      readonly firstBadSeq?: string;
      readonly detail: LogExportFailureDetail;
    };

type Failure = Extract<LogExportResult, { valid: false }>;

function failure(reason: string, detail: LogExportFailureDetail, firstBadSeq?: string): Failure {
  const base = { valid: false as const, code: "CRYPTO_VERIFICATION_FAILED" as const, reason, detail };
  return firstBadSeq === undefined ? base : { ...base, firstBadSeq };
}

/**
 * The first break in the hash chain. A broken link a→b (b.prevHash ≠ hash(a)) blames a
 * when the link b→c holds (c vouches for b) or b is the last entry (undecidable: the
 * earlier one is named), else b (b itself changed, breaking both of its links).
 */
function chainFailure(entries: readonly LogEntry[], hashes: readonly string[]): Failure | undefined {
  const first = entries[0];
  if (first?.seq === "0" && first.prevHash !== ZERO_HASH) {
    return failure("entry 0 has a non-zero prevHash", { check: "chain", entryIndex: 0 }, "0");
  }
  for (let i = 1; i < entries.length; i++) {
    const prev = entries[i - 1]!;
    const entry = entries[i]!;
    const expected = BigInt(prev.seq) + 1n;
    if (BigInt(entry.seq) !== expected) {
      const reason = `expected seq ${expected} after ${prev.seq}, found ${entry.seq} (gap, reorder or duplicate)`;
      return failure(reason, { check: "seq", entryIndex: i }, String(expected));
    }
    if (entry.prevHash !== hashes[i - 1]) {
      const next = entries[i + 1];
      const blamePrev = next === undefined || next.prevHash === hashes[i];
      const bad = blamePrev ? i - 1 : i;
      const seq = entries[bad]!.seq;
      const reason = blamePrev
        ? `entry ${seq} was altered: entry ${entry.seq} recorded a different hash for it`
        : `entry ${seq} does not chain to entry ${prev.seq} (prevHash mismatch)`;
      return failure(reason, { check: "chain", entryIndex: bad }, seq);
    }
  }
  return undefined;
}

function checkpointFailure(exp: LogExport, hashes: readonly string[], keySet: KeySet): Failure | undefined {
  const firstSeq = exp.entries.length > 0 ? BigInt(exp.entries[0]!.seq) : 0n;
  for (const [i, signed] of exp.checkpoints.entries()) {
    const detail = { check: "checkpoint" as const, checkpointIndex: i };
    const problem = checkpointSignatureProblem(signed, keySet);
    const seq = signed?.checkpoint?.firstSeq;
    if (problem !== undefined)
      return failure(`checkpoint ${i}: ${problem}`, detail, typeof seq === "string" ? seq : undefined);
    const cp = signed.checkpoint;
    const prev = exp.checkpoints[i - 1]?.checkpoint;
    if (prev !== undefined) {
      if (BigInt(cp.firstSeq) !== BigInt(prev.lastSeq) + 1n) {
        return failure(
          `checkpoint ${i} starts at ${cp.firstSeq}, not after ${prev.lastSeq}`,
          detail,
          cp.firstSeq,
        );
      }
      if (cp.prevCheckpointHash !== hashCheckpoint(prev)) {
        return failure(`checkpoint ${i} does not chain to checkpoint ${i - 1}`, detail, cp.firstSeq);
      }
      if (cp.logId !== prev.logId) return failure(`checkpoint ${i} names another log`, detail, cp.firstSeq);
    } else if (cp.firstSeq === "0" && cp.prevCheckpointHash !== ZERO_HASH) {
      return failure("the first checkpoint has a non-zero prevCheckpointHash", detail, cp.firstSeq);
    }
    const from = BigInt(cp.firstSeq) - firstSeq;
    const to = BigInt(cp.lastSeq) - firstSeq;
    if (from < 0n || to >= BigInt(exp.entries.length)) {
      const reason = `checkpoint ${i} seals ${cp.firstSeq}..${cp.lastSeq}, not all in the export (export whole batches)`;
      return failure(reason, detail, cp.firstSeq);
    }
    const leaves = hashes.slice(Number(from), Number(to) + 1).map((h) => leafHash(h));
    if (merkleRoot(leaves) !== cp.rootHash) {
      return failure(
        `checkpoint ${i}: root over entries ${cp.firstSeq}..${cp.lastSeq} does not match`,
        detail,
        cp.firstSeq,
      );
    }
  }
  return undefined;
}

/** The first record batch whose records do not match its `recordsRoot`. */
function recordsFailure(entries: readonly ExportedEntry[]): Failure | undefined {
  for (const [i, entry] of entries.entries()) {
    if (entry.kind !== RECORD_BATCH_KIND || entry.records === undefined) continue;
    const problem = Array.isArray(entry.records)
      ? recordsProblem(entry, entry.records)
      : `entry ${entry.seq}: records is not an array`;
    if (problem !== undefined) return failure(problem, { check: "records", entryIndex: i }, entry.seq);
  }
  return undefined;
}

/**
 * Verifies a log export offline against published keys. Entries must be consecutive; each
 * checkpoint must seal a batch wholly inside the export; a record batch's `records`, when
 * the export carries them, must hash to its `recordsRoot`. Names the FIRST bad seq: a chain
 * break inside (or before) the first failing checkpoint's batch wins over that checkpoint.
 * Never throws.
 */
export function verifyLogExport(exp: LogExport, keySet: KeySet): LogExportResult {
  if (typeof exp !== "object" || exp === null || exp.version !== 1) {
    return failure("not a version 1 log export", { check: "shape" });
  }
  if (!Array.isArray(exp.entries) || !Array.isArray(exp.checkpoints)) {
    return failure("entries and checkpoints must be arrays", { check: "shape" });
  }
  const hashes: string[] = [];
  for (const [i, entry] of exp.entries.entries()) {
    const problem = logEntryProblem(entry);
    const seq = (entry as { seq?: unknown } | null)?.seq;
    const at = typeof seq === "string" ? seq : undefined;
    if (problem !== undefined)
      return failure(`entry ${i}: ${problem}`, { check: "shape", entryIndex: i }, at);
    try {
      hashes.push(hashEntry(entry));
    } catch (err) {
      return failure(
        `entry ${entry.seq}: ${(err as Error).message}`,
        { check: "shape", entryIndex: i },
        entry.seq,
      );
    }
  }
  const chain = chainFailure(exp.entries, hashes) ?? recordsFailure(exp.entries);
  const sealing = checkpointFailure(exp, hashes, keySet);
  if (chain === undefined) return sealing ?? { valid: true };
  if (sealing === undefined) return chain;
  const cpLast = exp.checkpoints[sealing.detail.checkpointIndex ?? 0]?.checkpoint?.lastSeq;
  const chainSeq = BigInt(chain.firstBadSeq ?? "0");
  return typeof cpLast === "string" && /^\d+$/.test(cpLast) && BigInt(cpLast) < chainSeq ? sealing : chain;
}
