// The live refresh throttle (lib/throttle.ts) on injected timers: leading run, one trailing
// run per interval however many calls, nothing after cancel.
import { describe, expect, it } from "vitest";
import { createThrottle, type ThrottleTimers } from "../src/lib/throttle.js";

function fakeTimers() {
  let now = 0;
  const queue: { at: number; fn: () => void; id: number }[] = [];
  let ids = 0;
  const timers: ThrottleTimers = {
    now: () => now,
    setTimeout: (fn, ms) => {
      const id = ++ids;
      queue.push({ at: now + ms, fn, id });
      return id;
    },
    clearTimeout: (id) => {
      const i = queue.findIndex((t) => t.id === id);
      if (i >= 0) queue.splice(i, 1);
    },
  };
  const advance = (ms: number) => {
    const end = now + ms;
    for (;;) {
      queue.sort((a, b) => a.at - b.at);
      const next = queue[0];
      if (next === undefined || next.at > end) break;
      queue.shift();
      now = next.at;
      next.fn();
    }
    now = end;
  };
  return { timers, advance, pending: () => queue.length };
}

describe("createThrottle", () => {
  it("runs at once, then once per interval with the last burst kept", () => {
    const { timers, advance } = fakeTimers();
    const runs: number[] = [];
    const t = createThrottle(() => runs.push(timers.now()), 5000, timers);
    t.call();
    expect(runs).toEqual([0]);
    // An event every 500 ms for 12 s.
    for (let i = 1; i <= 24; i++) {
      advance(500);
      t.call();
    }
    advance(10_000);
    expect(runs).toEqual([0, 5000, 10_000, 15_000]);
  });

  it("runs at once again after a quiet interval", () => {
    const { timers, advance } = fakeTimers();
    const runs: number[] = [];
    const t = createThrottle(() => runs.push(timers.now()), 5000, timers);
    t.call();
    advance(7000);
    t.call();
    expect(runs).toEqual([0, 7000]);
  });

  it("drops the trailing run on cancel", () => {
    const { timers, advance, pending } = fakeTimers();
    let runs = 0;
    const t = createThrottle(() => runs++, 5000, timers);
    t.call();
    t.call();
    expect(pending()).toBe(1);
    t.cancel();
    advance(10_000);
    expect(runs).toBe(1);
  });
});
