/**
 * The reporting loop (issue 4 §5; docs/report-protocol.md): every interval it takes a
 * snapshot, appends it to the durable {@link ReportBuffer}, and sends what is pending in
 * batches. Enrolls once (credentials on disk), keeps an access token and refreshes it
 * before expiry and on 401. Failures back off exponentially with jitter (or as
 * `Retry-After` says) while snapshots keep being buffered; 413 splits a batch; other 4xx
 * park it. Time and timers are injected: tests drive it with a fake clock.
 */
import type { NetworkFailureError } from "@chronosync/core";
import type { LogLevel } from "../config/schema.js";
import type { ReportAuthError, ReportEnrollRejectedError, ReportHttpError } from "../errors.js";
import type { ReportBatch, ReportBuffer } from "./buffer.js";
import type { AccessToken, ReportClient } from "./client.js";
import type { Credentials, CredentialsStore } from "./credentials.js";

export interface ReporterOptions {
  readonly buffer: ReportBuffer;
  /** Without `lastSeq` (a client of an older contract) the seq check is skipped. */
  readonly client: Pick<ReportClient, "server" | "enroll" | "token" | "postBatch"> &
    Partial<Pick<ReportClient, "lastSeq">>;
  readonly credentials: CredentialsStore;
  /** One-time enrollment token, used only when no credentials are saved. */
  readonly enrollToken?: string;
  readonly hostname: string;
  readonly agentVersion: string;
  /** One report (without `seq`); a throw skips this interval. */
  readonly snapshot: () => Readonly<Record<string, unknown>>;
  readonly intervalMs: number;
  /** Most reports per batch (default 500). */
  readonly maxBatch?: number;
  /** Backoff: first delay (default 1 s) doubling to at most `maxMs` (default 5 min), ×0.5–1.5 jitter. */
  readonly backoff?: { readonly initialMs?: number; readonly maxMs?: number };
  /** Monotonic ms. */
  readonly nowMs: () => number;
  /** Runs `fn` after `ms`; returns a cancel function. */
  readonly schedule: (fn: () => void, ms: number) => () => void;
  /** Uniform in [0, 1). */
  readonly random: () => number;
  /** A new batch id (a UUID). */
  readonly newId: () => string;
  readonly log: (level: LogLevel, message: string) => void;
}

/** Where the reporter is: enrolling/sending, or off for good (token refused, none given). */
export type ReporterState = "running" | "disabled" | "stopped";

type Expected = NetworkFailureError | ReportAuthError | ReportEnrollRejectedError | ReportHttpError;

const describe = (err: unknown): string => {
  const e = err as Partial<Expected>;
  return typeof e?.code === "string"
    ? `${e.code}: ${e.message}`
    : err instanceof Error
      ? err.message
      : String(err);
};

/** Delay before retry `n` (1-based): initial·2^(n−1) capped at max, times 0.5–1.5, capped again. */
export function reportBackoffMs(n: number, random: number, initialMs = 1000, maxMs = 300_000): number {
  const base = Math.min(maxMs, initialMs * 2 ** Math.min(30, n - 1));
  return Math.round(Math.min(maxMs, base * (0.5 + random)));
}

export class Reporter {
  readonly #o: ReporterOptions;
  #state: ReporterState = "running";
  #creds: Credentials | undefined;
  #token: AccessToken | undefined;
  #failures = 0;
  #retryAtMs = 0;
  #cancelTick: (() => void) | undefined;
  #cancelRetry: (() => void) | undefined;
  #flushing: Promise<void> | undefined;
  /** The buffer's seqs were checked against the server's in this run (see #checkSeq). */
  #seqChecked = false;
  /** Reports the server accepted since start (tests, metrics). */
  sent = 0;

  constructor(options: ReporterOptions) {
    this.#o = options;
  }

  get state(): ReporterState {
    return this.#state;
  }

  /** Starts the interval and sends what an earlier run left in the buffer. */
  start(): void {
    this.#armTick();
    void this.flush();
  }

