/**
 * One report as the agent sends it (docs/report-protocol.md, "Reports"): the tracking and
 * sources of the `GET /v1/status` document ({@link statusDocument}), plus the agent's own
 * resource use. {@link reportRecord} is pure; {@link resourceSampler} reads the process.
 */
import { formatRfc3339 } from "@chronosync/core";
import type { SourceDocument, StatusDocument } from "../api/documents.js";

/** The agent's own resource use between two samples. */
export interface ReportResources {
  /** CPU time (user + system) over wall time since the previous sample, percent of one core. */
  readonly cpuPercent: number;
  readonly rssBytes: number;
}

/**
 * One source in a report: the status document's source plus the configured URL it belongs
 * to and the protocol it measures with now (`ntp`, `nts`, `ptp`, `roughtime`, `http`,
 * `https`, `chronosync`, `local`, `system`, …; a fallback group's current member's, what
 * `auto://` detected).
 */
export interface ReportSource extends SourceDocument {
  readonly url: string;
  readonly protocol: string;
}

/** One report, without its `seq` (the buffer assigns it). */
export interface ReportRecord {
  /** When it was taken, on the agent's virtual clock (RFC 3339, 9 fractional digits). */
  readonly at: string;
  readonly tracking: Pick<StatusDocument["tracking"], "offsetNs" | "frequencyPpm" | "boundNs" | "status">;
  readonly sources: readonly ReportSource[];
  readonly resources: ReportResources;
  readonly agentVersion: string;
}

/** Builds a report from a status document; `urlOf` maps a source id to its configured URL. */
export function reportRecord(
  status: StatusDocument,
  atNs: bigint,
  resources: ReportResources,
  agentVersion: string,
  urlOf: (id: string) => string = (id) => id,
): ReportRecord {
  const t = status.tracking;
  return {
    at: formatRfc3339(atNs, 9),
    tracking: { offsetNs: t.offsetNs, frequencyPpm: t.frequencyPpm, boundNs: t.boundNs, status: t.status },
    sources: status.sources.map((s) => ({
      id: s.id,
      url: urlOf(s.id),
      protocol: s.protocol,
      state: s.state,
      reach: s.reach,
      lastOffsetNs: s.lastOffsetNs,
      delayNs: s.delayNs,
      jitterNs: s.jitterNs,
      stratum: s.stratum,
      poll: s.poll,
      falsetickers: s.falsetickers,
      score: s.score,
    })),
    resources,
    agentVersion,
  };
}

/** What {@link resourceSampler} reads (the process by default). */
export interface ResourceProbe {
  /** CPU time used so far, µs. */
  cpuMicros(): number;
  /** Monotonic wall time, ms. */
  nowMs(): number;
  rssBytes(): number;
}

const processProbe: ResourceProbe = {
  cpuMicros: () => {
    const u = process.cpuUsage();
    return u.user + u.system;
  },
  nowMs: () => performance.now(),
  rssBytes: () => process.memoryUsage.rss(),
};

/** Returns a function giving CPU % since its previous call (the first: since creation) and RSS. */
export function resourceSampler(probe: ResourceProbe = processProbe): () => ReportResources {
  let cpu = probe.cpuMicros();
  let at = probe.nowMs();
  return () => {
    const cpuNow = probe.cpuMicros();
    const now = probe.nowMs();
    const wallUs = (now - at) * 1000;
    const cpuPercent = wallUs > 0 ? Math.round(((cpuNow - cpu) / wallUs) * 10_000) / 100 : 0;
    cpu = cpuNow;
    at = now;
    return { cpuPercent, rssBytes: probe.rssBytes() };
  };
}
