/**
 * The agent runner (issue 3 §1, §6): carries out the pure {@link SyncEngine}'s actions
 * with real sockets and timers, and serves the virtual clock downstream.
 *
 * - Each configured NTP source is a {@link SourcePool} (issue 3 §4): a `server` name gives one
 *   association, a `pool` name up to 4, one per address (`dns.lookup` with `all: true`,
 *   injectable as `deps.resolver`). Once a second every pool is maintained: an association
 *   unreachable for 8 polls, demobilized, or a falseticker again and again is replaced by
 *   a fresh address after re-resolving the name; resolver failures retry with backoff.
 * - One connected client socket per association (protocols' `openNtpClientSocket`: kernel
 *   timestamps when the native addon loads). T1 comes from `send()` and is reported with
 *   `markSent`; T4 comes with each reply.
 * - One real timer per source: each `setTimer` replaces the previous one; `demobilize`
 *   cancels it and closes the socket (the source stays in the status as demobilized).
 * - Relay serving: one `startNtpServer` per `serve` URL, answering from the VIRTUAL clock
 *   (system clock + the servo's correction) with the engine's reference state, cached
 *   and refreshed once a second or after a new sample (the responder rebuilds its header
 *   template only when that object changes). While unsynchronized it is leap 3, stratum 16.
 * - Every other protocol (issue 6 §5: nts, roughtime, http(s), ptp, local, chronosync,
 *   auto, fallback groups) is a TimeSource driven by a `TimeSourcePoller`
 *   (time-source-set.ts): the engine's `measure` action becomes one `measure()`, the sample
 *   goes back to the engine; `/v1/status` shows each one's protocol and fallback state.
 * - Status changes (synchronized / holdover / unsynchronized) are logged at info level,
 *   checked after every sample and once a second.
 *
 * The engine reads no clock: every call gets the system clock's reading ("local time").
 */
import { randomBytes } from "node:crypto";
import { type Clock, type Instant, type SyncStatus, systemClock } from "@chronosync/core";
import {
  type NtpClientSocket,
  type NtpReferenceState,
  NtpResponder,
  type NtpServerTransport,
  openNtpClientSocket,
  startNtpServer,
  type TimeSourceOptions,
  type TimeSourceRegistry,
} from "@chronosync/protocols";
import { type AgentConfig, describeSourcesChoice, isNtpSourceConfig } from "../config/load.js";
import type { LogLevel } from "../config/schema.js";
import { parseHostPort } from "../config/source-url.js";
import type { RandomBytes } from "../engine/ntp-source.js";
import { type SyncAction, SyncEngine, type SyncNow, type SyncStatusReport } from "../sync/sync-engine.js";
import {
  nodeResolver,
  type PoolHost,
  type Resolver,
  SourcePool,
  type SourcePoolOptions,
} from "./source-pool.js";
import { StateFile, type StateFileFs } from "./state-file.js";
import type { TimeSourcePoller } from "./time-source-poller.js";
import { openTimeSources, withTimeSourceStatus } from "./time-source-set.js";

/** Where the runner writes its log lines. */
export type AgentLog = (level: LogLevel, message: string) => void;

/** What `GET /v1/now` and `GET /v1/status` need: the engine's methods, at local time. */
export interface AgentTimeProvider {
  now(localNs: Instant): SyncNow;
  status(localNs: Instant): SyncStatusReport;
}

export interface AgentDeps {
  /** The local (system) clock the engine measures; default core's `systemClock`. */
  readonly clock?: Clock;
  readonly log?: AgentLog;
  /** Random bytes for request nonces and poll jitter; default node:crypto randomBytes. */
  readonly random?: RandomBytes;
  /** Client and server sockets: `"auto"` (default) uses the native addon when it loads. */
  readonly native?: boolean | "auto";
  /** File operations for the state file; default node:fs/promises. */
  readonly stateFs?: StateFileFs;
  /** Interval between state file writes, ms; default 5 minutes. */
  readonly stateSaveIntervalMs?: number;
  /** Resolves source names; default `dns.lookup(host, { all: true })`. */
  readonly resolver?: Resolver;
  /** Pool settings (sizes, replacement thresholds, retry backoff). */
  readonly pool?: SourcePoolOptions;
  /** Where non-NTP sources come from; default protocols' default registry. */
  readonly timeSourceRegistry?: TimeSourceRegistry;
  /** Options for every TimeSource (e.g. `ca` for nts/https with a private CA); `clock` is the runner's. */
  readonly timeSourceOptions?: Omit<TimeSourceOptions, "clock" | "logger">;
  /** Longest one TimeSource measurement may take, ms (default 30 000). */
  readonly measureTimeoutMs?: number;
  /** Called once everything is started, before `startAgent` resolves (e.g. to start the API). */
  readonly onStarted?: (runner: AgentRunner) => void | Promise<void>;
}

