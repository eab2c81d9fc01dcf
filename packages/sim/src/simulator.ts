/**
 * The discrete-event simulator: virtual true time (bigint ns since the Unix epoch), an
 * event queue, and the root random stream. Nothing here reads the wall clock or starts a
 * timer; a run is a pure function of its seed and the events scheduled.
 *
 * The simulator is itself a {@link Clock} of *true* time, so it can serve as the perfect
 * reference, and {@link SimClock}s read it to compute what a node's clock shows.
 */
import { type Clock, type Duration, type Instant, InvalidArgumentError } from "@chronosync/core";
import { EventQueue, type QueuedEvent } from "./event-queue.js";
import { Prng, type Seed } from "./prng.js";

/** What an event does when it fires. */
export type EventFn = () => void;

/** A scheduled event; `cancel()` removes it if it has not fired yet. */
export type EventHandle = QueuedEvent<EventFn>;

/** A repeating event from {@link Simulator.every}; `cancel()` stops it. */
export interface RepeatHandle {
  cancel(): void;
}

export interface SimulatorOptions {
  /** True time at the start of the run. Default: 2025-01-01T00:00:00Z. */
  start?: Instant;
  /** Seed of the root random stream ({@link Simulator.prng}). Default: 1. */
  seed?: Seed;
}

/** 2025-01-01T00:00:00Z: the default start of a simulated run. */
export const DEFAULT_SIM_START: Instant = 1_735_689_600_000_000_000n;

/** Virtual time, an event queue and a seeded random stream. */
export class Simulator implements Clock {
  /** The simulator's clock is exact; precision is nominal (1 ns ≈ 2^-30 s). */
  readonly precisionLog2 = -30;
  /** True time at which the run started. */
  readonly start: Instant;
  /** The root random stream; derive per-component streams with `prng.fork(label)`. */
  readonly prng: Prng;
  private current: Instant;
  private readonly queue = new EventQueue<EventFn>();
  private processed = 0;
  private running = false;

  constructor(options: SimulatorOptions = {}) {
    this.start = options.start ?? DEFAULT_SIM_START;
    this.current = this.start;
    this.prng = new Prng(options.seed ?? 1);
  }

  /** Current true time. */
  now(): Instant {
    return this.current;
  }

  /** Number of events fired so far. */
  get eventsProcessed(): number {
    return this.processed;
  }

  /** Number of events waiting. */
  get pending(): number {
    return this.queue.size;
  }

  /** Runs `fn` at true time `at` (not before now). Equal times fire in scheduling order. */
  schedule(at: Instant, fn: EventFn): EventHandle {
    if (at < this.current) {
      throw new InvalidArgumentError(`cannot schedule at ${at}, before now (${this.current})`);
    }
    return this.queue.push(at, fn);
  }

  /** Runs `fn` after `delay` ns of true time (≥ 0). */
  after(delay: Duration, fn: EventFn): EventHandle {
    if (delay < 0n) throw new InvalidArgumentError(`negative delay ${delay}`);
    return this.queue.push(this.current + delay, fn);
  }

  /** Runs `fn` every `interval` ns, first at `first` (default: now + interval). */
  every(interval: Duration, fn: EventFn, first: Instant = this.current + interval): RepeatHandle {
    if (interval <= 0n) throw new InvalidArgumentError(`interval must be positive, got ${interval}`);
    let handle: EventHandle;
    let stopped = false;
    const tick = (): void => {
      fn();
      if (!stopped) handle = this.queue.push(handle.at + interval, tick);
    };
    handle = this.schedule(first, tick);
    return {
      cancel: () => {
        stopped = true;
        handle.cancel();
      },
    };
  }

  /** Fires the next event, if any; false when the queue is empty. */
  step(): boolean {
    this.enter();
    try {
      return this.fireNext();
    } finally {
      this.running = false;
    }
  }

  /**
   * Fires every event due at or before `until`, then sets the time to `until`.
   * Without `until`, runs until the queue is empty (a periodic event never empties it:
   * pass `maxEvents`). Returns the number of events fired.
   */
  run(until?: Instant, options: { maxEvents?: number } = {}): number {
    if (until !== undefined && until < this.current) {
      throw new InvalidArgumentError(`cannot run until ${until}, before now (${this.current})`);
    }
    const maxEvents = options.maxEvents ?? Number.POSITIVE_INFINITY;
    this.enter();
    let fired = 0;
    try {
      while (fired < maxEvents) {
        const next = this.queue.peek();
        if (next === undefined || (until !== undefined && next.at > until)) break;
        this.fireNext();
        fired++;
      }
      if (until !== undefined && fired < maxEvents) this.current = until;
    } finally {
      this.running = false;
    }
    return fired;
  }

  /** {@link run} for `duration` ns of true time from now. */
  runFor(duration: Duration, options: { maxEvents?: number } = {}): number {
    return this.run(this.current + duration, options);
  }

  private enter(): void {
    if (this.running) throw new InvalidArgumentError("Simulator.run/step called from inside an event");
    this.running = true;
  }

  private fireNext(): boolean {
    const event = this.queue.pop();
    if (event === undefined) return false;
    this.current = event.at;
    this.processed++;
    event.value();
    return true;
  }
}
