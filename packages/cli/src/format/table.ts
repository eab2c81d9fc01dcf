/** Plain-text layout of a query result: a header of source facts, then one row per sample. */
import { formatRfc3339 } from "@chronosync/core";
import type { DetectionResult, TimeSample } from "@chronosync/protocols";
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

/** A source's protocol for tables: `nts (auth)`, `ntp`; `-` when unknown. */
export function formatProtocol(protocol: string | undefined, authenticated: boolean | undefined): string {
  if (protocol === undefined || protocol === "") return "-";
  return authenticated === true ? `${protocol} (auth)` : protocol;
}

/** Label/value lines with the values aligned. */
export function renderFields(fields: readonly (readonly [string, string])[]): string[] {
  const width = Math.max(...fields.map(([label]) => label.length));
  return fields.map(([label, value]) => `${label.padEnd(width)}  ${value}`);
}

/** What automatic detection found: one row per probe, the pick marked with `*`. */
export function formatDetection(d: DetectionResult): string[] {
  const rows = d.probes.map((p) => [
    p === d.picked ? "*" : "",
    p.protocol,
    p.status,
    p.status === "skipped" ? "" : `${p.elapsedMs}`,
    p.url,
    p.error === undefined ? "" : `${p.error.code}: ${p.error.message}`.slice(0, 100),
  ]);
  return [
    `detection on ${d.host}: ${d.picked === null ? "nothing usable answered" : `picked ${d.picked.protocol}`}`,
    ...renderTable(
      [
        { title: "", align: "left" },
        { title: "protocol", align: "left" },
        { title: "status", align: "left" },
        { title: "ms", align: "right" },
        { title: "url", align: "left" },
        { title: "note", align: "left" },
      ],
      rows,
    ),
    "",
  ];
}

/**
 * The human-readable report of `chronosync query`, ending with a newline. `endpoint` is
 * the address actually spoken to (e.g. `127.0.0.1:123`), shown after the target.
 */
export function formatQueryTable(
  target: string,
  endpoint: string | null,
  samples: readonly TimeSample[],
  best: TimeSample,
  detection: DetectionResult | null = null,
): string {
  const direction = best.offsetNs > 0n ? "server ahead" : best.offsetNs < 0n ? "server behind" : "in step";
  const fields: [string, string][] = [
    ["server", endpoint === null ? target : `${target} (${endpoint})`],
    ["protocol", `${best.protocol}${best.authenticated ? " (authenticated)" : ""}`],
  ];
  if (best.stratum !== null) fields.push(["stratum", String(best.stratum)]);
  if (best.refId !== null) fields.push(["refid", best.refId]);
  if (best.leap !== null) fields.push(["leap", formatLeap(best.leap)]);
  if (best.precision !== undefined) fields.push(["precision", formatPrecision(best.precision)]);
  if (best.rootDelayNs !== null) fields.push(["root delay", `${formatMs(best.rootDelayNs)} ms`]);
  if (best.rootDispersionNs !== null)
    fields.push(["root dispersion", `${formatMs(best.rootDispersionNs)} ms`]);
  if (best.radiusNs !== undefined) fields.push(["radius", `${formatMs(best.radiusNs)} ms`]);
  fields.push(
    [
      "offset",
      `${formatMs(best.offsetNs, true)} ms (${direction}; lowest delay ${formatMs(best.delayNs)} ms ` +
        `of ${samples.length} sample${samples.length === 1 ? "" : "s"})`,
    ],
    ["uncertainty", `±${formatMs(best.uncertaintyNs)} ms`],
  );
  const withT1 = samples.every((s) => s.timestamps !== undefined);
  const rows = samples.map((s, i) => [
    s === best ? "*" : "",
    String(i + 1),
    formatRfc3339(withT1 ? s.timestamps!.t1 : s.at, 9),
    formatMs(s.offsetNs, true),
    formatMs(s.delayNs),
  ]);
  const table = renderTable(
    [
      { title: "", align: "left" },
      { title: "#", align: "right" },
      { title: withT1 ? "t1 (local send, UTC)" : "at (local, UTC)", align: "left" },
      { title: "offset ms", align: "right" },
      { title: "delay ms", align: "right" },
    ],
    rows,
  );
  const head = detection === null ? [] : formatDetection(detection);
  return `${[...head, ...renderFields(fields), "", ...table].join("\n")}\n`;
}
