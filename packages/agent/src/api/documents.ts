/**
 * The JSON documents of the local API (`GET /v1/now`, `GET /v1/status`), built from the
 * engine's results. Pure. Instants (ns since the Unix epoch) do not fit a JSON number
 * exactly, so they travel as decimal strings next to their RFC 3339 form; durations (well
 * below 2^53 ns ≈ 104 days) travel as numbers.
 */
import { formatRfc3339 } from "@chronosync/core";
import type { SyncFallbackStatus, SyncNow, SyncSourceState, SyncStatusReport } from "../sync/sync-engine.js";
import { type ChronydDocument, withAgentComparison } from "./chronyd-document.js";
import { sourceScore } from "./score.js";

/** What the API serves: the sync engine, or anything shaped like it. */
export interface LocalApiProvider {
  /** Bounded time at local (system clock) time `localNs`. */
  now(localNs: bigint): SyncNow;
  /** Tracking and sources at local time `localNs`. */
  status(localNs: bigint): SyncStatusReport;
}

/** `GET /v1/now`. */
export interface NowDocument {
  readonly earliest: string;
  readonly latest: string;
  readonly time: string;
  readonly earliestNs: string;
  readonly latestNs: string;
  readonly timeNs: string;
  readonly halfWidthNs: number;
  readonly status: SyncNow["status"];
  readonly sources: readonly { readonly id: string; readonly state: SyncSourceState }[];
}

/** One source of `GET /v1/status`. */
export interface SourceDocument {
  readonly id: string;
  readonly state: SyncSourceState;
  /** The reach register in octal, like `chronyc sources` (`"377"`: the last 8 polls answered). */
  readonly reach: string;
  readonly lastOffsetNs: number | null;
  readonly delayNs: number | null;
  readonly jitterNs: number | null;
  readonly stratum: number | null;
  /** Poll interval, log2 s. */
  readonly poll: number;
  /** Times the selection rejected it as a falseticker. */
  readonly falsetickers: number;
  /** Reliability 0–1 (`api/score.ts`). */
  readonly score: number;
}

/** One source of `GET /v1/status` with its protocol (issue 6 §5). */
export interface StatusSourceDocument extends SourceDocument {
  /** `ntp`, `nts`, `roughtime`, `http`, `https`, `ptp`, `local`, `system`, `chronosync`, …: for a group its current member's, for `auto://` the detected one. */
  readonly protocol: string;
  /** The last sample's time was cryptographically authenticated. */
  readonly authenticated: boolean;
  /** The last measurement's failure (non-NTP sources), until the next sample. */
  readonly lastError?: { readonly code: string; readonly message: string };
  /** A fallback group: its members (with failures), the current member's URL, switches so far. */
  readonly fallback?: SyncFallbackStatus;
}

/** `GET /v1/status`. */
export interface StatusDocument {
  readonly tracking: {
    readonly offsetNs: number;
    readonly frequencyPpm: number;
    readonly boundNs: number;
    readonly status: SyncStatusReport["tracking"]["status"];
    /** System clock reading at the last accepted servo update (RFC 3339), or null. */
    readonly lastUpdate: string | null;
    readonly systemPeer: string | null;
    readonly stratum: number;
  };
  readonly sources: readonly StatusSourceDocument[];
  /** The local chronyd's view of the system clock, next to the agent's (absent when not asked). */
  readonly chronyd?: ChronydDocument;
}

const num = (ns: bigint | undefined): number | null => (ns === undefined ? null : Number(ns));

/** The `/v1/now` document. */
export function nowDocument(now: SyncNow): NowDocument {
  return {
    earliest: formatRfc3339(now.earliestNs, 9),
    latest: formatRfc3339(now.latestNs, 9),
    time: formatRfc3339(now.timeNs, 9),
    earliestNs: now.earliestNs.toString(),
    latestNs: now.latestNs.toString(),
    timeNs: now.timeNs.toString(),
    halfWidthNs: Number(now.halfWidthNs),
    status: now.status,
    sources: now.sources.map((s) => ({ id: s.id, state: s.state })),
  };
}

/** The `/v1/status` document; with `chronyd`, its section gets the agent's offset beside it. */
export function statusDocument(report: SyncStatusReport, chronyd?: ChronydDocument): StatusDocument {
  const t = report.tracking;
  return {
    tracking: {
      offsetNs: Number(t.offsetNs),
      frequencyPpm: t.frequencyPpm,
      boundNs: Number(t.boundNs),
      status: t.status,
      lastUpdate: t.lastUpdateNs === undefined ? null : formatRfc3339(t.lastUpdateNs, 9),
      systemPeer: t.systemPeer ?? null,
      stratum: t.stratum,
    },
    sources: report.sources.map((s) => ({
      id: s.id,
      state: s.selection,
      reach: (s.reach & 0xff).toString(8),
      lastOffsetNs: num(s.lastOffsetNs),
      delayNs: num(s.lastDelayNs),
      jitterNs: num(s.jitterNs),
      stratum: s.stratum ?? null,
      poll: s.poll,
      falsetickers: s.falsetickers,
      score: sourceScore(s),
      protocol: s.protocol,
      authenticated: s.authenticated,
      ...(s.lastError === undefined ? {} : { lastError: s.lastError }),
      ...(s.fallback === undefined ? {} : { fallback: s.fallback }),
    })),
    ...(chronyd === undefined
      ? {}
      : { chronyd: withAgentComparison(chronyd, { offsetNs: Number(t.offsetNs), status: t.status }) }),
  };
}
