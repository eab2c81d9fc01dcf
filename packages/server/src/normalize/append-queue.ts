/**
 * Group commit for the signed log: concurrent requests share one append transaction (one
 * advisory lock, one commit, one checkpoint) instead of one each. While a commit is in
 * flight, new requests queue; when it ends, everything queued goes in the next one. An
 * idle queue commits at once, so a lone request waits for nothing.
 * (PostgreSQL's own commit_delay/commit_siblings idea, done above the database.)
 */
import type { Receipt } from "@chronosync/core";
import { ServerError } from "../errors.js";

/** Appends `payloads` as entries of `kind`, answering their receipts in order (Ledger.append). */
export type AppendFn = (kind: string, payloads: readonly unknown[]) => Promise<Receipt[]>;

interface Pending {
  readonly payloads: readonly unknown[];
  readonly resolve: (receipts: Receipt[]) => void;
  readonly reject: (err: unknown) => void;
}

/** Batches appends of one kind across concurrent callers. */
export class AppendQueue {
  readonly #append: AppendFn;
  readonly #kind: string;
  readonly #maxEntries: number;
  #queue: Pending[] = [];
  #running = false;
  /** Commits made and requests served (for tests and the benchmark). */
  commits = 0;
  requests = 0;

  readonly #onCommit: ((requests: number) => void) | undefined;

  /**
   * `maxEntries`: most entries per commit (a bigger single request still goes alone);
   * `onCommit` observes how many requests each commit carried.
   */
  constructor(append: AppendFn, kind: string, maxEntries = 10_000, onCommit?: (requests: number) => void) {
    this.#append = append;
    this.#kind = kind;
    this.#maxEntries = maxEntries;
    this.#onCommit = onCommit;
  }

  /** Appends `payloads` (in order, consecutive seqs) and resolves with their receipts. */
  append(payloads: readonly unknown[]): Promise<Receipt[]> {
    if (payloads.length === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      this.#queue.push({ payloads, resolve, reject });
      if (!this.#running) void this.#drain();
    });
  }

  async #drain(): Promise<void> {
    this.#running = true;
    try {
      while (this.#queue.length > 0) await this.#flush(this.#take());
    } finally {
      this.#running = false;
    }
  }

  /** The next batch: queued requests in order while they fit (at least one). */
  #take(): Pending[] {
    let total = 0;
    let n = 0;
    for (const p of this.#queue) {
      if (n > 0 && total + p.payloads.length > this.#maxEntries) break;
      total += p.payloads.length;
      n += 1;
    }
    return this.#queue.splice(0, n);
  }

  async #flush(batch: Pending[]): Promise<void> {
    this.commits += 1;
    this.requests += batch.length;
    this.#onCommit?.(batch.length);
    try {
      const receipts = await this.#append(
        this.#kind,
        batch.flatMap((p) => p.payloads),
      );
      let offset = 0;
      for (const p of batch) {
        p.resolve(receipts.slice(offset, offset + p.payloads.length));
        offset += p.payloads.length;
      }
    } catch (err) {
      // A payload the log refuses (nothing was committed) must not fail its neighbours:
      // retry each alone. Other failures (database down) fail them all, never retried
      // blindly — a lost COMMIT acknowledgement must not turn into duplicate entries.
      const refused = err instanceof ServerError && err.code === "BAD_REQUEST";
      if (!refused || batch.length === 1) {
        for (const p of batch) p.reject(err);
        return;
      }
      for (const p of batch) await this.#flush([p]);
    }
  }
}
