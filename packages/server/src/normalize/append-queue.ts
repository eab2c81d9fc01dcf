/**
 * Group commit for the signed log: each normalize request becomes one record batch entry,
 * and concurrent requests share one transaction (one advisory lock, one commit, one
 * checkpoint) instead of one each. While a commit is in flight (or, with `maxInFlight`
 * above 1, that many), new requests queue; when one ends, everything queued goes in the
 * next one. An idle queue commits at once, so a lone request waits for nothing.
 * (PostgreSQL's own commit_delay/commit_siblings idea, done above the database.)
 */
import { ServerError } from "../errors.js";
import type { AppendedBatch, BatchRecord } from "../ledger/ledger.js";

/** Appends one record batch entry per element, in one transaction (Ledger.appendBatches). */
export type AppendBatchesFn = (batches: readonly (readonly BatchRecord[])[]) => Promise<AppendedBatch[]>;

interface Pending {
  readonly records: readonly BatchRecord[];
  readonly resolve: (batch: AppendedBatch) => void;
  readonly reject: (err: unknown) => void;
}

/** Batches record appends across concurrent callers. */
export class AppendQueue {
  readonly #append: AppendBatchesFn;
  readonly #maxRecords: number;
  readonly #onCommit: ((requests: number) => void) | undefined;
  readonly #maxInFlight: number;
  #queue: Pending[] = [];
  #inFlight = 0;
  /** Commits made and requests served (for tests and the benchmark). */
  commits = 0;
  requests = 0;

  /**
   * `maxRecords`: most records per commit (a bigger single request still goes alone);
   * `onCommit` observes how many requests each commit carried; `maxInFlight`: commits
   * started before the previous one ended (each on its own connection: the next one waits
   * for the log's lock inside the database, not for a round trip back here).
   */
  constructor(
    append: AppendBatchesFn,
    maxRecords = 20_000,
    onCommit?: (requests: number) => void,
    maxInFlight = 1,
  ) {
    this.#append = append;
    this.#maxRecords = maxRecords;
    this.#onCommit = onCommit;
    this.#maxInFlight = maxInFlight;
  }

  /** Appends `records` as one record batch entry and resolves with its receipt and tree. */
  append(records: readonly BatchRecord[]): Promise<AppendedBatch> {
    if (records.length === 0) return Promise.reject(new RangeError("nothing to append"));
    return new Promise((resolve, reject) => {
      this.#queue.push({ records, resolve, reject });
      if (this.#inFlight < this.#maxInFlight) void this.#drain();
    });
  }

  async #drain(): Promise<void> {
    this.#inFlight += 1;
    try {
      while (this.#queue.length > 0) await this.#flush(this.#take());
    } finally {
      this.#inFlight -= 1;
    }
  }

  /** The next batch: queued requests in order while they fit (at least one). */
  #take(): Pending[] {
    let total = 0;
    let n = 0;
    for (const p of this.#queue) {
      if (n > 0 && total + p.records.length > this.#maxRecords) break;
      total += p.records.length;
      n += 1;
    }
    return this.#queue.splice(0, n);
  }

  async #flush(batch: Pending[]): Promise<void> {
    this.commits += 1;
    this.requests += batch.length;
    this.#onCommit?.(batch.length);
    try {
      const appended = await this.#append(batch.map((p) => p.records));
      for (const [i, p] of batch.entries()) p.resolve(appended[i]!);
    } catch (err) {
      // A batch the log refuses (nothing was committed) must not fail its neighbours: retry
      // each alone. Other failures (database down) fail them all, never retried blindly —
      // a lost COMMIT acknowledgement must not turn into duplicate entries.
      const refused = err instanceof ServerError && err.code === "BAD_REQUEST";
      if (!refused || batch.length === 1) {
        for (const p of batch) p.reject(err);
        return;
      }
      for (const p of batch) await this.#flush([p]);
    }
  }
}
