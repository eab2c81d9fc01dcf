/**
 * Streaming statistics of signed nanosecond values (sample errors, delays): count, mean,
 * RMS, standard deviation and extremes, in O(1) memory so scale studies need not keep
 * every sample.
 */
import type { Duration } from "@chronosync/core";

/** A snapshot of {@link ErrorStats}. Float fields are ns as numbers; null when empty. */
export interface ErrorSummary {
  count: number;
  meanNs: number | null;
  rmsNs: number | null;
  sdNs: number | null;
  minNs: Duration | null;
  maxNs: Duration | null;
  /** Largest |value|. */
  maxAbsNs: Duration | null;
}

/** Accumulates signed ns values. */
export class ErrorStats {
  private n = 0;
  private sum = 0;
  private sumSq = 0;
  private min: Duration | null = null;
  private max: Duration | null = null;

  /** Adds one value. */
  add(value: Duration): void {
    const v = Number(value);
    this.n++;
    this.sum += v;
    this.sumSq += v * v;
    if (this.min === null || value < this.min) this.min = value;
    if (this.max === null || value > this.max) this.max = value;
  }

  /** Number of values added. */
  get count(): number {
    return this.n;
  }

  /** The current summary. */
  summary(): ErrorSummary {
    const n = this.n;
    if (n === 0 || this.min === null || this.max === null) {
      return { count: 0, meanNs: null, rmsNs: null, sdNs: null, minNs: null, maxNs: null, maxAbsNs: null };
    }
    const mean = this.sum / n;
    const variance = n > 1 ? Math.max(0, (this.sumSq - n * mean * mean) / (n - 1)) : 0;
    const absMin = this.min < 0n ? -this.min : this.min;
    const absMax = this.max < 0n ? -this.max : this.max;
    return {
      count: n,
      meanNs: mean,
      rmsNs: Math.sqrt(this.sumSq / n),
      sdNs: Math.sqrt(variance),
      minNs: this.min,
      maxNs: this.max,
      maxAbsNs: absMin > absMax ? absMin : absMax,
    };
  }
}
