/**
 * Reading the signed log: receipts with inclusion proofs, pages of checkpoints, and
 * exports of a range widened to whole checkpoints so a verifier can recompute each
 * checkpoint's root from the entries it is given.
 */
import {
  type LogExport,
  leafHash,
  MerkleTree,
  RECORD_BATCH_KIND,
  type Receipt,
  type SignedCheckpoint,
} from "@chronosync/core";
import type pg from "pg";
import {
  type CheckpointRow,
  ENTRY_COLUMNS,
  type EntryRow,
  toExportedEntry,
  toLogEntry,
  toSignedCheckpoint,
} from "./rows.js";

/**
 * Most records of record batches in one export (the range ends at the batch that passes
 * it, widened to its checkpoint): about 100 MB of JSON.
 */
export const DEFAULT_MAX_EXPORT_RECORDS = 200_000;

/** Receipts of the entries `from..to` (inclusive), sealed ones with checkpoint and proof. */
export async function readReceipts(
  query: pg.Pool | pg.ClientBase,
  from: bigint,
  to: bigint,
): Promise<Receipt[]> {
  const entries = await query.query<EntryRow>(
    `SELECT ${ENTRY_COLUMNS} FROM ledger_entries WHERE seq BETWEEN $1 AND $2 ORDER BY seq`,
    [from.toString(), to.toString()],
  );
  if (entries.rows.length === 0) return [];
  const checkpoints = await query.query<CheckpointRow>(
    "SELECT * FROM ledger_checkpoints WHERE last_seq >= $1 AND first_seq <= $2 ORDER BY index",
    [from.toString(), to.toString()],
  );
  const sealed = new Map<string, { signed: SignedCheckpoint; tree: MerkleTree; first: bigint }>();
  for (const row of checkpoints.rows) {
    const hashes = await query.query<{ entry_hash: string }>(
      "SELECT entry_hash FROM ledger_entries WHERE seq BETWEEN $1 AND $2 ORDER BY seq",
      [row.first_seq, row.last_seq],
    );
    const tree = new MerkleTree(hashes.rows.map((h) => leafHash(h.entry_hash)));
    for (let seq = BigInt(row.first_seq); seq <= BigInt(row.last_seq); seq++) {
      if (seq >= from && seq <= to)
        sealed.set(seq.toString(), { signed: toSignedCheckpoint(row), tree, first: BigInt(row.first_seq) });
    }
  }
  return entries.rows.map((row) => {
    const base: Receipt = { version: 1, entry: toLogEntry(row), entryHash: row.entry_hash };
    const seal = sealed.get(row.seq);
    if (seal === undefined) return base;
    const leafIndex = Number(BigInt(row.seq) - seal.first);
    return { ...base, checkpoint: seal.signed, leafIndex, proof: seal.tree.inclusionProof(leafIndex) };
  });
}

/** A page of checkpoints in chain order, starting at checkpoint `fromIndex`. */
export async function readCheckpoints(
  query: pg.Pool | pg.ClientBase,
  fromIndex: bigint,
  limit: number,
): Promise<{ checkpoints: (SignedCheckpoint & { index: string })[]; nextIndex: string | null }> {
  const result = await query.query<CheckpointRow>(
    "SELECT * FROM ledger_checkpoints WHERE index >= $1 ORDER BY index LIMIT $2",
    [fromIndex.toString(), limit + 1],
  );
  const rows = result.rows.slice(0, limit);
  const more = result.rows[limit];
  return {
    checkpoints: rows.map((row) => ({ index: row.index, ...toSignedCheckpoint(row) })),
    nextIndex: more === undefined ? null : more.index,
  };
}

/**
 * The log from `from` to `to` (inclusive; `to` absent = the tail; shortened to hold at most
 * `maxRecords` records of record batches, and at least one entry), widened to the
 * boundaries of the checkpoints it touches, with those checkpoints and, after the last
 * checkpoint, the entries not sealed yet.
 */
export async function readExport(
  query: pg.Pool | pg.ClientBase,
  from: bigint,
  to?: bigint,
  maxRecords = DEFAULT_MAX_EXPORT_RECORDS,
): Promise<LogExport> {
  let bound = to ?? (1n << 63n) - 1n;
  // Record batches carry many records each: stop at the entry that passes the budget.
  const cut = await query.query<{ seq: string }>(
    `SELECT seq FROM (
       SELECT seq, sum(coalesce((payload->>'records')::bigint, 0)) OVER (ORDER BY seq) AS total
         FROM ledger_entries WHERE seq BETWEEN $1 AND $2 AND kind = $4) t
      WHERE total > $3 ORDER BY seq LIMIT 1`,
    [from.toString(), bound.toString(), maxRecords, RECORD_BATCH_KIND],
  );
  if (cut.rows[0] !== undefined) bound = BigInt(cut.rows[0].seq);
  const firstCp = await query.query<CheckpointRow>(
    "SELECT * FROM ledger_checkpoints WHERE first_seq <= $1 AND last_seq >= $1",
    [from.toString()],
  );
  const lastCp = await query.query<CheckpointRow>(
    "SELECT * FROM ledger_checkpoints WHERE first_seq <= $1 AND last_seq >= $1",
    [bound.toString()],
  );
  const start = firstCp.rows[0] === undefined ? from : BigInt(firstCp.rows[0].first_seq);
  const end = lastCp.rows[0] === undefined ? bound : BigInt(lastCp.rows[0].last_seq);
  const entries = await query.query<EntryRow>(
    "SELECT * FROM ledger_entries WHERE seq BETWEEN $1 AND $2 ORDER BY seq",
    [start.toString(), end.toString()],
  );
  const checkpoints = await query.query<CheckpointRow>(
    "SELECT * FROM ledger_checkpoints WHERE first_seq >= $1 AND last_seq <= $2 ORDER BY index",
    [start.toString(), end.toString()],
  );
  return {
    version: 1,
    entries: entries.rows.map(toExportedEntry),
    checkpoints: checkpoints.rows.map(toSignedCheckpoint),
  };
}
