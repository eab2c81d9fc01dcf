/**
 * `CountChart`: whole counts per time bucket (e.g. nodes flagging a source) as stepped
 * lines with uPlot, like `OffsetChart`, with the same one-click table alternative
 * (WCAG 1.1.1). The time axis is the queried window, never uPlot's automatic years-wide
 * range around a single bucket.
 */
import { useCallback, useMemo } from "react";
import uPlot from "uplot";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { type ChartSeriesKey, chartConfig, resolveChartColor } from "@/lib/chart-config";
import { parseInstant } from "@/lib/format";
import { windowSeconds } from "@/lib/time-window";
import { Time } from "./time";
import { type ChartAxisStyle, timeScale, UPlotFigure } from "./uplot-figure";

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
  const data = useMemo(
    () =>
      [
        points.map((p) => parseInstant(p.time) / 1000),
        ...series.map((k) => points.map((p) => p.counts[k] ?? 0)),
      ] as uPlot.AlignedData,
    [points, series],
  );
  const xWindow = useMemo(() => windowSeconds(window), [window]);

  const options = useCallback(
    ({ axis, grid }: ChartAxisStyle) => {
      const stepped = uPlot.paths.stepped?.({ align: 1 });
      return {
        scales: {
          x: timeScale(xWindow),
          y: { range: (_u: uPlot, _min: number, max: number): uPlot.Range.MinMax => [0, Math.max(1, max)] },
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
      };
    },
    [series, xWindow],
  );

  const table = () =>
    points.length === 0 ? (
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
          {points.map((p) => (
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
    );

  return (
    <UPlotFigure
      title={title}
      ariaLabel={`${title}: chart of ${points.length} time buckets; use "Show as table" for the values.`}
      height={height}
      data={data}
      options={options}
      table={table}
    />
  );
}
