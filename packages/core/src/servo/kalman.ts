/**
 * A two-state Kalman filter for the offset and frequency of the local (system) clock
 * relative to true time, as pure `(state, event) => state` functions.
 *
 * State, at local time `timeNs` (the last update): θ = true − local in ns, and f = the rate
 * at which θ changes, in ns/s (1 ppm = 1000 ns/s; f is minus the clock's frequency error).
 * Between updates θ moves by f·Δt: F = [[1, Δt], [0, 1]]. The process noise is the
 * standard two-state clock model (white frequency noise q1 and random-walk frequency
 * noise q2, both as one-sided spectral densities):
 *
 *   Q(Δt) = [[q1·Δt + q2·Δt³/3, q2·Δt²/2], [q2·Δt²/2, q2·Δt]]
 *
 * Each measurement z observes θ (H = [1, 0]) with variance R given by the caller.
 *
 * Why Kalman rather than chrony's regression: with white measurement noise it is the
 * minimum-variance linear estimator; it carries a covariance, so the uncertainty of the
 * estimate at any later instant (P_θθ(t)) is known and the error bound is honest rather
 * than guessed; irregular poll intervals, gaps and per-sample noise are handled exactly
 * by Δt and R; and it is O(1) per sample. chrony's regression over a window copes better
 * with non-white (wandering) noise it was not told about; that trade-off is why the
 * filter sits behind the {@link Servo} interface. See docs/servo.md.
 *
 * References: Brown & Hwang, "Introduction to Random Signals and Applied Kalman
 * Filtering", §9 (the two-state clock model); J. Levine, "Introduction to time and
 * frequency metrology", RSI 70 (1999).
 */
import { InvalidArgumentError } from "../errors.js";
import type { Instant } from "../time.js";

/** Tuning of {@link updateKalman}. Every field has a default in {@link DEFAULT_KALMAN_CONFIG}. */
export interface KalmanConfig {
  /**
   * White frequency noise q1, ns²/s: the offset's random walk. 100 ns²/s is an Allan
   * deviation of 1e-8 at 1 s, a quartz oscillator with some timestamping noise.
   */
  readonly whiteFrequencyNs2PerS: number;
  /**
   * Random-walk frequency noise q2, (ns/s)²/s: the frequency moves by √(q2·T) ns/s over
   * T seconds. 1 (ns/s)²/s is ~0.3 ppm over a day, an uncompensated server crystal in a
   * machine room (a simulator's wander of 0.001 ppm/√s).
   */
  readonly randomWalkFrequencyNs2PerS3: number;
  /** Standard deviation of the frequency before the first two samples, ppm. Default 100. */
  readonly initialFrequencySigmaPpm: number;
  /** Reject a measurement whose innovation exceeds this many standard deviations. Default 5. */
  readonly gateSigmas: number;
  /**
   * After this many rejections in a row, take the newest measurement as a step of the
   * reference: reset θ to it and relearn the frequency. Default 3.
   */
  readonly resetAfter: number;
}

export const DEFAULT_KALMAN_CONFIG: KalmanConfig = {
  whiteFrequencyNs2PerS: 100,
  randomWalkFrequencyNs2PerS3: 1,
  initialFrequencySigmaPpm: 100,
  gateSigmas: 5,
  resetAfter: 3,
};

/** The filter's state. `null` fields mean "no measurement yet". */
export interface KalmanState {
  /** Local time of the last accepted update (or reset), ns. */
  readonly timeNs: Instant | null;
  /** θ at `timeNs`: true − local, ns. */
  readonly offsetNs: number;
  /** dθ/dt, ns/s. */
  readonly frequencyNsPerS: number;
  /** Covariance [[pOO, pOF], [pOF, pFF]] in ns², ns²/s, (ns/s)². */
  readonly pOO: number;
  readonly pOF: number;
  readonly pFF: number;
  /** Rejected measurements since the last accepted one. */
  readonly rejectedInRow: number;
  /** What the last event did. */
  readonly lastOutcome: KalmanOutcome;
  /** Accepted measurements (including the first and resets). */
  readonly updates: number;
}

export type KalmanOutcome = "none" | "initialized" | "accepted" | "rejected" | "reset" | "stale";

/** One offset measurement of the local clock against true time. */
export interface KalmanMeasurement {
  /** Local time the offset refers to (the midpoint of an NTP exchange), ns. */
  readonly localNs: Instant;
  /** Measured true − local, ns. */
  readonly offsetNs: number;
  /** Variance of the measurement's error, ns² (> 0). */
  readonly varianceNs2: number;
}

/** A prediction of the state at a later local time. */
export interface KalmanPrediction {
  readonly offsetNs: number;
  readonly frequencyNsPerS: number;
  readonly pOO: number;
  readonly pOF: number;
  readonly pFF: number;
}

/** The empty filter. */
export function initialKalmanState(): KalmanState {
  return {
    timeNs: null,
    offsetNs: 0,
    frequencyNsPerS: 0,
    pOO: 0,
    pOF: 0,
    pFF: 0,
    rejectedInRow: 0,
    lastOutcome: "none",
    updates: 0,
  };
}

