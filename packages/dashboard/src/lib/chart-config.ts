/**
 * The one place chart colours and labels come from (shadcn/ui `chart.tsx` pattern).
 * Colours are CSS variables defined per theme in styles.css, so a theme switch recolours
 * every chart; canvas charts resolve them with `resolveChartColor`.
 */
export const chartConfig = {
  offset: { label: "Offset", color: "--chart-1" },
  delay: { label: "Delay", color: "--chart-2" },
  jitter: { label: "Jitter", color: "--chart-3" },
  bound: { label: "Error bound", color: "--chart-4" },
  previous: { label: "Previous period", color: "--chart-axis" },
  reporting: { label: "Nodes reporting it", color: "--chart-1" },
  falseticker: { label: "Nodes flagging it as a falseticker", color: "--chart-2" },
  grid: { label: "Grid", color: "--chart-grid" },
  axis: { label: "Axis", color: "--chart-axis" },
} as const;

export type ChartSeriesKey = keyof typeof chartConfig;

/** The current value of a series colour, for canvas drawing. */
export function resolveChartColor(key: ChartSeriesKey): string {
  const value = getComputedStyle(document.documentElement).getPropertyValue(chartConfig[key].color).trim();
  return value === "" ? "#64748b" : value;
}
