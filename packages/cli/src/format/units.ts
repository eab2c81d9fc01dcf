/** Human-readable numbers for the command's tables. Pure; bigint ns in, text out. */

/** Rounds ns to the nearest µs, halves away from zero. */
function roundToUs(ns: bigint): bigint {
  return ns >= 0n ? (ns + 500n) / 1000n : -((-ns + 500n) / 1000n);
}

/**
 * Nanoseconds as milliseconds with µs precision: `formatMs(12_345_678n)` → `"12.346"`;
 * with `signed`, a leading `+` on non-negative values so columns of offsets line up.
 */
export function formatMs(ns: bigint, signed = false): string {
  const us = roundToUs(ns);
  const abs = us < 0n ? -us : us;
  const sign = us < 0n ? "-" : signed ? "+" : "";
  return `${sign}${abs / 1000n}.${(abs % 1000n).toString().padStart(3, "0")}`;
}

/** An NTP precision (log2 s) with its value: `-24` → `"2^-24 s (59.6 ns)"`. */
export function formatPrecision(log2: number): string {
  const seconds = 2 ** log2;
  const [value, unit] =
    seconds >= 1
      ? [seconds, "s"]
      : seconds >= 1e-3
        ? [seconds * 1e3, "ms"]
        : seconds >= 1e-6
          ? [seconds * 1e6, "µs"]
          : [seconds * 1e9, "ns"];
  return `2^${log2} s (${Number(value.toPrecision(3))} ${unit})`;
}

const LEAP_TEXT = [
  "none",
  "+1 s at the end of the day",
  "-1 s at the end of the day",
  "unsynchronized",
] as const;

/** The leap indicator with its meaning: `3` → `"3 (unsynchronized)"`. */
export function formatLeap(leap: 0 | 1 | 2 | 3): string {
  return `${leap} (${LEAP_TEXT[leap]})`;
}
