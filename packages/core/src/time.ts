/**
 * Time types. An {@link Instant} is a `bigint` count of nanoseconds since
 * 1970-01-01T00:00:00Z (UTC, POSIX: leap seconds are not counted). Durations and
 * offsets are `bigint` nanoseconds too.
 */
export type Instant = bigint;
/** A signed duration in nanoseconds. */
export type Duration = bigint;

export const NS_PER_US = 1_000n;
export const NS_PER_MS = 1_000_000n;
export const NS_PER_S = 1_000_000_000n;

/** Seconds from the NTP prime epoch (1900-01-01) to the Unix epoch (1970-01-01). */
export const NTP_UNIX_EPOCH_DELTA_S = 2_208_988_800n;

/** Nanoseconds to seconds as a JavaScript number (for display and statistics). */
export function nsToSeconds(ns: bigint): number {
  return Number(ns) / 1e9;
}

/** Seconds (a finite number) to the nearest nanosecond. */
export function secondsToNs(seconds: number): bigint {
  return BigInt(Math.round(seconds * 1e9));
}

/** Absolute value of a bigint. */
export function absNs(ns: bigint): bigint {
  return ns < 0n ? -ns : ns;
}
