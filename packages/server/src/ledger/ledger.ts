/**
 * The signed, append-only log of a server process: `append` writes a batch and (by
 * default) seals it at once, answering full receipts; a background timer seals whatever
 * another process left unsealed. Several processes may share one database.
 */
import { randomUUID } from "node:crypto";
import {
  formatRfc3339,
  hashRecord,
  type Instant,
  type LogExport,
  type MerkleTree,
  RECORD_BATCH_KIND,
  type Receipt,
  type RecordReceipt,
  recordBatch,
  type SignedCheckpoint,
} from "@chronosync/core";
import type pg from "pg";
import type { SigningKeyStore } from "../keys/signing-keys.js";
import { type AppendedEntry, appendEntries, inTransaction, normalizePayload } from "./append.js";
import { appendSealed } from "./append-sealed.js";
import { readCheckpoints, readExport, readReceipts } from "./read.js";
import { type Sealed, type SealOptions, sealPending } from "./seal.js";

export interface LedgerOptions {
  readonly pool: pg.Pool;
  readonly keys: SigningKeyStore;
  /** The current instant, nanoseconds since the Unix epoch. */
  readonly now: () => Instant;
  /** Seal right after each append batch (default true). */
  readonly sealOnAppend?: boolean;
  /** Most entries per checkpoint (default 10 000). */
  readonly maxCheckpointSize?: number;
  /** Observes each append: entries written and seconds taken until sealed (or written). */
  readonly onAppend?: (entries: number, seconds: number) => void;
}

/** One record of a batch: its canonical JSON and the record hash of that text. */
export interface BatchRecord {
  readonly json: string;
  readonly hash: string;
}

/** What {@link Ledger.appendBatch} answers. */
export interface AppendedBatch {
  /** The batch entry's receipt (with checkpoint and proof when sealed on append). */
  readonly receipt: Receipt;
  /** The tree over the batch's records (leaf i = record i). */
  readonly tree: MerkleTree;
}

/** Reads the log id (chosen at the first start, kept in server_settings). */
export async function ensureLogId(pool: pg.Pool): Promise<string> {
  await pool.query("INSERT INTO server_settings (name, value) VALUES ('log_id', $1) ON CONFLICT DO NOTHING", [
    `chronosync:${randomUUID()}`,
  ]);
  const result = await pool.query<{ value: string }>(
    "SELECT value FROM server_settings WHERE name = 'log_id'",
  );
  return result.rows[0]!.value;
}

/**
 * The receipts of `appended` (consecutive entries, in order): each with the checkpoint of
 * `sealed` that holds it, its leaf index and inclusion proof, or bare when none does. The
 * entries' place in each checkpoint is worked out once per checkpoint, not per entry, and
 * every receipt is one object literal (members in this order: receiptJson relies on it).
 */
export function receiptsOf(appended: readonly AppendedEntry[], sealed: readonly Sealed[]): Receipt[] {
  const receipts: Receipt[] = new Array(appended.length);
  const first = appended.length === 0 ? 0n : BigInt(appended[0]!.entry.seq);
  const consecutive =
    appended.length === 0 ||
    BigInt(appended[appended.length - 1]!.entry.seq) === first + BigInt(appended.length - 1);
  for (const cp of sealed) {
    if (!consecutive) break;
    // Entry i is leaf i + offset of this checkpoint while 0 ≤ i + offset < tree size.
    const offset = Number(first - cp.firstSeq);
    const end = Math.min(appended.length, cp.tree.size - offset);
    for (let i = Math.max(0, -offset); i < end; i++) {
      receipts[i] = sealedReceipt(appended[i]!, cp, i + offset);
    }
  }
  for (let i = 0; i < appended.length; i++) {
    if (receipts[i] !== undefined) continue;
    const { entry, entryHash } = appended[i]!;
    const seq = BigInt(entry.seq);
    const cp = consecutive
      ? undefined
      : sealed.find((s) => seq >= s.firstSeq && seq < s.firstSeq + BigInt(s.tree.size));
    if (cp === undefined) {
      receipts[i] = { version: 1, entry, entryHash };
      continue;
    }
    receipts[i] = sealedReceipt(appended[i]!, cp, Number(seq - cp.firstSeq));
  }
  return receipts;
}

/** The receipt of `appended` as leaf `leafIndex` of checkpoint `cp`. */
function sealedReceipt({ entry, entryHash }: AppendedEntry, cp: Sealed, leafIndex: number): Receipt {
  return {
    version: 1,
    entry,
    entryHash,
    checkpoint: cp.signed,
    leafIndex,
    proof: cp.tree.inclusionProof(leafIndex),
  };
}

/** The signed log. Create with {@link openLedger}. */
export class Ledger {
  readonly logId: string;
  readonly #options: LedgerOptions;
  readonly #maxBatch: number;

  constructor(logId: string, options: LedgerOptions) {
    this.logId = logId;
    this.#options = options;
    this.#maxBatch = options.maxCheckpointSize ?? 10_000;
  }

  /**
   * Appends one entry per payload (in order) and returns their receipts. With sealing on
   * append (the default), entries and checkpoint commit in one transaction and every
   * receipt carries its checkpoint and inclusion proof.
   */
  async append(kind: string, payloads: readonly unknown[]): Promise<Receipt[]> {
    if (payloads.length === 0) return [];
    return this.#write(kind, payloads.map(normalizePayload));
  }

