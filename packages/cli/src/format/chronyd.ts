/**
 * The chronyd part of `chronosync status` (issue 3 §7): "System clock according to chronyd:
 * … (agent: …)", chronyd's tracking, and its sources like `chronyc sources`. Pure.
 * @see https://chrony-project.org/doc/4.3/chronyc.html#sources
 */
import { renderFields, renderTable } from "./table.js";
import { formatMs } from "./units.js";

/** The `chronyd` section of `GET /v1/status` (the agent's `ChronydDocument`). */
export type ChronydDoc =
  | {
      readonly available: true;
      readonly via: string;
      readonly ageMs: number;
      readonly reference: string;
      readonly referenceId: string;
      readonly stratum: number;
      readonly systemTimeOffsetNs: number;
      readonly frequencyPpm: number;
      readonly rootDelayNs: number;
      readonly rootDispersionNs: number;
      readonly leap: string;
      readonly sources: readonly {
        readonly address: string;
        readonly mode: string;
        readonly state: string;
        readonly stratum: number;
        readonly poll: number;
        readonly reach: string;
        readonly lastSampleAgoS: number | null;
        readonly offsetNs: number;
        readonly errorNs: number;
      }[];
      readonly agent?: { readonly offsetNs: number; readonly status: string };
      readonly differenceNs?: number;
    }
  | {
      readonly available: false;
      readonly reason: string;
      readonly agent?: { readonly offsetNs: number; readonly status: string };
    };

const msText = (ns: number | null, signed = false) =>
  ns === null || !Number.isFinite(ns) ? "-" : formatMs(BigInt(Math.round(ns)), signed);

const behind = (ns: number) => (ns > 0 ? "system clock behind" : ns < 0 ? "system clock ahead" : "in step");

/** chronyd's state marks, as `chronyc sources` prints them. */
const CHRONY_MARKS: Readonly<Record<string, string>> = {
  sync: "*",
  candidate: "+",
  outlier: "-",
  falseticker: "x",
  jittery: "~",
  unreach: "?",
};

/** "System clock according to chronyd: … (agent: …)", chronyd's tracking and its sources. */
export function formatChronyd(c: ChronydDoc, agentOffsetNs: number): string[] {
  const agent = `agent: ${msText(c.agent?.offsetNs ?? agentOffsetNs, true)} ms`;
  if (!c.available) return [`System clock according to chronyd: unavailable (${agent}): ${c.reason}`];
  const diff = c.differenceNs === undefined ? "" : `, difference ${msText(c.differenceNs, true)} ms`;
  const ppm = c.frequencyPpm;
  const lines = [
    `System clock according to chronyd: ${msText(c.systemTimeOffsetNs, true)} ms, ${behind(c.systemTimeOffsetNs)} (${agent}${diff})`,
    ...renderFields([
      ["chronyd", `${c.via} (read ${(c.ageMs / 1000).toFixed(1)} s ago)`],
      ["reference", `${c.reference === "" ? "-" : c.reference} (${c.referenceId}), stratum ${c.stratum}`],
      ["frequency", `${ppm >= 0 ? "+" : ""}${ppm.toFixed(3)} ppm`],
      ["root delay", `${msText(c.rootDelayNs)} ms, dispersion ${msText(c.rootDispersionNs)} ms`],
      ["leap", c.leap],
    ]).map((l) => `  ${l}`),
  ];
  if (c.sources.length === 0) return [...lines, "  (chronyd has no sources)"];
  const table = renderTable(
    [
      { title: "", align: "left" },
      { title: "chronyd source", align: "left" },
      { title: "state", align: "left" },
      { title: "stratum", align: "right" },
      { title: "poll", align: "right" },
      { title: "reach", align: "right" },
      { title: "last rx s", align: "right" },
      { title: "offset ms", align: "right" },
      { title: "error ms", align: "right" },
    ],
    c.sources.map((s) => [
      CHRONY_MARKS[s.state] ?? "",
      s.address,
      s.state,
      String(s.stratum),
      String(s.poll),
      s.reach,
      s.lastSampleAgoS === null ? "-" : String(s.lastSampleAgoS),
      msText(s.offsetNs, true),
      msText(s.errorNs),
    ]),
  );
  return [...lines, ...table.map((l) => `  ${l}`)];
}
