/**
 * The time ranges the history views offer: how long each preset spans, and a custom range
 * read from two `datetime-local` inputs (the viewer's zone). Each feature turns these into
 * its own query range (its rounding of the end, its rollup).
 */

/** A preset range, by the label its button shows. */
export type RangePreset = "1h" | "6h" | "24h" | "7d" | "30d";

/** How long each preset spans, ms. */
export const RANGE_PRESET_MS: Readonly<Record<RangePreset, number>> = {
  "1h": 3_600_000,
  "6h": 6 * 3_600_000,
  "24h": 86_400_000,
  "7d": 7 * 86_400_000,
  "30d": 30 * 86_400_000,
};

/** A range as epoch milliseconds, `fromMs < toMs`. */
export interface RangeBounds {
  readonly fromMs: number;
  readonly toMs: number;
}

/**
 * Two `datetime-local` values (no offset: the viewer's zone) as a range; undefined unless
 * both parse and `from` is before `to`.
 */
export function parseLocalRange(from: string, to: string): RangeBounds | undefined {
  const fromMs = Date.parse(from);
  const toMs = Date.parse(to);
  if (!Number.isFinite(fromMs) || !Number.isFinite(toMs) || fromMs >= toMs) return undefined;
  return { fromMs, toMs };
}