  /** Takes one snapshot into the buffer, then sends. */
  async tick(): Promise<void> {
    if (this.#state !== "running") return;
    let report: Readonly<Record<string, unknown>>;
    try {
      report = this.#o.snapshot();
    } catch (err) {
      this.#o.log("warn", `report snapshot failed: ${describe(err)}`);
      return;
    }
    await this.#o.buffer.append(report);
    await this.flush();
  }

  /** Sends pending batches unless a send is running or a retry is pending; resolves when this round ends. */
  flush(): Promise<void> {
    if (this.#flushing !== undefined) return this.#flushing;
    if (this.#state !== "running" || this.#o.nowMs() < this.#retryAtMs) return Promise.resolve();
    this.#flushing = this.#drain().finally(() => {
      this.#flushing = undefined;
    });
    return this.#flushing;
  }

  /** Stops the timers, waits for a send in progress (at most `waitMs`), writes the buffer's cursor. */
  async stop(waitMs = 2000): Promise<void> {
    if (this.#state === "stopped") return;
    this.#state = "stopped";
    this.#cancelTick?.();
    this.#cancelRetry?.();
    const inflight = this.#flushing;
    if (inflight !== undefined) {
      let cancel: (() => void) | undefined;
      await Promise.race([inflight, new Promise<void>((r) => (cancel = this.#o.schedule(r, waitMs)))]);
      cancel?.();
    }
    await this.#o.buffer.close();
  }

  #armTick(): void {
    this.#cancelTick = this.#o.schedule(() => {
      if (this.#state !== "running") return;
      this.#armTick();
      void this.tick();
    }, this.#o.intervalMs);
  }

  async #drain(): Promise<void> {
    let authRetried = false;
    try {
      while (this.#state === "running") {
        const creds = await this.#credentials();
        if (creds === undefined) return;
        if (!this.#seqChecked && !(await this.#checkSeq(await this.#accessToken(creds), creds))) {
          if (authRetried) throw new Error("last-seq refused with 401 even with a fresh token");
          authRetried = true;
          continue;
        }
        const batch = await this.#o.buffer.nextBatch(this.#o.maxBatch ?? 500, this.#o.newId);
        if (batch === undefined) return;
        const token = await this.#accessToken(creds);
        const r = await this.#o.client.postBatch(token, creds.nodeId, batch, this.#o.nowMs());
        switch (r.kind) {
          case "accepted":
            await this.#o.buffer.ack(batch);
            this.sent += batch.lines.length;
            this.#recovered(batch, r.duplicates);
            authRetried = false;
            break;
          case "tooLarge":
            await this.#split(batch);
            break;
          case "unauthorized":
            this.#token = undefined;
            if (authRetried) throw new Error("reports refused with 401 even with a fresh token");
            authRetried = true;
            break;
          case "retry":
            this.#retry(`HTTP ${r.status}`, r.delayMs);
            return;
          case "rejected":
            await this.#o.buffer.park(batch, `HTTP ${r.status}: ${r.detail}`);
            break;
        }
      }
    } catch (err) {
      this.#retry(describe(err), undefined, (err as { code?: unknown }).code === "REPORT_AUTH_FAILED");
    }
  }

  /**
   * Once per run, before the first batch: the server's last stored seq for this node
   * (docs/report-protocol.md §3). A buffer that was lost (credentials kept) restarted at
   * seq 1, and the server would count its new reports as duplicates: the buffer moves them
   * above the server's seq ({@link ReportBuffer.rebase}). False on a 401 (new token first).
   */
  async #checkSeq(token: AccessToken, creds: Credentials): Promise<boolean> {
    const lastSeq = this.#o.client.lastSeq;
    if (lastSeq === undefined) {
      this.#seqChecked = true;
      return true;
    }
    const r = await lastSeq.call(this.#o.client, token, creds.nodeId);
    if (r.kind === "unauthorized") {
      this.#token = undefined;
      return false;
    }
    this.#seqChecked = true;
    if (r.kind === "unsupported") {
      this.#o.log("debug", `${this.#o.client.server} does not say its last report seq: seqs unchecked`);
      return true;
    }
    const { shift, nextSeq } = await this.#o.buffer.rebase(r.lastSeq);
    if (shift > 0)
      this.#o.log(
        "info",
        `report buffer started afresh while the server holds seqs up to ${r.lastSeq} for node ${creds.nodeId}: buffered reports moved up by ${shift} (next seq ${nextSeq})`,
      );
    return true;
  }

  async #split(batch: ReportBatch): Promise<void> {
    const smaller = await this.#o.buffer.splitBatch(batch, this.#o.newId);
    if (smaller === undefined) await this.#o.buffer.park(batch, "HTTP 413 for a single report");
    else
      this.#o.log(
        "info",
        `report batch of ${batch.lines.length} too large (413): sending ${smaller.lines.length}`,
      );
  }

  #recovered(batch: ReportBatch, duplicates: number): void {
    if (this.#failures > 0)
      this.#o.log("info", `server ${this.#o.client.server} reachable again: sending the buffer`);
    this.#failures = 0;
    this.#o.log(
      "debug",
      `report batch ${batch.id}: seq ${batch.fromSeq}..${batch.toSeq} accepted` +
        (duplicates > 0 ? ` (${duplicates} already stored)` : ""),
    );
  }

