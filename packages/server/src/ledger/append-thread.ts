/**
 * The log's appends on a thread of their own. Group commits (normalize/append-queue.ts)
 * hold the log's advisory lock from their first round trip to their COMMIT; on the
 * request thread, the JavaScript between those round trips waits behind whatever HTTP
 * work the event loop has queued, so every other commit — of this process or of the
 * other server processes — waits that long too. Here, a worker thread owns the append
 * path: its own connections, the signing key, the group-commit queue, the Merkle tree of
 * each batch's records and the SQL; the request thread hands it a request's records
 * (their canonical JSON and hashes) and gets the entry's receipt back. The normalize route
 * sends it requests of APPEND_THREAD_MIN_RECORDS or more (routes/timestamps.ts).
 *
 * The thread uses the system clock; an app built with another clock (tests) appends on
 * the request thread instead (see app.ts).
 */
import { Worker } from "node:worker_threads";
import { ServerError, type ServerErrorCode } from "../errors.js";
import type { BatchRecord } from "./ledger.js";

/** Most records per group commit of normalize requests (a bigger request goes alone). */
export const NORMALIZE_COMMIT_RECORDS = 20_000;

/** One request's records: their canonical JSON and record hashes. */
export interface AppendItem {
  readonly id: number;
  readonly jsons: string[];
  readonly hashes: string[];
}

/** The outcome of one {@link AppendItem}. */
export type AppendResult =
  | { readonly id: number; readonly receiptJson: string }
  | { readonly id: number; readonly error: SerializedError };

/**
 * Request thread → append thread. Appends travel in one message per event-loop turn (a
 * message per request cost more than the request's own share of its commit).
 */
export type AppendThreadRequest =
  | { readonly type: "append"; readonly items: AppendItem[] }
  | { readonly type: "close" };

/** Append thread → request thread. */
export type AppendThreadReply =
  | { readonly type: "ready" }
  | { readonly type: "start-failed"; readonly error: SerializedError }
  | { readonly type: "results"; readonly results: AppendResult[] }
  | { readonly type: "commit"; readonly requests: number }
  | { readonly type: "written"; readonly entries: number; readonly seconds: number }
  | { readonly type: "log"; readonly message: string };

/** What the append thread needs to start. */
export interface AppendThreadData {
  readonly databaseUrl: string;
  /** The master key (decrypts the signing key). */
  readonly masterKey: Uint8Array;
  readonly maxCheckpointSize: number;
  /** Most records per group commit. */
  readonly maxRecords: number;
}

export interface SerializedError {
  readonly message: string;
  readonly code?: string;
  readonly serverError?: boolean;
  readonly retryAfter?: number;
}

export function serializeError(err: unknown): SerializedError {
  const code = (err as { code?: unknown })?.code;
  return {
    message: err instanceof Error ? err.message : String(err),
    ...(typeof code === "string" ? { code } : {}),
    ...(err instanceof ServerError
      ? { serverError: true, ...(err.retryAfter === undefined ? {} : { retryAfter: err.retryAfter }) }
      : {}),
  };
}

/** The error the request thread raises for one the append thread reported. */
export function deserializeError(e: SerializedError): Error {
  if (e.serverError === true && e.code !== undefined)
    return new ServerError(e.code as ServerErrorCode, e.message, {
      ...(e.retryAfter === undefined ? {} : { retryAfter: e.retryAfter }),
    });
  return Object.assign(new Error(e.message), e.code === undefined ? {} : { code: e.code });
}

// From the built package, the thread's module is beside this one; tests that import the
// TypeScript sources use the built one (worker threads load JavaScript).
const ENTRY = import.meta.url.endsWith(".ts")
  ? new URL("../../dist/ledger/append-thread-worker.js", import.meta.url)
  : new URL("./append-thread-worker.js", import.meta.url);

/** The request thread's handle on the append thread. */
export class AppendThread {
  readonly #worker: Worker;
  readonly #pending = new Map<number, { resolve: (json: string) => void; reject: (e: Error) => void }>();
  /** Observes each group commit as it starts: the requests it carries. */
  onCommit: ((requests: number) => void) | undefined;
  /** Observes each append: entries written and seconds taken until sealed. */
  onAppend: ((entries: number, seconds: number) => void) | undefined;
  /** Lines worth logging (pool errors, a thread failure). */
  log: ((message: string) => void) | undefined;
  #nextId = 0;
  #outbox: AppendItem[] = [];
  #closed: Promise<void> | undefined;
  #dead: Error | undefined;

  private constructor(worker: Worker) {
    this.#worker = worker;
  }

  /** Starts the thread; resolves once it has opened the log. */
  static start(data: AppendThreadData): Promise<AppendThread> {
    const worker = new Worker(ENTRY, { workerData: data });
    const thread = new AppendThread(worker);
    return new Promise((resolve, reject) => {
      let started = false;
      worker.on("message", (reply: AppendThreadReply) => {
        switch (reply.type) {
          case "ready":
            started = true;
            resolve(thread);
            break;
          case "start-failed":
            reject(deserializeError(reply.error));
            break;
          case "results":
            for (const result of reply.results) {
              const pending = thread.#settle(result.id);
              if ("error" in result) pending?.reject(deserializeError(result.error));
              else pending?.resolve(result.receiptJson);
            }
            break;
          case "commit":
            thread.onCommit?.(reply.requests);
            break;
          case "written":
            thread.onAppend?.(reply.entries, reply.seconds);
            break;
          case "log":
            thread.log?.(reply.message);
            break;
        }
      });
      worker.on("error", (err) => {
        if (!started) reject(err);
        thread.log?.(`append thread failed: ${err.message}`);
        thread.#fail(err);
      });
      worker.on("exit", (code) => {
        if (!started) reject(new Error(`append thread exited at start (${code})`));
        thread.#fail(new ServerError("INTERNAL", `append thread exited (${code})`));
      });
    });
  }

  /**
   * Appends one record batch entry (group-committed with concurrent ones); answers the
   * JSON of its receipt (made on the append thread).
   */
  append(records: readonly BatchRecord[]): Promise<string> {
    if (this.#dead !== undefined) return Promise.reject(this.#dead);
    if (records.length === 0) return Promise.reject(new RangeError("nothing to append"));
    const id = this.#nextId++;
    const jsons = new Array<string>(records.length);
    const hashes = new Array<string>(records.length);
    for (let i = 0; i < records.length; i++) {
      jsons[i] = records[i]!.json;
      hashes[i] = records[i]!.hash;
    }
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#outbox.push({ id, jsons, hashes });
      if (this.#outbox.length === 1) setImmediate(() => this.#send());
    });
  }

  /** False once the thread failed or exited (callers append on the request thread then). */
  get alive(): boolean {
    return this.#dead === undefined;
  }

  /** Lets queued appends finish, then stops the thread. */
  close(): Promise<void> {
    this.#closed ??= new Promise<void>((resolve) => {
      if (this.#dead !== undefined) return resolve();
      this.#worker.once("exit", () => resolve());
      this.#worker.postMessage({ type: "close" } satisfies AppendThreadRequest);
    });
    return this.#closed;
  }

  #send(): void {
    const items = this.#outbox;
    this.#outbox = [];
    if (this.#dead === undefined)
      this.#worker.postMessage({ type: "append", items } satisfies AppendThreadRequest);
  }

  #settle(id: number) {
    const pending = this.#pending.get(id);
    this.#pending.delete(id);
    return pending;
  }

  #fail(err: Error): void {
    this.#dead ??= err;
    for (const { reject } of this.#pending.values()) reject(err);
    this.#pending.clear();
  }
}
