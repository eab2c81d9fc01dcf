/**
 * `OffsetChart`: offset, delay, jitter and error bound over time, drawn with uPlot
 * (chosen by measurement, bench/dashboard-charts.mjs: a fraction of Recharts' size and
 * redraw time at 10 000+ points per series). Optionally a previous period drawn over the
 * current one. Every chart has a table alternative (WCAG 1.1.1), one click away.
 */
import { useEffect, useMemo, useRef, useState } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { Button } from "@/components/ui/button";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { type ChartSeriesKey, chartConfig, resolveChartColor } from "@/lib/chart-config";
import { formatDuration } from "@/lib/format";
import { effectiveTheme, useTheme } from "@/lib/theme";
import { timeAxisRange, windowSeconds } from "@/lib/time-window";
import { Time } from "./time";

/** One sample; durations in nanoseconds, `time` RFC 3339. */
export interface ChartPoint {
  readonly time: string;
  readonly offsetNs: number;
  readonly delayNs?: number | undefined;
  readonly jitterNs?: number | undefined;
  readonly boundNs?: number | undefined;
}

export interface OffsetChartProps {
  readonly title: string;
  readonly points: readonly ChartPoint[];
  /** The previous period, already shifted onto the current one's time axis. */
  readonly previous?: readonly ChartPoint[] | undefined;
  readonly series?: readonly ("offsetNs" | "delayNs" | "jitterNs" | "boundNs")[];
  readonly height?: number;
  /** The queried range (RFC 3339): the time axis spans it, however few the points. */
  readonly window?: { from: string; to: string } | undefined;
}

const KEY: Record<string, ChartSeriesKey> = {
  offsetNs: "offset",
  delayNs: "delay",
  jitterNs: "jitter",
  boundNs: "bound",
};
const TABLE_ROWS = 500;

function toSeconds(time: string): number {
  return Date.parse(time.replace(/(\.\d{3})\d+/, "$1")) / 1000;
}

export function OffsetChart({
  title,
  points,
  previous,
  series = ["offsetNs", "boundNs"],
  height = 280,
  window,
}: OffsetChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const [showTable, setShowTable] = useState(false);
  const theme = effectiveTheme(useTheme((s) => s.theme));
  const xWindow = useMemo(() => windowSeconds(window), [window]);

  const data = useMemo(() => {
    const xs = points.map((p) => toSeconds(p.time));
    const cols: (number | null)[][] = series.map((key) =>
      points.map((p) => (p[key] ?? null) as number | null).map((v) => (v === null ? null : v / 1e6)),
    );
    if (previous !== undefined && previous.length === points.length)
      cols.push(previous.map((p) => p.offsetNs / 1e6));
    return [xs, ...cols] as uPlot.AlignedData;
  }, [points, previous, series]);

  // `theme` is a dependency on purpose: colours are resolved from CSS variables at draw time.
  // biome-ignore lint/correctness/useExhaustiveDependencies: redraw on theme change
  useEffect(() => {
    const el = box.current;
    if (el === null || showTable) return;
    const axis = resolveChartColor("axis");
    const grid = { stroke: resolveChartColor("grid"), width: 1 };
    const opts: uPlot.Options = {
      width: el.clientWidth || 600,
      height,
      legend: { show: true },
      // A single point would otherwise get a years-wide axis (lib/time-window.ts).
      scales: { x: { time: true, range: (_u, min, max) => timeAxisRange(min, max, xWindow) } },
      axes: [
        { stroke: axis, grid },
        { stroke: axis, grid, label: "ms", values: (_u, vals) => vals.map((v) => `${v}`) },
      ],
      series: [
        {},
        ...series.map((key) => {
          const cfg = KEY[key] ?? "offset";
          return { label: chartConfig[cfg].label, stroke: resolveChartColor(cfg), width: 1.5 };
        }),
        ...(data.length > series.length + 1
          ? [
              {
                label: chartConfig.previous.label,
                stroke: resolveChartColor("previous"),
                width: 1,
                dash: [4, 4],
              },
            ]
          : []),
      ],
    };
    const plot = new uPlot(opts, data, el);
    const observer = new ResizeObserver(() => plot.setSize({ width: el.clientWidth, height }));
    observer.observe(el);
    return () => {
      observer.disconnect();
      plot.destroy();
    };
  }, [data, series, height, showTable, theme, xWindow]);

  const step = Math.max(1, Math.ceil(points.length / TABLE_ROWS));
  const rows = showTable ? points.filter((_, i) => i % step === 0) : [];

  return (
    <figure className="space-y-2">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <figcaption className="font-medium">{title}</figcaption>
        <Button variant="outline" size="sm" aria-pressed={showTable} onClick={() => setShowTable((v) => !v)}>
          {showTable ? "Show chart" : "Show as table"}
        </Button>
      </div>
      {showTable && step > 1 && (
        <p className="text-sm text-muted-foreground">
          Every {step}th of {points.length} samples.
        </p>
      )}
      {showTable ? (
        <Table>
          <caption className="sr-only">{title}</caption>
          <TableHeader>
            <TableRow>
              <TableHead scope="col">Time</TableHead>
              {series.map((key) => (
                <TableHead scope="col" key={key}>
                  {chartConfig[KEY[key] ?? "offset"].label}
                </TableHead>
              ))}
            </TableRow>
          </TableHeader>
          <TableBody>
            {rows.map((p) => (
              <TableRow key={p.time}>
                <TableCell>
                  <Time value={p.time} />
                </TableCell>
                {series.map((key) => (
                  <TableCell key={key}>{formatDuration(p[key])}</TableCell>
                ))}
              </TableRow>
            ))}
          </TableBody>
        </Table>
      ) : (
        <div
          ref={box}
          role="img"
          aria-label={`${title}: chart of ${points.length} samples; use "Show as table" for the values.`}
        />
      )}
    </figure>
  );
}
