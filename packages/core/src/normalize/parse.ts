/**
 * Parsing the seed's timestamp values (issue 4 §3): epoch milliseconds as a JSON number,
 * an RFC 3339 string, or a string of epoch nanoseconds; and the claimed precision.
 */
import { InvalidArgumentError, TimestampRangeError } from "../errors.js";
import { parseRfc3339, RFC3339_MAX_INSTANT, RFC3339_MIN_INSTANT } from "../rfc3339.js";
import type { Duration, Instant } from "../time.js";

/** Largest claimed precision accepted, seconds (one day). */
export const MAX_PRECISION_S = 86_400;

function inRange(ns: Instant, text: string): Instant {
  if (ns < RFC3339_MIN_INSTANT || ns > RFC3339_MAX_INSTANT) {
    throw new TimestampRangeError(`timestamp ${text} is outside years 0000–9999`);
  }
  return ns;
}

const DECIMAL = /^(-?)(\d+)(?:\.(\d+))?$/;

/**
 * Epoch milliseconds (a JSON number, fractions allowed) → ns, exactly as the number is
 * written (its shortest round-trip decimal, so 1700000000123.456 → …123456000 ns); digits
 * below 1 ns are truncated toward the past.
 * @throws {InvalidArgumentError} for NaN/±Infinity; {@link TimestampRangeError} outside years 0000–9999.
 */
export function parseEpochMs(ms: number): Instant {
  if (typeof ms !== "number" || !Number.isFinite(ms)) {
    throw new InvalidArgumentError(`epoch milliseconds must be a finite number, got ${String(ms)}`);
  }
  if (Math.abs(ms) > 1e15)
    throw new TimestampRangeError(`epoch milliseconds ${ms} is outside years 0000–9999`);
  if (Number.isInteger(ms)) {
    // Whole milliseconds (the common case): exact below 2^53, no text round trip.
    const ns = BigInt(ms) * 1_000_000n;
    if (ns < RFC3339_MIN_INSTANT || ns > RFC3339_MAX_INSTANT) return inRange(ns, `${ms} ms`);
    return ns;
  }
  const text = String(ms);
  // Only |ms| < 1e-6 (below one nanosecond) prints with an exponent in this range.
  if (text.includes("e")) return ms < 0 ? -1n : 0n;
  const [, sign, whole, frac = ""] = DECIMAL.exec(text) ?? [];
  const fraction = frac.padEnd(6, "0");
  let ns = BigInt(whole ?? "0") * 1_000_000n + BigInt(fraction.slice(0, 6));
  if (sign === "-") {
    ns = -ns;
    if (/[1-9]/.test(fraction.slice(6))) ns -= 1n;
  }
  return inRange(ns, `${ms} ms`);
}

/** A decimal string of epoch nanoseconds → ns. @throws {InvalidArgumentError} {@link TimestampRangeError} */
export function parseEpochNs(text: string): Instant {
  if (!/^-?\d{1,22}$/.test(text))
    throw new InvalidArgumentError(`not a decimal string of epoch ns: ${JSON.stringify(text.slice(0, 40))}`);
  return inRange(BigInt(text), `${text} ns`);
}

/**
 * The seed's `value`: a number is epoch ms; a string of digits (optional `-`) is epoch ns;
 * any other string must be RFC 3339.
 * @throws {InvalidArgumentError} {@link Rfc3339Error} {@link TimestampRangeError}
 */
export function parseTimestampValue(value: number | string): Instant {
  if (typeof value === "number") return parseEpochMs(value);
  if (typeof value !== "string")
    throw new InvalidArgumentError(`a timestamp is a number or a string, got ${typeof value}`);
  if (/^-?\d+$/.test(value)) return parseEpochNs(value);
  return parseRfc3339(value);
}

/**
 * A claimed precision in seconds → ns, rounded up (a precision is a bound).
 * @throws {InvalidArgumentError} unless finite and 0 ≤ s ≤ {@link MAX_PRECISION_S}.
 */
export function precisionToNs(seconds: number): Duration {
  if (typeof seconds !== "number" || !Number.isFinite(seconds) || seconds < 0 || seconds > MAX_PRECISION_S) {
    throw new InvalidArgumentError(`precision must be 0–${MAX_PRECISION_S} s, got ${String(seconds)}`);
  }
  const ns = seconds * 1e9;
  const rounded = Math.round(ns);
  // Tolerate binary noise (0.001 * 1e9 = 1000000.0000000001) before rounding up.
  return BigInt(Math.abs(ns - rounded) <= 4 * Number.EPSILON * ns ? rounded : Math.ceil(ns));
}
