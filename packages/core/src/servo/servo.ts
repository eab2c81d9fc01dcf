/**
 * The clock servo: tracks offset and frequency of the local (system) clock relative to
 * true time from a stream of combined measurements. It never steers the system clock;
 * the agent's virtual clock is `system + correction(t)`. One small interface, one factory
 * (`createServo("kalman")`), so a regression servo (chrony-style) can be added beside it.
 */
import { InvalidArgumentError } from "../errors.js";
import type { Duration, Instant } from "../time.js";
import {
  initialKalmanState,
  type KalmanConfig,
  type KalmanOutcome,
  type KalmanState,
  kalmanConfig,
  predictKalman,
  seedKalmanFrequency,
  updateKalman,
} from "./kalman.js";

/** One combined measurement of `true − local` (the output of selection and combining). */
export interface ServoMeasurement {
  /** Local (system clock) time the offset refers to, ns. */
  readonly localNs: Instant;
  /** Measured true − local, ns (NTP's θ = server − client). */
  readonly offsetNs: Duration;
  /** Root distance of the combination: a bound on the measurement's error, ns. */
  readonly rootDistanceNs: Duration;
  /** Variance of the measurement's random error, ns². Takes precedence over `uncertaintyNs`. */
  readonly measurementVarianceNs2?: number;
  /**
   * Standard deviation of the measurement's random error, ns — e.g.
   * √((δ − δ_min)²/4 + jitter²). Needed when `measurementVarianceNs2` is absent.
   */
  readonly uncertaintyNs?: number;
}

/** The servo's estimate of the correction at one local instant. */
export interface ServoEstimate {
  /** true − local at the instant, ns: θ + f·(t − t_last). */
  readonly correctionNs: number;
  /** Frequency of true time relative to local time, ppm (−1 × the clock's frequency error). */
  readonly frequencyPpm: number;
  /** Standard deviation of `frequencyPpm`, ppm (√P_ff). */
  readonly frequencySigmaPpm: number;
  /** Variance of `correctionNs`, ns² (the predicted P_θθ(t)). */
  readonly varianceNs2: number;
  /** Local time of the last accepted update, ns. */
  readonly lastUpdateNs: Instant;
  /** Root distance of the last accepted measurement, ns. */
  readonly rootDistanceNs: Duration;
}

export type ServoOutcome = KalmanOutcome;

/** A clock servo. */
export interface Servo {
  readonly kind: ServoKind;
  /** Feeds one measurement; says whether it was accepted. */
  update(measurement: ServoMeasurement): ServoOutcome;
  /** The estimate at local time `localNs`, or null before the first measurement. */
  estimate(localNs: Instant): ServoEstimate | null;
  /**
   * Warm start from a saved frequency (chrony's driftfile): before the first measurement,
   * start from `frequencyPpm` ± `sigmaPpm` instead of 0 ± the configured initial sigma.
   * Returns false (and changes nothing) once the servo has a measurement.
   */
  seedFrequency(frequencyPpm: number, sigmaPpm: number): boolean;
}

export type ServoKind = "kalman";

export interface ServoOptions {
  readonly kalman?: Partial<KalmanConfig>;
}

function measurementVariance(m: ServoMeasurement): number {
  if (m.measurementVarianceNs2 !== undefined) return m.measurementVarianceNs2;
  if (m.uncertaintyNs !== undefined) return m.uncertaintyNs * m.uncertaintyNs;
  throw new InvalidArgumentError("a servo measurement needs measurementVarianceNs2 or uncertaintyNs");
}

/** The Kalman servo: the pure filter of `kalman.ts` plus the last root distance. */
export class KalmanServo implements Servo {
  readonly kind = "kalman" as const;
  readonly config: KalmanConfig;
  private filter: KalmanState = initialKalmanState();
  private rootDistanceNs: Duration = 0n;

  constructor(config: Partial<KalmanConfig> = {}) {
    this.config = kalmanConfig(config);
  }

  /** The filter's state (immutable). */
  get state(): KalmanState {
    return this.filter;
  }

  update(m: ServoMeasurement): ServoOutcome {
    if (m.rootDistanceNs < 0n) throw new InvalidArgumentError("rootDistanceNs must be ≥ 0");
    this.filter = updateKalman(
      this.filter,
      { localNs: m.localNs, offsetNs: Number(m.offsetNs), varianceNs2: measurementVariance(m) },
      this.config,
    );
    const outcome = this.filter.lastOutcome;
    if (outcome === "initialized" || outcome === "accepted" || outcome === "reset") {
      this.rootDistanceNs = m.rootDistanceNs;
    }
    return outcome;
  }

  seedFrequency(frequencyPpm: number, sigmaPpm: number): boolean {
    if (this.filter.timeNs !== null) return false;
    this.filter = seedKalmanFrequency(this.filter, frequencyPpm * 1000, sigmaPpm * 1000);
    return true;
  }

  estimate(localNs: Instant): ServoEstimate | null {
    const s = this.filter;
    if (s.timeNs === null) return null;
    const p = predictKalman(s, localNs, this.config);
    return {
      correctionNs: p.offsetNs,
      frequencyPpm: p.frequencyNsPerS / 1000,
      frequencySigmaPpm: Math.sqrt(Math.max(p.pFF, 0)) / 1000,
      varianceNs2: p.pOO,
      lastUpdateNs: s.timeNs,
      rootDistanceNs: this.rootDistanceNs,
    };
  }
}

/** Creates a servo of the given kind. */
export function createServo(kind: ServoKind = "kalman", options: ServoOptions = {}): Servo {
  switch (kind) {
    case "kalman":
      return new KalmanServo(options.kalman);
  }
}
