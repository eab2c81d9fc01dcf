/**
 * The server side of RFC 5905 client/server mode: answers mode-3 requests with mode-4
 * replies. Pure: the clock is injected, the caller does the I/O.
 *
 * The hot path ({@link NtpResponder.respondInto}) reads the few request fields it needs
 * straight from the bytes and writes the reply into the caller's buffer (`respond`
 * copies it into one new 48-byte array); the reference fields come from a template that
 * is rebuilt only when the reference state object changes. Replies are never larger
 * than requests (requests with extension fields get a plain header) and clients over
 * their rate get a RATE kiss-o'-death now and then, else nothing (see rate-limit.ts).
 *
 * @see https://www.rfc-editor.org/rfc/rfc5905#section-9
 */
import {
  type Clock,
  type Duration,
  type Instant,
  InvalidArgumentError,
  instantToNtp64,
  nsToNtpShort,
} from "@chronosync/core";
import { findNtpMacOffset } from "./extension-field.js";
import { splitInstant, writeNtpTimestamp } from "./fast-timestamp.js";
import { NTP_HEADER_LENGTH, NTP_LEAP_UNSYNCHRONIZED, NtpMode } from "./header.js";
import { NtpRateLimiter, type NtpRateLimitOptions, ntpClientKeyOf, RateDecision } from "./rate-limit.js";
import { asciiReferenceId } from "./reference-id.js";

/**
 * What the server says about its own synchronization (RFC 5905 §7.3 and §11.1 system
 * variables), carried into every reply as given: `rootDispersionNs` should already
 * include its growth since `referenceTime` (the caller refreshes the state).
 */
export interface NtpReferenceState {
  leap: 0 | 1 | 2 | 3;
  stratum: number;
  referenceId: number;
  referenceTime: Instant;
  rootDelayNs: Duration;
  rootDispersionNs: Duration;
  /** Precision of the served clock, log2 s. */
  precision: number;
}

/** Counters of a responder: received = answered + rateLimited + ignored. */
export interface NtpResponderStats {
  received: number;
  answered: number;
  /** Over the client's rate: dropped, or answered with a RATE kiss. */
  rateLimited: number;
  /** Not a well-formed mode-3 request of version 1–4. */
  ignored: number;
}

const RATE_ID = asciiReferenceId("RATE");

function buildTemplate(ref: NtpReferenceState): Uint8Array {
  const ok = (v: number, min: number, max: number) => Number.isInteger(v) && v >= min && v <= max;
  if (!ok(ref.leap, 0, 3) || !ok(ref.stratum, 0, 255) || !ok(ref.precision, -128, 127)) {
    throw new InvalidArgumentError("NTP reference state: leap, stratum or precision out of range");
  }
  if (!ok(ref.referenceId, 0, 0xffff_ffff)) throw new InvalidArgumentError("NTP referenceId must be a u32");
  const t = new Uint8Array(NTP_HEADER_LENGTH);
  const view = new DataView(t.buffer);
  view.setUint8(0, ref.leap << 6);
  view.setUint8(1, ref.stratum);
  view.setInt8(3, ref.precision);
  view.setUint32(4, nsToNtpShort(ref.rootDelayNs));
  view.setUint32(8, nsToNtpShort(ref.rootDispersionNs));
  view.setUint32(12, ref.referenceId);
  view.setBigUint64(16, instantToNtp64(ref.referenceTime));
  return t;
}

/**
 * Answers NTP client requests from an injected clock and reference state.
 * @see https://www.rfc-editor.org/rfc/rfc5905#section-9.2
 */
export class NtpResponder {
  /** The clock the replies' transmit timestamps (and the server's receive times) come from. */
  readonly clock: Clock;
  readonly stats: NtpResponderStats = { received: 0, answered: 0, rateLimited: 0, ignored: 0 };
  private readonly reference: NtpReferenceState | (() => NtpReferenceState);
  private readonly limiter: NtpRateLimiter | null;
  private template: Uint8Array = new Uint8Array(NTP_HEADER_LENGTH);
  private templateOf: NtpReferenceState | null = null;
  private readonly split = new Float64Array(2);
  private readonly scratch = new Uint8Array(NTP_HEADER_LENGTH);

  /**
   * `reference` may be a function, called per request: return the same object while
   * nothing changed, the header template is rebuilt when it does. `rateLimit` defaults
   * to NTP_RATE_LIMIT_DEFAULTS; `false` turns it off (benchmarks).
   */
  constructor(options: {
    clock: Clock;
    reference: NtpReferenceState | (() => NtpReferenceState);
    rateLimit?: NtpRateLimitOptions | false;
    /** Seed of the rate limiter's hash (random by default; fixed for reproducible simulations). */
    rateLimitSeed?: number;
  }) {
    this.clock = options.clock;
    this.reference = options.reference;
    this.limiter =
      options.rateLimit === false ? null : new NtpRateLimiter(options.rateLimit ?? {}, options.rateLimitSeed);
    if (typeof options.reference !== "function") this.currentTemplate();
  }

