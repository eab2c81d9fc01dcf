/** Row shapes of the log tables as node-postgres returns them (int8 as decimal strings). */
import type { ExportedEntry, LogEntry, SignedCheckpoint } from "@chronosync/core";

export interface EntryRow {
  seq: string;
  kind: string;
  time: string;
  payload: unknown;
  prev_hash: string;
  entry_hash: string;
  /** A record batch's records (JSON array text); only read by exports. */
  records?: string | null;
}

/** The columns of an entry without its records (receipts never carry them). */
export const ENTRY_COLUMNS = "seq, kind, time, payload, prev_hash, entry_hash";

export interface CheckpointRow {
  index: string;
  log_id: string;
  first_seq: string;
  last_seq: string;
  tree_size: number;
  root_hash: string;
  prev_checkpoint_hash: string;
  time: string;
  key_id: string;
  signature: string;
  checkpoint_hash: string;
}

/** Advisory lock key that serializes appends across processes ("csla"). */
export const APPEND_LOCK = 0x63736c61;
/** Advisory lock key that serializes sealing across processes ("csls"). */
export const SEAL_LOCK = 0x63736c73;

export function toLogEntry(row: EntryRow): LogEntry {
  return { seq: row.seq, kind: row.kind, time: row.time, payload: row.payload, prevHash: row.prev_hash };
}

/**
 * An entry of an export: the entry, plus a record batch's parsed records. Records text that
 * is not a JSON array (altered through SQL) is passed on as is, for the verifier to refuse.
 */
export function toExportedEntry(row: EntryRow): ExportedEntry {
  const entry = toLogEntry(row);
  if (row.records === null || row.records === undefined) return entry;
  let records: unknown;
  try {
    records = JSON.parse(row.records);
  } catch {
    records = row.records;
  }
  return { ...entry, records: records as unknown[] };
}

export function toSignedCheckpoint(row: CheckpointRow): SignedCheckpoint {
  return {
    checkpoint: {
      logId: row.log_id,
      firstSeq: row.first_seq,
      lastSeq: row.last_seq,
      treeSize: row.tree_size,
      rootHash: row.root_hash,
      prevCheckpointHash: row.prev_checkpoint_hash,
      time: row.time,
      keyId: row.key_id,
    },
    signature: row.signature,
  };
}