  #retry(reason: string, delayMs: number | undefined, longest = false): void {
    if (this.#state !== "running") return;
    this.#failures++;
    const b = this.#o.backoff ?? {};
    const maxMs = b.maxMs ?? 300_000;
    const wait =
      delayMs ?? (longest ? maxMs : reportBackoffMs(this.#failures, this.#o.random(), b.initialMs, maxMs));
    this.#retryAtMs = this.#o.nowMs() + wait;
    const level = this.#failures === 1 || longest ? "warn" : "debug";
    const s = this.#o.buffer.stats;
    this.#o.log(
      level,
      `cannot report to ${this.#o.client.server} (${reason}): ${s.pending} report(s) buffered, retrying in ${(wait / 1000).toFixed(1)} s`,
    );
    this.#cancelRetry?.();
    this.#cancelRetry = this.#o.schedule(() => {
      this.#retryAtMs = 0; // a timer may fire a little before the monotonic clock says so
      void this.flush();
    }, wait);
  }

  async #credentials(): Promise<Credentials | undefined> {
    if (this.#creds !== undefined) return this.#creds;
    const { credentials, problem } = await this.#o.credentials.load(this.#o.client.server);
    if (problem !== undefined) this.#o.log("warn", `credentials: ${problem}`);
    if (credentials !== undefined) {
      this.#creds = credentials;
      return credentials;
    }
    const token = this.#o.enrollToken;
    if (token === undefined || token === "") {
      return this.#disable(
        `not enrolled with ${this.#o.client.server} and no enrollment token (server.enrollToken, $CHRONOSYNC_ENROLL_TOKEN)`,
      );
    }
    let creds: Credentials;
    try {
      creds = await this.#o.client.enroll(token, this.#o.hostname, this.#o.agentVersion);
    } catch (err) {
      if ((err as { code?: unknown }).code === "REPORT_ENROLL_REJECTED") return this.#disable(describe(err));
      throw err;
    }
    this.#creds = creds;
    this.#o.log("info", `enrolled with ${this.#o.client.server} as node ${creds.nodeId}`);
    try {
      await this.#o.credentials.save(creds);
    } catch (err) {
      this.#o.log(
        "warn",
        `cannot save credentials to ${this.#o.credentials.file} (${describe(err)}): a restart will need a new enrollment token`,
      );
    }
    return creds;
  }

  #disable(reason: string): undefined {
    this.#o.log("error", `reporting off: ${reason}; the agent keeps running`);
    this.#state = "disabled";
    this.#cancelTick?.();
    return undefined;
  }

  async #accessToken(creds: Credentials): Promise<AccessToken> {
    if (this.#token !== undefined && this.#o.nowMs() < this.#token.refreshAtMs) return this.#token;
    this.#token = await this.#o.client.token(creds, this.#o.nowMs());
    return this.#token;
  }
}