  async #write(
    kind: string,
    normalized: readonly unknown[],
    records?: readonly (string | null)[],
  ): Promise<Receipt[]> {
    const started = process.hrtime.bigint();
    const seal = this.#options.sealOnAppend !== false;
    const client = await this.#options.pool.connect();
    let appended: AppendedEntry[];
    let sealed: Sealed[] = [];
    try {
      [appended, sealed] = seal
        ? await appendSealed(client, kind, normalized, records, this.#sealOptions())
        : [
            await inTransaction(client, () => appendEntries(client, kind, normalized, this.#time(), records)),
            [],
          ];
    } finally {
      client.release();
    }
    this.#options.onAppend?.(appended.length, Number(process.hrtime.bigint() - started) / 1e9);
    return receiptsOf(appended, sealed);
  }

  /**
   * Appends one record batch entry per element of `batches` (each record's canonical JSON
   * and its {@link hashRecordJson} hash, in order; at least one record each), in one
   * transaction, and answers each entry's receipt and its batch's Merkle tree. The records
   * are stored beside their entry; sealed at once unless sealing on append is off.
   */
  async appendBatches(batches: readonly (readonly BatchRecord[])[]): Promise<AppendedBatch[]> {
    if (batches.length === 0) return [];
    const made = batches.map((records) => {
      if (records.length === 0) throw new RangeError("a record batch holds at least one record");
      const { payload, tree } = recordBatch(records.map((r) => r.hash));
      // join() gives one flat string (a += chain is a rope that every later scan copies).
      return { payload, tree, text: `[${records.map((r) => r.json).join(",")}]` };
    });
    const receipts = await this.#write(
      RECORD_BATCH_KIND,
      made.map((m) => m.payload),
      made.map((m) => m.text),
    );
    return receipts.map((receipt, i) => ({ receipt, tree: made[i]!.tree }));
  }

  /** {@link appendBatches} of one batch. */
  async appendBatch(records: readonly BatchRecord[]): Promise<AppendedBatch> {
    const [batch] = await this.appendBatches([records]);
    return batch!;
  }

  /** Seals every unsealed entry; returns the number of checkpoints created. */
  async seal(): Promise<number> {
    const client = await this.#options.pool.connect();
    try {
      return (await inTransaction(client, () => sealPending(client, this.#sealOptions()))).length;
    } finally {
      client.release();
    }
  }

  /** The receipt of entry `seq`, with checkpoint and inclusion proof once sealed. */
  async receipt(seq: bigint): Promise<Receipt | undefined> {
    return (await readReceipts(this.#options.pool, seq, seq))[0];
  }

  /** A page of signed checkpoints from checkpoint index `from`. */
  checkpoints(
    from: bigint,
    limit: number,
  ): Promise<{ checkpoints: (SignedCheckpoint & { index: string })[]; nextIndex: string | null }> {
    return readCheckpoints(this.#options.pool, from, limit);
  }

  /** A verifiable export of `from..to`, widened to whole checkpoints. */
  export(from: bigint, to?: bigint, maxRecords?: number): Promise<LogExport> {
    return readExport(this.#options.pool, from, to, maxRecords);
  }

  /**
   * The receipt of record `index` of record batch entry `seq`, or undefined when there is
   * no such entry or record.
   */
  async recordReceipt(seq: bigint, index: number): Promise<RecordReceipt | undefined> {
    const receipt = await this.receipt(seq);
    if (receipt === undefined || receipt.entry.kind !== RECORD_BATCH_KIND) return undefined;
    const batch = await this.storedRecords(seq);
    if (batch === undefined || !Number.isSafeInteger(index) || index < 0 || index >= batch.records.length)
      return undefined;
    return {
      version: 2,
      record: batch.records[index],
      recordIndex: index,
      recordProof: batch.tree.inclusionProof(index),
      receipt,
    };
  }

  /**
   * The records stored beside entry `seq` and the tree over their hashes as stored now
   * (undefined when the entry is no record batch; records altered in the database give a
   * tree whose root no longer matches the entry's `recordsRoot`).
   */
  async storedRecords(seq: bigint): Promise<{ records: unknown[]; tree: MerkleTree } | undefined> {
    const row = await this.#options.pool.query<{ records: string | null }>(
      "SELECT records FROM ledger_entries WHERE seq = $1",
      [seq.toString()],
    );
    const text = row.rows[0]?.records;
    if (text === null || text === undefined) return undefined;
    let records: unknown;
    try {
      records = JSON.parse(text);
    } catch {
      return undefined;
    }
    if (!Array.isArray(records)) return undefined;
    try {
      return { records, tree: recordBatch(records.map(hashRecord)).tree };
    } catch {
      return undefined;
    }
  }

  /** Entries appended but not sealed yet (for the append-lag gauge). */
  async unsealedCount(): Promise<number> {
    const result = await this.#options.pool.query<{ n: string }>(
      `SELECT count(*) AS n FROM ledger_entries
        WHERE seq > coalesce((SELECT max(last_seq) FROM ledger_checkpoints), -1)`,
    );
    return Number(result.rows[0]?.n ?? 0);
  }

  #sealOptions(): SealOptions {
    return { logId: this.logId, keys: this.#options.keys, maxBatch: this.#maxBatch, now: () => this.#time() };
  }

  #time(): string {
    return formatRfc3339(this.#options.now(), 9);
  }
}

/** Opens the ledger: makes sure the log id and an active signing key exist. */
export async function openLedger(options: LedgerOptions): Promise<Ledger> {
  await options.keys.ensureActiveKey();
  return new Ledger(await ensureLogId(options.pool), options);
}