  /**
   * Reply bytes for `request`, or null when it is ignored (too short, not mode 3, version
   * outside 1–4, malformed extension fields or MAC) or rate-limited without a kiss.
   * `receiveTime` is T2, read as early as possible; `clientKey` names the client for rate
   * limiting (its address). Reads clock.now() for T3 last. Same logic as
   * {@link respondInto}, which it calls.
   */
  respond(request: Uint8Array, receiveTime: Instant, clientKey: string): Uint8Array | null {
    const split = this.split;
    splitInstant(receiveTime, split);
    const key = this.limiter === null ? 0 : ntpClientKeyOf(clientKey);
    const scratch = this.scratch;
    const length = this.respondInto(request, 0, request.length, split[0]!, split[1]!, key, scratch, 0);
    return length === 0 ? null : scratch.slice(0, length);
  }

  /**
   * The allocation-free form of {@link respond} for batched transports: the request is
   * `rx[rxOffset..rxOffset+rxLength)` (a negative length counts as a short request), T2 is
   * `rxSeconds` whole Unix seconds plus `rxNanoseconds` in [0, 10^9) of the served clock,
   * and `clientKey` a 32-bit key of the client's address (see {@link ntpClientKeyOf}).
   * Writes the reply at `tx[txOffset..)` and returns its length: 48, or 0 for no reply.
   * Reads clock.now() for T3 last.
   * @see https://www.rfc-editor.org/rfc/rfc5905#section-9.2
   */
  respondInto(
    rx: Uint8Array,
    rxOffset: number,
    rxLength: number,
    rxSeconds: number,
    rxNanoseconds: number,
    clientKey: number,
    tx: Uint8Array,
    txOffset: number,
  ): number {
    const stats = this.stats;
    stats.received++;
    const flags = rxLength >= NTP_HEADER_LENGTH ? rx[rxOffset]! : 0;
    const version = (flags >>> 3) & 7;
    if (
      (flags & 7) !== NtpMode.client ||
      version < 1 ||
      version > 4 ||
      (rxLength > NTP_HEADER_LENGTH && findNtpMacOffset(rx, version, rxOffset, rxOffset + rxLength) < 0)
    ) {
      stats.ignored++;
      return 0;
    }
    if (this.limiter !== null) {
      const decision = this.limiter.checkKey(clientKey, rxSeconds * 1000 + rxNanoseconds / 1e6);
      if (decision !== RateDecision.allow) {
        stats.rateLimited++;
        return decision === RateDecision.kiss ? writeRateKiss(rx, rxOffset, version, tx, txOffset) : 0;
      }
    }
    tx.set(this.currentTemplate(), txOffset);
    tx[txOffset] = tx[txOffset]! | (version << 3) | NtpMode.server;
    tx[txOffset + 2] = rx[rxOffset + 2]!;
    for (let i = 0; i < 8; i++) tx[txOffset + 24 + i] = rx[rxOffset + 40 + i]!;
    writeNtpTimestamp(tx, txOffset + 32, rxSeconds, rxNanoseconds);
    const split = this.split;
    splitInstant(this.clock.now(), split);
    writeNtpTimestamp(tx, txOffset + 40, split[0]!, split[1]!);
    stats.answered++;
    return NTP_HEADER_LENGTH;
  }

  private currentTemplate(): Uint8Array {
    const ref = typeof this.reference === "function" ? this.reference() : this.reference;
    if (ref !== this.templateOf) {
      this.template = buildTemplate(ref);
      this.templateOf = ref;
    }
    return this.template;
  }
}

/**
 * A RATE kiss (RFC 5905 §7.4) at `tx[txOffset..)`: the request echoed with leap 3, mode
 * 4, stratum 0, reference id RATE, and its transmit timestamp as origin, receive and
 * transmit, so it passes the client's origin check but tells it nothing about our clock.
 * Returns its length.
 */
function writeRateKiss(
  rx: Uint8Array,
  rxOffset: number,
  version: number,
  tx: Uint8Array,
  txOffset: number,
): number {
  tx.set(rx.subarray(rxOffset, rxOffset + NTP_HEADER_LENGTH), txOffset);
  tx[txOffset] = (NTP_LEAP_UNSYNCHRONIZED << 6) | (version << 3) | NtpMode.server;
  tx[txOffset + 1] = 0;
  tx[txOffset + 12] = RATE_ID >>> 24;
  tx[txOffset + 13] = (RATE_ID >>> 16) & 0xff;
  tx[txOffset + 14] = (RATE_ID >>> 8) & 0xff;
  tx[txOffset + 15] = RATE_ID & 0xff;
  for (let i = 0; i < 8; i++) {
    tx[txOffset + 24 + i] = rx[rxOffset + 40 + i]!;
    tx[txOffset + 32 + i] = rx[rxOffset + 40 + i]!;
  }
  return NTP_HEADER_LENGTH;
}
