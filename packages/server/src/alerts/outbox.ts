/**
 * The alert webhook's durable outbox. Alert changes enqueue a delivery row in the
 * transaction that makes them (so a crash loses none); a dispatcher in every server
 * process claims due rows with a lease (`FOR UPDATE SKIP LOCKED`, so one process sends
 * each), POSTs them signed (webhook.ts) and records the outcome: delivered, retried with
 * exponential backoff, or failed after the last attempt. Schedules use the database's
 * clock, shared by all processes.
 */
import type pg from "pg";
import { postWebhook } from "./webhook.js";

/** Adds one delivery per document (call inside the alert's transaction). */
export async function enqueueDeliveries(client: pg.ClientBase, documents: readonly unknown[], now: Date) {
  if (documents.length === 0) return;
  await client.query(
    `INSERT INTO webhook_deliveries (body, created_at, next_attempt_at)
     SELECT b, $2, now() FROM unnest($1::text[]) AS b`,
    [documents.map((d) => JSON.stringify(d)), now],
  );
}

export interface DispatcherOptions {
  readonly pool: pg.Pool;
  readonly url: string;
  readonly secret: string;
  /** Attempts in all (default 5). */
  readonly attempts?: number;
  /** First retry delay, ms; doubled each time (default 1000). */
  readonly backoffMs?: number;
  /** Per-attempt timeout, ms (default 5000). */
  readonly timeoutMs?: number;
  /** Milliseconds between polls for due deliveries (default 1000). */
  readonly pollMs?: number;
  /** Unix seconds for the signature. */
  readonly nowSeconds: () => number;
  readonly log?: (message: string, err?: unknown) => void;
}

interface Claimed {
  id: string;
  body: string;
  attempts: number;
}

/** Sends due outbox rows; `kick()` after enqueueing, `close()` on shutdown. */
export class WebhookDispatcher {
  readonly #o: DispatcherOptions;
  readonly #abort = new AbortController();
  readonly #timer: NodeJS.Timeout;
  #running: Promise<void> | undefined;
  #again = false;

  constructor(options: DispatcherOptions) {
    this.#o = options;
    this.#timer = setInterval(() => this.kick(), options.pollMs ?? 1000);
    this.#timer.unref();
  }

  /** Sends what is due now (coalesced with a run in progress). */
  kick(): Promise<void> {
    if (this.#abort.signal.aborted) return Promise.resolve();
    if (this.#running !== undefined) {
      this.#again = true;
      return this.#running;
    }
    this.#running = this.#drain()
      .catch((err: unknown) => this.#o.log?.("webhook outbox failed", err))
      .finally(() => {
        this.#running = undefined;
        if (this.#again) {
          this.#again = false;
          void this.kick();
        }
      });
    return this.#running;
  }

  async #drain(): Promise<void> {
    const timeoutMs = this.#o.timeoutMs ?? 5000;
    for (;;) {
      if (this.#abort.signal.aborted) return;
      const claimed = await this.#o.pool.query<Claimed>(
        `UPDATE webhook_deliveries SET attempts = attempts + 1, next_attempt_at = now() + make_interval(secs => $2)
         WHERE id IN (SELECT id FROM webhook_deliveries
                      WHERE delivered_at IS NULL AND failed_at IS NULL AND next_attempt_at <= now()
                      ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED)
         RETURNING id::text, body, attempts`,
        [20, (timeoutMs * 2) / 1000],
      );
      if (claimed.rows.length === 0) return;
      for (const row of claimed.rows.sort((a, b) => Number(BigInt(a.id) - BigInt(b.id))))
        await this.#send(row);
    }
  }

  async #send(row: Claimed): Promise<void> {
    const signal = AbortSignal.any([this.#abort.signal, AbortSignal.timeout(this.#o.timeoutMs ?? 5000)]);
    const error = await postWebhook(this.#o.url, this.#o.secret, row.body, this.#o.nowSeconds(), signal);
    const attempts = this.#o.attempts ?? 5;
    if (error === undefined) {
      await this.#o.pool.query(
        "UPDATE webhook_deliveries SET delivered_at = now(), last_error = NULL WHERE id = $1",
        [row.id],
      );
      return;
    }
    this.#o.log?.(`webhook delivery ${row.id} failed (attempt ${row.attempts}/${attempts}): ${error}`);
    const delayS = ((this.#o.backoffMs ?? 1000) * 2 ** (row.attempts - 1)) / 1000;
    await this.#o.pool.query(
      `UPDATE webhook_deliveries SET last_error = $2,
         failed_at = CASE WHEN attempts >= $3 THEN now() END,
         next_attempt_at = now() + make_interval(secs => $4)
       WHERE id = $1`,
      [row.id, error.slice(0, 500), attempts, delayS],
    );
  }

  /** Stops polling, waits for a run in progress up to `graceMs`, then aborts it. */
  async close(graceMs = 2000): Promise<void> {
    clearInterval(this.#timer);
    const running = this.#running;
    if (running !== undefined) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([running, new Promise<void>((r) => (timer = setTimeout(r, graceMs)))]);
      clearTimeout(timer);
    }
    this.#abort.abort();
    await this.#running;
  }
}
