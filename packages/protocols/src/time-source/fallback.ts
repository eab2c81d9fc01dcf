/**
 * Fallback chains: a {@link TimeSource} over members in order of preference (e.g. NTS →
 * NTP → HTTPS → local). It measures with the current member; when that fails it logs the
 * switch and tries the next ones in order, wrapping around. While not on the preferred
 * member, it tries the preferred one again once `retryPreferredAfterMs` has passed since
 * the switch. Time comes from the injected clock.
 */
import {
  type Clock,
  InvalidArgumentError,
  isChronoSyncError,
  NS_PER_MS,
  systemClock,
} from "@chronosync/core";
import { TimeSourceUnavailableError } from "../errors.js";
import {
  type MeasureOptions,
  silentLogger,
  type TimeSample,
  type TimeSource,
  type TimeSourceLogger,
} from "./types.js";

/** Options of {@link fallbackSource}. */
export interface FallbackOptions {
  logger?: TimeSourceLogger;
  clock?: Clock;
  /** Try the preferred member again this long after leaving it, ms (default 300 000). */
  retryPreferredAfterMs?: number;
}

/** One member's standing. */
export interface FallbackMemberState {
  url: string;
  failures: number;
  lastError: { code: string; message: string } | null;
}

/** What {@link FallbackSource.state} reports (for status pages and logs). */
export interface FallbackState {
  /** Index of the member in use. */
  current: number;
  currentUrl: string;
  /** Switches so far. */
  switches: number;
  members: FallbackMemberState[];
}

function errorInfo(err: unknown): { code: string; message: string } {
  if (isChronoSyncError(err)) return { code: err.code, message: err.message };
  return { code: "ERROR", message: err instanceof Error ? err.message : String(err) };
}

/** A fallback chain; make one with {@link fallbackSource}. */
export class FallbackSource implements TimeSource {
  readonly protocol = "fallback";
  readonly url: string;
  readonly #members: readonly TimeSource[];
  readonly #state: FallbackMemberState[];
  readonly #logger: TimeSourceLogger;
  readonly #clock: Clock;
  readonly #retryNs: bigint;
  #current = 0;
  #leftPreferredAt: bigint | null = null;
  #switches = 0;

  constructor(members: readonly TimeSource[], options: FallbackOptions = {}) {
    if (members.length === 0) throw new InvalidArgumentError("a fallback chain needs at least one member");
    const retry = options.retryPreferredAfterMs ?? 300_000;
    if (!(retry >= 0)) throw new InvalidArgumentError("retryPreferredAfterMs must be ≥ 0");
    this.#members = members;
    this.#state = members.map((m) => ({ url: m.url, failures: 0, lastError: null }));
    this.#logger = options.logger ?? silentLogger;
    this.#clock = options.clock ?? systemClock;
    this.#retryNs = BigInt(Math.round(retry)) * NS_PER_MS;
    this.url = `fallback:${members.map((m) => m.url).join(",")}`;
  }

  state(): FallbackState {
    return {
      current: this.#current,
      currentUrl: this.#members[this.#current]!.url,
      switches: this.#switches,
      members: this.#state.map((m) => ({ ...m })),
    };
  }

  async measure(options?: MeasureOptions): Promise<TimeSample> {
    const n = this.#members.length;
    let start = this.#current;
    const retry =
      start !== 0 &&
      this.#leftPreferredAt !== null &&
      this.#clock.now() - this.#leftPreferredAt >= this.#retryNs;
    if (retry) {
      this.#logger.info("retrying the preferred time source", { url: this.#members[0]!.url });
      start = 0;
      // Whatever happens, the next retry waits a full period from now.
      this.#leftPreferredAt = this.#clock.now();
    }
    const errors: unknown[] = [];
    for (let k = 0; k < n; k++) {
      const i = (start + k) % n;
      const member = this.#members[i]!;
      try {
        const sample = await member.measure(options);
        this.#use(i);
        return sample;
      } catch (err) {
        errors.push(err);
        const st = this.#state[i]!;
        st.failures++;
        st.lastError = errorInfo(err);
        if (k + 1 < n)
          this.#logger.warn("time source failed, trying the next", {
            url: member.url,
            next: this.#members[(i + 1) % n]!.url,
            error: st.lastError,
          });
      }
    }
    this.#logger.warn("every time source of the chain failed", { urls: this.#members.map((m) => m.url) });
    throw new TimeSourceUnavailableError(`all ${n} time sources failed`, errors);
  }

  #use(i: number): void {
    if (i === this.#current) return;
    const from = this.#members[this.#current]!.url;
    this.#switches++;
    this.#logger.warn("switched time source", { from, to: this.#members[i]!.url });
    if (this.#current === 0) this.#leftPreferredAt = this.#clock.now();
    if (i === 0) this.#leftPreferredAt = null;
    this.#current = i;
  }

  async close(): Promise<void> {
    await Promise.all(this.#members.map((m) => m.close()));
  }
}

/** A fallback chain over `members`, most preferred first. */
export function fallbackSource(members: readonly TimeSource[], options?: FallbackOptions): FallbackSource {
  return new FallbackSource(members, options);
}
