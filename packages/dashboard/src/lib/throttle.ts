/**
 * `createThrottle(fn, intervalMs)`: runs `fn` at once on the first call, then at most once
 * per interval; calls inside an interval collapse into one trailing run at its end, so the
 * last event of a burst is never lost. Timers are injected for tests.
 */
export interface ThrottleTimers {
  readonly now: () => number;
  readonly setTimeout: (fn: () => void, ms: number) => unknown;
  readonly clearTimeout: (handle: unknown) => void;
}

const browserTimers: ThrottleTimers = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export interface Throttled {
  /** Asks for a run. */
  call(): void;
  /** Drops a pending trailing run (e.g. on unmount). */
  cancel(): void;
}

export function createThrottle(
  fn: () => void,
  intervalMs: number,
  timers: ThrottleTimers = browserTimers,
): Throttled {
  let last = Number.NEGATIVE_INFINITY;
  let pending: unknown;
  const run = () => {
    pending = undefined;
    last = timers.now();
    fn();
  };
  return {
    call() {
      if (pending !== undefined) return;
      const wait = last + intervalMs - timers.now();
      if (wait <= 0) run();
      else pending = timers.setTimeout(run, wait);
    },
    cancel() {
      if (pending !== undefined) timers.clearTimeout(pending);
      pending = undefined;
    },
  };
}
