/**
 * `GET /metrics`: the Prometheus text exposition format, version 0.0.4
 * (https://prometheus.io/docs/instrumenting/exposition_formats/). Pure. Each metric has
 * one `# HELP` and one `# TYPE` line, then its samples; label values are escaped
 * (`\` → `\\`, `"` → `\"`, newline → `\n`). Durations are exact decimal seconds.
 */
import type { SyncStatusReport } from "../sync/sync-engine.js";
import type { ChronydDocument } from "./chronyd-document.js";
import { sourceScore } from "./score.js";

/** Content type of the 0.0.4 text format. */
export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

/** Escapes a label value. */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

/** Escapes HELP text (backslash and newline only). */
function escapeHelp(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

/** Nanoseconds as exact decimal seconds: `-1_500n` → `"-0.0000015"`. */
export function nsToSeconds(ns: bigint): string {
  const neg = ns < 0n;
  const abs = neg ? -ns : ns;
  const whole = abs / 1_000_000_000n;
  const frac = (abs % 1_000_000_000n).toString().padStart(9, "0").replace(/0+$/, "");
  return `${neg ? "-" : ""}${whole}${frac === "" ? "" : `.${frac}`}`;
}

type Labels = Readonly<Record<string, string>>;
type Sample = readonly [Labels, string];

interface Family {
  readonly name: string;
  readonly help: string;
  readonly samples: readonly Sample[];
}

function labelText(labels: Labels): string {
  const pairs = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabelValue(v)}"`);
  return pairs.length === 0 ? "" : `{${pairs.join(",")}}`;
}

function numberText(x: number): string {
  if (Number.isNaN(x)) return "NaN";
  if (x === Number.POSITIVE_INFINITY) return "+Inf";
  if (x === Number.NEGATIVE_INFINITY) return "-Inf";
  return String(x);
}

/**
 * The `/metrics` body (every line ends with a newline), at local time `localNs`; with
 * `chronyd`, also the local chronyd's view of the system clock.
 */
export function metricsText(report: SyncStatusReport, localNs: bigint, chronyd?: ChronydDocument): string {
  const t = report.tracking;
  const src = report.sources;
  const one = (value: string): Sample[] => [[{}, value]];
  const perSource = (value: (s: (typeof src)[number]) => string | undefined): Sample[] =>
    src.flatMap((s): Sample[] => {
      const v = value(s);
      return v === undefined ? [] : [[{ source: s.id }, v]];
    });
  const opt = (ns: bigint | undefined) => (ns === undefined ? undefined : nsToSeconds(ns));
  const families: Family[] = [
    {
      name: "chronosync_offset_seconds",
      help: "Estimated correction true time minus system clock, seconds.",
      samples: one(nsToSeconds(t.offsetNs)),
    },
    {
      name: "chronosync_frequency_ppm",
      help: "Estimated frequency error of the system clock, ppm (positive: runs fast).",
      samples: one(numberText(t.frequencyPpm)),
    },
    {
      name: "chronosync_bound_seconds",
      help: "Half-width of the error bound of the agent's time, seconds.",
      samples: one(nsToSeconds(t.boundNs)),
    },
    {
      name: "chronosync_synchronized",
      help: "1 when the agent is synchronized, else 0; the label gives the status.",
      samples: [[{ status: t.status }, t.status === "synchronized" ? "1" : "0"]],
    },
    {
      name: "chronosync_stratum",
      help: "Stratum the agent would serve (16: unsynchronized).",
      samples: one(String(t.stratum)),
    },
    {
      name: "chronosync_last_update_age_seconds",
      help: "Seconds since the last accepted servo update (absent before the first).",
      samples: t.lastUpdateNs === undefined ? [] : one(nsToSeconds(localNs - t.lastUpdateNs)),
    },
    {
      name: "chronosync_source_offset_seconds",
      help: "Offset of the source's last sample (source minus system clock), seconds.",
      samples: perSource((s) => opt(s.lastOffsetNs)),
    },
    {
      name: "chronosync_source_delay_seconds",
      help: "Round-trip delay of the source's last sample, seconds.",
      samples: perSource((s) => opt(s.lastDelayNs)),
    },
    {
      name: "chronosync_source_jitter_seconds",
      help: "Jitter of the source's sample filter, seconds.",
      samples: perSource((s) => opt(s.jitterNs)),
    },
    {
      name: "chronosync_source_reach",
      help: "The source's 8-bit reach register (255: the last 8 polls answered).",
      samples: perSource((s) => String(s.reach & 0xff)),
    },
    {
      name: "chronosync_source_selected",
      help: "1 when the selection combines the source, else 0; the label gives its state.",
      samples: src.map(
        (s): Sample => [{ source: s.id, state: s.selection }, s.selection === "selected" ? "1" : "0"],
      ),
    },
    {
      name: "chronosync_source_falsetickers_total",
      help: "Times the selection rejected the source as a falseticker.",
      samples: perSource((s) => String(s.falsetickers)),
    },
    {
      name: "chronosync_source_score",
      help: "Reliability score of the source, 0-1 (reachability, falsetickers, jitter).",
      samples: perSource((s) => numberText(sourceScore(s))),
    },
  ];
  if (chronyd !== undefined) families.push(...chronydFamilies(chronyd));
  const lines: string[] = [];
  for (const f of families) {
    const type = f.name.endsWith("_total") ? "counter" : "gauge";
    lines.push(`# HELP ${f.name} ${escapeHelp(f.help)}`, `# TYPE ${f.name} ${type}`);
    for (const [labels, value] of f.samples) lines.push(`${f.name}${labelText(labels)} ${value}`);
  }
  return `${lines.join("\n")}\n`;
}

/** chronyd's gauges: whether it answered, and what it says of the system clock. */
function chronydFamilies(chronyd: ChronydDocument): Family[] {
  const one = (value: string | undefined): Sample[] => (value === undefined ? [] : [[{}, value]]);
  const up = chronyd.available ? chronyd : undefined;
  const seconds = (ns: number | undefined) => (ns === undefined ? undefined : nsToSeconds(BigInt(ns)));
  return [
    {
      name: "chronosync_chronyd_up",
      help: "1 when the local chronyd answered its command protocol, else 0.",
      samples: one(up === undefined ? "0" : "1"),
    },
    {
      name: "chronosync_chronyd_offset_seconds",
      help: "chronyd's estimate of true time minus system clock (chronyc's System time), seconds.",
      samples: one(seconds(up?.systemTimeOffsetNs)),
    },
    {
      name: "chronosync_chronyd_frequency_ppm",
      help: "chronyd's frequency of the system clock, ppm (chronyc's Frequency).",
      samples: one(up === undefined ? undefined : numberText(up.frequencyPpm)),
    },
    {
      name: "chronosync_chronyd_stratum",
      help: "chronyd's stratum.",
      samples: one(up === undefined ? undefined : String(up.stratum)),
    },
  ];
}
