/**
 * The real-time clock of this process, with sub-microsecond resolution. Core's one
 * exception to "time is injected": this is where injected time comes from, so this file
 * (and only it) reads `Date.now()` and `process.hrtime.bigint()`. It starts no timers.
 *
 * `Date.now()` (CLOCK_REALTIME) has whole milliseconds; `process.hrtime.bigint()`
 * (CLOCK_MONOTONIC on Linux) has nanoseconds but no epoch. We anchor the second to a
 * millisecond tick of the first (`clock-anchor.ts`): `now = anchorWall + (hr − anchorHr)`.
 * Measured figures: docs/time-core.md.
 */
import type { Clock } from "./clock.js";
import {
  type AnchoringStatistics,
  type ClockAnchor,
  type ClockReaders,
  DEFAULT_GOOD_BRACKET_NS,
  type FindAnchorOptions,
  findClockAnchor,
  measureAnchoringWith,
  measureReadResolution,
  precisionLog2OfNs,
} from "./clock-anchor.js";
import { InvalidArgumentError } from "./errors.js";
import type { Duration, Instant } from "./time.js";

/** A detected jump of the system clock against the monotonic counter. */
export interface ClockStep {
  /** The (new) time at which the step was noticed. */
  readonly atNs: Instant;
  /** New minus predicted time: positive when the clock jumped forward. */
  readonly deltaNs: Duration;
}

export interface SystemClockOptions extends Partial<ClockReaders> {
  /** Re-anchor (busy-waits ~1 ms) after this much time; `Infinity` turns it off. Default 60 000. */
  readonly reanchorIntervalMs?: number;
  /** `Date.now()` is compared with the prediction at most this often. Default 1000 µs. */
  readonly wallCheckIntervalUs?: number;
  /** Disagreement that counts as a step. Default 2 ms. */
  readonly stepThresholdMs?: number;
  /** Tick edges observed on the first anchor and after a step (tightest wins). Default 5. */
  readonly anchorEdges?: number;
  /** Measure and correct the rate of the wall clock against the counter. Default true. */
  readonly trackFrequency?: boolean;
  /** Called synchronously from `now()` after a step has been detected and re-anchored. */
  readonly onStep?: (step: ClockStep) => void;
}

const NEVER = 1n << 120n;
const FAR_PAST = -(1n << 120n);
const RETRY_NS = 1_000_000_000n;
const MAX_RATE_Q32 = (1000n << 32n) / 1_000_000n; // 1000 ppm: beyond any NTP slew
function noHrtime(): bigint {
  throw new InvalidArgumentError("SystemClock needs process.hrtime.bigint(); pass readHrNs elsewhere");
}
// Unbound (both ignore `this`) to save a call on the hot path; looked up only if present,
// so importing core outside Node does not throw.
const defaultReaders: ClockReaders = {
  readWallMs: Date.now,
  readHrNs: globalThis.process?.hrtime?.bigint ?? noHrtime,
};

/** A positive option scaled to ns; `Infinity` means never. */
function positiveNs(name: string, value: number | undefined, fallback: number, scale: number): bigint {
  const v = value ?? fallback;
  if (!(v > 0)) throw new InvalidArgumentError(`${name} must be positive, got ${String(value)}`);
  return Number.isFinite(v) ? BigInt(Math.max(1, Math.round(v * scale))) : NEVER;
}

/**
 * A {@link Clock} on the system's real time with nanosecond resolution. Cheap to
 * construct: the first `now()` anchors (busy-waits about `anchorEdges` ms).
 *
 * - Hot path: one `process.hrtime.bigint()`, two bigint additions, two comparisons.
 * - Every `wallCheckIntervalUs`: one `Date.now()`. Off the prediction by more than
 *   `stepThresholdMs` means the system clock was stepped (or slewed faster than frequency
 *   tracking followed): re-anchor, count `steps`, set `lastStep`, call `onStep`. Only a
 *   step moves time backwards; a re-anchor that would do so holds `now()` still instead.
 * - Every `reanchorIntervalMs`: re-anchor on one tick edge (busy-waits ~0.5 ms, ≤ 10 ms on
 *   a loaded machine, where an edge bracket over 5 µs is discarded and retried after 1 s).
 *   With `trackFrequency`, successive anchors give the rate of CLOCK_REALTIME against the
 *   counter — ≈ 0 on Linux, where both are slewed alike; not on macOS or Windows.
 *
 * To keep busy-waits off a hot path, call {@link anchor} from an idle timer of your own
 * and set `reanchorIntervalMs: Infinity`.
 */
export class SystemClock implements Clock {
  /** Detected steps since construction. */
  steps = 0;
  /** The most recent step, if any. */
  lastStep: ClockStep | null = null;
  /** Anchors taken (first, periodic and after steps). */
  anchors = 0;

  private readonly readers: ClockReaders;
  private readonly reanchorNs: bigint;
  private readonly checkNs: bigint;
  private readonly thresholdNs: bigint;
  private readonly anchorEdges: number;
  private readonly trackFrequency: boolean;
  private readonly onStep: ((step: ClockStep) => void) | undefined;
  private current: ClockAnchor | null = null;
  private rateQ32 = 0n; // (wall rate / counter rate − 1) × 2^32
  private segmentWall = 0n;
  private segmentHr = 0n;
  private nextCheckHr = FAR_PAST;
  private nextAnchorHr = NEVER;
  private last = FAR_PAST;
  private resolutionNs: bigint | null = null;

