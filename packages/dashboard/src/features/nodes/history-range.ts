/**
 * Pure helpers of the node history view: preset ranges → query ranges (with the rollup
 * that keeps a series near a few thousand points), and the previous period aligned onto
 * the current one's time axis for the historical comparison.
 */
import { RANGE_PRESET_MS, type RangePreset } from "../../lib/time-range.js";
import type { HistoryPoint, HistoryRange } from "./api/types.js";

/** A point on the chart's time axis (RFC 3339 `time`). */
export interface TimedOffset {
  readonly time: string;
  readonly offsetNs: number;
}

/** Server history points → chart points (durations stay in ns; `null` → absent). */
export function toChartPoints(points: readonly HistoryPoint[]) {
  return points.map((p) => ({
    time: p.at,
    offsetNs: p.offsetNs,
    boundNs: p.boundNs,
    delayNs: p.delayNs ?? undefined,
    jitterNs: p.jitterNs ?? undefined,
  }));
}

/** The node page's range presets. */
export type Preset = Extract<RangePreset, "1h" | "24h" | "7d" | "30d">;
export const PRESETS: readonly Preset[] = ["1h", "24h", "7d", "30d"];

/**
 * The preset a node page URL asks for (`?range=7d`), else the default 24 h: a chosen range
 * is a link (shareable, and the start-up prefetch reads the same one).
 */
export function presetFromSearch(search: string): Preset {
  const asked = new URLSearchParams(search).get("range");
  return (PRESETS as readonly string[]).includes(asked ?? "") ? (asked as Preset) : "24h";
}

/** Resolution for a span: raw up to 6 h, 1-minute rollups up to 7 days, else hourly. */
export function resolutionFor(spanMs: number): HistoryRange["resolution"] {
  if (spanMs <= 6 * 3_600_000) return "raw";
  if (spanMs <= 7 * 86_400_000) return "1m";
  return "1h";
}

export function rangeOf(fromMs: number, toMs: number): HistoryRange {
  return {
    from: new Date(fromMs).toISOString(),
    to: new Date(toMs).toISOString(),
    resolution: resolutionFor(toMs - fromMs),
  };
}

/** Preset ranges end on the next 10 s boundary, so a prefetch and the page that mounts a moment later ask for the same range. */
const PRESET_END_STEP_MS = 10_000;

/** The range a preset means at `nowMs`: it ends at or just after now (the next 10 s boundary). */
export function presetRange(preset: Preset, nowMs: number): HistoryRange {
  const to = Math.ceil(nowMs / PRESET_END_STEP_MS) * PRESET_END_STEP_MS;
  return rangeOf(to - RANGE_PRESET_MS[preset], to);
}

/** The same-length range just before `range`. */
export function previousRange(range: HistoryRange): HistoryRange {
  const from = Date.parse(range.from);
  const to = Date.parse(range.to);
  return rangeOf(from - (to - from), from);
}

const ms = (t: string) => Date.parse(t.replace(/(\.\d{3})\d+/, "$1"));

/**
 * For each current point, the previous period's point nearest to (its time − shiftMs),
 * re-stamped with the current time; `null` offset where the previous period has no data
 * within `toleranceMs`.
 */
export function alignPrevious(
  current: readonly TimedOffset[],
  previous: readonly TimedOffset[],
  shiftMs: number,
  toleranceMs: number,
): TimedOffset[] {
  const times = previous.map((p) => ms(p.time));
  return current.map((p) => {
    const target = ms(p.time) - shiftMs;
    let lo = 0;
    let hi = times.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((times[mid] ?? 0) < target) lo = mid + 1;
      else hi = mid;
    }
    let best = lo;
    if (lo > 0 && Math.abs((times[lo - 1] ?? 0) - target) < Math.abs((times[lo] ?? 0) - target))
      best = lo - 1;
    const hit = previous[best];
    const t = times[best];
    const ok = hit !== undefined && t !== undefined && Math.abs(t - target) <= toleranceMs;
    return { time: p.time, offsetNs: ok ? hit.offsetNs : Number.NaN };
  });
}
