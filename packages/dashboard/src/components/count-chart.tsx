/**
 * `CountChart`: whole counts per time bucket (e.g. nodes flagging a source) as stepped
 * lines with uPlot, like `OffsetChart`, with the same one-click table alternative
 * (WCAG 1.1.1). The time axis is the queried window, never uPlot's automatic years-wide
 * range around a single bucket.
 */
import { useEffect, useMemo, useRef, useState } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { Button } from "@/components/ui/button";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { type ChartSeriesKey, chartConfig, resolveChartColor } from "@/lib/chart-config";
import { parseInstant } from "@/lib/format";
import { effectiveTheme, useTheme } from "@/lib/theme";
import { timeAxisRange, windowSeconds } from "@/lib/time-window";
import { Time } from "./time";

export interface CountPoint {
  /** Start of the bucket, RFC 3339. */
  readonly time: string;
  readonly counts: Readonly<Record<string, number>>;
}

export interface CountChartProps {
  readonly title: string;
  readonly points: readonly CountPoint[];
  /** Keys of `counts`, each drawn in its `chartConfig` colour with its label. */
  readonly series: readonly ChartSeriesKey[];
  /** The queried range: the time axis spans it. */
  readonly window?: { from: string; to: string } | undefined;
  readonly height?: number;
}

export function CountChart({ title, points, series, window, height = 200 }: CountChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const [showTable, setShowTable] = useState(false);
  const theme = effectiveTheme(useTheme((s) => s.theme));
  const data = useMemo(
    () =>
      [
        points.map((p) => parseInstant(p.time) / 1000),
        ...series.map((k) => points.map((p) => p.counts[k] ?? 0)),
      ] as uPlot.AlignedData,
    [points, series],
  );
  const xWindow = useMemo(() => windowSeconds(window), [window]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: redraw on theme change (colours are CSS variables)
  useEffect(() => {
    const el = box.current;
    if (el === null || showTable) return;
    const axis = resolveChartColor("axis");
    const grid = { stroke: resolveChartColor("grid"), width: 1 };
    const stepped = uPlot.paths.stepped?.({ align: 1 });
    const plot = new uPlot(
      {
        width: el.clientWidth || 600,
        height,
        scales: {
          x: { time: true, range: (_u, min, max) => timeAxisRange(min, max, xWindow) },
          y: { range: (_u, _min, max) => [0, Math.max(1, max)] },
        },
        axes: [
          { stroke: axis, grid },
          {
            stroke: axis,
            grid,
            label: "nodes",
            incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000],
          },
        ],
        series: [
          {},
          ...series.map((k) => ({
            label: chartConfig[k].label,
            stroke: resolveChartColor(k),
            width: 1.5,
            ...(stepped === undefined ? {} : { paths: stepped }),
          })),
        ],
      },
      data,
      el,
    );
    const observer = new ResizeObserver(() => plot.setSize({ width: el.clientWidth, height }));
    observer.observe(el);
    return () => {
      observer.disconnect();
      plot.destroy();
    };
  }, [data, series, height, showTable, theme, xWindow]);

  const rows = points;
  return (
    <figure className="space-y-2">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <figcaption className="font-medium">{title}</figcaption>
        <Button variant="outline" size="sm" aria-pressed={showTable} onClick={() => setShowTable((v) => !v)}>
          {showTable ? "Show chart" : "Show as table"}
        </Button>
      </div>
      {showTable ? (
        rows.length === 0 ? (
          <p className="text-sm text-muted-foreground">No buckets in this range.</p>
        ) : (
          <Table>
            <caption className="sr-only">{title}</caption>
            <TableHeader>
              <TableRow>
                <TableHead scope="col">Bucket start</TableHead>
                {series.map((k) => (
                  <TableHead scope="col" key={k}>
                    {chartConfig[k].label}
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
                  {series.map((k) => (
                    <TableCell key={k} className="tabular-nums">
                      {p.counts[k] ?? 0}
                    </TableCell>
                  ))}
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )
      ) : (
        <div
          ref={box}
          role="img"
          aria-label={`${title}: chart of ${points.length} time buckets; use "Show as table" for the values.`}
        />
      )}
    </figure>
  );
}
