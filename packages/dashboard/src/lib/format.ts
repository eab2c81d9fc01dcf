/**
 * Display formatting: instants in the viewer's time zone (the UTC form goes in a title),
 * nanosecond durations with a fitting unit. Instants arrive as RFC 3339 strings with up
 * to 9 fractional digits (DESIGN.md "Contracts"); JavaScript dates keep milliseconds.
 */

/** Parses RFC 3339 (any fraction length) to epoch milliseconds; NaN when malformed. */
export function parseInstant(rfc3339: string): number {
  const trimmed = rfc3339.replace(/(\.\d{3})\d+/, "$1");
  return Date.parse(trimmed);
}

const local = new Intl.DateTimeFormat(undefined, {
  year: "numeric",
  month: "short",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
  timeZoneName: "short",
});

/** The instant in the viewer's zone, e.g. "29 Nov 2026, 18:04:05 CET". */
export function formatLocal(rfc3339: string): string {
  const ms = parseInstant(rfc3339);
  return Number.isNaN(ms) ? rfc3339 : local.format(ms);
}

/** Signed duration from nanoseconds: "−1.23 ms", "840 µs", "12 ns", "3.20 s". */
export function formatDuration(ns: number | string | null | undefined): string {
  if (ns === null || ns === undefined || ns === "") return "—";
  const v = typeof ns === "string" ? Number(ns) : ns;
  if (!Number.isFinite(v)) return "—";
  const abs = Math.abs(v);
  const sign = v < 0 ? "−" : "";
  if (abs >= 1e9) return `${sign}${(abs / 1e9).toFixed(2)} s`;
  if (abs >= 1e6) return `${sign}${(abs / 1e6).toFixed(2)} ms`;
  if (abs >= 1e3) return `${sign}${(abs / 1e3).toFixed(abs >= 1e5 ? 0 : 1)} µs`;
  return `${sign}${abs.toFixed(0)} ns`;
}

/** Percent with one decimal. */
export function formatPercent(fraction: number | undefined): string {
  return fraction === undefined || !Number.isFinite(fraction) ? "—" : `${(fraction * 100).toFixed(1)} %`;
}

/** Bytes as KiB/MiB. */
export function formatBytes(bytes: number | undefined): string {
  if (bytes === undefined || !Number.isFinite(bytes)) return "—";
  if (bytes >= 1 << 20) return `${(bytes / (1 << 20)).toFixed(1)} MiB`;
  return `${(bytes / 1024).toFixed(0)} KiB`;
}
