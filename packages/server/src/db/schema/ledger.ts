/**
 * The signed log's tables. Both are append-only: a migration installs triggers that
 * refuse UPDATE, DELETE and TRUNCATE (see migrations/*_append_only.sql).
 * `time` is text because the entry hash covers its RFC 3339 nanosecond form exactly
 * (timestamptz keeps microseconds only).
 */
import { bigint, index, integer, jsonb, pgTable, text } from "drizzle-orm/pg-core";

export const ledgerEntries = pgTable("ledger_entries", {
  seq: bigint("seq", { mode: "bigint" }).primaryKey(),
  kind: text("kind").notNull(),
  time: text("time").notNull(),
  payload: jsonb("payload").notNull(),
  prevHash: text("prev_hash").notNull(),
  entryHash: text("entry_hash").notNull(),
  /**
   * A record batch's records (kind `timestamp.batch`): a JSON array of each record's
   * canonical JSON, in leaf order; the entry's payload holds their Merkle root and count.
   * Not part of the entry hash: bound to it through `recordsRoot`. Null for other kinds.
   */
  records: text("records"),
});

export const ledgerCheckpoints = pgTable(
  "ledger_checkpoints",
  {
    /** 0, 1, 2, … in chain order. */
    index: bigint("index", { mode: "bigint" }).primaryKey(),
    logId: text("log_id").notNull(),
    firstSeq: bigint("first_seq", { mode: "bigint" }).notNull(),
    lastSeq: bigint("last_seq", { mode: "bigint" }).notNull(),
    treeSize: integer("tree_size").notNull(),
    rootHash: text("root_hash").notNull(),
    prevCheckpointHash: text("prev_checkpoint_hash").notNull(),
    time: text("time").notNull(),
    keyId: text("key_id").notNull(),
    signature: text("signature").notNull(),
    checkpointHash: text("checkpoint_hash").notNull(),
  },
  (t) => [index("ledger_checkpoints_last_seq_idx").on(t.lastSeq)],
);
