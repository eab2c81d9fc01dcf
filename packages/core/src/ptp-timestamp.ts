/**
 * IEEE 1588 (PTP) time formats, IEEE 1588-2019 §5.3.3 `Timestamp` and §5.3.2 `TimeInterval`.
 *
 * - `Timestamp`: UInteger48 `secondsField` + UInteger32 `nanosecondsField` (< 10^9),
 *   10 bytes big-endian on the wire. With the PTP timescale it counts TAI seconds since
 *   the PTP epoch, 1970-01-01T00:00:00 TAI (§7.2, "PTP timescale").
 * - `TimeInterval`: Integer64 nanoseconds × 2^16 (e.g. `correctionField`), 8 bytes.
 *
 * TAI vs UTC: an {@link Instant} is POSIX UTC. PTP time = POSIX time + `currentUtcOffset`
 * (TAI − UTC, carried in Announce messages; 37 s since 2017-01-01, IERS Bulletin C).
 * These conversions are wire-level only: no I/O, no knowledge of which offset is current.
 */
import { InvalidArgumentError, TimestampRangeError } from "./errors.js";
import { type Duration, type Instant, NS_PER_S } from "./time.js";

/** An IEEE 1588 `Timestamp`, with the standard's field names. */
export interface PtpTimestamp {
  /** UInteger48: seconds since the PTP epoch. */
  readonly secondsField: bigint;
  /** UInteger32, always < 10^9. */
  readonly nanosecondsField: number;
}

/** Bytes of an encoded `Timestamp`. */
export const PTP_TIMESTAMP_LENGTH = 10;
/** Bytes of an encoded `TimeInterval`. */
export const PTP_TIME_INTERVAL_LENGTH = 8;
/** TAI − UTC in seconds since 2017-01-01 (https://hpiers.obspm.fr/iers/bul/bulc/bulletinc.dat). */
export const CURRENT_UTC_OFFSET_S = 37;
/** `TimeInterval` value meaning "too big to represent" (`correctionField`, IEEE 1588 §13.3.2). */
export const PTP_TIME_INTERVAL_UNREPRESENTABLE = 0x7fff_ffff_ffff_ffffn;

const MAX_SECONDS = (1n << 48n) - 1n;
const TWO32 = 2 ** 32;
const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;

function checkTimestamp({ secondsField, nanosecondsField }: PtpTimestamp): void {
  if (typeof secondsField !== "bigint" || secondsField < 0n || secondsField > MAX_SECONDS) {
    throw new TimestampRangeError(`PTP secondsField ${String(secondsField)} is outside 0..2^48-1`);
  }
  if (!Number.isInteger(nanosecondsField) || nanosecondsField < 0 || nanosecondsField >= 1e9) {
    throw new TimestampRangeError(`PTP nanosecondsField ${nanosecondsField} is outside 0..999999999`);
  }
}

function checkSpace(bytes: Uint8Array, offset: number, length: number): void {
  if (!Number.isInteger(offset) || offset < 0 || offset + length > bytes.length) {
    throw new InvalidArgumentError(`need ${length} bytes at offset ${offset}, buffer has ${bytes.length}`);
  }
}

function offsetNs(currentUtcOffset: number): bigint {
  if (!Number.isInteger(currentUtcOffset)) {
    throw new InvalidArgumentError(`currentUtcOffset must be whole seconds, got ${currentUtcOffset}`);
  }
  return BigInt(currentUtcOffset) * NS_PER_S;
}

/** Nanoseconds since the PTP epoch on the timestamp's own timescale (TAI for PTP). */
export function ptpTimestampToNs(timestamp: PtpTimestamp): bigint {
  checkTimestamp(timestamp);
  return timestamp.secondsField * NS_PER_S + BigInt(timestamp.nanosecondsField);
}

/** Splits nanoseconds since the PTP epoch into a `Timestamp`; throws outside 0..2^48 s. */
export function nsToPtpTimestamp(ns: bigint): PtpTimestamp {
  const secondsField = ns / NS_PER_S;
  if (ns < 0n || secondsField > MAX_SECONDS) {
    throw new TimestampRangeError(`${ns} ns since the PTP epoch does not fit a PTP Timestamp`);
  }
  return { secondsField, nanosecondsField: Number(ns - secondsField * NS_PER_S) };
}

