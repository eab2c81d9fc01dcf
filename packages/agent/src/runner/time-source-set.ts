/**
 * The runner's non-NTP sources (issue 6 §5): one `TimeSource` per configured source (from
 * the registry, on the runner's local clock), one `fallbackSource` per group, each added to
 * the engine as a sample source and driven by a {@link TimeSourcePoller}. Also the status
 * decoration only the runner can make: the protocol in use now (a group's current member,
 * `auto://`'s pick) and a group's members, current member and switches.
 */
import type { Clock } from "@chronosync/core";
import {
  defaultTimeSourceRegistry,
  fallbackSource,
  type TimeSource,
  type TimeSourceLogger,
  type TimeSourceOptions,
  type TimeSourceRegistry,
} from "@chronosync/protocols";
import { type AgentSourceConfig, isNtpSourceConfig } from "../config/load.js";
import type { LogLevel } from "../config/schema.js";
import type { RandomBytes } from "../engine/ntp-source.js";
import type { SourceSample } from "../engine/sample-source.js";
import type { SyncEngine, SyncStatusReport } from "../sync/sync-engine.js";
import { TimeSourcePoller } from "./time-source-poller.js";

export interface TimeSourceSetOptions {
  readonly engine: SyncEngine;
  readonly clock: Clock;
  readonly random: RandomBytes;
  readonly log: (level: LogLevel, message: string) => void;
  /** Default protocols' default registry. */
  readonly registry?: TimeSourceRegistry;
  /** For every source (e.g. `ca`); `clock` and `logger` are set here. */
  readonly sourceOptions?: Omit<TimeSourceOptions, "clock" | "logger">;
  readonly measureTimeoutMs?: number;
  /** After each sample the engine took. */
  readonly onSample: (id: string, sample: SourceSample) => void;
}

const fieldsText = (fields?: Record<string, unknown>): string =>
  fields === undefined
    ? ""
    : ` ${JSON.stringify(fields, (_k, v) => (typeof v === "bigint" ? v.toString() : v))}`;

const errorText = (err: unknown): string => {
  const e = err as { code?: unknown; message?: unknown };
  if (typeof e?.code === "string" && typeof e.message === "string" && !e.message.includes(e.code))
    return `${e.code}: ${e.message}`;
  return err instanceof Error ? err.message : String(err);
};

/** Source log lines into the agent's log: a fallback switch is a warning, the rest debug. */
function sourceLogger(id: string, log: TimeSourceSetOptions["log"]): TimeSourceLogger {
  return {
    info: (message, fields) => log("debug", `${id}: ${message}${fieldsText(fields)}`),
    warn: (message, fields) => {
      // A switch is the one line worth a warning; the per-member failures are the poller's.
      if (message === "switched time source")
        log("warn", `${id}: switched time source from ${String(fields?.from)} to ${String(fields?.to)}`);
      else log("debug", `${id}: ${message}${fieldsText(fields)}`);
    },
  };
}

/**
 * Creates the pollers of every non-NTP source in `sources` (first of each URL), adding each
 * to the engine; a source the registry refuses is logged and skipped. Not started: the
 * engine's `start` gives each its first `setTimer`, which the runner hands to the poller.
 */
export function openTimeSources(
  sources: readonly AgentSourceConfig[],
  o: TimeSourceSetOptions,
): Map<string, TimeSourcePoller> {
  const registry = o.registry ?? defaultTimeSourceRegistry;
  const pollers = new Map<string, TimeSourcePoller>();
  for (const s of sources) {
    if (isNtpSourceConfig(s) || pollers.has(s.url)) continue;
    const logger = sourceLogger(s.url, o.log);
    const make = (url: string): TimeSource =>
      registry.create(url, { ...o.sourceOptions, clock: o.clock, logger });
    let source: TimeSource;
    let members: TimeSource[] | undefined;
    try {
      if (s.kind === "time") source = make(s.input);
      else {
        members = s.members.map((m) => make(m.input));
        source = fallbackSource(members, {
          logger,
          clock: o.clock,
          retryPreferredAfterMs: s.retryPreferredS * 1000,
        });
      }
    } catch (err) {
      o.log("error", `${s.url}: cannot create the time source: ${errorText(err)}`);
      continue;
    }
    o.engine.addSampleSource({
      id: s.url,
      protocol: s.kind === "time" ? s.protocol : "fallback",
      poll: { minPoll: s.minPoll, maxPoll: s.maxPoll, iburstCount: s.iburst ? 4 : 0 },
    });
    const what = s.kind === "time" ? s.protocol : `a fallback group of ${s.members.length}`;
    o.log("debug", `${s.url}: measuring through ${what}`);
    const poller = new TimeSourcePoller({
      id: s.url,
      source,
      ...(members === undefined ? {} : { members }),
      engine: o.engine,
      clock: o.clock,
      random: o.random,
      log: o.log,
      ...(o.measureTimeoutMs === undefined ? {} : { measureTimeoutMs: o.measureTimeoutMs }),
      onSample: (sample) => o.onSample(s.url, sample),
    });
    pollers.set(s.url, poller);
  }
  return pollers;
}

/** The engine's report with each poller's current protocol and fallback state. */
export function withTimeSourceStatus(
  report: SyncStatusReport,
  pollers: ReadonlyMap<string, TimeSourcePoller>,
): SyncStatusReport {
  if (pollers.size === 0) return report;
  return {
    ...report,
    sources: report.sources.map((src) => {
      const p = pollers.get(src.id);
      if (p === undefined) return src;
      const fallback = p.fallback();
      return { ...src, protocol: p.protocol(), ...(fallback === undefined ? {} : { fallback }) };
    }),
  };
}
