// Pure parts of the sources page and the charts' time axis, without a browser: falseticker
// ranges, periods and summaries; a single point's axis is a sensible window, not years.
import { describe, expect, it } from "vitest";
import type { FalsetickerHistory } from "../src/features/sources/api/types.js";
import {
  formatSpan,
  periodMs,
  presetRange,
  sourceRange,
  summarize,
} from "../src/features/sources/falseticker-range.js";
import { parseLocalRange } from "../src/lib/time-range.js";
import { MIN_WINDOW_S, timeAxisRange, windowSeconds } from "../src/lib/time-window.js";

describe("chart time axis", () => {
  const t = 1_795_953_600; // 2026-11-29T12:00:00Z, seconds
  it("centres a single point in a 10-minute window instead of uPlot's years", () => {
    expect(timeAxisRange(t, t)).toEqual([t - MIN_WINDOW_S / 2, t + MIN_WINDOW_S / 2]);
    expect(timeAxisRange(t, t + 60)).toEqual([t + 30 - 300, t + 30 + 300]);
  });
  it("keeps a wide enough data range, prefers the queried window, survives no data", () => {
    expect(timeAxisRange(t, t + 3600)).toEqual([t, t + 3600]);
    expect(timeAxisRange(t, t, [t - 86_400, t])).toEqual([t - 86_400, t]);
    expect(timeAxisRange(null, null, undefined, t)).toEqual([t - MIN_WINDOW_S, t]);
    expect(timeAxisRange(t, t, [t, t])).toEqual([t - 300, t + 300]); // an empty window is ignored
  });
  it("reads RFC 3339 windows with nanoseconds", () => {
    expect(windowSeconds({ from: "2026-11-29T12:00:00.123456789Z", to: "2026-11-29T13:00:00Z" })).toEqual([
      t + 0.123,
      t + 3600,
    ]);
    expect(windowSeconds({ from: "x", to: "2026-11-29T13:00:00Z" })).toBeUndefined();
    expect(windowSeconds(undefined)).toBeUndefined();
  });
});

describe("falseticker history helpers", () => {
  it("turns presets and custom inputs into ranges", () => {
    expect(presetRange("24h", Date.parse("2026-11-29T12:00:00.700Z"))).toEqual({
      from: "2026-11-28T12:00:00.000Z",
      to: "2026-11-29T12:00:00.000Z",
    });
    expect(parseLocalRange("2026-11-29T10:00", "2026-11-29T09:00")).toBeUndefined();
    expect(parseLocalRange("2026-11-29T09:00", "2026-11-29T09:00")).toBeUndefined();
    expect(parseLocalRange("", "2026-11-29T09:00")).toBeUndefined();
    const b = parseLocalRange("2026-11-29T08:00", "2026-11-29T09:00");
    expect(b !== undefined && b.toMs - b.fromMs).toBe(3_600_000);
    // datetime-local values carry no offset: they are read in the viewer's zone
    expect(b?.fromMs).toBe(new Date(2026, 10, 29, 8, 0).getTime());
    const r = b === undefined ? undefined : sourceRange(b);
    expect(r !== undefined && Date.parse(r.to) - Date.parse(r.from)).toBe(3_600_000);
  });

  it("measures periods to when they cleared, or to the last flagged report", () => {
    const base = {
      nodeId: "n",
      hostname: "h",
      reports: 3,
      from: "2026-11-29T12:00:00Z",
      to: "2026-11-29T12:00:20Z",
    };
    expect(periodMs({ ...base, endedAt: "2026-11-29T12:00:30Z" })).toBe(30_000);
    expect(periodMs({ ...base, endedAt: null })).toBe(20_000);
    expect([40_000, 720_000, 3_600_000, 11_100_000, 86_400_000, 187_200_000].map(formatSpan)).toEqual([
      "40 s",
      "12 min",
      "1 h",
      "3 h 5 min",
      "1 d",
      "2 d 4 h",
    ]);
  });

  it("summarizes a history in one sentence", () => {
    const h: FalsetickerHistory = {
      sourceId: "s",
      from: "2026-11-29T00:00:00Z",
      to: "2026-11-29T12:00:00Z",
      bucketSeconds: 360,
      buckets: [
        { at: "2026-11-29T00:00:00Z", nodes: 3, falsetickerNodes: 2 },
        { at: "2026-11-29T00:06:00Z", nodes: 3, falsetickerNodes: 1 },
      ],
      periods: [
        { nodeId: "a", hostname: "a", from: "x", to: "x", endedAt: null, reports: 1 },
        { nodeId: "b", hostname: "b", from: "x", to: "x", endedAt: null, reports: 1 },
        { nodeId: "a", hostname: "a", from: "y", to: "y", endedAt: null, reports: 1 },
      ],
      truncated: false,
    };
    expect(summarize(h)).toBe("3 periods as a falseticker on 2 nodes; at most 2 nodes at once.");
    expect(summarize({ ...h, periods: h.periods.slice(0, 1), buckets: [h.buckets[1]!] })).toBe(
      "1 period as a falseticker on 1 node; at most 1 node at once.",
    );
    expect(summarize({ ...h, periods: [] })).toBe("Not flagged as a falseticker by any node in this range.");
    expect(summarize({ ...h, truncated: true })).toMatch(/Only the first 1000 periods are listed\.$/);
  });
});