/** A POSIX UTC instant as a PTP (TAI) `Timestamp`: adds `currentUtcOffset` seconds. */
export function instantToPtpTimestamp(
  instant: Instant,
  currentUtcOffset = CURRENT_UTC_OFFSET_S,
): PtpTimestamp {
  return nsToPtpTimestamp(instant + offsetNs(currentUtcOffset));
}

/** A PTP (TAI) `Timestamp` as a POSIX UTC instant: subtracts `currentUtcOffset` seconds. */
export function ptpTimestampToInstant(
  timestamp: PtpTimestamp,
  currentUtcOffset = CURRENT_UTC_OFFSET_S,
): Instant {
  return ptpTimestampToNs(timestamp) - offsetNs(currentUtcOffset);
}

/**
 * Writes the 10-byte big-endian `Timestamp` into `target` at `offset`.
 * @throws {TimestampRangeError} seconds beyond 48 bits or nanoseconds ≥ 10^9.
 */
export function encodePtpTimestamp(timestamp: PtpTimestamp, target: Uint8Array, offset = 0): void {
  checkTimestamp(timestamp);
  checkSpace(target, offset, PTP_TIMESTAMP_LENGTH);
  const view = new DataView(target.buffer, target.byteOffset + offset, PTP_TIMESTAMP_LENGTH);
  const seconds = Number(timestamp.secondsField);
  const high = Math.floor(seconds / TWO32);
  view.setUint16(0, high);
  view.setUint32(2, seconds - high * TWO32);
  view.setUint32(6, timestamp.nanosecondsField);
}

/**
 * Reads a 10-byte big-endian `Timestamp` from `bytes` at `offset`.
 * @throws {TimestampRangeError} when the nanoseconds field is ≥ 10^9 (malformed).
 */
export function decodePtpTimestamp(bytes: Uint8Array, offset = 0): PtpTimestamp {
  checkSpace(bytes, offset, PTP_TIMESTAMP_LENGTH);
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, PTP_TIMESTAMP_LENGTH);
  const secondsField = BigInt(view.getUint16(0) * TWO32 + view.getUint32(2));
  const nanosecondsField = view.getUint32(6);
  if (nanosecondsField >= 1e9) {
    throw new TimestampRangeError(`PTP nanosecondsField ${nanosecondsField} is not below 10^9`);
  }
  return { secondsField, nanosecondsField };
}

/**
 * `TimeInterval` (ns × 2^16) to nanoseconds, rounded to nearest (halves away from zero).
 * Compare with {@link PTP_TIME_INTERVAL_UNREPRESENTABLE} first where that value may occur.
 */
export function timeIntervalToNs(interval: bigint): Duration {
  const magnitude = ((interval < 0n ? -interval : interval) + 0x8000n) >> 16n;
  return interval < 0n ? -magnitude : magnitude;
}

/**
 * Nanoseconds (plus optional sub-nanoseconds in units of 2^-16 ns) to a `TimeInterval`.
 * @throws {TimestampRangeError} beyond the signed 64-bit range (about ±39 hours).
 */
export function nsToTimeInterval(ns: Duration, subNanoseconds = 0n): bigint {
  const interval = ns * 65_536n + subNanoseconds;
  if (interval < INT64_MIN || interval > INT64_MAX) {
    throw new TimestampRangeError(`${ns} ns does not fit a PTP TimeInterval`);
  }
  return interval;
}

/** Writes an 8-byte big-endian `TimeInterval`. */
export function encodeTimeInterval(interval: bigint, target: Uint8Array, offset = 0): void {
  if (interval < INT64_MIN || interval > INT64_MAX) {
    throw new TimestampRangeError(`TimeInterval ${interval} is outside the signed 64-bit range`);
  }
  checkSpace(target, offset, PTP_TIME_INTERVAL_LENGTH);
  new DataView(target.buffer, target.byteOffset + offset, 8).setBigInt64(0, interval);
}

/** Reads an 8-byte big-endian `TimeInterval`. */
export function decodeTimeInterval(bytes: Uint8Array, offset = 0): bigint {
  checkSpace(bytes, offset, PTP_TIME_INTERVAL_LENGTH);
  return new DataView(bytes.buffer, bytes.byteOffset + offset, 8).getBigInt64(0);
}