  constructor(options: SystemClockOptions = {}) {
    this.readers = {
      readWallMs: options.readWallMs ?? defaultReaders.readWallMs,
      readHrNs: options.readHrNs ?? defaultReaders.readHrNs,
    };
    this.reanchorNs = positiveNs("reanchorIntervalMs", options.reanchorIntervalMs, 60_000, 1e6);
    this.checkNs = positiveNs("wallCheckIntervalUs", options.wallCheckIntervalUs, 1000, 1e3);
    this.thresholdNs = positiveNs("stepThresholdMs", options.stepThresholdMs, 2, 1e6);
    const edges = options.anchorEdges ?? 5;
    if (!(Number.isInteger(edges) && edges >= 1 && edges <= 100)) {
      throw new InvalidArgumentError(`anchorEdges must be an integer 1–100, got ${String(edges)}`);
    }
    this.anchorEdges = edges;
    this.trackFrequency = options.trackFrequency ?? true;
    this.onStep = options.onStep;
  }

  /** The current instant, nanoseconds since the Unix epoch. */
  now(): Instant {
    const hr = this.readers.readHrNs();
    if (hr >= this.nextCheckHr) return this.check(hr);
    let t = this.segmentWall + (hr - this.segmentHr);
    if (t < this.last) t = this.last;
    this.last = t;
    return t;
  }

  /**
   * NTP precision: ⌈log2⌉ of the larger of the counter's read step and the current
   * anchor's half-bracket, in seconds (typically −23 ≈ 120 ns). Anchors on first use.
   */
  get precisionLog2(): number {
    if (this.current === null) this.now();
    this.resolutionNs ??= measureReadResolution(this.readers.readHrNs);
    const half = (this.current?.bracketNs ?? 1_000_000n) / 2n;
    return precisionLog2OfNs(half > this.resolutionNs ? half : this.resolutionNs);
  }

  /** The anchor in use (null before the first `now()`). */
  get anchorInfo(): ClockAnchor | null {
    return this.current;
  }

  /** Measured rate of the wall clock against the counter, in ppm (0 until measured). */
  get frequencyPpm(): number {
    return (Number(this.rateQ32) / 2 ** 32) * 1e6;
  }

  /** Re-anchors now on `edges` tick edges (busy-waits about that many ms); detects steps. */
  anchor(edges = this.anchorEdges): ClockAnchor {
    const step = this.reanchor(edges, false);
    this.startSegment(this.readers.readHrNs());
    if (step !== null) this.onStep?.(step);
    return this.current!;
  }

  private predict(hr: bigint): Instant {
    const anchor = this.current!;
    const d = hr - anchor.hrNs;
    return anchor.wallNs + d + ((d * this.rateQ32) >> 32n);
  }

  private check(hr: bigint): Instant {
    let from = hr;
    let step: ClockStep | null = null;
    const periodic = this.current !== null && hr >= this.nextAnchorHr;
    if (this.current === null || periodic || this.beyondThreshold(this.wallNsNow() - this.predict(hr))) {
      step = this.reanchor(periodic ? 1 : this.anchorEdges, periodic);
      from = this.readers.readHrNs();
    }
    const t = this.startSegment(from);
    if (step !== null) this.onStep?.(step);
    return t;
  }

  /** `Date.now()` as the middle of its millisecond. */
  private wallNsNow(): bigint {
    return BigInt(this.readers.readWallMs()) * 1_000_000n + 500_000n;
  }

  private beyondThreshold(deltaNs: bigint): boolean {
    return deltaNs > this.thresholdNs || -deltaNs > this.thresholdNs;
  }

  /** Starts a straight segment at counter reading `hr`; returns the (clamped) time there. */
  private startSegment(hr: bigint): Instant {
    this.segmentWall = this.predict(hr);
    this.segmentHr = hr;
    this.nextCheckHr = hr + this.checkNs;
    let t = this.segmentWall;
    if (t < this.last) t = this.last;
    this.last = t;
    return t;
  }

  /** Takes a new anchor; returns the step it revealed, if any (the caller reports it). */
  private reanchor(edges: number, periodic: boolean): ClockStep | null {
    const next = findClockAnchor(this.readers, { edges });
    const previous = this.current;
    let step: ClockStep | null = null;
    this.anchors++;
    if (previous !== null) {
      const deltaNs = next.wallNs - this.predict(next.hrNs);
      const span = next.hrNs - previous.hrNs;
      if (this.beyondThreshold(deltaNs)) {
        step = this.lastStep = { atNs: next.wallNs, deltaNs };
        this.steps++;
        this.last = FAR_PAST;
      } else if (periodic && next.bracketNs > DEFAULT_GOOD_BRACKET_NS) {
        // A busy machine gave a poor edge: keep the old anchor, try again in a second.
        this.nextAnchorHr = next.hrNs + (this.reanchorNs < RETRY_NS ? this.reanchorNs : RETRY_NS);
        return null;
      } else if (periodic && this.trackFrequency && previous.edgeFound && span >= RETRY_NS) {
        const rate = ((next.wallNs - previous.wallNs - span) << 32n) / span;
        if (rate <= MAX_RATE_Q32 && rate >= -MAX_RATE_Q32) this.rateQ32 = rate;
      }
    }
    this.current = next;
    this.nextAnchorHr = next.hrNs + this.reanchorNs;
    return step;
  }
}

/** The process-wide {@link SystemClock} (anchors on first use). */
export const systemClock: SystemClock = new SystemClock();

/** The process-wide {@link SystemClock}, for callers that prefer a function. */
export function getSystemClock(): SystemClock {
  return systemClock;
}

/**
 * Anchors `anchors` times on the real clocks (≈ 1 ms each) and reports how consistent
 * the anchors are; see `bench/clock-anchoring.mjs` and docs/time-core.md.
 */
export function measureAnchoring(
  anchors = 200,
  options: FindAnchorOptions = {},
  readers: ClockReaders = defaultReaders,
): AnchoringStatistics {
  return measureAnchoringWith(readers, anchors, options);
}
