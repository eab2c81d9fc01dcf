/**
 * `ResourceChart`: an agent's CPU (%) and memory (RSS, MiB) over time, on two axes, drawn
 * with uPlot like `OffsetChart`, with the same one-click table alternative.
 */
import { useCallback, useMemo } from "react";
import type uPlot from "uplot";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { resolveChartColor } from "@/lib/chart-config";
import { formatBytes, parseInstant } from "@/lib/format";
import { windowSeconds } from "@/lib/time-window";
import { Time } from "./time";
import { type ChartAxisStyle, type ChartOptions, timeScale, UPlotFigure } from "./uplot-figure";

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

  const options = useCallback(
    ({ axis, grid }: ChartAxisStyle): ChartOptions => ({
      scales: { x: timeScale(xWindow) },
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
    }),
    [xWindow],
  );

  const table = () => {
    const step = Math.max(1, Math.ceil(points.length / TABLE_ROWS));
    return (
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
