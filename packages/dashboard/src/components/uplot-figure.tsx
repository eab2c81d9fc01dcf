/**
 * `UPlotFigure`: the plumbing every uPlot chart shares — a captioned figure with a
 * one-click table alternative (WCAG 1.1.1), the plot created on mount and destroyed on
 * change, resized with its box, and redrawn on a theme switch (colours are CSS variables,
 * resolved at draw time). The charts only say what to draw and how to tabulate it.
 */
import { type ReactNode, useEffect, useRef, useState } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { Button } from "@/components/ui/button";
import { resolveChartColor } from "@/lib/chart-config";
import { effectiveTheme, useTheme } from "@/lib/theme";
import { timeAxisRange } from "@/lib/time-window";

/** The theme colours every axis uses, resolved when the plot is drawn. */
export interface ChartAxisStyle {
  readonly axis: string;
  readonly grid: { stroke: string; width: number };
}

/** uPlot options without the size, which the figure owns. */
export type ChartOptions = Omit<uPlot.Options, "width" | "height">;

export interface UPlotFigureProps {
  readonly title: string;
  /** Accessible name of the chart image (it should point to "Show as table"). */
  readonly ariaLabel: string;
  readonly height: number;
  readonly data: uPlot.AlignedData;
  /**
   * Builds the options from the resolved theme colours. Memoise it (`useCallback`): a new
   * function redraws the plot.
   */
  readonly options: (style: ChartAxisStyle) => ChartOptions;
  /** The table alternative, rendered only while it is shown. */
  readonly table: () => ReactNode;
}

/** An x scale over time that spans the queried window (seconds), however few the points. */
export function timeScale(xWindow: [number, number] | undefined): uPlot.Scale {
  // A single point would otherwise get a years-wide axis (lib/time-window.ts).
  return { time: true, range: (_u, min, max) => timeAxisRange(min, max, xWindow) };
}

export function UPlotFigure({ title, ariaLabel, height, data, options, table }: UPlotFigureProps) {
  const box = useRef<HTMLDivElement>(null);
  const [showTable, setShowTable] = useState(false);
  const theme = effectiveTheme(useTheme((s) => s.theme));

  // biome-ignore lint/correctness/useExhaustiveDependencies: redraw on theme change (colours are CSS variables)
  useEffect(() => {
    const el = box.current;
    if (el === null || showTable) return;
    const style = { axis: resolveChartColor("axis"), grid: { stroke: resolveChartColor("grid"), width: 1 } };
    const plot = new uPlot({ width: el.clientWidth || 600, height, ...options(style) }, data, el);
    const observer = new ResizeObserver(() => plot.setSize({ width: el.clientWidth, height }));
    observer.observe(el);
    return () => {
      observer.disconnect();
      plot.destroy();
    };
  }, [data, options, height, showTable, theme]);

  return (
    <figure className="space-y-2">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <figcaption className="font-medium">{title}</figcaption>
        <Button variant="outline" size="sm" aria-pressed={showTable} onClick={() => setShowTable((v) => !v)}>
          {showTable ? "Show chart" : "Show as table"}
        </Button>
      </div>
      {showTable ? table() : <div ref={box} role="img" aria-label={ariaLabel} />}
    </figure>
  );
}
