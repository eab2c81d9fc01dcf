import { describe, expect, it } from "vitest";
import {
  createServo,
  InvalidArgumentError,
  initialKalmanState,
  type KalmanState,
  kalmanConfig,
  predictKalman,
  seedKalmanFrequency,
  updateKalman,
} from "../src/index.js";

const S = 1_000_000_000n;
const noNoise = kalmanConfig({ whiteFrequencyNs2PerS: 0, randomWalkFrequencyNs2PerS3: 0 });

function state(over: Partial<KalmanState>): KalmanState {
  return { ...initialKalmanState(), timeNs: 0n, updates: 1, lastOutcome: "accepted", ...over };
}

/** A deterministic N(0, 1) stream (Box–Muller over an LCG). */
function gaussian(seed: number): () => number {
  let x = seed;
  const u = () => {
    x = (x * 1_103_515_245 + 12_345) % 2_147_483_648;
    return (x + 1) / 2_147_483_649;
  };
  return () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
}

describe("predictKalman", () => {
  it("propagates mean and covariance over Δt (hand values)", () => {
    const s = state({ offsetNs: 1000, frequencyNsPerS: 10, pOO: 100, pOF: 0, pFF: 1 });
    expect(predictKalman(s, 10n * S, noNoise)).toEqual({
      offsetNs: 1100,
      frequencyNsPerS: 10,
      pOO: 200,
      pOF: 10,
      pFF: 1,
    });
    const q = kalmanConfig({ whiteFrequencyNs2PerS: 2, randomWalkFrequencyNs2PerS3: 3 });
    const p = predictKalman(state({ pOO: 0, pOF: 0, pFF: 0 }), 2n * S, q);
    expect(p.pOO).toBeCloseTo(2 * 2 + (3 * 8) / 3, 9);
    expect(p.pOF).toBeCloseTo((3 * 4) / 2, 9);
    expect(p.pFF).toBeCloseTo(3 * 2, 9);
  });

  it("does not move backwards in time", () => {
    const s = state({ timeNs: 10n * S, offsetNs: 5, frequencyNsPerS: 1, pOO: 4 });
    expect(predictKalman(s, 0n, noNoise).offsetNs).toBe(5);
  });
});

describe("updateKalman", () => {
  it("initializes from the first measurement", () => {
    const s = updateKalman(initialKalmanState(), { localNs: 7n, offsetNs: 42, varianceNs2: 9 }, noNoise);
    expect(s).toMatchObject({
      timeNs: 7n,
      offsetNs: 42,
      frequencyNsPerS: 0,
      pOO: 9,
      pOF: 0,
      lastOutcome: "initialized",
    });
    expect(s.pFF).toBe(100_000 ** 2);
  });

  it("corrects with the Kalman gain (hand values)", () => {
    const s = state({ offsetNs: 1000, frequencyNsPerS: 10, pOO: 100, pOF: 0, pFF: 1 });
    // predicted: θ 1100, P [[200, 10], [10, 1]]; R = 200 → S = 400, K = [0.5, 0.025]; innovation 80 is inside 5σ = 100
    const u = updateKalman(s, { localNs: 10n * S, offsetNs: 1180, varianceNs2: 200 }, noNoise);
    expect(u.lastOutcome).toBe("accepted");
    expect(u.offsetNs).toBeCloseTo(1140, 9);
    expect(u.frequencyNsPerS).toBeCloseTo(12, 9);
    expect(u.pOO).toBeCloseTo(100, 9);
    expect(u.pOF).toBeCloseTo(5, 9);
    expect(u.pFF).toBeCloseTo(0.75, 9);
    expect(u.timeNs).toBe(10n * S);
  });

  it("ignores stale measurements and rejects bad variances", () => {
    const s = state({ timeNs: 10n * S });
    expect(updateKalman(s, { localNs: S, offsetNs: 0, varianceNs2: 1 }, noNoise).lastOutcome).toBe("stale");
    expect(() => updateKalman(s, { localNs: 20n * S, offsetNs: 0, varianceNs2: 0 }, noNoise)).toThrow(
      InvalidArgumentError,
    );
    expect(() => kalmanConfig({ resetAfter: 0 })).toThrow(InvalidArgumentError);
  });

  it("converges on a drifting offset with noise", () => {
    const config = kalmanConfig();
    const noise = gaussian(7);
    let s = initialKalmanState();
    const truth = (t: number) => 5e6 + 20_000 * t; // +5 ms, +20 ppm
    for (let i = 0; i < 300; i++) {
      const t = i * 16;
      s = updateKalman(
        s,
        { localNs: BigInt(t) * S, offsetNs: truth(t) + 1000 * noise(), varianceNs2: 1e6 },
        config,
      );
      expect(s.lastOutcome).not.toBe("rejected");
    }
    expect(Math.abs(s.frequencyNsPerS - 20_000)).toBeLessThan(100); // 0.1 ppm
    expect(Math.abs(s.offsetNs - truth(299 * 16))).toBeLessThan(1000);
    expect(Math.sqrt(s.pOO)).toBeLessThan(1000);
  });
});

