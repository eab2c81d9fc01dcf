/**
 * Report batches flattened into the rows `node_reports` and `node_source_samples` take
 * (pure). Per report, the node's delay and jitter are those of its selected source (the
 * first source when none is selected).
 * @see ../../../../docs/report-protocol.md
 */
import { parseRfc3339 } from "@chronosync/core";
import { ServerError } from "../errors.js";
import type { Report, ReportSource } from "../schemas/fleet.js";

export interface ReportRow {
  readonly seq: string;
  readonly at_ns: string;
  readonly status: string;
  readonly offset_ns: string;
  readonly bound_ns: string;
  readonly frequency_ppm: number;
  readonly delay_ns: string | null;
  readonly jitter_ns: string | null;
  readonly cpu_percent: number;
  readonly rss_bytes: string;
  readonly agent_version: string;
}

export interface SourceRow {
  readonly seq: string;
  readonly at_ns: string;
  readonly source_id: string;
  readonly url: string;
  readonly protocol: string;
  readonly state: string;
  readonly reach: string;
  readonly last_offset_ns: string | null;
  readonly delay_ns: string | null;
  readonly jitter_ns: string | null;
  readonly stratum: number | null;
  readonly poll: number | null;
  readonly falsetickers: number;
  readonly score: number | null;
}

const int = (x: number): string => BigInt(Math.round(x)).toString();
const intOrNull = (x: number | null): string | null => (x === null ? null : int(x));

/**
 * The protocol of a source its report did not name (agents before issue 6): the URL's
 * scheme (`ntp`, `nts`, `ptp`, `roughtime`, `http`, …), the bare words `local` and
 * `system`, or `unknown`.
 */
export function protocolOf(url: string, id: string): string {
  for (const text of [url, id]) {
    const word = /^(local|system)(\?|$)/i.exec(text);
    if (word !== null) return word[1]!.toLowerCase();
    const match = /^([a-z][a-z0-9+.-]*):/i.exec(text);
    if (match !== null) return match[1]!.toLowerCase();
  }
  return "unknown";
}

function atNs(report: Report, index: number): bigint {
  try {
    return parseRfc3339(report.at);
  } catch (err) {
    throw new ServerError("VALIDATION_FAILED", `reports/${index}/at is not a valid RFC 3339 instant`, {
      cause: err,
      errors: [{ pointer: `/body/reports/${index}/at`, detail: "not a valid RFC 3339 instant" }],
    });
  }
}

function reference(sources: readonly ReportSource[]): ReportSource | undefined {
  return sources.find((s) => s.state === "selected") ?? sources[0];
}

/** Rows of one batch; throws VALIDATION_FAILED for an impossible `at`. */
export function batchRows(reports: readonly Report[]): { reports: ReportRow[]; sources: SourceRow[] } {
  const reportRows: ReportRow[] = [];
  const sourceRows: SourceRow[] = [];
  reports.forEach((r, i) => {
    const at = atNs(r, i).toString();
    const seq = String(r.seq);
    const ref = reference(r.sources);
    reportRows.push({
      seq,
      at_ns: at,
      status: r.tracking.status,
      offset_ns: int(r.tracking.offsetNs),
      bound_ns: int(r.tracking.boundNs),
      frequency_ppm: r.tracking.frequencyPpm,
      delay_ns: intOrNull(ref?.delayNs ?? null),
      jitter_ns: intOrNull(ref?.jitterNs ?? null),
      cpu_percent: r.resources.cpuPercent,
      rss_bytes: int(r.resources.rssBytes),
      agent_version: r.agentVersion,
    });
    const seen = new Set<string>();
    for (const s of r.sources) {
      if (seen.has(s.id)) continue;
      seen.add(s.id);
      sourceRows.push({
        seq,
        at_ns: at,
        source_id: s.id,
        url: s.url,
        protocol: s.protocol ?? protocolOf(s.url, s.id),
        state: s.state,
        reach: s.reach,
        last_offset_ns: intOrNull(s.lastOffsetNs),
        delay_ns: intOrNull(s.delayNs),
        jitter_ns: intOrNull(s.jitterNs),
        stratum: s.stratum,
        poll: s.poll,
        falsetickers: s.falsetickers,
        score: s.score,
      });
    }
  });
  return { reports: reportRows, sources: sourceRows };
}
