import { describe, expect, it } from "vitest";
import { DEFAULT_SIM_START, Simulator } from "../src/simulator.js";

describe("Simulator", () => {
  it("starts at the given instant and advances only through events", () => {
    const sim = new Simulator({ start: 1_000n });
    expect(sim.now()).toBe(1_000n);
    expect(new Simulator().now()).toBe(DEFAULT_SIM_START);
    const seen: bigint[] = [];
    sim.after(50n, () => seen.push(sim.now()));
    sim.schedule(1_020n, () => seen.push(sim.now()));
    expect(sim.pending).toBe(2);
    expect(sim.step()).toBe(true);
    expect(seen).toEqual([1_020n]);
    expect(sim.step()).toBe(true);
    expect(seen).toEqual([1_020n, 1_050n]);
    expect(sim.step()).toBe(false);
    expect(sim.eventsProcessed).toBe(2);
  });

  it("run(until) fires due events only, then sets the time to until", () => {
    const sim = new Simulator({ start: 0n });
    const fired: string[] = [];
    sim.schedule(10n, () => fired.push("a"));
    sim.schedule(20n, () => fired.push("b"));
    sim.schedule(21n, () => fired.push("c"));
    expect(sim.run(20n)).toBe(2);
    expect(fired).toEqual(["a", "b"]);
    expect(sim.now()).toBe(20n);
    expect(sim.runFor(100n)).toBe(1);
    expect(sim.now()).toBe(120n);
  });

  it("fires equal-time events in scheduling order, including ones scheduled while running", () => {
    const sim = new Simulator({ start: 0n });
    const order: string[] = [];
    sim.schedule(5n, () => {
      order.push("first");
      sim.after(0n, () => order.push("scheduled-by-first"));
    });
    sim.schedule(5n, () => order.push("second"));
    sim.run();
    expect(order).toEqual(["first", "second", "scheduled-by-first"]);
  });

  it("cancels events and repeating events", () => {
    const sim = new Simulator({ start: 0n });
    const ticks: bigint[] = [];
    const handle = sim.schedule(3n, () => ticks.push(-1n));
    handle.cancel();
    const repeat = sim.every(
      10n,
      () => {
        ticks.push(sim.now());
        if (ticks.length === 3) repeat.cancel();
      },
      5n,
    );
    sim.run(1_000n);
    expect(ticks).toEqual([5n, 15n, 25n]);
    expect(sim.pending).toBe(0);
  });

  it("rejects scheduling in the past, negative delays and re-entrant runs", () => {
    const sim = new Simulator({ start: 100n });
    expect(() => sim.schedule(99n, () => {})).toThrow(/before now/);
    expect(() => sim.after(-1n, () => {})).toThrow(/negative/);
    expect(() => sim.run(50n)).toThrow(/before now/);
    expect(() => sim.every(0n, () => {})).toThrow(/positive/);
    sim.after(1n, () => sim.run());
    expect(() => sim.run()).toThrow(/inside an event/);
  });

  it("stops at maxEvents with a never-ending periodic event", () => {
    const sim = new Simulator({ start: 0n });
    let n = 0;
    sim.every(1n, () => n++);
    expect(sim.run(undefined, { maxEvents: 1000 })).toBe(1000);
    expect(n).toBe(1000);
    expect(sim.now()).toBe(1000n);
  });

  it("is a Clock of true time", () => {
    const sim = new Simulator({ start: 7n });
    expect(sim.now()).toBe(7n);
    expect(sim.precisionLog2).toBe(-30);
  });
});
