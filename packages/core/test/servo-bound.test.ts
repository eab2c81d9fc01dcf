import { describe, expect, it } from "vitest";
import { BoundedClock, boundAt, boundConfig, createServo, InvalidArgumentError } from "../src/index.js";

const S = 1_000_000_000n;
const T0 = 1_735_689_600n * S;

describe("boundAt", () => {
  const config = boundConfig({ sigmas: 4, maxDriftPpm: 15, holdoverAfterNs: 300n * S, maxBoundNs: S });

  it("is root distance + kσ + drift × elapsed around system + correction", () => {
    const input = { correctionNs: 1500, varianceNs2: 100, lastUpdateNs: T0, rootDistanceNs: 1000n };
    const b = boundAt(T0 + 100n * S, input, config);
    // 1000 + 4·10 + 15e-6 × 100 s = 1000 + 40 + 1_500_000
    expect(b.halfWidthNs).toBe(1_501_040n);
    expect(b.timeNs).toBe(T0 + 100n * S + 1500n);
    expect(b.earliestNs).toBe(b.timeNs - 1_501_040n);
    expect(b.latestNs).toBe(b.timeNs + 1_501_040n);
    expect(b.status).toBe("synchronized");
  });

  it("moves from synchronized to holdover to unsynchronized as the bound grows", () => {
    const input = { correctionNs: 0, varianceNs2: 0, lastUpdateNs: T0, rootDistanceNs: 1000n };
    expect(boundAt(T0 + 300n * S, input, config).status).toBe("synchronized");
    const h = boundAt(T0 + 301n * S, input, config);
    expect(h.status).toBe("holdover");
    const later = boundAt(T0 + 3600n * S, input, config);
    expect(later.status).toBe("holdover");
    expect(later.halfWidthNs).toBeGreaterThan(h.halfWidthNs);
    expect(later.halfWidthNs).toBe(1000n + 54_000_000n);
    // 1 s at 15 ppm: after ~18.5 h
    expect(boundAt(T0 + 70_000n * S, input, config).status).toBe("unsynchronized");
  });

  it("reports a never-synchronized clock around the system clock", () => {
    const b = boundAt(T0, null, config);
    expect(b.status).toBe("unsynchronized");
    expect(b.timeNs).toBe(T0);
    expect(b.latestNs - b.earliestNs).toBe(2n * config.unsynchronizedHalfWidthNs);
  });

  it("checks its configuration", () => {
    expect(() => boundConfig({ sigmas: 0 })).toThrow(InvalidArgumentError);
    expect(() => boundConfig({ maxBoundNs: 0n })).toThrow(InvalidArgumentError);
  });
});

describe("BoundedClock", () => {
  it("tracks the servo and grows the bound in holdover", () => {
    const clock = new BoundedClock(createServo("kalman"));
    expect(clock.now(T0).status).toBe("unsynchronized");
    // the local clock is 2 ms behind and 10 ppm slow: true − local = 2 ms + 10 µs/s
    for (let i = 0; i <= 64; i++) {
      const t = BigInt(i) * 16n * S;
      clock.update({
        localNs: T0 + t,
        offsetNs: 2_000_000n + t / 100_000n,
        rootDistanceNs: 500_000n,
        uncertaintyNs: 1000,
      });
    }
    const last = T0 + 1024n * S;
    const sync = clock.now(last + S);
    expect(sync.status).toBe("synchronized");
    expect(Number(sync.timeNs - (last + S)) - (2_000_000 + 1025 * 10_000)).toBeLessThan(500);
    expect(sync.halfWidthNs).toBeLessThan(600_000n);
    const hold = clock.now(last + 3600n * S);
    expect(hold.status).toBe("holdover");
    expect(hold.halfWidthNs).toBeGreaterThan(54_000_000n);
    // the extrapolation keeps the frequency: still on the line
    expect(Math.abs(Number(hold.timeNs - (last + 3600n * S)) - (2_000_000 + 4624 * 10_000))).toBeLessThan(
      5_000,
    );
  });
});
