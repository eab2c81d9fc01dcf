/**
 * "System clock according to chronyd" (issue 3 §7): the local chronyd's own tracking and
 * sources, read through its command protocol (what `chronyc tracking` / `chronyc sources`
 * show), for `GET /v1/status` and `/metrics` next to the agent's independent measurement.
 *
 * {@link createChronydMonitor} tries the configured targets in order (default: chronyd's
 * Unix socket `/run/chrony/chronyd.sock`, then UDP `127.0.0.1:323`), keeps the answer for
 * `maxAgeMs`, and never holds a status request longer than `budgetMs`: a slower refresh
 * goes on in the background and the previous answer (or "not answered yet") is served.
 * @see https://chrony-project.org/doc/4.3/chronyc.html#tracking
 */
import {
  CHRONYD_DEFAULT_SOCKET,
  type ChronydTarget,
  type ChronySource,
  type ChronyTracking,
  queryChronyd,
} from "@chronosync/protocols";
import { type ChronydDocument, chronydDocument } from "./chronyd-document.js";

/** The targets tried when none is configured: chronyd's Unix socket, then its UDP port. */
export const CHRONYD_DEFAULT_TARGETS: readonly ChronydTarget[] = [
  { socketPath: CHRONYD_DEFAULT_SOCKET },
  { host: "127.0.0.1", port: 323 },
];

/**
 * Targets from the `chronyd` configuration key: unset → the defaults, `off` → none, an
 * absolute path → that Unix socket, `host:port` (IPv6 as `[::1]:323`) → that UDP port.
 */
export function chronydTargets(setting: string | undefined): readonly ChronydTarget[] {
  if (setting === undefined || setting === "") return CHRONYD_DEFAULT_TARGETS;
  if (setting === "off") return [];
  if (setting.startsWith("/")) return [{ socketPath: setting }];
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(setting) ?? /^([^:]+):(\d+)$/.exec(setting);
  if (m === null) throw new TypeError(`chronyd: expected a socket path, host:port or "off", got ${setting}`);
  return [{ host: m[1] ?? "", port: Number(m[2]) }];
}

/** How a target shows in documents and logs. */
export function describeChronydTarget(target: ChronydTarget): string {
  return "socketPath" in target
    ? target.socketPath
    : target.host.includes(":")
      ? `[${target.host}]:${target.port}`
      : `${target.host}:${target.port}`;
}

/** One reading of chronyd: its state, or why there is none. */
export type ChronydReading =
  | {
      readonly ok: true;
      readonly via: string;
      readonly tracking: ChronyTracking;
      readonly sources: readonly ChronySource[];
    }
  | { readonly ok: false; readonly reason: string };

/** What the API asks: the current chronyd section (within the time budget). */
export interface ChronydView {
  read(): Promise<ChronydDocument>;
}

export interface ChronydMonitorOptions {
  /** Tried in order; the first that answers is used (and tried first next time). */
  readonly targets: readonly ChronydTarget[];
  /** How long an answer is reused, ms (default 5000). */
  readonly maxAgeMs?: number;
  /** Longest a `read()` waits for a refresh, ms (default 200). */
  readonly budgetMs?: number;
  /** Per-request timeout for chronyd, ms (default 1000). */
  readonly queryTimeoutMs?: number;
  /** Monotonic milliseconds (default `performance.now`). */
  readonly nowMs?: () => number;
  /** Waits (default setTimeout): only the budget of `read()` uses it. */
  readonly sleep?: (ms: number) => Promise<void>;
  /** The query (default `queryChronyd`); tests inject a fake. */
  readonly query?: typeof queryChronyd;
}

const defaultSleep = (ms: number) =>
  new Promise<void>((resolve) => {
    setTimeout(resolve, ms).unref();
  });

/** Reads chronyd once through the first target that answers. */
export async function readChronyd(
  targets: readonly ChronydTarget[],
  query: typeof queryChronyd = queryChronyd,
  timeoutMs = 1000,
): Promise<ChronydReading & { target?: ChronydTarget }> {
  if (targets.length === 0) return { ok: false, reason: "chronyd is turned off in the configuration" };
  const reasons: string[] = [];
  for (const target of targets) {
    try {
      const tracking = await query(target, "tracking", { timeoutMs });
      const sources = await query(target, "sources", { timeoutMs });
      return { ok: true, via: describeChronydTarget(target), tracking, sources, target };
    } catch (err) {
      reasons.push(err instanceof Error ? err.message : String(err));
    }
  }
  return { ok: false, reason: reasons.join("; ") };
}

/** A cached, time-boxed view of the local chronyd (see the module comment). */
export function createChronydMonitor(options: ChronydMonitorOptions): ChronydView {
  const maxAgeMs = options.maxAgeMs ?? 5000;
  const budgetMs = options.budgetMs ?? 200;
  const nowMs = options.nowMs ?? (() => performance.now());
  const sleep = options.sleep ?? defaultSleep;
  let targets = options.targets;
  let last: { reading: ChronydReading; atMs: number } | undefined;
  let inFlight: Promise<void> | undefined;

  const refresh = (): Promise<void> => {
    inFlight ??= readChronyd(targets, options.query, options.queryTimeoutMs)
      .then((reading) => {
        const { target } = reading;
        if (target !== undefined) targets = [target, ...targets.filter((t) => t !== target)];
        last = { reading, atMs: nowMs() };
      })
      .finally(() => {
        inFlight = undefined;
      });
    return inFlight;
  };

  return {
    async read() {
      if (last === undefined || nowMs() - last.atMs >= maxAgeMs) {
        const timedOut = Symbol("timeout");
        const outcome = await Promise.race([
          refresh().then(() => undefined),
          sleep(budgetMs).then(() => timedOut),
        ]);
        if (outcome === timedOut && last === undefined) {
          return {
            available: false,
            reason: `chronyd has not answered within ${budgetMs} ms (still asking)`,
          };
        }
      }
      if (last === undefined) return { available: false, reason: "chronyd has not been read yet" };
      const { reading, atMs } = last;
      return chronydDocument(reading, Math.max(0, Math.round(nowMs() - atMs)));
    },
  };
}
