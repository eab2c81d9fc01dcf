/**
 * The runner's I/O side of one non-NTP source (issue 6 §5): carries out the pure
 * {@link SampleSource}'s actions with a real `TimeSource` (docs/time-sources.md) and a real
 * timer. `setTimer` arms the source's one timer; when it fires the engine says `measure`;
 * the poller calls `TimeSource.measure()` (bounded by a watchdog, since a measurement must
 * never stall the source), maps the `TimeSample` ({@link toSourceSample}) and hands it to
 * the engine, or the failure's code and message — the engine's poll state then backs off
 * and shifts the reach register, exactly as for an NTP source.
 *
 * Logging: the first failure after a success is a warning, repeats are debug, the
 * recovery is info. A fallback group logs each switch once (warning), through the
 * `TimeSourceLogger` given to `fallbackSource`.
 */
import { type Clock, type Instant, isChronoSyncError } from "@chronosync/core";
import {
  AutoTimeSource,
  FallbackSource,
  type FallbackState,
  type TimeSample,
  type TimeSource,
} from "@chronosync/protocols";
import type { LogLevel } from "../config/schema.js";
import type { NtpSourceAction, RandomBytes } from "../engine/ntp-source.js";
import { type SampleSourceAction, type SourceSample, toSourceSample } from "../engine/sample-source.js";
import type { SyncAction } from "../sync/sync-engine.js";

/** What the poller needs of the engine (SyncEngine has it). */
export interface PollerEngine {
  handleTimer(id: string, nowNs: Instant, random: RandomBytes): SyncAction[];
  handleMeasurement(id: string, sample: SourceSample, nowNs: Instant, random: number): SyncAction[];
  handleMeasureFailure(
    id: string,
    error: { code: string; message: string },
    nowNs: Instant,
    random: number,
  ): SyncAction[];
}

/** Timers, injectable (tests use fake ones). */
export interface PollerTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realTimers: PollerTimers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

export interface TimeSourcePollerOptions {
  /** The engine's source id (the configured URL, `fallback:…` for a group). */
  readonly id: string;
  readonly source: TimeSource;
  /** A fallback group's members, in order (for status: the current member's protocol). */
  readonly members?: readonly TimeSource[];
  readonly engine: PollerEngine;
  /** The local (system) clock, the one the TimeSource was made with. */
  readonly clock: Clock;
  readonly random: RandomBytes;
  readonly log: (level: LogLevel, message: string) => void;
  /** Longest a measurement may take before it counts as failed, ms (default 30 000). */
  readonly measureTimeoutMs?: number;
  readonly timers?: PollerTimers;
  /** Called with each sample the engine took (after selection and the servo ran). */
  readonly onSample?: (sample: SourceSample, raw: TimeSample) => void;
}

/** The fallback part of a source's status. */
export interface PollerFallbackStatus {
  readonly members: FallbackState["members"];
  /** URL of the member in use. */
  readonly current: string;
  readonly switches: number;
}

const errorInfo = (err: unknown): { code: string; message: string } => {
  if (isChronoSyncError(err)) return { code: err.code, message: err.message };
  return { code: "ERROR", message: err instanceof Error ? err.message : String(err) };
};

/** Drives one sample source; see the module comment. */
export class TimeSourcePoller {
  readonly id: string;
  readonly source: TimeSource;
  readonly #o: TimeSourcePollerOptions;
  readonly #timers: PollerTimers;
  #timer: unknown;
  #generation = 0;
  #stopped = false;
  #failing = false;
  #last: TimeSample | undefined;
  #measurements = 0;
  #failures = 0;

  constructor(options: TimeSourcePollerOptions) {
    this.id = options.id;
    this.source = options.source;
    this.#o = options;
    this.#timers = options.timers ?? realTimers;
  }

