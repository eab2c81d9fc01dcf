/**
 * A simulated node clock. At true time t it shows
 *
 *   local(t) = t + offset₀ + freq·(t − t₀) + wander(t) + Σ steps at or before t
 *
 * with `freq` in ppm (resolution 1e-6 ppm, applied exactly in integer arithmetic), wander
 * a deterministic random walk of frequency ({@link FrequencyWander}) and steps instant
 * jumps. It implements core's {@link Clock} by reading the simulator's true time, and
 * exposes the ground truth — the error `local − true` — for any instant.
 */
import { type Clock, type Duration, type Instant, InvalidArgumentError } from "@chronosync/core";
import type { Prng } from "./prng.js";
import { FrequencyWander, type WanderOptions } from "./wander.js";

/** An instant jump of a clock: from true time `at` on, it shows `deltaNs` more. */
export interface ClockStep {
  at: Instant;
  deltaNs: Duration;
}

export interface SimClockOptions {
  /** Error `local − true` at t₀. Default 0. */
  offsetNs?: Duration;
  /** Frequency error in ppm (positive: the clock runs fast). Default 0. */
  frequencyPpm?: number;
  /** True time at which `offsetNs` holds and the frequency term is zero. Default: now. */
  t0?: Instant;
  /** Random walk of frequency; needs `prng`. */
  wander?: WanderOptions;
  /** Stream for the wander (give each clock its own `fork`). */
  prng?: Prng;
  /** Steps to apply, at true times. */
  steps?: readonly ClockStep[];
  /** The precision the clock advertises (NTP `precision`). Default -30 (≈ 1 ns). */
  precisionLog2?: number;
}

const PICO_PER_UNIT = 1_000_000_000_000n;

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n ? q - 1n : q;
}

/** A node's clock with offset, frequency error, wander and steps, over true time. */
export class SimClock implements Clock {
  readonly precisionLog2: number;
  /** Error at t₀. */
  readonly offsetNs: Duration;
  /** Constant part of the frequency error, ppm. */
  readonly frequencyPpm: number;
  readonly t0: Instant;
  private readonly truth: Clock;
  private readonly freqPico: bigint;
  private readonly wander: FrequencyWander | null;
  private readonly stepTimes: Instant[] = [];
  private readonly stepDeltas: Duration[] = [];
  /** Cumulative sum of steps up to and including index i. */
  private readonly stepSums: Duration[] = [];

  /** `truth` is the source of true time: normally the {@link Simulator}. */
  constructor(truth: Clock, options: SimClockOptions = {}) {
    this.truth = truth;
    this.precisionLog2 = options.precisionLog2 ?? -30;
    this.offsetNs = options.offsetNs ?? 0n;
    this.frequencyPpm = options.frequencyPpm ?? 0;
    if (!Number.isFinite(this.frequencyPpm)) throw new InvalidArgumentError("frequencyPpm must be finite");
    this.freqPico = BigInt(Math.round(this.frequencyPpm * 1e6));
    this.t0 = options.t0 ?? truth.now();
    if (options.wander !== undefined && options.wander.ppmPerSqrtS > 0) {
      if (options.prng === undefined) throw new InvalidArgumentError("a clock with wander needs a prng");
      this.wander = new FrequencyWander(this.t0, options.wander, options.prng);
    } else {
      this.wander = null;
    }
    for (const step of [...(options.steps ?? [])].sort((x, y) => (x.at < y.at ? -1 : x.at > y.at ? 1 : 0))) {
      this.addStep(step.at, step.deltaNs);
    }
  }

  /** What the clock shows now (reads the simulator's true time). */
  now(): Instant {
    return this.localAt(this.truth.now());
  }

  /** What the clock shows at true time `t`. */
  localAt(t: Instant): Instant {
    return t + this.trueOffsetAt(t);
  }

  /** Ground truth: the clock's error `local − true` at true time `t`. */
  trueOffsetAt(t: Instant): Duration {
    let error = this.offsetNs + floorDiv((t - this.t0) * this.freqPico, PICO_PER_UNIT);
    if (this.wander !== null) error += BigInt(Math.round(this.wander.offsetNsAt(t)));
    return error + this.stepsAt(t);
  }

  /** Ground truth now: `local − true`. */
  trueOffset(): Duration {
    return this.trueOffsetAt(this.truth.now());
  }

  /** Ground truth: the clock's frequency error in ppm at true time `t` (constant + wander). */
  frequencyPpmAt(t: Instant): number {
    return this.frequencyPpm + (this.wander === null ? 0 : this.wander.frequencyPpmAt(t));
  }

  /** Schedules a step: from true time `at` on, the clock shows `deltaNs` more. */
  addStep(at: Instant, deltaNs: Duration): void {
    let i = this.stepTimes.length;
    while (i > 0 && this.stepTimes[i - 1]! > at) i--;
    this.stepTimes.splice(i, 0, at);
    this.stepDeltas.splice(i, 0, deltaNs);
    this.stepSums.length = this.stepTimes.length;
    for (let j = i; j < this.stepSums.length; j++) {
      this.stepSums[j] = (j === 0 ? 0n : this.stepSums[j - 1]!) + this.stepDeltas[j]!;
    }
  }

  private stepsAt(t: Instant): Duration {
    const times = this.stepTimes;
    if (times.length === 0 || t < times[0]!) return 0n;
    let lo = 0;
    let hi = times.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (times[mid]! <= t) lo = mid;
      else hi = mid - 1;
    }
    return this.stepSums[lo]!;
  }
}
