/**
 * Append and seal in one transaction with two round trips to the database (the hot path
 * of every normalize commit; the general path takes about ten):
 *
 * 1. one simple query: BEGIN, the append, seal and key locks, the log's tail, the last
 *    checkpoint and the active key;
 * 2. one simple query: INSERT the entries, INSERT their checkpoint, COMMIT.
 *
 * The second carries its values as escaped literals ({@link lit}): a simple query takes no
 * parameters, and only a simple query holds several statements. Its own values are hex,
 * decimal, RFC 3339 and base64; the payload and records texts are JSON, escaped whatever
 * they hold. When the tail is not sealed (another process appended without sealing, or
 * died in between), the batch is too big for one checkpoint or there is no active key, the
 * general path runs inside the same transaction.
 */
import { hashCheckpoint } from "@chronosync/core";
import type pg from "pg";
import { ACTIVE_KEY_SQL } from "../keys/signing-keys.js";
import { type AppendedEntry, appendEntries, chainEntries } from "./append.js";
import { APPEND_LOCK, type CheckpointRow, SEAL_LOCK } from "./rows.js";
import { type Sealed, type SealOptions, sealPending, signBatch } from "./seal.js";

/**
 * `text` as an SQL string literal, whatever `standard_conforming_strings` says: `'…'` with
 * quotes doubled, or `E'…'` with backslashes doubled too when it holds a backslash — what
 * node-postgres' `escapeLiteral` does, without its character-by-character concatenation
 * (which made half a megabyte of records cost 35 ms of garbage collection).
 */
export function lit(text: string): string {
  const quote = text.includes("'");
  const backslash = text.includes("\\");
  if (!quote && !backslash) return `'${text}'`;
  const quoted = quote ? text.replaceAll("'", "''") : text;
  if (!backslash) return `'${quoted}'`;
  return ` E'${quoted.replaceAll("\\", "\\\\")}'`;
}

/**
 * Appends `normalized` payloads of `kind` (`records[i]`: the records text of entry i when
 * it is a record batch) and seals them, in one transaction on `client`.
 */
export async function appendSealed(
  client: pg.ClientBase,
  kind: string,
  normalized: readonly unknown[],
  records: readonly (string | null)[] | undefined,
  options: SealOptions,
): Promise<[AppendedEntry[], Sealed[]]> {
  try {
    const results = (await client.query(
      `BEGIN;
       SELECT pg_advisory_xact_lock(${APPEND_LOCK});
       SELECT pg_advisory_xact_lock(${SEAL_LOCK});
       ${ACTIVE_KEY_SQL};
       SELECT seq, entry_hash FROM ledger_entries ORDER BY seq DESC LIMIT 1;
       SELECT * FROM ledger_checkpoints ORDER BY index DESC LIMIT 1`,
    )) as unknown as pg.QueryResult[];
    const keyRow = results[4]?.rows[0];
    const tail = results[5]?.rows[0] as { seq: string; entry_hash: string } | undefined;
    const last = results[6]?.rows[0] as CheckpointRow | undefined;
    const tailSeq = tail === undefined ? -1n : BigInt(tail.seq);
    const sealedTo = last === undefined ? -1n : BigInt(last.last_seq);
    const key = options.keys.activeKeyOf(keyRow);
    if (tailSeq !== sealedTo || normalized.length > options.maxBatch || key === undefined) {
      const entries = await appendEntries(client, kind, normalized, options.now(), records);
      const sealed = await sealPending(client, options);
      await client.query("COMMIT");
      return [entries, sealed];
    }
    const time = options.now();
    const appended = chainEntries(tail, kind, normalized, time);
    const { signed, tree, index } = signBatch(
      appended.map((a) => ({ seq: a.entry.seq, entry_hash: a.entryHash })),
      last,
      options.logId,
      time,
      key,
    );
    const checkpoint = signed.checkpoint;
    const rows = appended.map(({ entry, entryHash }, i) => {
      const text = records?.[i];
      return (
        `(${entry.seq}, ${lit(kind)}, ${lit(time)}, ${lit(JSON.stringify(entry.payload))}::jsonb, ` +
        `${lit(entry.prevHash)}, ${lit(entryHash)}, ${text === undefined || text === null ? "NULL" : lit(text)})`
      );
    });
    await client.query(
      `INSERT INTO ledger_entries (seq, kind, time, payload, prev_hash, entry_hash, records) VALUES ${rows.join(",")};
       INSERT INTO ledger_checkpoints (index, log_id, first_seq, last_seq, tree_size, root_hash,
         prev_checkpoint_hash, time, key_id, signature, checkpoint_hash)
       VALUES (${index}, ${lit(checkpoint.logId)}, ${checkpoint.firstSeq}, ${checkpoint.lastSeq},
         ${checkpoint.treeSize}, ${lit(checkpoint.rootHash)}, ${lit(checkpoint.prevCheckpointHash)},
         ${lit(time)}, ${lit(checkpoint.keyId)}, ${lit(signed.signature)}, ${lit(hashCheckpoint(checkpoint))});
       COMMIT`,
    );
    return [appended, [{ signed, tree, firstSeq: BigInt(checkpoint.firstSeq) }]];
  } catch (err) {
    await client.query("ROLLBACK").catch(() => {});
    throw err;
  }
}
