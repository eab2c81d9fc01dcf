/**
 * Rate limiting: a fixed window per key (e.g. a client address), in this process's
 * memory. Time is passed in, so tests drive it without timers. `hit` counts every attempt
 * (logins); `blocked` + `hit` on failure only count failures (token and enrollment
 * endpoints, where a fleet behind one address succeeds often and must not be slowed).
 */
export class RateLimiter {
  readonly #limit: number;
  readonly #windowMs: number;
  readonly #windows = new Map<string, { start: number; count: number }>();

  constructor(limit: number, windowMs: number) {
    this.#limit = limit;
    this.#windowMs = windowMs;
  }

  /** Counts one attempt for `key` at `nowMs`; returns seconds to wait when over the limit. */
  hit(key: string, nowMs: number): number | undefined {
    const window = this.#windows.get(key);
    if (window === undefined || nowMs - window.start >= this.#windowMs) {
      if (this.#windows.size > 10_000) this.#sweep(nowMs);
      this.#windows.set(key, { start: nowMs, count: 1 });
      return undefined;
    }
    window.count++;
    if (window.count <= this.#limit) return undefined;
    return Math.max(1, Math.ceil((window.start + this.#windowMs - nowMs) / 1000));
  }

  /** Seconds to wait when `key` is over the limit at `nowMs` (counts nothing), else undefined. */
  blocked(key: string, nowMs: number): number | undefined {
    const window = this.#windows.get(key);
    if (window === undefined || nowMs - window.start >= this.#windowMs || window.count < this.#limit)
      return undefined;
    return Math.max(1, Math.ceil((window.start + this.#windowMs - nowMs) / 1000));
  }

  #sweep(nowMs: number): void {
    for (const [key, w] of this.#windows) if (nowMs - w.start >= this.#windowMs) this.#windows.delete(key);
  }
}