describe("outlier gating", () => {
  const config = kalmanConfig({ resetAfter: 3 });
  function converged(): KalmanState {
    let s = initialKalmanState();
    const noise = gaussian(3);
    for (let i = 0; i < 100; i++) {
      s = updateKalman(
        s,
        { localNs: BigInt(i * 16) * S, offsetNs: 1000 * noise(), varianceNs2: 1e6 },
        config,
      );
    }
    return s;
  }

  it("rejects a lone outlier and keeps the estimate", () => {
    const s = converged();
    const u = updateKalman(s, { localNs: 1600n * S, offsetNs: 1e6, varianceNs2: 1e6 }, config);
    expect(u.lastOutcome).toBe("rejected");
    expect(u.rejectedInRow).toBe(1);
    expect(u.offsetNs).toBe(s.offsetNs);
    const back = updateKalman(u, { localNs: 1616n * S, offsetNs: 0, varianceNs2: 1e6 }, config);
    expect(back.lastOutcome).toBe("accepted");
    expect(back.rejectedInRow).toBe(0);
  });

  it("resets on a persistent step of the reference", () => {
    let s = converged();
    const outcomes: string[] = [];
    for (let i = 0; i < 3; i++) {
      s = updateKalman(s, { localNs: BigInt(1600 + 16 * i) * S, offsetNs: 1e8, varianceNs2: 1e6 }, config);
      outcomes.push(s.lastOutcome);
    }
    expect(outcomes).toEqual(["rejected", "rejected", "reset"]);
    expect(s.offsetNs).toBe(1e8);
    expect(s.pOO).toBe(1e6);
    s = updateKalman(s, { localNs: 1648n * S, offsetNs: 1e8, varianceNs2: 1e6 }, config);
    expect(s.lastOutcome).toBe("accepted");
  });
});

describe("createServo", () => {
  it("makes a Kalman servo that estimates the correction", () => {
    const servo = createServo("kalman");
    expect(servo.kind).toBe("kalman");
    expect(servo.estimate(0n)).toBeNull();
    expect(servo.update({ localNs: 0n, offsetNs: 1000n, rootDistanceNs: 50n, uncertaintyNs: 10 })).toBe(
      "initialized",
    );
    expect(servo.update({ localNs: 10n * S, offsetNs: 2000n, rootDistanceNs: 60n, uncertaintyNs: 10 })).toBe(
      "accepted",
    );
    const e = servo.estimate(20n * S)!;
    expect(e.frequencyPpm).toBeCloseTo(0.1, 3);
    expect(e.correctionNs).toBeCloseTo(3000, 0);
    expect(e.rootDistanceNs).toBe(60n);
    expect(e.lastUpdateNs).toBe(10n * S);
    expect(() => servo.update({ localNs: 30n * S, offsetNs: 0n, rootDistanceNs: 0n })).toThrow(
      InvalidArgumentError,
    );
  });
});

describe("warm start (seeded frequency)", () => {
  it("starts the first measurement from the seed and its sigma, not 0 ± 100 ppm", () => {
    const cfg = kalmanConfig();
    const seeded = seedKalmanFrequency(initialKalmanState(), -12_000, 500);
    const first = updateKalman(seeded, { localNs: 0n, offsetNs: 1000, varianceNs2: 100 }, cfg);
    expect(first.lastOutcome).toBe("initialized");
    expect(first.frequencyNsPerS).toBe(-12_000);
    expect(first.pFF).toBe(500 * 500);
    const cold = updateKalman(initialKalmanState(), { localNs: 0n, offsetNs: 1000, varianceNs2: 100 }, cfg);
    expect(cold.frequencyNsPerS).toBe(0);
    expect(cold.pFF).toBe(100_000 * 100_000);
    // 64 s later the seeded filter's offset uncertainty is far smaller.
    expect(predictKalman(first, 64n * S, cfg).pOO).toBeLessThan(predictKalman(cold, 64n * S, cfg).pOO / 1000);
  });

  it("is ignored once measured, rejects nonsense, and the servo reports √P_ff", () => {
    const servo = createServo();
    expect(servo.seedFrequency(-8, 0.5)).toBe(true);
    servo.update({ localNs: 0n, offsetNs: 0n, rootDistanceNs: 0n, uncertaintyNs: 10 });
    expect(servo.estimate(0n)?.frequencyPpm).toBeCloseTo(-8, 9);
    expect(servo.estimate(0n)?.frequencySigmaPpm).toBeCloseTo(0.5, 9);
    expect(servo.seedFrequency(3, 1)).toBe(false);
    expect(servo.estimate(0n)?.frequencyPpm).toBeCloseTo(-8, 9);
    expect(() => seedKalmanFrequency(initialKalmanState(), Number.NaN, 1)).toThrow(InvalidArgumentError);
    expect(() => seedKalmanFrequency(initialKalmanState(), 0, 0)).toThrow(InvalidArgumentError);
  });
});
