/**
 * Pure helpers of the falseticker history: preset ranges (within raw retention), the
 * summary line, and how long each period lasted.
 */
import { RANGE_PRESET_MS, type RangeBounds, type RangePreset } from "../../lib/time-range.js";
import type { FalsetickerHistory, FalsetickerPeriod, SourceRange } from "./api/types.js";

/** The falseticker history's range presets (all within raw retention). */
export type SourcePreset = Extract<RangePreset, "1h" | "6h" | "24h" | "7d">;
export const SOURCE_PRESETS: readonly SourcePreset[] = ["1h", "6h", "24h", "7d"];

/** The range a preset means, ending at `nowMs` (whole seconds, so the query key is stable within a second). */
export function presetRange(preset: SourcePreset, nowMs: number): SourceRange {
  const to = Math.floor(nowMs / 1000) * 1000;
  return sourceRange({ fromMs: to - RANGE_PRESET_MS[preset], toMs: to });
}

/** Epoch-ms bounds (a preset's, or a custom range's) as the API's RFC 3339 range. */
export function sourceRange({ fromMs, toMs }: RangeBounds): SourceRange {
  return { from: new Date(fromMs).toISOString(), to: new Date(toMs).toISOString() };
}

/**
 * How long a period lasted, ms: to the report that no longer flagged the source when
 * known, else to the last report that did (a lower bound).
 */
export function periodMs(p: FalsetickerPeriod): number {
  return Date.parse(p.endedAt ?? p.to) - Date.parse(p.from);
}

/** One sentence for the summary and the live region. */
export function summarize(h: FalsetickerHistory): string {
  if (h.periods.length === 0) return "Not flagged as a falseticker by any node in this range.";
  const nodes = new Set(h.periods.map((p) => p.nodeId)).size;
  const peak = Math.max(0, ...h.buckets.map((b) => b.falsetickerNodes));
  const n = h.periods.length;
  return `${n} ${n === 1 ? "period" : "periods"} as a falseticker on ${nodes} ${nodes === 1 ? "node" : "nodes"}; at most ${peak} ${peak === 1 ? "node" : "nodes"} at once.${h.truncated ? " Only the first 1000 periods are listed." : ""}`;
}

/** A span for people: "40 s", "12 min", "3 h 5 min", "2 d 4 h". */
export function formatSpan(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const min = Math.floor(s / 60);
  if (min < 60) return `${min} min`;
  const h = Math.floor(min / 60);
  if (h < 24) return min % 60 === 0 ? `${h} h` : `${h} h ${min % 60} min`;
  const d = Math.floor(h / 24);
  return h % 24 === 0 ? `${d} d` : `${d} d ${h % 24} h`;
}
