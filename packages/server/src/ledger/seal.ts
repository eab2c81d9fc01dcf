/**
 * Sealing: unsealed entries (after the last checkpoint) become one checkpoint per batch
 * of at most `maxBatch` entries — an RFC 9162 Merkle root over their entry hashes,
 * chained to the previous checkpoint's hash, signed with the active Ed25519 key. Runs
 * under its own advisory lock; appends commit in sequence order (they hold the append
 * lock until commit), so the visible unsealed entries are always a gap-free prefix.
 */
import {
  type Checkpoint,
  hashCheckpoint,
  MerkleTree,
  type SignedCheckpoint,
  signCheckpoint,
  ZERO_HASH,
} from "@chronosync/core";
import type pg from "pg";
import type { ActiveKey, SigningKeyStore } from "../keys/signing-keys.js";
import { type CheckpointRow, SEAL_LOCK } from "./rows.js";

export interface SealOptions {
  readonly logId: string;
  readonly keys: SigningKeyStore;
  /** RFC 3339 time now (read after the locks are held, so it orders with rotations). */
  readonly now: () => string;
  readonly maxBatch: number;
}

/** A checkpoint made by {@link sealPending}, with its tree (for inclusion proofs). */
export interface Sealed {
  readonly signed: SignedCheckpoint;
  readonly tree: MerkleTree;
  readonly firstSeq: bigint;
}

/**
 * The signed checkpoint over consecutive entries `rows` (seq and entry hash, in order, at
 * least one) after checkpoint `last` (undefined: the log's first), its tree and its index.
 */
export function signBatch(
  rows: readonly { seq: string; entry_hash: string }[],
  last: CheckpointRow | undefined,
  logId: string,
  time: string,
  key: ActiveKey,
): { signed: SignedCheckpoint; tree: MerkleTree; index: bigint } {
  const tree = MerkleTree.ofLeafData(rows.map((r) => r.entry_hash));
  const checkpoint: Checkpoint = {
    logId,
    firstSeq: rows[0]!.seq,
    lastSeq: rows[rows.length - 1]!.seq,
    treeSize: rows.length,
    rootHash: tree.root,
    prevCheckpointHash: last === undefined ? ZERO_HASH : last.checkpoint_hash,
    time,
    keyId: key.keyId,
  };
  return {
    signed: signCheckpoint(checkpoint, key.privateKey),
    tree,
    index: last === undefined ? 0n : BigInt(last.index) + 1n,
  };
}

/**
 * Seals every unsealed entry visible to `client`, in batches; returns the checkpoints
 * made. Call inside a transaction (the seal lock is held until it ends).
 */
export async function sealPending(client: pg.ClientBase, options: SealOptions): Promise<Sealed[]> {
  await client.query("SELECT pg_advisory_xact_lock($1)", [SEAL_LOCK]);
  let last = (
    await client.query<CheckpointRow>("SELECT * FROM ledger_checkpoints ORDER BY index DESC LIMIT 1")
  ).rows[0];
  const made: Sealed[] = [];
  for (;;) {
    const from = last === undefined ? 0n : BigInt(last.last_seq) + 1n;
    const entries = await client.query<{ seq: string; entry_hash: string }>(
      "SELECT seq, entry_hash FROM ledger_entries WHERE seq >= $1 ORDER BY seq LIMIT $2",
      [from.toString(), options.maxBatch],
    );
    const rows = entries.rows;
    const first = rows[0];
    const lastEntry = rows[rows.length - 1];
    // Nothing to seal, or the next entry is not visible yet: never seal across a gap.
    if (first === undefined || lastEntry === undefined || BigInt(first.seq) !== from) return made;
    const key = await options.keys.activeKey(client);
    const { signed, tree, index } = signBatch(rows, last, options.logId, options.now(), key);
    const checkpoint = signed.checkpoint;
    const inserted = await client.query<CheckpointRow>(
      `INSERT INTO ledger_checkpoints (index, log_id, first_seq, last_seq, tree_size, root_hash,
         prev_checkpoint_hash, time, key_id, signature, checkpoint_hash)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING *`,
      [
        index.toString(),
        checkpoint.logId,
        checkpoint.firstSeq,
        checkpoint.lastSeq,
        checkpoint.treeSize,
        checkpoint.rootHash,
        checkpoint.prevCheckpointHash,
        checkpoint.time,
        checkpoint.keyId,
        signed.signature,
        hashCheckpoint(checkpoint),
      ],
    );
    last = inserted.rows[0];
    made.push({ signed, tree, firstSeq: from });
    // A short batch took every visible entry: no need to look again.
    if (rows.length < options.maxBatch) return made;
  }
}
