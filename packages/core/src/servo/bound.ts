/**
 * The error bound of the virtual clock (ClockBound / fbclock style): at system time t,
 *
 *   time      = t + correction(t),   correction(t) = θ + f·(t − t_last)
 *   halfWidth = rootDistance(t_last) + k·√P_θθ(t) + maxDriftRate·|t − t_last|
 *
 * The root distance covers what no estimator can see (path asymmetry ≤ δ/2, the
 * sources' own error); k·√P_θθ(t) is the estimator's uncertainty, predicted to t; the
 * drift term covers an oscillator that leaves the wander model during holdover (RFC 5905's
 * φ = 15 ppm by default). True time lies in [time − halfWidth, time + halfWidth].
 */
import { PHI_PPM } from "../clock-math.js";
import { InvalidArgumentError } from "../errors.js";
import type { Duration, Instant } from "../time.js";
import type { Servo, ServoMeasurement, ServoOutcome } from "./servo.js";

export type SyncStatus = "synchronized" | "holdover" | "unsynchronized";

export interface BoundConfig {
  /** Multiplier of the estimator's standard deviation. Default 5 (two-sided ≥ 99.9999 % for Gaussian error). */
  readonly sigmas: number;
  /** Largest frequency error the clock may acquire beyond the estimate, ppm. Default 15 (RFC 5905 φ). */
  readonly maxDriftPpm: number;
  /** Holdover once no measurement was accepted for longer than this, ns. Default 300 s. */
  readonly holdoverAfterNs: Duration;
  /** Unsynchronized once the half-width exceeds this, ns. Default 1 s. */
  readonly maxBoundNs: Duration;
  /**
   * Half-width reported before the first measurement, around the bare system clock, ns.
   * Nothing is known yet, so this width is nominal, not a guarantee: callers must check `status`. Default 10 s.
   */
  readonly unsynchronizedHalfWidthNs: Duration;
}

export const DEFAULT_BOUND_CONFIG: BoundConfig = {
  sigmas: 5,
  maxDriftPpm: PHI_PPM,
  holdoverAfterNs: 300_000_000_000n,
  maxBoundNs: 1_000_000_000n,
  unsynchronizedHalfWidthNs: 10_000_000_000n,
};

/** Bounded time at one instant. */
export interface BoundedTime {
  readonly earliestNs: Instant;
  readonly latestNs: Instant;
  /** Best estimate of true time. */
  readonly timeNs: Instant;
  readonly halfWidthNs: Duration;
  readonly status: SyncStatus;
}

/** What {@link boundAt} needs from the servo. */
export interface BoundInput {
  /** Estimated true − local at the instant, ns. */
  readonly correctionNs: number;
  /** Predicted variance of the correction at the instant, ns². */
  readonly varianceNs2: number;
  readonly lastUpdateNs: Instant;
  readonly rootDistanceNs: Duration;
}

/** Merges `overrides` into the defaults and checks them. */
export function boundConfig(overrides: Partial<BoundConfig> = {}): BoundConfig {
  const c = { ...DEFAULT_BOUND_CONFIG, ...overrides };
  if (!(c.sigmas > 0) || !(c.maxDriftPpm >= 0))
    throw new InvalidArgumentError("sigmas must be > 0, maxDriftPpm ≥ 0");
  if (c.holdoverAfterNs < 0n || c.maxBoundNs <= 0n || c.unsynchronizedHalfWidthNs < 0n) {
    throw new InvalidArgumentError("bound durations must be positive");
  }
  return c;
}

/**
 * The bounded time at system time `systemNs` (pure). `input` null means never
 * synchronized: the system clock with the nominal half-width above.
 */
export function boundAt(systemNs: Instant, input: BoundInput | null, config: BoundConfig): BoundedTime {
  if (input === null) {
    const h = config.unsynchronizedHalfWidthNs;
    return {
      earliestNs: systemNs - h,
      latestNs: systemNs + h,
      timeNs: systemNs,
      halfWidthNs: h,
      status: "unsynchronized",
    };
  }
  const since = systemNs > input.lastUpdateNs ? systemNs - input.lastUpdateNs : input.lastUpdateNs - systemNs;
  const estimator = config.sigmas * Math.sqrt(Math.max(input.varianceNs2, 0));
  const drift = (Number(since) * config.maxDriftPpm) / 1e6;
  const halfWidthNs = input.rootDistanceNs + BigInt(Math.ceil(estimator + drift));
  const timeNs = systemNs + BigInt(Math.round(input.correctionNs));
  const status: SyncStatus =
    halfWidthNs > config.maxBoundNs
      ? "unsynchronized"
      : since > config.holdoverAfterNs
        ? "holdover"
        : "synchronized";
  return { earliestNs: timeNs - halfWidthNs, latestNs: timeNs + halfWidthNs, timeNs, halfWidthNs, status };
}

/** A servo with its bound: the pure part of the agent's virtual clock. */
export class BoundedClock {
  readonly servo: Servo;
  readonly config: BoundConfig;

  constructor(servo: Servo, config: Partial<BoundConfig> = {}) {
    this.servo = servo;
    this.config = boundConfig(config);
  }

  /** Feeds one combined measurement to the servo. */
  update(measurement: ServoMeasurement): ServoOutcome {
    return this.servo.update(measurement);
  }

  /** Bounded true time at system (local) time `systemNs`. */
  now(systemNs: Instant): BoundedTime {
    return boundAt(systemNs, this.servo.estimate(systemNs), this.config);
  }
}
