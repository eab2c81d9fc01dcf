/**
 * The signed, append-only log of a server process: `append` writes a batch and (by
 * default) seals it at once, answering full receipts; a background timer seals whatever
 * another process left unsealed. Several processes may share one database.
 */
import { randomUUID } from "node:crypto";
import {
  formatRfc3339,
  type Instant,
  type LogExport,
  type Receipt,
  type SignedCheckpoint,
} from "@chronosync/core";
import type pg from "pg";
import type { SigningKeyStore } from "../keys/signing-keys.js";
import { type AppendedEntry, appendEntries, inTransaction, normalizePayload } from "./append.js";
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
    const normalized = payloads.map(normalizePayload);
    const started = process.hrtime.bigint();
    const seal = this.#options.sealOnAppend !== false;
    const client = await this.#options.pool.connect();
    let appended: AppendedEntry[];
    let sealed: Sealed[] = [];
    try {
      [appended, sealed] = await inTransaction(client, async () => {
        const entries = await appendEntries(client, kind, normalized, this.#time());
        return [entries, seal ? await sealPending(client, this.#sealOptions()) : []] as const;
      });
    } finally {
      client.release();
    }
    this.#options.onAppend?.(appended.length, Number(process.hrtime.bigint() - started) / 1e9);
    return appended.map(({ entry, entryHash }) => {
      const seq = BigInt(entry.seq);
      const base: Receipt = { version: 1, entry, entryHash };
      const cp = sealed.find((s) => seq >= s.firstSeq && seq < s.firstSeq + BigInt(s.tree.size));
      if (cp === undefined) return base;
      const leafIndex = Number(seq - cp.firstSeq);
      return { ...base, checkpoint: cp.signed, leafIndex, proof: cp.tree.inclusionProof(leafIndex) };
    });
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
  export(from: bigint, to?: bigint): Promise<LogExport> {
    return readExport(this.#options.pool, from, to);
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
