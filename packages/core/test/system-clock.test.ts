import { describe, expect, it } from "vitest";
import {
  type ClockStep,
  findClockAnchor,
  getSystemClock,
  InvalidArgumentError,
  measureAnchoring,
  NS_PER_MS,
  NS_PER_S,
  SystemClock,
  systemClock,
} from "../src/index.js";

/** Virtual CLOCK_MONOTONIC and CLOCK_REALTIME; every read advances time by `tick`. */
class FakeClocks {
  hr = 5n * NS_PER_S;
  offset = 1_700_000_000n * NS_PER_S + 123_456n - this.hr; // wall − hr
  ppb = 0n; // wall runs fast by this much
  tick = 97n;
  wallFrozen: number | null = null;
  private readonly base = this.hr;

  readonly readHrNs = (): bigint => {
    this.hr += this.tick;
    return this.hr;
  };
  readonly readWallMs = (): number => {
    this.hr += this.tick;
    return this.wallFrozen ?? Number(this.wallNs() / NS_PER_MS);
  };
  wallNs(): bigint {
    return this.hr + this.offset + ((this.hr - this.base) * this.ppb) / NS_PER_S;
  }
  advance(ns: bigint): void {
    this.hr += ns;
  }
}

const near = (a: bigint, b: bigint, tolerance: bigint) => (a > b ? a - b : b - a) <= tolerance;

describe("SystemClock on injected clocks", () => {
  it("anchors to a tick edge and reads between ticks", () => {
    const fake = new FakeClocks();
    const clock = new SystemClock({ readHrNs: fake.readHrNs, readWallMs: fake.readWallMs });
    const t = clock.now();
    expect(near(t, fake.wallNs(), 1_000n)).toBe(true);
    expect(clock.anchorInfo?.edgeFound).toBe(true);
    expect(clock.anchorInfo!.bracketNs).toBeLessThanOrEqual(4n * fake.tick);
    expect(clock.anchors).toBe(1);
    for (let i = 0; i < 1000; i++) {
      fake.advance(12_345n);
      expect(near(clock.now(), fake.wallNs(), 1_000n)).toBe(true);
    }
    expect(clock.steps).toBe(0);
    expect(clock.precisionLog2).toBeGreaterThanOrEqual(-25);
    expect(clock.precisionLog2).toBeLessThanOrEqual(-20);
  });

  it("detects a forward step, re-anchors and reports it", () => {
    const fake = new FakeClocks();
    const seen: ClockStep[] = [];
    const clock = new SystemClock({ ...fake, onStep: (step) => seen.push(step) });
    clock.now();
    fake.offset += 5n * NS_PER_S;
    fake.advance(2n * NS_PER_MS);
    const t = clock.now();
    expect(clock.steps).toBe(1);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toBe(clock.lastStep);
    expect(near(clock.lastStep!.deltaNs, 5n * NS_PER_S, 1_000n)).toBe(true);
    expect(near(t, fake.wallNs(), 1_000n)).toBe(true);
  });

  it("detects a backward step and lets time go back", () => {
    const fake = new FakeClocks();
    const clock = new SystemClock({ readHrNs: fake.readHrNs, readWallMs: fake.readWallMs });
    const before = clock.now();
    fake.offset -= 3n * NS_PER_S;
    fake.advance(2n * NS_PER_MS);
    const after = clock.now();
    expect(after < before).toBe(true);
    expect(clock.steps).toBe(1);
    expect(near(clock.lastStep!.deltaNs, -3n * NS_PER_S, 1_000n)).toBe(true);
  });

  it("a jump below the threshold is not a step; the periodic re-anchor absorbs it without going back", () => {
    const fake = new FakeClocks();
    const clock = new SystemClock({ ...fake, reanchorIntervalMs: 50 });
    let last = clock.now();
    fake.offset -= 1n * NS_PER_MS;
    for (let i = 0; i < 200; i++) {
      fake.advance(500_000n);
      const t = clock.now();
      expect(t >= last).toBe(true);
      last = t;
    }
    expect(clock.steps).toBe(0);
    expect(clock.anchors).toBeGreaterThan(1);
    expect(near(clock.now(), fake.wallNs(), 1_000n)).toBe(true);
  });

  it("measures and corrects a frequency difference between the clocks", () => {
    const run = (trackFrequency: boolean) => {
      const fake = new FakeClocks();
      fake.ppb = 100_000n; // 100 ppm
      const clock = new SystemClock({ ...fake, reanchorIntervalMs: 2000, trackFrequency });
      for (let i = 0; i < 3500; i++) {
        fake.advance(NS_PER_MS);
        clock.now();
      }
      const error = clock.now() - fake.wallNs();
      return { clock, error: error < 0n ? -error : error };
    };
    const tracked = run(true);
    expect(tracked.clock.steps).toBe(0);
    expect(Math.abs(tracked.clock.frequencyPpm - 100)).toBeLessThan(1);
    expect(tracked.error).toBeLessThan(5_000n);
    const untracked = run(false);
    expect(untracked.clock.frequencyPpm).toBe(0);
    expect(untracked.error).toBeGreaterThan(100_000n);
  });

  it("falls back to mid-millisecond when the wall clock never ticks", () => {
    const fake = new FakeClocks();
    fake.wallFrozen = 1_700_000_000_000;
    const anchor = findClockAnchor(fake);
    expect(anchor.edgeFound).toBe(false);
    expect(anchor.wallNs).toBe(1_700_000_000_000n * NS_PER_MS + 500_000n);
    expect(anchor.bracketNs).toBe(NS_PER_MS);
  });

  it("anchor() re-anchors on demand", () => {
    const fake = new FakeClocks();
    const clock = new SystemClock({ ...fake, anchorEdges: 2 });
    clock.now();
    fake.offset += 10n * NS_PER_S;
    const anchor = clock.anchor(1);
    expect(clock.steps).toBe(1);
    expect(near(clock.now(), anchor.wallNs + (fake.hr - anchor.hrNs), 1_000n)).toBe(true);
  });

  it("rejects nonsensical options", () => {
    expect(() => new SystemClock({ reanchorIntervalMs: 0 })).toThrow(InvalidArgumentError);
    expect(() => new SystemClock({ stepThresholdMs: -1 })).toThrow(InvalidArgumentError);
    expect(() => new SystemClock({ anchorEdges: 0.5 })).toThrow(InvalidArgumentError);
    expect(() => new SystemClock({ wallCheckIntervalUs: Number.NaN })).toThrow(InvalidArgumentError);
    expect(() => new SystemClock({ reanchorIntervalMs: Number.POSITIVE_INFINITY })).not.toThrow();
  });
});

