import type { Instant } from "./time.js";

/**
 * A source of instants. Everything that needs "now" takes a Clock, so tests and the
 * simulator can drive it with virtual time.
 */
export interface Clock {
  /** The current instant, nanoseconds since the Unix epoch. */
  now(): Instant;
  /**
   * The clock's precision as log2 seconds (the NTP `precision` field): the smallest
   * step between two readings, e.g. -20 for about 1 µs.
   */
  readonly precisionLog2: number;
}

/** A clock that only moves when told to: for tests and simulation. */
export class ManualClock implements Clock {
  readonly precisionLog2: number;
  private current: Instant;

  constructor(start: Instant = 0n, precisionLog2 = -30) {
    this.current = start;
    this.precisionLog2 = precisionLog2;
  }

  now(): Instant {
    return this.current;
  }

  set(instant: Instant): void {
    this.current = instant;
  }

  advance(ns: bigint): void {
    this.current += ns;
  }
}
