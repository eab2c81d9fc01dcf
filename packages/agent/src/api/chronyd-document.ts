/**
 * The `chronyd` section of `GET /v1/status` (docs/agent-api.md): the local chronyd's view of
 * the system clock, as `chronyc tracking` and `chronyc sources` show it. Pure. Durations are
 * integer nanoseconds; signs follow ChronoSync's convention (offset = true time − system
 * clock, positive: the system clock is behind), which is chronyd's own for its "System time"
 * (chronyc prints a positive value as "slow").
 * @see https://chrony-project.org/doc/4.3/chronyc.html#tracking
 */
import { formatRfc3339 } from "@chronosync/core";
import type { ChronySource, ChronyTracking } from "@chronosync/protocols";

/** chronyd's leap status (candm.h `LEAP_*`). */
export type ChronydLeap = "normal" | "insert-second" | "delete-second" | "unsynchronized";
const LEAPS: readonly ChronydLeap[] = ["normal", "insert-second", "delete-second", "unsynchronized"];

/** One of chronyd's sources, like a row of `chronyc sources`. */
export interface ChronydSourceDocument {
  /** Address, or the reference ID of a refclock (e.g. `PPS0`). */
  readonly address: string;
  readonly mode: ChronySource["mode"];
  /** chronyd's selection state: `sync` (chronyc `*`), `candidate` (`+`), `outlier`, `falseticker`, `jittery`, `unreach`. */
  readonly state: ChronySource["state"];
  readonly stratum: number;
  /** Poll interval, log2 s. */
  readonly poll: number;
  /** Reach register in octal, like chronyc. */
  readonly reach: string;
  /** Seconds since the last good sample (chronyc's LastRx), null when none. */
  readonly lastSampleAgoS: number | null;
  /** Offset of the last sample, adjusted for slews since (source − system clock), ns. */
  readonly offsetNs: number;
  /** The same as measured (chronyc's bracketed value), ns. */
  readonly measuredOffsetNs: number;
  /** Error bound of that sample, ns. */
  readonly errorNs: number;
}

/** The agent's own measurement, next to chronyd's. */
export interface AgentComparison {
  /** The agent's tracking offset (true time − system clock), ns. */
  readonly offsetNs: number;
  readonly status: string;
}

/** `chronyd` in `GET /v1/status`. */
export type ChronydDocument =
  | {
      readonly available: true;
      /** The socket path or host:port that answered. */
      readonly via: string;
      /** Milliseconds since this reading was taken (it is cached for a few seconds). */
      readonly ageMs: number;
      /** Reference ID, 8 hex digits (chronyc's "Reference ID"). */
      readonly referenceId: string;
      /** Address of the reference, else its ID as text (e.g. `GPS`), else "". */
      readonly reference: string;
      readonly stratum: number;
      /** chronyd's estimate of the system clock's error (chronyc's "System time"), true − system, ns. */
      readonly systemTimeOffsetNs: number;
      readonly lastOffsetNs: number;
      readonly rmsOffsetNs: number;
      /** chronyd's "Frequency", ppm (chronyc prints positive as "fast"). */
      readonly frequencyPpm: number;
      readonly residualFrequencyPpm: number;
      readonly skewPpm: number;
      readonly rootDelayNs: number;
      readonly rootDispersionNs: number;
      readonly updateIntervalS: number;
      /** Time of chronyd's last update (RFC 3339), null before the first. */
      readonly refTime: string | null;
      readonly leap: ChronydLeap;
      readonly sources: readonly ChronydSourceDocument[];
      /** Added by `statusDocument`: the agent's own tracking offset. */
      readonly agent?: AgentComparison;
      /** Added by `statusDocument`: agent offset − chronyd's, ns. */
      readonly differenceNs?: number;
    }
  | {
      readonly available: false;
      /** Why: every target's error, or that chronyd is turned off. */
      readonly reason: string;
      readonly agent?: AgentComparison;
    };

const ns = (seconds: number): number => Math.round(seconds * 1e9);

/** A reference ID as chronyc shows a refclock's: printable ASCII, else "". */
function refIdText(refId: number): string {
  const bytes = [refId >>> 24, (refId >>> 16) & 0xff, (refId >>> 8) & 0xff, refId & 0xff];
  const trimmed = bytes.slice(0, bytes.findLastIndex((b) => b !== 0) + 1);
  return trimmed.length > 0 && trimmed.every((b) => b >= 0x20 && b < 0x7f)
    ? String.fromCharCode(...trimmed)
    : "";
}

/** The section for one reading (see chronyd.ts) that is `ageMs` old. */
export function chronydDocument(
  reading:
    | {
        readonly ok: true;
        readonly via: string;
        readonly tracking: ChronyTracking;
        readonly sources: readonly ChronySource[];
      }
    | { readonly ok: false; readonly reason: string },
  ageMs: number,
): ChronydDocument {
  if (!reading.ok) return { available: false, reason: reading.reason };
  const t = reading.tracking;
  return {
    available: true,
    via: reading.via,
    ageMs,
    referenceId: t.refId.toString(16).toUpperCase().padStart(8, "0"),
    reference: t.ipAddr !== "" ? t.ipAddr : refIdText(t.refId),
    stratum: t.stratum,
    systemTimeOffsetNs: ns(t.currentCorrectionS),
    lastOffsetNs: ns(t.lastOffsetS),
    rmsOffsetNs: ns(t.rmsOffsetS),
    frequencyPpm: t.freqPpm,
    residualFrequencyPpm: t.residFreqPpm,
    skewPpm: t.skewPpm,
    rootDelayNs: ns(t.rootDelayS),
    rootDispersionNs: ns(t.rootDispersionS),
    updateIntervalS: t.lastUpdateIntervalS,
    refTime: t.refTime === 0n ? null : formatRfc3339(t.refTime, 9),
    leap: LEAPS[t.leapStatus] ?? "unsynchronized",
    sources: reading.sources.map((s) => ({
      address: s.ipAddr,
      mode: s.mode,
      state: s.state,
      stratum: s.stratum,
      poll: s.poll,
      reach: (s.reachability & 0xff).toString(8),
      lastSampleAgoS: s.sinceSample === 0xffffffff ? null : s.sinceSample,
      offsetNs: ns(s.latestMeas),
      measuredOffsetNs: ns(s.origLatestMeas),
      errorNs: ns(s.latestMeasErr),
    })),
  };
}

/** Adds the agent's own measurement (and the difference) to a chronyd section. */
export function withAgentComparison(doc: ChronydDocument, agent: AgentComparison): ChronydDocument {
  return doc.available
    ? { ...doc, agent, differenceNs: agent.offsetNs - doc.systemTimeOffsetNs }
    : { ...doc, agent };
}
