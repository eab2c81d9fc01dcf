/**
 * `OffsetChart`: offset, delay, jitter and error bound over time, drawn with uPlot
 * (chosen by measurement, bench/dashboard-charts.mjs: a fraction of Recharts' size and
 * redraw time at 10 000+ points per series). Optionally a previous period drawn over the
 * current one. Every chart has a table alternative (WCAG 1.1.1), one click away.
 */
import { useCallback, useMemo } from "react";
import type uPlot from "uplot";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { type ChartSeriesKey, chartConfig, resolveChartColor } from "@/lib/chart-config";
import { formatDuration } from "@/lib/format";
import { windowSeconds } from "@/lib/time-window";
import { Time } from "./time";
import { type ChartAxisStyle, type ChartOptions, timeScale, UPlotFigure } from "./uplot-figure";

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

  const hasPrevious = data.length > series.length + 1;
  const options = useCallback(
    ({ axis, grid }: ChartAxisStyle): ChartOptions => ({
      legend: { show: true },
      scales: { x: timeScale(xWindow) },
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
        ...(hasPrevious
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
    }),
    [series, hasPrevious, xWindow],
  );

  const table = () => {
    const step = Math.max(1, Math.ceil(points.length / TABLE_ROWS));
    const rows = points.filter((_, i) => i % step === 0);
    return (
      <>
        {step > 1 && (
          <p className="text-sm text-muted-foreground">
            Every {step}th of {points.length} samples.
          </p>
        )}
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
      </>
    );
  };

  return (
    <UPlotFigure
      title={title}
      ariaLabel={`${title}: chart of ${points.length} samples; use "Show as table" for the values.`}
      height={height}
      data={data}
      options={options}
      table={table}
    />
  );
}