describe("SystemClock on the real clocks", () => {
  const clock = new SystemClock();

  it("never decreases over many reads", () => {
    let last = clock.now();
    for (let i = 0; i < 200_000; i++) {
      const t = clock.now();
      if (t < last) expect.fail(`went back by ${last - t} ns at read ${i}`);
      last = t;
    }
  });

  it("agrees with Date.now() within 2 ms", () => {
    for (let i = 0; i < 1000; i++) {
      const before = BigInt(Date.now()) * NS_PER_MS;
      const t = clock.now();
      const after = BigInt(Date.now() + 1) * NS_PER_MS;
      expect(t >= before - 2n * NS_PER_MS && t <= after + 2n * NS_PER_MS).toBe(true);
    }
  });

  it("has sub-millisecond resolution", () => {
    let most = 0;
    for (let ms = 0; ms < 5; ms++) {
      const values = new Set<bigint>();
      const start = Date.now();
      while (Date.now() === start) values.add(clock.now());
      expect([...values].some((v) => v % NS_PER_MS !== 0n)).toBe(true);
      most = Math.max(most, values.size);
    }
    expect(most).toBeGreaterThan(10);
    expect(clock.precisionLog2).toBeLessThanOrEqual(-14);
  });

  it("shares one process-wide instance", () => {
    expect(getSystemClock()).toBe(systemClock);
    expect(systemClock).toBeInstanceOf(SystemClock);
  });

  it("measures anchoring", () => {
    const stats = measureAnchoring(10);
    expect(stats.anchors).toBe(10);
    expect(stats.bracketNs.min).toBeGreaterThan(0);
    expect(stats.readResolutionNs).toBeGreaterThan(0);
  });
});