  /** Carries out one engine action of this source (`setTimer`, `measure`); others are ignored. */
  apply(action: SampleSourceAction | NtpSourceAction): void {
    if (this.#stopped) return;
    if (action.kind === "setTimer") {
      if (this.#timer !== undefined) this.#timers.clearTimeout(this.#timer);
      const delayMs = Math.max(0, Number(action.atNs - this.#o.clock.now()) / 1e6);
      this.#timer = this.#timers.setTimeout(() => this.#onTimer(), delayMs);
    } else if (action.kind === "measure") {
      void this.#measure();
    }
  }

  /** Measurements completed and failed so far. */
  get counts(): { measurements: number; failures: number } {
    return { measurements: this.#measurements, failures: this.#failures };
  }

  /** The last raw sample. */
  get lastSample(): TimeSample | undefined {
    return this.#last;
  }

  /** The protocol in use now: a group's current member, auto://'s pick, else the source's. */
  protocol(): string {
    const s = this.source;
    if (s instanceof FallbackSource) {
      const member = this.#o.members?.[s.state().current];
      return member?.protocol ?? this.#last?.protocol ?? "fallback";
    }
    if (s instanceof AutoTimeSource) return s.current()?.protocol ?? this.#last?.protocol ?? "auto";
    return this.#last?.protocol ?? s.protocol;
  }

  /** A group's members, current member and switches; undefined for other sources. */
  fallback(): PollerFallbackStatus | undefined {
    if (!(this.source instanceof FallbackSource)) return undefined;
    const st = this.source.state();
    return { members: st.members, current: st.currentUrl, switches: st.switches };
  }

  /** Cancels the timer, ignores a measurement still out, closes the source. Idempotent. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    if (this.#timer !== undefined) this.#timers.clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.source.close().catch(() => undefined);
  }

  #onTimer(): void {
    this.#timer = undefined;
    if (this.#stopped) return;
    this.#run(this.#o.engine.handleTimer(this.id, this.#o.clock.now(), this.#o.random));
  }

  #run(actions: readonly SyncAction[]): void {
    for (const { sourceId, action } of actions) {
      if (sourceId !== this.id) continue;
      if (action.kind === "sample" && "protocol" in action.sample && this.#last !== undefined)
        this.#o.onSample?.(action.sample, this.#last);
      else this.apply(action);
    }
  }

  #jitter(): number {
    const r = this.#o.random(2);
    return ((r[0] ?? 0) * 256 + (r[1] ?? 0)) / 65536;
  }

  async #measure(): Promise<void> {
    const generation = ++this.#generation;
    const limitMs = this.#o.measureTimeoutMs ?? 30_000;
    let watchdog: unknown;
    const timeout = new Promise<never>((_, reject) => {
      watchdog = this.#timers.setTimeout(
        () =>
          reject(
            Object.assign(new Error(`no measurement within ${limitMs} ms`), { code: "MEASURE_TIMEOUT" }),
          ),
        limitMs,
      );
    });
    let result: { sample: TimeSample } | { error: { code: string; message: string } };
    try {
      result = { sample: await Promise.race([this.source.measure(), timeout]) };
    } catch (err) {
      const e = err as { code?: unknown; message?: unknown };
      result = {
        error:
          e?.code === "MEASURE_TIMEOUT" && typeof e.message === "string"
            ? { code: "MEASURE_TIMEOUT", message: e.message }
            : errorInfo(err),
      };
    } finally {
      this.#timers.clearTimeout(watchdog);
    }
    if (this.#stopped || generation !== this.#generation) return;
    const now = this.#o.clock.now();
    if ("sample" in result) {
      this.#measurements++;
      this.#last = result.sample;
      if (this.#failing) this.#o.log("info", `${this.id}: measuring again (${result.sample.protocol})`);
      this.#failing = false;
      this.#run(
        this.#o.engine.handleMeasurement(this.id, toSourceSample(result.sample), now, this.#jitter()),
      );
    } else {
      this.#failures++;
      const { code, message } = result.error;
      const text = message.includes(code) ? message : `${code}: ${message}`;
      this.#o.log(this.#failing ? "debug" : "warn", `${this.id}: measurement failed: ${text}`);
      this.#failing = true;
      this.#run(this.#o.engine.handleMeasureFailure(this.id, result.error, now, this.#jitter()));
    }
  }
}
