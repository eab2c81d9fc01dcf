/** Plain-text layout of a query result: a header of server facts, then one row per sample. */
import { formatRfc3339 } from "@chronosync/core";
import type { NtpQueryResult } from "@chronosync/protocols";
import { formatHostPort, formatTarget, type NtpTarget } from "../target.js";
import { formatLeap, formatMs, formatPrecision } from "./units.js";

export interface Column {
  readonly title: string;
  readonly align: "left" | "right";
}

/** Lays out rows under titled columns, two spaces apart, without trailing blanks. */
export function renderTable(columns: readonly Column[], rows: readonly (readonly string[])[]): string[] {
  const widths = columns.map((c, i) => Math.max(c.title.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]) =>
    columns
      .map((c, i) => {
        const cell = cells[i] ?? "";
        const width = widths[i] ?? 0;
        return c.align === "right" ? cell.padStart(width) : cell.padEnd(width);
      })
      .join("  ")
      .trimEnd();
  return [line(columns.map((c) => c.title)), ...rows.map(line)];
}

/** Label/value lines with the values aligned. */
export function renderFields(fields: readonly (readonly [string, string])[]): string[] {
  const width = Math.max(...fields.map(([label]) => label.length));
  return fields.map(([label, value]) => `${label.padEnd(width)}  ${value}`);
}

/** The human-readable report of `chronosync query`, ending with a newline. */
export function formatQueryTable(target: NtpTarget, result: NtpQueryResult): string {
  const best = result.best;
  const direction = best.offsetNs > 0n ? "server ahead" : best.offsetNs < 0n ? "server behind" : "in step";
  const header = renderFields([
    ["server", `${formatTarget(target)} (${formatHostPort(result.address, result.port)})`],
    ["stratum", String(best.stratum)],
    ["refid", best.refId],
    ["leap", formatLeap(best.leap)],
    ["precision", formatPrecision(best.precision)],
    ["root delay", `${formatMs(best.rootDelayNs)} ms`],
    ["root dispersion", `${formatMs(best.rootDispersionNs)} ms`],
    [
      "offset",
      `${formatMs(best.offsetNs, true)} ms (${direction}; lowest delay ${formatMs(best.delayNs)} ms ` +
        `of ${result.samples.length} sample${result.samples.length === 1 ? "" : "s"})`,
    ],
  ]);
  const rows = result.samples.map((s, i) => [
    s === best ? "*" : "",
    String(i + 1),
    formatRfc3339(s.t1, 9),
    formatMs(s.offsetNs, true),
    formatMs(s.delayNs),
  ]);
  const table = renderTable(
    [
      { title: "", align: "left" },
      { title: "#", align: "right" },
      { title: "t1 (local send, UTC)", align: "left" },
      { title: "offset ms", align: "right" },
      { title: "delay ms", align: "right" },
    ],
    rows,
  );
  return `${[...header, "", ...table].join("\n")}\n`;
}
