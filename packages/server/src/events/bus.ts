/**
 * The event bus across server processes: `publish` sends a PostgreSQL NOTIFY on channel
 * `chronosync_events` (inside the caller's transaction when given one, so events leave
 * only on COMMIT); every process LISTENs on a dedicated connection and hands what arrives
 * to its local subscribers (SSE streams, webhooks). Its own events come back the same
 * way, so one and several processes behave alike. The listener reconnects after a loss;
 * events published while it is down are not replayed.
 * @see https://www.postgresql.org/docs/current/sql-notify.html
 */
import { randomUUID } from "node:crypto";
import pg from "pg";
import type { FleetEvent, FleetEventBody } from "./types.js";

export const EVENT_CHANNEL = "chronosync_events";

export type Subscriber = (event: FleetEvent) => void;

/** Events kept per process for `Last-Event-ID` replays. */
export const REPLAY_EVENTS = 1000;

export interface EventBusOptions {
  readonly url: string;
  readonly pool: pg.Pool;
  /** The current time as RFC 3339. */
  readonly now: () => string;
  readonly log?: (message: string, err?: unknown) => void;
  /** Milliseconds before reconnecting a lost listener (default 1000). */
  readonly reconnectMs?: number;
}

export class EventBus {
  readonly #options: EventBusOptions;
  readonly #subscribers = new Set<Subscriber>();
  readonly #recent: FleetEvent[] = [];
  readonly #prefix = randomUUID().slice(0, 8);
  #counter = 0;
  #listener: pg.Client | undefined;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(options: EventBusOptions) {
    this.#options = options;
  }

  /** Connects the listener; resolves once LISTEN is active. */
  async start(): Promise<void> {
    const client = new pg.Client({ connectionString: this.#options.url });
    const lost = (err?: unknown) => {
      if (this.#listener !== client) return;
      this.#listener = undefined;
      client.end().catch(() => {});
      if (this.#closed) return;
      this.#options.log?.("event listener lost; reconnecting", err);
      this.#scheduleReconnect();
    };
    client.on("error", lost);
    client.on("end", () => lost());
    client.on("notification", (msg) => {
      if (msg.channel !== EVENT_CHANNEL || msg.payload === undefined) return;
      let event: FleetEvent;
      try {
        event = JSON.parse(msg.payload) as FleetEvent;
      } catch {
        return;
      }
      this.#recent.push(event);
      if (this.#recent.length > REPLAY_EVENTS) this.#recent.splice(0, this.#recent.length - REPLAY_EVENTS);
      for (const fn of this.#subscribers) {
        try {
          fn(event);
        } catch (err) {
          this.#options.log?.("event subscriber failed", err);
        }
      }
    });
    await client.connect();
    await client.query(`LISTEN ${EVENT_CHANNEL}`);
    this.#listener = client;
  }

  #scheduleReconnect(): void {
    this.#timer = setTimeout(() => {
      this.start().catch((err: unknown) => {
        this.#options.log?.("event listener reconnect failed", err);
        if (!this.#closed) this.#scheduleReconnect();
      });
    }, this.#options.reconnectMs ?? 1000);
    this.#timer.unref();
  }

  /** True while the listener is connected. */
  get listening(): boolean {
    return this.#listener !== undefined;
  }

  /** Publishes an event to every process (on COMMIT when `client` is in a transaction). */
  async publish(body: FleetEventBody, client?: pg.ClientBase): Promise<FleetEvent> {
    this.#counter += 1;
    const event = {
      ...body,
      id: `${this.#prefix}-${this.#counter}`,
      time: this.#options.now(),
    } as FleetEvent;
    await (client ?? this.#options.pool).query("SELECT pg_notify($1, $2)", [
      EVENT_CHANNEL,
      JSON.stringify(event),
    ]);
    return event;
  }

  /**
   * The events this process received after the one with id `lastId` (oldest first), or
   * undefined when that id is no longer (or never was) among the last {@link REPLAY_EVENTS}.
   */
  since(lastId: string): FleetEvent[] | undefined {
    const at = this.#recent.findIndex((e) => e.id === lastId);
    return at < 0 ? undefined : this.#recent.slice(at + 1);
  }

  /** Calls `fn` for every event from any process; returns the unsubscribe function. */
  subscribe(fn: Subscriber): () => void {
    this.#subscribers.add(fn);
    return () => this.#subscribers.delete(fn);
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    const client = this.#listener;
    this.#listener = undefined;
    this.#subscribers.clear();
    await client?.end().catch(() => {});
  }
}
