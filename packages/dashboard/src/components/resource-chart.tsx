/**
 * `ResourceChart`: an agent's CPU (%) and memory (RSS, MiB) over time, on two axes, drawn
 * with uPlot like `OffsetChart`, with the same one-click table alternative.
 */
import { useEffect, useMemo, useRef, useState } from "react";
import uPlot from "uplot";
import { Button } from "@/components/ui/button";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { resolveChartColor } from "@/lib/chart-config";
import { formatBytes, parseInstant } from "@/lib/format";
import { effectiveTheme, useTheme } from "@/lib/theme";
import { timeAxisRange, windowSeconds } from "@/lib/time-window";
import { Time } from "./time";

export interface ResourcePoint {
  readonly time: string;
  readonly cpuPercent: number;
  readonly rssBytes: number;
}

const TABLE_ROWS = 500;

export function ResourceChart({
  title,
  points,
  height = 200,
  window,
}: {
  title: string;
  points: readonly ResourcePoint[];
  height?: number;
  /** The queried range (RFC 3339): the time axis spans it, however few the points. */
  window?: { from: string; to: string } | undefined;
}) {
  const box = useRef<HTMLDivElement>(null);
  const [showTable, setShowTable] = useState(false);
  const theme = effectiveTheme(useTheme((s) => s.theme));
  const xWindow = useMemo(() => windowSeconds(window), [window]);
  const data = useMemo(
    () =>
      [
        points.map((p) => parseInstant(p.time) / 1000),
        points.map((p) => p.cpuPercent),
        points.map((p) => p.rssBytes / 2 ** 20),
      ] as uPlot.AlignedData,
    [points],
  );

  // biome-ignore lint/correctness/useExhaustiveDependencies: redraw on theme change (colours are CSS variables)
  useEffect(() => {
    const el = box.current;
    if (el === null || showTable) return;
    const axis = resolveChartColor("axis");
    const grid = { stroke: resolveChartColor("grid"), width: 1 };
    const plot = new uPlot(
      {
        width: el.clientWidth || 600,
        height,
        scales: { x: { time: true, range: (_u, min, max) => timeAxisRange(min, max, xWindow) } },
        axes: [
          { stroke: axis, grid },
          { stroke: axis, grid, scale: "%", label: "CPU %" },
          { stroke: axis, grid: { show: false }, scale: "MiB", label: "MiB", side: 1 },
        ],
        series: [
          {},
          { label: "CPU %", scale: "%", stroke: resolveChartColor("offset"), width: 1.5 },
          { label: "RSS MiB", scale: "MiB", stroke: resolveChartColor("delay"), width: 1.5 },
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
  }, [data, height, showTable, theme, xWindow]);

  const step = Math.max(1, Math.ceil(points.length / TABLE_ROWS));
  return (
    <figure className="space-y-2">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <figcaption className="font-medium">{title}</figcaption>
        <Button variant="outline" size="sm" aria-pressed={showTable} onClick={() => setShowTable((v) => !v)}>
          {showTable ? "Show chart" : "Show as table"}
        </Button>
      </div>
      {showTable ? (
        <Table>
          <caption className="sr-only">{title}</caption>
          <TableHeader>
            <TableRow>
              <TableHead scope="col">Time</TableHead>
              <TableHead scope="col">CPU</TableHead>
              <TableHead scope="col">Memory (RSS)</TableHead>
            </TableRow>
          </TableHeader>
          <TableBody>
            {points
              .filter((_, i) => i % step === 0)
              .map((p) => (
                <TableRow key={p.time}>
                  <TableCell>
                    <Time value={p.time} />
                  </TableCell>
                  <TableCell className="tabular-nums">{p.cpuPercent.toFixed(2)} %</TableCell>
                  <TableCell className="tabular-nums">{formatBytes(p.rssBytes)}</TableCell>
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
