import { NS_PER_S } from "@chronosync/core";
import { describe, expect, it } from "vitest";
import { Prng } from "../src/prng.js";
import { SimClock } from "../src/sim-clock.js";
import { Simulator } from "../src/simulator.js";

const S = NS_PER_S;

describe("SimClock", () => {
  it("shows true time when perfect", () => {
    const sim = new Simulator({ start: 1_000n * S });
    const clock = new SimClock(sim);
    expect(clock.now()).toBe(1_000n * S);
    sim.runFor(5n * S);
    expect(clock.now()).toBe(1_005n * S);
    expect(clock.trueOffset()).toBe(0n);
  });

  it("is offset + freq·(t − t0) exactly", () => {
    const sim = new Simulator({ start: 0n });
    const clock = new SimClock(sim, { offsetNs: 2_500_000_000n, frequencyPpm: 50 });
    expect(clock.trueOffsetAt(0n)).toBe(2_500_000_000n);
    expect(clock.trueOffsetAt(1_000n * S)).toBe(2_500_000_000n + 50_000_000n);
    expect(clock.localAt(3_600n * S)).toBe(3_600n * S + 2_500_000_000n + 180_000_000n);
    expect(clock.trueOffsetAt(-1_000n * S)).toBe(2_500_000_000n - 50_000_000n);
    sim.runFor(20n * S);
    expect(clock.now()).toBe(20n * S + 2_500_000_000n + 1_000_000n);
    const slow = new SimClock(sim, { offsetNs: -1_750_000_000n, frequencyPpm: -12.5, t0: 0n });
    expect(slow.trueOffsetAt(10n * S)).toBe(-1_750_000_000n - 125_000n);
    expect(slow.frequencyPpmAt(10n * S)).toBe(-12.5);
  });

  it("rounds sub-ns frequency terms down (floor), consistently for past and future", () => {
    const clock = new SimClock(new Simulator({ start: 0n }), { frequencyPpm: 1 });
    expect(clock.trueOffsetAt(999n)).toBe(0n); // 0.000999 ns
    expect(clock.trueOffsetAt(1_000_000n)).toBe(1n);
    expect(clock.trueOffsetAt(-1n)).toBe(-1n);
  });

  it("applies steps from their instant on, in any insertion order", () => {
    const sim = new Simulator({ start: 0n });
    const clock = new SimClock(sim, {
      offsetNs: 100n,
      steps: [
        { at: 20n * S, deltaNs: -30n },
        { at: 10n * S, deltaNs: 1_000n },
      ],
    });
    clock.addStep(15n * S, 5n);
    expect(clock.trueOffsetAt(10n * S - 1n)).toBe(100n);
    expect(clock.trueOffsetAt(10n * S)).toBe(1_100n);
    expect(clock.trueOffsetAt(15n * S)).toBe(1_105n);
    expect(clock.trueOffsetAt(19n * S)).toBe(1_105n);
    expect(clock.trueOffsetAt(20n * S)).toBe(1_075n);
    expect(clock.trueOffsetAt(99n * S)).toBe(1_075n);
  });

  it("wanders deterministically, whatever the query pattern", () => {
    const make = () =>
      new SimClock(new Simulator({ start: 0n }), { wander: { ppmPerSqrtS: 0.01 }, prng: new Prng("w") });
    const forward = make();
    const jumpy = make();
    const times = Array.from({ length: 200 }, (_, i) => BigInt(i) * 7_300_000_000n + 123n);
    const a = times.map((t) => forward.trueOffsetAt(t));
    jumpy.trueOffsetAt(times[199]!); // far ahead first: later queries hit the ring or replay
    const b = times.map((t) => jumpy.trueOffsetAt(t));
    expect(b).toEqual(a);
    expect(a.some((x) => x !== 0n)).toBe(true);
    expect(a[0]).toBe(0n);
  });

  it("keeps wander within the statistics of a random walk", () => {
    // σ = 0.01 ppm/√s for one hour: frequency sd σ√T = 0.6 ppm, phase sd σ·√(T³/3) ≈ 1.25 ms.
    const T = 3_600;
    let worstFreq = 0;
    let worstPhase = 0;
    for (let seed = 0; seed < 20; seed++) {
      const clock = new SimClock(new Simulator({ start: 0n }), {
        wander: { ppmPerSqrtS: 0.01 },
        prng: new Prng(seed),
      });
      worstFreq = Math.max(worstFreq, Math.abs(clock.frequencyPpmAt(BigInt(T) * S)));
      worstPhase = Math.max(worstPhase, Math.abs(Number(clock.trueOffsetAt(BigInt(T) * S))));
    }
    expect(worstFreq).toBeLessThan(5 * 0.6);
    expect(worstFreq).toBeGreaterThan(0.05);
    expect(worstPhase).toBeLessThan(5 * 1.25e6);
  });

  it("reflects wander at maxPpm", () => {
    const clock = new SimClock(new Simulator({ start: 0n }), {
      wander: { ppmPerSqrtS: 0.5, maxPpm: 2 },
      prng: new Prng(1),
    });
    let extreme = 0;
    for (let s = 0; s < 10_000; s += 10) {
      const f = Math.abs(clock.frequencyPpmAt(BigInt(s) * S));
      expect(f).toBeLessThanOrEqual(2);
      extreme = Math.max(extreme, f);
    }
    expect(extreme).toBeGreaterThan(1.5);
  });

  it("needs a prng for wander", () => {
    expect(() => new SimClock(new Simulator(), { wander: { ppmPerSqrtS: 1 } })).toThrow(/prng/);
  });
});