/** One association as the runner opened it. */
export interface AgentRunnerSource {
  /** The engine's id: the configured URL for a server, `ntp://address:port` for a pool member. */
  readonly id: string;
  /** The configured source URL it belongs to. */
  readonly source: string;
  readonly host: string;
  /** The address polled. */
  readonly address: string;
  readonly port: number;
  readonly transport: "native" | "dgram";
}

/** One relay server. */
export interface AgentServing {
  readonly url: string;
  readonly address: { readonly address: string; readonly port: number };
  readonly transport: NtpServerTransport;
}

/** A running agent. */
export interface AgentRunner {
  readonly engine: SyncEngine;
  /** The local (system) clock the engine is fed with. */
  readonly localClock: Clock;
  /** The virtual clock: local clock + the servo's correction. */
  readonly virtualClock: Clock;
  /** The provider for the local API (the engine's `now` / `status`). */
  readonly time: AgentTimeProvider;
  /** Associations open now (pool members come and go). */
  readonly sources: readonly AgentRunnerSource[];
  /** One pool per configured NTP source. */
  readonly pools: readonly SourcePool[];
  /** One poller per configured non-NTP source or fallback group. */
  readonly timeSources: readonly TimeSourcePoller[];
  /** Relay servers that are listening. */
  readonly serving: readonly AgentServing[];
  /** Bounded time now. */
  now(): SyncNow;
  /** Tracking and sources now. */
  status(): SyncStatusReport;
  /** What the relay servers advertise (cached: the same object while unchanged). */
  referenceState(): NtpReferenceState;
  /** Writes the state file now (false: disabled, nothing to save yet, or the write failed). */
  saveState(): Promise<boolean>;
  /** Stops timers, closes sockets and servers, writes the state file. Idempotent. */
  stop(): Promise<void>;
}

const LEVELS: readonly LogLevel[] = ["debug", "info", "warn", "error"];

/** A log writing `chronosync agent: level: message` lines to stderr from `minLevel` up. */
export function stderrAgentLog(
  minLevel: LogLevel = "info",
  write: (s: string) => void = (s) => {
    process.stderr.write(s);
  },
): AgentLog {
  const min = LEVELS.indexOf(minLevel);
  return (level, message) => {
    if (LEVELS.indexOf(level) >= min) write(`chronosync agent: ${level}: ${message}\n`);
  };
}

const errorText = (err: unknown): string => {
  const e = err as { code?: unknown; message?: unknown };
  if (typeof e?.code === "string" && typeof e.message === "string" && !e.message.includes(e.code))
    return `${e.code}: ${e.message}`;
  return err instanceof Error ? err.message : String(err);
};

const msOf = (ns: bigint | number): string => `${(Number(ns) / 1e6).toFixed(3)} ms`;

