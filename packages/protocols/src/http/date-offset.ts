/**
 * Offset from the Date header, locked to the server's second boundary — htpdate's idea
 * as an interval bisection. A response with Date D, sent at local t1 and received at t4,
 * was stamped at some local t_s in [t1, t4] with D ≤ t_s + θ < D + 1, θ being the
 * server's offset (server − local). So θ ∈ [D − t4, D + 1 − t1): each sample is an
 * interval, and the estimate is their intersection. The next request is timed so that
 * the server stamps it just when, by the intersection's middle, its clock ticks to a new
 * second; its Date tells on which side the truth lies, halving the interval until it is
 * about one round trip wide. Pure: times are inputs.
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-6.6.1
 */
import type { Duration, Instant } from "@chronosync/core";
import { NS_PER_S } from "@chronosync/core";

/** One HEAD exchange. */
export interface HttpDateSample {
  /** Local time the request was sent. */
  sentNs: Instant;
  /** Local time the response arrived. */
  receivedNs: Instant;
  /** The response's Date, seconds since the Unix epoch. */
  dateS: number;
}

/** The current estimate: θ ∈ [lowNs, highNs). */
export interface HttpDateEstimate {
  lowNs: Duration;
  highNs: Duration;
  /** Middle of the interval: the offset estimate (server − local). */
  offsetNs: Duration;
  /** Half the interval's width. */
  uncertaintyNs: Duration;
  /** Samples that contradicted the earlier ones, so the interval restarted. */
  resets: number;
}

/** Accumulates samples into the offset interval and plans the next request. */
export class HttpDateOffsetEstimator {
  private low: Duration | null = null;
  private high: Duration | null = null;
  private resets = 0;
  private minRtt: Duration | null = null;

  /** Adds a sample; a sample disjoint from the interval so far restarts it. */
  add(sample: HttpDateSample): void {
    const date = BigInt(sample.dateS) * NS_PER_S;
    const low = date - sample.receivedNs;
    const high = date + NS_PER_S - sample.sentNs;
    const rtt = sample.receivedNs - sample.sentNs;
    if (this.minRtt === null || rtt < this.minRtt) this.minRtt = rtt;
    if (this.low === null || this.high === null) {
      this.low = low;
      this.high = high;
      return;
    }
    const newLow = low > this.low ? low : this.low;
    const newHigh = high < this.high ? high : this.high;
    if (newLow < newHigh) {
      this.low = newLow;
      this.high = newHigh;
    } else {
      this.resets++;
      this.low = low;
      this.high = high;
    }
  }

  /** The estimate, or null before the first sample. */
  estimate(): HttpDateEstimate | null {
    if (this.low === null || this.high === null) return null;
    return {
      lowNs: this.low,
      highNs: this.high,
      offsetNs: (this.low + this.high) / 2n,
      uncertaintyNs: (this.high - this.low) / 2n,
      resets: this.resets,
    };
  }

  /** The smallest round trip seen. */
  minRttNs(): Duration | null {
    return this.minRtt;
  }

  /**
   * When to send the next request, at or after `earliestNs`: the local time t1 such that
   * t1 + rtt/2 (the expected stamping time) plus the interval's middle is a whole second.
   */
  nextSendTime(earliestNs: Instant, rttNs: Duration): Instant {
    const e = this.estimate();
    if (e === null) return earliestNs;
    // Server time at the stamping moment if sent at earliestNs; round up to its next tick.
    const serverAt = earliestNs + rttNs / 2n + e.offsetNs;
    const remainder = ((serverAt % NS_PER_S) + NS_PER_S) % NS_PER_S;
    const tick = serverAt - remainder + (remainder === 0n ? 0n : NS_PER_S);
    return tick - e.offsetNs - rttNs / 2n;
  }
}
