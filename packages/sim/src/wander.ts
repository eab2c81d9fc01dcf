/**
 * Frequency wander of an oscillator: a random walk of frequency (random-walk FM), held
 * constant over fixed steps of true time and integrated into a phase (time offset).
 *
 * Step k covers true time [t0 + k·step, t0 + (k+1)·step). Its frequency is
 * f_k = f_{k−1} + N(0, σ·√step_s) ppm (f_0 = 0), reflected at ±maxPpm when given. The k-th
 * increment is always the k-th draw of the walk's own stream, so the path does not depend
 * on when or how often it is queried. Recent steps are kept in a ring, so queries a little
 * in the past (ground truth at the middle of an exchange) are O(1); older ones replay the
 * walk from the start on a copy of the stream.
 */
import { type Duration, type Instant, InvalidArgumentError, NS_PER_S } from "@chronosync/core";
import type { Prng } from "./prng.js";

export interface WanderOptions {
  /** Random-walk intensity σ in ppm/√s: after T seconds, frequency has moved by ~σ·√T ppm. */
  ppmPerSqrtS: number;
  /** Length of a step of constant frequency. Default 1 s. */
  stepNs?: Duration;
  /** Reflect the walk at ±maxPpm (an oscillator's bounded excursion). Default: unbounded. */
  maxPpm?: number;
  /** Steps kept for queries in the past. Default 256. */
  historySize?: number;
}

/** A deterministic random walk of frequency and its integral. */
export class FrequencyWander {
  private readonly t0: Instant;
  private readonly stepNs: Duration;
  private readonly stepNsNumber: number;
  private readonly sdPerStep: number;
  private readonly maxPpm: number;
  private readonly initialPrng: Prng;
  private readonly prng: Prng;
  private readonly ringFreq: Float64Array;
  private readonly ringPhase: Float64Array;
  /** Index of the newest step computed. */
  private k = 0;

  constructor(t0: Instant, options: WanderOptions, prng: Prng) {
    const stepNs = options.stepNs ?? NS_PER_S;
    if (stepNs <= 0n) throw new InvalidArgumentError(`wander step must be positive, got ${stepNs}`);
    if (!(options.ppmPerSqrtS >= 0)) throw new InvalidArgumentError("wander ppmPerSqrtS must be ≥ 0");
    this.t0 = t0;
    this.stepNs = stepNs;
    this.stepNsNumber = Number(stepNs);
    this.sdPerStep = options.ppmPerSqrtS * Math.sqrt(this.stepNsNumber / 1e9);
    this.maxPpm = options.maxPpm ?? Number.POSITIVE_INFINITY;
    if (!(this.maxPpm > 0)) throw new InvalidArgumentError("wander maxPpm must be positive");
    const size = Math.max(2, options.historySize ?? 256);
    this.ringFreq = new Float64Array(size);
    this.ringPhase = new Float64Array(size);
    this.initialPrng = prng.clone();
    this.prng = prng;
  }

  /** Frequency offset in ppm due to wander at true time `t` (0 before t0). */
  frequencyPpmAt(t: Instant): number {
    const k = this.stepIndex(t);
    return k < 0 ? 0 : this.stateAt(k).freq;
  }

  /** Accumulated phase in ns (a float) due to wander at true time `t` (0 before t0). */
  offsetNsAt(t: Instant): number {
    const k = this.stepIndex(t);
    if (k < 0) return 0;
    const { freq, phase } = this.stateAt(k);
    const into = Number(t - this.t0 - BigInt(k) * this.stepNs);
    return phase + freq * 1e-6 * into;
  }

  private stepIndex(t: Instant): number {
    return t < this.t0 ? -1 : Number((t - this.t0) / this.stepNs);
  }

  private nextFreq(prng: Prng, freq: number): number {
    let f = freq + prng.normal(0, this.sdPerStep);
    const max = this.maxPpm;
    if (f > max) f = 2 * max - f;
    if (f < -max) f = -2 * max - f;
    return Math.min(max, Math.max(-max, f));
  }

  private stateAt(k: number): { freq: number; phase: number } {
    const size = this.ringFreq.length;
    while (this.k < k) {
      const i = this.k % size;
      const freq = this.ringFreq[i]!;
      const phase = this.ringPhase[i]! + freq * 1e-6 * this.stepNsNumber;
      this.k++;
      const j = this.k % size;
      this.ringFreq[j] = this.nextFreq(this.prng, freq);
      this.ringPhase[j] = phase;
    }
    if (k > this.k - size) return { freq: this.ringFreq[k % size]!, phase: this.ringPhase[k % size]! };
    return this.replay(k);
  }

  private replay(k: number): { freq: number; phase: number } {
    const prng = this.initialPrng.clone();
    let freq = 0;
    let phase = 0;
    for (let i = 0; i < k; i++) {
      phase += freq * 1e-6 * this.stepNsNumber;
      freq = this.nextFreq(prng, freq);
    }
    return { freq, phase };
  }
}