/** Merges `overrides` into the defaults and checks them. */
export function kalmanConfig(overrides: Partial<KalmanConfig> = {}): KalmanConfig {
  const c = { ...DEFAULT_KALMAN_CONFIG, ...overrides };
  if (!(c.whiteFrequencyNs2PerS >= 0) || !(c.randomWalkFrequencyNs2PerS3 >= 0)) {
    throw new InvalidArgumentError("Kalman process noise must be ≥ 0");
  }
  if (!(c.initialFrequencySigmaPpm > 0) || !(c.gateSigmas > 0)) {
    throw new InvalidArgumentError("initialFrequencySigmaPpm and gateSigmas must be > 0");
  }
  if (!Number.isInteger(c.resetAfter) || c.resetAfter < 1) {
    throw new InvalidArgumentError(`resetAfter must be an integer ≥ 1, got ${c.resetAfter}`);
  }
  return c;
}

/**
 * Predict step: the state and covariance projected to local time `localNs` (≥ the last
 * update; earlier times are clamped to it). Pure; the state is not changed.
 */
export function predictKalman(state: KalmanState, localNs: Instant, config: KalmanConfig): KalmanPrediction {
  const { offsetNs, frequencyNsPerS: f, pOO, pOF, pFF } = state;
  if (state.timeNs === null || localNs <= state.timeNs)
    return { offsetNs, frequencyNsPerS: f, pOO, pOF, pFF };
  const dt = Number(localNs - state.timeNs) / 1e9;
  const q1 = config.whiteFrequencyNs2PerS;
  const q2 = config.randomWalkFrequencyNs2PerS3;
  return {
    offsetNs: offsetNs + f * dt,
    frequencyNsPerS: f,
    // F·P·Fᵀ + Q
    pOO: pOO + 2 * dt * pOF + dt * dt * pFF + q1 * dt + (q2 * dt * dt * dt) / 3,
    pOF: pOF + dt * pFF + (q2 * dt * dt) / 2,
    pFF: pFF + q2 * dt,
  };
}

function checkMeasurement(m: KalmanMeasurement): void {
  if (!Number.isFinite(m.offsetNs)) throw new InvalidArgumentError("measurement offset must be finite");
  if (!(m.varianceNs2 > 0) || !Number.isFinite(m.varianceNs2)) {
    throw new InvalidArgumentError(`measurement variance must be finite and > 0, got ${m.varianceNs2}`);
  }
}

/**
 * Warm start (chrony's driftfile): before the first measurement, sets the frequency and
 * its variance the first measurement starts from, instead of 0 ± `initialFrequencySigmaPpm`.
 * Returns the state unchanged once the filter has a measurement. Pure.
 */
export function seedKalmanFrequency(
  state: KalmanState,
  frequencyNsPerS: number,
  sigmaNsPerS: number,
): KalmanState {
  if (state.timeNs !== null) return state;
  if (!Number.isFinite(frequencyNsPerS) || !(sigmaNsPerS > 0) || !Number.isFinite(sigmaNsPerS)) {
    throw new InvalidArgumentError("a seeded frequency must be finite with a finite sigma > 0");
  }
  return { ...state, frequencyNsPerS, pFF: sigmaNsPerS * sigmaNsPerS };
}

function restart(state: KalmanState, m: KalmanMeasurement, config: KalmanConfig, keepFrequency: boolean) {
  const sigmaF = config.initialFrequencySigmaPpm * 1000;
  // A seeded, not yet measured filter (seedKalmanFrequency) starts from its seed.
  const seeded = state.timeNs === null && state.pFF > 0;
  return {
    timeNs: m.localNs,
    offsetNs: m.offsetNs,
    frequencyNsPerS: keepFrequency || seeded ? state.frequencyNsPerS : 0,
    pOO: m.varianceNs2,
    pOF: 0,
    pFF: seeded ? Math.min(state.pFF, sigmaF * sigmaF) : sigmaF * sigmaF,
    rejectedInRow: 0,
    updates: state.updates + 1,
  };
}

/**
 * Update step with one measurement: predict to its time, gate the innovation, correct.
 * Returns the new state; `lastOutcome` says whether it was accepted, rejected as an
 * outlier, taken as a reset after `resetAfter` outliers in a row, or ignored as stale
 * (older than the last update).
 */
export function updateKalman(state: KalmanState, m: KalmanMeasurement, config: KalmanConfig): KalmanState {
  checkMeasurement(m);
  if (state.timeNs === null) return { ...restart(state, m, config, false), lastOutcome: "initialized" };
  if (m.localNs < state.timeNs) return { ...state, lastOutcome: "stale" };
  const p = predictKalman(state, m.localNs, config);
  const innovation = m.offsetNs - p.offsetNs;
  const s = p.pOO + m.varianceNs2;
  if (innovation * innovation > config.gateSigmas * config.gateSigmas * s) {
    const rejectedInRow = state.rejectedInRow + 1;
    if (rejectedInRow < config.resetAfter) return { ...state, rejectedInRow, lastOutcome: "rejected" };
    return { ...restart(state, m, config, true), lastOutcome: "reset" };
  }
  const kO = p.pOO / s;
  const kF = p.pOF / s;
  // P = (I − K·H)·P, written out for the symmetric 2×2 case.
  const pOO = (1 - kO) * p.pOO;
  const pOF = (1 - kO) * p.pOF;
  const pFF = p.pFF - kF * p.pOF;
  return {
    timeNs: m.localNs,
    offsetNs: p.offsetNs + kO * innovation,
    frequencyNsPerS: p.frequencyNsPerS + kF * innovation,
    pOO: Math.max(pOO, 0),
    pOF,
    pFF: Math.max(pFF, 0),
    rejectedInRow: 0,
    lastOutcome: "accepted",
    updates: state.updates + 1,
  };
}
