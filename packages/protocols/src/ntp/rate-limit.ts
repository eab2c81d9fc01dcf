/**
 * Per-client rate limiting for the NTP responder: a token bucket per client address in
 * a fixed-size hashed table of typed arrays (no allocation per client or per packet),
 * after chrony's client log (`clientlog.c`, the `ratelimit` directive).
 *
 * Each client may send `burst` requests at once, then one per `minIntervalMs` on
 * average. Requests over the limit are not answered, except one in four which gets a
 * RATE kiss-o'-death (like chrony's `leak`), so we never send more packets than we get.
 * The table is 4-way set associative; a new client evicts the least recently seen one of
 * its set. Clients are named by a 32-bit key (a hash of the address string, or the
 * native transport's own); the set is picked by a seeded mix of the key so that an
 * attacker cannot aim at a victim's set.
 *
 * @see https://www.rfc-editor.org/rfc/rfc5905#section-7.4
 * @see https://chrony-project.org/doc/4.3/chrony.conf.html#ratelimit
 */
import { InvalidArgumentError } from "@chronosync/core";

/** Rate-limit settings; `minIntervalMs: 0` turns limiting off. */
export interface NtpRateLimitOptions {
  /** Average interval a client must keep between requests, ms (default 125). */
  minIntervalMs?: number;
  /** Requests a client may send back to back (default 16). */
  burst?: number;
  /** Clients tracked at once, rounded up to a power of two (default 4096). */
  tableSize?: number;
}

/** The defaults: 16 requests at once, then 8 per second on average, 4096 clients. */
export const NTP_RATE_LIMIT_DEFAULTS: Readonly<Required<NtpRateLimitOptions>> = {
  minIntervalMs: 125,
  burst: 16,
  tableSize: 4096,
};

/** {@link NtpRateLimiter.check} verdicts. */
export const RateDecision = { allow: 0, kiss: 1, drop: 2 } as const;
export type RateDecision = (typeof RateDecision)[keyof typeof RateDecision];

const WAYS = 4;
/** One limited request in KISS_EVERY is answered with a RATE kiss. */
const KISS_EVERY = 4;

/** A token bucket per client in a fixed table. Time comes in as ms from the caller. */
export class NtpRateLimiter {
  private readonly minIntervalMs: number;
  private readonly burst: number;
  private readonly setMask: number;
  private readonly seed: number;
  private readonly keys: Uint32Array;
  private readonly used: Uint8Array;
  private readonly lastMs: Float64Array;
  private readonly tokens: Float64Array;
  private readonly limited: Uint32Array;

  /** `seed` salts the client hash; by default it is random. */
  constructor(options: NtpRateLimitOptions = {}, seed: number = Math.floor(Math.random() * 0x1_0000_0000)) {
    const { minIntervalMs, burst, tableSize } = { ...NTP_RATE_LIMIT_DEFAULTS, ...options };
    if (!Number.isFinite(minIntervalMs) || minIntervalMs < 0) {
      throw new InvalidArgumentError(`rate limit minIntervalMs must be ≥ 0, got ${minIntervalMs}`);
    }
    if (!Number.isInteger(burst) || burst < 1) {
      throw new InvalidArgumentError(`rate limit burst must be an integer ≥ 1, got ${burst}`);
    }
    if (!Number.isInteger(tableSize) || tableSize < 1 || tableSize > 1 << 24) {
      throw new InvalidArgumentError(
        `rate limit tableSize must be an integer in [1, 2^24], got ${tableSize}`,
      );
    }
    const size = Math.max(WAYS, 2 ** Math.ceil(Math.log2(tableSize)));
    this.minIntervalMs = minIntervalMs;
    this.burst = burst;
    this.setMask = size / WAYS - 1;
    this.seed = seed >>> 0;
    this.keys = new Uint32Array(size);
    this.used = new Uint8Array(size);
    this.lastMs = new Float64Array(size);
    this.tokens = new Float64Array(size);
    this.limited = new Uint32Array(size);
  }

  /** Whether limiting is on (`minIntervalMs` > 0). */
  get enabled(): boolean {
    return this.minIntervalMs > 0;
  }

  /** Counts one request of the client at address `clientKey` at `nowMs`; says whether to answer it. */
  check(clientKey: string, nowMs: number): RateDecision {
    return this.checkKey(ntpClientKeyOf(clientKey), nowMs);
  }

  /**
   * {@link check} for a client already named by a 32-bit key (see {@link ntpClientKeyOf};
   * the native transport passes the IPv4 address or a hash of the IPv6 one). Allocates
   * nothing.
   */
  checkKey(clientKey: number, nowMs: number): RateDecision {
    if (this.minIntervalMs === 0) return RateDecision.allow;
    // The key itself is the tag; a seeded mix (murmur3's finalizer) picks the set.
    const key = clientKey >>> 0;
    let h = Math.imul(key ^ this.seed, 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    h ^= h >>> 16;
    const base = (h & this.setMask) * WAYS;
    let slot = base;
    let found = false;
    for (let i = base; i < base + WAYS; i++) {
      if (this.used[i] === 1 && this.keys[i] === key) {
        slot = i;
        found = true;
        break;
      }
      if (this.used[i] === 0 || (this.used[slot] === 1 && this.lastMs[i]! < this.lastMs[slot]!)) slot = i;
    }
    if (!found) {
      this.used[slot] = 1;
      this.keys[slot] = key;
      this.lastMs[slot] = nowMs;
      this.tokens[slot] = this.burst - 1;
      this.limited[slot] = 0;
      return RateDecision.allow;
    }
    const elapsed = nowMs - this.lastMs[slot]!;
    this.lastMs[slot] = nowMs;
    let tokens = this.tokens[slot]!;
    if (elapsed > 0) tokens = Math.min(this.burst, tokens + elapsed / this.minIntervalMs);
    if (tokens >= 1) {
      this.tokens[slot] = tokens - 1;
      this.limited[slot] = 0;
      return RateDecision.allow;
    }
    this.tokens[slot] = tokens;
    const count = (this.limited[slot]! + 1) >>> 0;
    this.limited[slot] = count;
    return count % KISS_EVERY === 1 ? RateDecision.kiss : RateDecision.drop;
  }
}

/**
 * The 32-bit rate-limit key of a client address string (FNV-1a of its UTF-16 code units).
 * Equal addresses give equal keys; the limiter salts keys with its own seed.
 */
export function ntpClientKeyOf(address: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < address.length; i++) h = Math.imul(h ^ address.charCodeAt(i), 0x01000193);
  return h >>> 0;
}