/** Starts the agent: resolves and opens the sources, starts the relay servers, then polls. */
export async function startAgent(config: AgentConfig, deps: AgentDeps = {}): Promise<AgentRunner> {
  const local = deps.clock ?? systemClock;
  const log = deps.log ?? stderrAgentLog(config.logLevel);
  const random: RandomBytes = deps.random ?? ((n) => new Uint8Array(randomBytes(n)));
  const native = deps.native ?? "auto";
  local.now(); // a SystemClock anchors on its first read (a short busy-wait): not in a measurement

  log("info", `using ${describeSourcesChoice(config)}`);

  const engine = new SyncEngine({
    sources: [],
    bound: {
      maxDriftPpm: config.maxDriftPpm,
      holdoverAfterNs: BigInt(config.holdoverAfterS) * 1_000_000_000n,
      maxBoundNs: BigInt(Math.round(config.maxBoundMs * 1e6)),
    },
    precisionLog2: local.precisionLog2,
  });

  // State file (issue 3 §11): warm start before the first sample, saved periodically.
  const stateFile = config.stateFile === "" ? undefined : new StateFile(config.stateFile, log, deps.stateFs);
  if (stateFile !== undefined) {
    const saved = await stateFile.load();
    const sigma = saved === undefined ? undefined : engine.warmStart(saved, local.now());
    if (saved !== undefined && sigma !== undefined) {
      log(
        "info",
        `warm start from ${stateFile.path}: frequency ${saved.frequencyPpm.toFixed(3)} ± ${sigma.toFixed(3)} ppm`,
      );
    }
  }
  const saveState = async (): Promise<boolean> => {
    const state = engine.exportState(local.now());
    if (stateFile === undefined || state === undefined) return false;
    return stateFile.save(state);
  };

  let stopped = false;
  const timers = new Map<string, NodeJS.Timeout>();
  const sockets = new Map<string, NtpClientSocket>();
  const sources: AgentRunnerSource[] = [];
  const serving: AgentServing[] = [];
  const servers: { close(): Promise<void> }[] = [];

  // Reference state for the relay servers: same object until a sample or a second passes.
  let reference: NtpReferenceState = engine.referenceState(local.now());
  let referenceDirty = false;
  const referenceState = (): NtpReferenceState => {
    if (referenceDirty) {
      referenceDirty = false;
      reference = engine.referenceState(local.now());
    }
    return reference;
  };

  let lastStatus: SyncStatus = engine.now(local.now()).status;
  const checkStatus = (): void => {
    const localNs = local.now();
    const s = engine.status(localNs);
    if (s.tracking.status === lastStatus) return;
    lastStatus = s.tracking.status;
    const t = s.tracking;
    const detail =
      t.status === "unsynchronized"
        ? `bound ±${msOf(t.boundNs)}`
        : `system peer ${t.systemPeer ?? "none"}, stratum ${t.stratum}, correction ${msOf(t.offsetNs)}, bound ±${msOf(t.boundNs)}`;
    log("info", `status ${t.status}: ${detail}`);
  };

  const closeSource = (id: string): void => {
    const timer = timers.get(id);
    if (timer !== undefined) clearTimeout(timer);
    timers.delete(id);
    sockets.get(id)?.close();
    sockets.delete(id);
  };

  const onTimer = (id: string): void => {
    timers.delete(id);
    if (stopped) return;
    run(engine.handleTimer(id, local.now(), random));
  };

  const run = (actions: readonly SyncAction[]): void => {
    let sampled = false;
    for (const { sourceId: id, action } of actions) {
      const poller = pollers.get(id);
      if (poller !== undefined && action.kind !== "sample") {
        poller.apply(action);
        continue;
      }
      switch (action.kind) {
        case "send": {
          const socket = sockets.get(id);
          if (socket === undefined) break;
          try {
            engine.markSent(id, socket.send(action.bytes));
          } catch (err) {
            log("warn", `${id}: send failed: ${errorText(err)}`);
          }
          break;
        }
        case "setTimer": {
          const previous = timers.get(id);
          if (previous !== undefined) clearTimeout(previous);
          const delayMs = Math.max(0, Number(action.atNs - local.now()) / 1e6);
          timers.set(
            id,
            setTimeout(() => onTimer(id), delayMs),
          );
          break;
        }
        case "sample": {
          sampled = true;
          const { sample } = action;
          log(
            "debug",
            `${id}: offset ${msOf(sample.offsetNs)}, delay ${msOf(sample.delayNs)}, stratum ${sample.stratum}`,
          );
          break;
        }
        case "demobilize":
          log("warn", `${id}: demobilized (${action.reason})`);
          closeSource(id);
          break;
      }
    }
    if (sampled) {
      referenceDirty = true;
      checkStatus();
    }
  };

  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    clearInterval(tick);
    clearInterval(poolTick);
    clearInterval(stateTimer);
    for (const id of [...sockets.keys(), ...timers.keys()]) closeSource(id);
    await Promise.all([...pollers.values()].map((p) => p.stop()));
    await Promise.all(servers.map((s) => s.close().catch(() => undefined)));
    await saveState();
  };

  // The pools' side of the runner: open and close associations.
  let started = false;
  const host: PoolHost = {
    add: async (pool, member) => {
      const { source } = pool;
      const id = member.id;
      engine.addSource({
        id,
        address: member.address,
        poll: { minPoll: source.minPoll, maxPoll: source.maxPoll, iburstCount: source.iburst ? 4 : 0 },
      });
      try {
        const socket = await openNtpClientSocket(
          { address: member.address, family: member.family, port: source.port },
          local,
          native,
          {
            onReply: (bytes, t4) => {
              if (stopped || sockets.get(id) !== socket) return;
              try {
                run(engine.handleIncoming(id, bytes, t4));
              } catch (err) {
                // A reply must never take the agent down: log our bug and keep serving.
                log("error", `${id}: reply dropped: ${errorText(err)}`);
              }
            },
            onError: (err) => log("debug", `${id}: ${errorText(err)}`),
          },
        );
        if (stopped) {
          socket.close();
          engine.removeSource(id);
          return false;
        }
        sockets.set(id, socket);
        sources.push({
          id,
          source: source.url,
          host: source.host,
          address: member.address,
          port: source.port,
          transport: socket.transport,
        });
        log("debug", `${id}: polling ${member.address}:${source.port} (${socket.transport})`);
        if (started) run(engine.start(local.now()));
        return true;
      } catch (err) {
        // A source without a socket would never poll yet count as a voter: drop it.
        engine.removeSource(id);
        log("error", `${id}: cannot open a socket to ${member.address}:${source.port}: ${errorText(err)}`);
        return false;
      }
    },
    remove: (id) => {
      closeSource(id);
      engine.removeSource(id);
      const i = sources.findIndex((x) => x.id === id);
      if (i >= 0) sources.splice(i, 1);
    },
    inUse: (address, port) => sources.some((x) => x.address === address && x.port === port),
    status: (id) => {
      const s = engine.sourceStatus(id, local.now());
      return s === undefined
        ? undefined
        : {
            state: s.state,
            reach: s.reach,
            sent: s.sent,
            falsetickers: s.falsetickers,
            selection: s.selection,
          };
    },
    log,
  };
  const seenUrls = new Set<string>();
  const pools = config.sources.flatMap((s) => {
    if (seenUrls.has(s.url) || !isNtpSourceConfig(s)) return [];
    seenUrls.add(s.url);
    return [new SourcePool(s, host, deps.resolver ?? nodeResolver, deps.pool)];
  });

  // Every other protocol (issue 6 §5): a TimeSource per source, a fallbackSource per group.
  const pollers = openTimeSources(config.sources, {
    engine,
    clock: local,
    random,
    log,
    ...(deps.timeSourceRegistry === undefined ? {} : { registry: deps.timeSourceRegistry }),
    ...(deps.timeSourceOptions === undefined ? {} : { sourceOptions: deps.timeSourceOptions }),
    ...(deps.measureTimeoutMs === undefined ? {} : { measureTimeoutMs: deps.measureTimeoutMs }),
    onSample: (id, sample) => {
      if (stopped) return;
      log(
        "debug",
        `${id}: ${sample.protocol} offset ${msOf(sample.offsetNs)}, delay ${msOf(sample.delayNs)}, ε ${msOf(sample.dispersionNs)}`,
      );
      referenceDirty = true;
      checkStatus();
    },
  });
  const poolTick = setInterval(() => {
    if (stopped) return;
    for (const pool of pools) void pool.maintain(performance.now());
  }, 1000);
  poolTick.unref();

  const tick = setInterval(() => {
    referenceDirty = true;
    checkStatus();
  }, 1000);
  tick.unref();
  const stateTimer = setInterval(() => {
    void saveState();
  }, deps.stateSaveIntervalMs ?? 300_000);
  stateTimer.unref();

  try {
    // Associations: fill every pool (one after the other, so the order is the configuration's).
    for (const pool of pools) await pool.maintain(performance.now());

    // Relay servers on the virtual clock.
    const virtualClock: Clock = {
      now: () => engine.clock.now(local.now()).timeNs,
      precisionLog2: local.precisionLog2,
    };
    for (const url of config.serve) {
      const hp = parseHostPort(url.replace(/^ntp:\/\//, ""));
      if (!hp.ok) {
        log("error", `serve ${url}: ${hp.expected}`);
        continue;
      }
      const responder = new NtpResponder({ clock: virtualClock, reference: referenceState });
      try {
        const server = await startNtpServer({ host: hp.value.host, port: hp.value.port, responder, native });
        servers.push(server);
        serving.push({ url, address: server.address, transport: server.transport });
        log("info", `serving the agent's clock over NTP on ${url} (${server.transport})`);
      } catch (err) {
        log("error", `cannot serve on ${url}: ${errorText(err)}`);
      }
    }

    // Status: the engine's report plus what only the runner knows of non-NTP sources.
    const statusAt = (localNs: Instant): SyncStatusReport =>
      withTimeSourceStatus(engine.status(localNs), pollers);
    const time: AgentTimeProvider = {
      now: (localNs) => engine.now(localNs),
      status: statusAt,
    };
    const runner: AgentRunner = {
      engine,
      localClock: local,
      virtualClock,
      time,
      sources,
      pools,
      timeSources: [...pollers.values()],
      serving,
      now: () => engine.now(local.now()),
      status: () => statusAt(local.now()),
      referenceState,
      saveState,
      stop,
    };

    started = true;
    run(engine.start(local.now()));
    if (sockets.size === 0 && pollers.size === 0)
      log(
        "warn",
        "no source could be opened yet: serving the system clock, unsynchronized (names are resolved again with backoff)",
      );
    await deps.onStarted?.(runner);
    return runner;
  } catch (err) {
    await stop();
    throw err;
  }
}
