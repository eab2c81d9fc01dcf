/**
 * Appending to the signed log. One transaction per batch: take the append advisory lock
 * (so every server process on the database appends in turn), read the tail, insert the
 * batch with consecutive sequence numbers, each entry's `prevHash` the previous entry's
 * hash. The primary key on `seq` backs this up: a fork or duplicate cannot commit.
 */
import { canonicalJson, hashEntry, type LogEntry, ZERO_HASH } from "@chronosync/core";
import type pg from "pg";
import { ServerError } from "../errors.js";
import { APPEND_LOCK } from "./rows.js";

/** Rows per INSERT statement. */
const ROWS_PER_INSERT = 5000;

export interface AppendedEntry {
  readonly entry: LogEntry;
  readonly entryHash: string;
}

/**
 * Turns a caller's payload into plain JSON (what jsonb stores and gives back), refusing
 * what PostgreSQL cannot store (U+0000) or JSON cannot express (canonicalJson throws).
 */
export function normalizePayload(payload: unknown): unknown {
  let text: string;
  try {
    text = canonicalJson(payload);
  } catch (err) {
    throw new ServerError("BAD_REQUEST", `log payload is not JSON: ${(err as Error).message}`, {
      cause: err,
    });
  }
  if (text.includes("\\u0000")) throw new ServerError("BAD_REQUEST", "log payload contains U+0000");
  return JSON.parse(text);
}

/** Runs `fn` in a transaction on `client`: COMMIT when it resolves, ROLLBACK when it throws. */
export async function inTransaction<T>(client: pg.ClientBase, fn: () => Promise<T>): Promise<T> {
  await client.query("BEGIN");
  try {
    const result = await fn();
    await client.query("COMMIT");
    return result;
  } catch (err) {
    await client.query("ROLLBACK").catch(() => {});
    throw err;
  }
}

/**
 * The entries `normalized` become after the log's `tail` (undefined: an empty log):
 * consecutive seqs, each `prevHash` the previous entry's hash.
 */
export function chainEntries(
  tail: { seq: string; entry_hash: string } | undefined,
  kind: string,
  normalized: readonly unknown[],
  time: string,
): AppendedEntry[] {
  let seq = tail === undefined ? 0n : BigInt(tail.seq) + 1n;
  let prevHash = tail?.entry_hash ?? ZERO_HASH;
  return normalized.map((payload) => {
    const entry: LogEntry = { seq: seq.toString(), kind, time, payload, prevHash };
    const entryHash = hashEntry(entry);
    seq += 1n;
    prevHash = entryHash;
    return { entry, entryHash };
  });
}

/**
 * Appends `payloads` (already {@link normalizePayload}d) as entries of `kind` at `time`;
 * `records[i]` is the records text of entry i when it is a record batch. Call inside a
 * transaction: the append lock is held until it ends.
 */
export async function appendEntries(
  client: pg.ClientBase,
  kind: string,
  normalized: readonly unknown[],
  time: string,
  records?: readonly (string | null)[],
): Promise<AppendedEntry[]> {
  await client.query("SELECT pg_advisory_xact_lock($1)", [APPEND_LOCK]);
  const tail = await client.query<{ seq: string; entry_hash: string }>(
    "SELECT seq, entry_hash FROM ledger_entries ORDER BY seq DESC LIMIT 1",
  );
  const appended = chainEntries(tail.rows[0], kind, normalized, time);
  for (let start = 0; start < appended.length; start += ROWS_PER_INSERT) {
    const end = start + ROWS_PER_INSERT;
    await insertRows(client, appended.slice(start, end), records?.slice(start, end));
  }
  return appended;
}

/**
 * One INSERT of `rows` through unnest() of one array per column (7 parameters whatever the
 * row count, so no statement grows with the batch). `records[i]` is row i's records text.
 */
async function insertRows(
  client: pg.ClientBase,
  rows: readonly AppendedEntry[],
  records: readonly (string | null)[] | undefined,
): Promise<void> {
  await client.query(
    `INSERT INTO ledger_entries (seq, kind, time, payload, prev_hash, entry_hash, records)
     SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::jsonb[], $5::text[], $6::text[], $7::text[])`,
    [
      rows.map((r) => r.entry.seq),
      rows.map((r) => r.entry.kind),
      rows.map((r) => r.entry.time),
      rows.map((r) => JSON.stringify(r.entry.payload)),
      rows.map((r) => r.entry.prevHash),
      rows.map((r) => r.entryHash),
      rows.map((_, i) => records?.[i] ?? null),
    ],
  );
}
