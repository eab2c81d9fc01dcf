/**
 * The time axis of a chart. uPlot's automatic range around a single timestamp (or several
 * equal ones) spans years; a chart instead shows the range that was asked for, or at
 * least `MIN_WINDOW_S` centred on the data.
 */

/** Narrowest automatic time axis, seconds (10 minutes). */
export const MIN_WINDOW_S = 600;

/**
 * The x range in seconds: `window` (the queried range, seconds) when given, else the
 * data's own [min, max] widened to at least `MIN_WINDOW_S` around its middle. No data and
 * no window: the `MIN_WINDOW_S` ending at `nowS`.
 */
export function timeAxisRange(
  min: number | null,
  max: number | null,
  window?: readonly [number, number] | undefined,
  nowS: number = Date.now() / 1000,
): [number, number] {
  if (window !== undefined && window[1] > window[0]) return [window[0], window[1]];
  if (min === null || max === null || !Number.isFinite(min) || !Number.isFinite(max))
    return [nowS - MIN_WINDOW_S, nowS];
  if (max - min >= MIN_WINDOW_S) return [min, max];
  const mid = (min + max) / 2;
  return [mid - MIN_WINDOW_S / 2, mid + MIN_WINDOW_S / 2];
}

/** An RFC 3339 range as the seconds `timeAxisRange` takes. */
export function windowSeconds(range: { from: string; to: string } | undefined): [number, number] | undefined {
  if (range === undefined) return undefined;
  const from = Date.parse(range.from.replace(/(\.\d{3})\d+/, "$1")) / 1000;
  const to = Date.parse(range.to.replace(/(\.\d{3})\d+/, "$1")) / 1000;
  return Number.isFinite(from) && Number.isFinite(to) && to > from ? [from, to] : undefined;
}
