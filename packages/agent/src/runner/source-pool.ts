/**
 * The associations of one configured source (issue 3 §4), like chrony's `server` and
 * `pool` directives: a `server` name is one association, a `pool` name up to
 * `maxSources` (default 4) associations, one per address the name resolves to. DNS is
 * asked again whenever an association is bad — unreachable for {@link SourcePoolOptions.unreachablePolls}
 * polls (reach register 0), demobilized by a kiss-o'-death, or a falseticker in
 * {@link SourcePoolOptions.falsetickerLimit} selections and still one — and the bad
 * association is replaced by a fresh address: one no association uses and that was not
 * replaced before. Each replacement is logged. A resolver failure, or no fresh address,
 * is retried with exponential backoff (logged); the bad association stays until then.
 *
 * Resolution is injected ({@link Resolver}: `node:dns` lookup with `all: true` in the
 * runner, a fake in unit tests); the associations themselves are opened and closed by the
 * runner through {@link PoolHost}. Nothing here reads a clock: `maintain(nowMs)` is told
 * the time.
 *
 * @see https://chrony-project.org/doc/4.3/chrony.conf.html#pool
 */
import { lookup } from "node:dns/promises";
import type { AgentSource } from "../config/load.js";
import type { LogLevel } from "../config/schema.js";
import type { PollPhase } from "../engine/source-poll.js";

/** One address of a name. */
export interface ResolvedAddress {
  readonly address: string;
  readonly family: 4 | 6;
}

/** Resolves a host name to all its addresses; rejects when it cannot. */
export type Resolver = (host: string) => Promise<readonly ResolvedAddress[]>;

/** The runner's resolver: `dns.lookup(host, { all: true })` (the system's resolver, /etc/hosts included). */
export const nodeResolver: Resolver = async (host) =>
  (await lookup(host, { all: true })).map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));

/** One association of a pool. */
export interface PoolMember {
  /** The engine's source id: the configured URL for a `server`, `ntp://address:port` for a pool member. */
  readonly id: string;
  readonly address: string;
  readonly family: 4 | 6;
}

/** What the pool sees of one association. */
export interface PoolMemberStatus {
  readonly state: PollPhase;
  readonly reach: number;
  /** Polls sent since the association was added. */
  readonly sent: number;
  /** Selections that judged it a falseticker since it was added. */
  readonly falsetickers: number;
  /** Its state at the last selection. */
  readonly selection: string;
}

/** The runner's side: opens and closes associations, knows every address in use. */
export interface PoolHost {
  /** Opens an association; false when it could not be opened (logged by the host). */
  add(pool: SourcePool, member: PoolMember): Promise<boolean>;
  /** Closes an association. */
  remove(id: string): void;
  /** Whether any association (of any pool) polls `address` on `port`. */
  inUse(address: string, port: number): boolean;
  status(id: string): PoolMemberStatus | undefined;
  log(level: LogLevel, message: string): void;
}

export interface SourcePoolOptions {
  /** Associations per name: default 4 for a pool, always 1 for a server. */
  readonly maxSources?: number;
  /** Unanswered polls in a row (reach register 0) that make an association bad. Default 8. */
  readonly unreachablePolls?: number;
  /** Falseticker verdicts that make an association bad while it still is one. Default 8. */
  readonly falsetickerLimit?: number;
  /** First retry after a failed or fruitless resolution, ms; doubles up to `retryMaxMs`. Default 16 s. */
  readonly retryBaseMs?: number;
  /** Default 1024 s. */
  readonly retryMaxMs?: number;
}

const hostForUrl = (address: string): string => (address.includes(":") ? `[${address}]` : address);

/** The associations of one configured source. */
export class SourcePool {
  readonly source: AgentSource;
  readonly maxSources: number;
  readonly #host: PoolHost;
  readonly #resolve: Resolver;
  readonly #o: Required<Omit<SourcePoolOptions, "maxSources">>;
  readonly #members: PoolMember[] = [];
  /** Addresses replaced as bad: never taken back. */
  readonly #retired = new Set<string>();
  /** Bad members already reported as waiting for a replacement. */
  readonly #reported = new Set<string>();
  #nextResolveMs = 0;
  #failures = 0;
  #busy = false;

