/**
 * NTP timestamp formats (RFC 5905 §6) and their conversion to {@link Instant}s.
 *
 * - 64-bit timestamp: 32-bit seconds since 1900-01-01 of its era + 32-bit fraction.
 *   Represented as an unsigned `bigint` (`seconds << 32 | fraction`).
 * - 32-bit short format: 16-bit seconds + 16-bit fraction, used for root delay and
 *   root dispersion. Represented as an unsigned `number`.
 *
 * The 64-bit format wraps every 2^32 s (136 years); era 1 starts at
 * 2036-02-07T06:28:16Z. Decoding needs a pivot instant: the result is the instant
 * nearest to it (RFC 5905 §6: "the correct era ... by the local clock").
 */
import { TimestampRangeError } from "./errors.js";
import { type Instant, NS_PER_S, NTP_UNIX_EPOCH_DELTA_S } from "./time.js";

const TWO32 = 1n << 32n;
const MASK32 = TWO32 - 1n;
const ERA_NS = TWO32 * NS_PER_S;
const HALF_ERA_NS = ERA_NS / 2n;
const NTP_EPOCH_NS = NTP_UNIX_EPOCH_DELTA_S * NS_PER_S;

/** 2036-02-07T06:28:16Z, the first instant of NTP era 1. */
export const NTP_ERA1_START: Instant = ERA_NS - NTP_EPOCH_NS;

/**
 * The default pivot: with it, seconds with the top bit set are read as era 0
 * (1968–2036) and the others as era 1 (2036–2104), the convention of RFC 4330 §3.
 */
export const DEFAULT_NTP_PIVOT: Instant = NTP_ERA1_START;

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
}

/**
 * Encodes an instant as an NTP 64-bit timestamp, rounding to the nearest 2^-32 s.
 * Any instant maps onto its era's timestamp; the era itself is not carried (RFC 5905 §6).
 */
export function instantToNtp64(instant: Instant): bigint {
  const ntpNs = instant + NTP_EPOCH_NS;
  let seconds = floorDiv(ntpNs, NS_PER_S);
  const rem = ntpNs - seconds * NS_PER_S;
  let fraction = (rem * TWO32 + NS_PER_S / 2n) / NS_PER_S;
  if (fraction === TWO32) {
    fraction = 0n;
    seconds += 1n;
  }
  return ((((seconds % TWO32) + TWO32) % TWO32) << 32n) | fraction;
}

/**
 * Decodes an NTP 64-bit timestamp to the instant nearest `pivot`: the one in
 * [pivot − 2^31 s, pivot + 2^31 s), rounding the fraction to the nearest nanosecond.
 * Round trip with {@link instantToNtp64} is exact within that window.
 */
export function ntp64ToInstant(timestamp: bigint, pivot: Instant = DEFAULT_NTP_PIVOT): Instant {
  if (timestamp < 0n || timestamp > 0xffff_ffff_ffff_ffffn) {
    throw new TimestampRangeError(`NTP 64-bit timestamp out of range: ${timestamp}`);
  }
  const seconds = timestamp >> 32n;
  const fraction = timestamp & MASK32;
  const fractionNs = (fraction * NS_PER_S + (1n << 31n)) >> 32n;
  const base = seconds * NS_PER_S + fractionNs - NTP_EPOCH_NS;
  // The era k with pivot − ERA/2 ≤ base + k·ERA < pivot + ERA/2 (ties go to the earlier era).
  return base - floorDiv(base - pivot + HALF_ERA_NS, ERA_NS) * ERA_NS;
}

/** Splits a 64-bit timestamp into its two 32-bit words. */
export function ntp64Parts(timestamp: bigint): { seconds: number; fraction: number } {
  return { seconds: Number(timestamp >> 32n), fraction: Number(timestamp & MASK32) };
}

/** Joins two 32-bit words into a 64-bit timestamp. */
export function ntp64FromParts(seconds: number, fraction: number): bigint {
  return (BigInt(seconds >>> 0) << 32n) | BigInt(fraction >>> 0);
}

/** NTP short format (16.16 unsigned seconds) to nanoseconds, rounded to nearest. */
export function ntpShortToNs(short: number): bigint {
  return (BigInt(short >>> 0) * NS_PER_S + (1n << 15n)) >> 16n;
}

/**
 * Nanoseconds to NTP short format, rounded to nearest; negative values give 0 and
 * values past 65535.99998 s saturate at 0xffffffff (the format cannot carry them).
 */
export function nsToNtpShort(ns: bigint): number {
  if (ns <= 0n) return 0;
  const v = (ns * 65536n + NS_PER_S / 2n) / NS_PER_S;
  return v > 0xffff_ffffn ? 0xffff_ffff : Number(v);
}

/** NTP precision (log2 seconds) to nanoseconds, at least 1 ns. */
export function precisionLog2ToNs(log2: number): bigint {
  const ns = Math.round(2 ** log2 * 1e9);
  return BigInt(Math.max(1, ns));
}