  constructor(source: AgentSource, host: PoolHost, resolve: Resolver, options: SourcePoolOptions = {}) {
    this.source = source;
    this.#host = host;
    this.#resolve = resolve;
    this.maxSources = source.pool ? Math.max(1, options.maxSources ?? 4) : 1;
    this.#o = {
      unreachablePolls: options.unreachablePolls ?? 8,
      falsetickerLimit: options.falsetickerLimit ?? 8,
      retryBaseMs: options.retryBaseMs ?? 16_000,
      retryMaxMs: options.retryMaxMs ?? 1_024_000,
    };
  }

  /** The current associations. */
  get members(): readonly PoolMember[] {
    return [...this.#members];
  }

  /** Why `member` should be replaced, or undefined while it is fine. */
  badReason(member: PoolMember): string | undefined {
    const s = this.#host.status(member.id);
    if (s === undefined) return undefined;
    if (s.state === "demobilized") return "demobilized";
    const n = this.#o.unreachablePolls;
    const recent = (1 << Math.min(n, 8)) - 1;
    if (s.sent >= n && (s.reach & recent) === 0) return `unreachable for ${n} polls`;
    if (s.selection === "falseticker" && s.falsetickers >= this.#o.falsetickerLimit)
      return `falseticker in ${s.falsetickers} selections`;
    return undefined;
  }

  /**
   * Fills the pool up to `maxSources` and replaces bad members, resolving the name when
   * there is something to do and no backoff is pending. Called at start and then
   * periodically by the runner; concurrent calls return at once.
   */
  async maintain(nowMs: number): Promise<void> {
    if (this.#busy) return;
    const bad = this.#members.flatMap((m) => {
      const reason = this.badReason(m);
      return reason === undefined ? [] : [{ member: m, reason }];
    });
    const missing = this.maxSources - this.#members.length;
    if ((bad.length === 0 && missing <= 0) || nowMs < this.#nextResolveMs) return;
    this.#busy = true;
    try {
      await this.#resolveAndApply(nowMs, bad);
    } finally {
      this.#busy = false;
    }
  }

  async #resolveAndApply(
    nowMs: number,
    bad: readonly { member: PoolMember; reason: string }[],
  ): Promise<void> {
    const { url, host, port } = this.source;
    let addresses: readonly ResolvedAddress[];
    try {
      addresses = await this.#resolve(host);
    } catch (err) {
      const wait = this.#backoff(nowMs);
      this.#host.log(
        "warn",
        `${url}: cannot resolve ${host} (${errorText(err)}); retrying in ${seconds(wait)}`,
      );
      return;
    }
    const seen = new Set<string>();
    const fresh = addresses.filter((a) => {
      if (seen.has(a.address) || this.#retired.has(a.address) || this.#host.inUse(a.address, port))
        return false;
      seen.add(a.address);
      return true;
    });
    for (const { member, reason } of bad) {
      const next = fresh.shift();
      if (next === undefined) {
        if (!this.#reported.has(member.id)) {
          this.#reported.add(member.id);
          this.#host.log(
            "info",
            `${url}: ${member.address} is ${reason}; no fresh address of ${host} to replace it yet`,
          );
        }
        continue;
      }
      this.#drop(member);
      this.#retired.add(member.address);
      const added = await this.#add(next);
      this.#host.log(
        "info",
        `${url}: replaced ${member.address} (${reason}) by ${added ? next.address : "nothing: it could not be opened"}`,
      );
    }
    for (let n = this.maxSources - this.#members.length; n > 0 && fresh.length > 0; n--) {
      const next = fresh.shift();
      if (next !== undefined && (await this.#add(next)))
        this.#host.log("debug", `${url}: added ${next.address}`);
    }
    const stillBad = this.#members.some((m) => this.badReason(m) !== undefined);
    if (stillBad || this.#members.length < this.maxSources) {
      const wait = this.#backoff(nowMs);
      if (this.#members.length === 0)
        this.#host.log("warn", `${url}: no usable address of ${host}; retrying in ${seconds(wait)}`);
    } else {
      this.#failures = 0;
      this.#nextResolveMs = 0;
    }
  }

  async #add(r: ResolvedAddress): Promise<boolean> {
    const { url, port, pool } = this.source;
    const member: PoolMember = {
      id: pool ? `ntp://${hostForUrl(r.address)}:${port}` : url,
      address: r.address,
      family: r.family,
    };
    if (!(await this.#host.add(this, member))) return false;
    this.#members.push(member);
    return true;
  }

  #drop(member: PoolMember): void {
    this.#host.remove(member.id);
    this.#reported.delete(member.id);
    const i = this.#members.indexOf(member);
    if (i >= 0) this.#members.splice(i, 1);
  }

  /** Schedules the next resolution after the backoff; returns the wait, ms. */
  #backoff(nowMs: number): number {
    const wait = Math.min(this.#o.retryBaseMs * 2 ** this.#failures, this.#o.retryMaxMs);
    this.#failures++;
    this.#nextResolveMs = nowMs + wait;
    return wait;
  }
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;

const errorText = (err: unknown): string => {
  const e = err as { code?: unknown; message?: unknown };
  if (typeof e?.code === "string") return e.code;
  return err instanceof Error ? err.message : String(err);
};
