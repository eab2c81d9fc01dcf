/**
 * Distributions of non-negative extra delay (jitter, queueing, processing time), in ns.
 *
 * Every distribution is truncated to [0, maxNs] (maxNs optional except for `uniform`):
 * a draw outside is redrawn a few times, then clamped, so a configured bound is a hard
 * bound. Use {@link jitterBoundNs} to learn it.
 */
import { type Duration, InvalidArgumentError } from "@chronosync/core";
import type { Prng } from "./prng.js";

/** How much extra delay to add, ≥ 0. */
export type JitterDistribution =
  /** No jitter: always 0. */
  | { kind: "none" }
  /** Uniform on [0, maxNs]. */
  | { kind: "uniform"; maxNs: Duration }
  /** Normal N(meanNs, sdNs) truncated to [0, maxNs]. */
  | { kind: "normal"; meanNs?: Duration; sdNs: Duration; maxNs?: Duration }
  /** Exponential with mean `meanNs` (a queue's waiting time), truncated at maxNs. */
  | { kind: "exponential"; meanNs: Duration; maxNs?: Duration }
  /** Log-normal with median `medianNs` and shape `sigma` (heavy-tailed), truncated at maxNs. */
  | { kind: "lognormal"; medianNs: Duration; sigma: number; maxNs?: Duration };

/** A compiled sampler: draws one value in ns from the given stream. */
export type JitterSampler = (prng: Prng) => Duration;

const REDRAWS = 8;

/** The hard upper bound of a distribution, or null when it is unbounded. */
export function jitterBoundNs(jitter: JitterDistribution): Duration | null {
  switch (jitter.kind) {
    case "none":
      return 0n;
    case "uniform":
      return jitter.maxNs;
    default:
      return jitter.maxNs ?? null;
  }
}

function truncated(draw: (prng: Prng) => number, max: number): JitterSampler {
  return (prng) => {
    let x = draw(prng);
    for (let i = 0; i < REDRAWS && (x < 0 || x > max); i++) x = draw(prng);
    return BigInt(Math.round(Math.min(max, Math.max(0, x))));
  };
}

function nonNegative(name: string, value: Duration | undefined): number {
  if (value !== undefined && value < 0n) throw new InvalidArgumentError(`${name} must be ≥ 0, got ${value}`);
  return value === undefined ? Number.POSITIVE_INFINITY : Number(value);
}

/** Validates a distribution and turns it into a fast sampler. */
export function compileJitter(jitter: JitterDistribution): JitterSampler {
  switch (jitter.kind) {
    case "none":
      return () => 0n;
    case "uniform": {
      const max = nonNegative("uniform maxNs", jitter.maxNs);
      return (prng) => BigInt(Math.round(prng.next() * max));
    }
    case "normal": {
      const mean = Number(jitter.meanNs ?? 0n);
      const sd = nonNegative("normal sdNs", jitter.sdNs);
      return truncated((prng) => prng.normal(mean, sd), nonNegative("normal maxNs", jitter.maxNs));
    }
    case "exponential": {
      const mean = nonNegative("exponential meanNs", jitter.meanNs);
      return truncated((prng) => prng.exponential(mean), nonNegative("exponential maxNs", jitter.maxNs));
    }
    case "lognormal": {
      const median = nonNegative("lognormal medianNs", jitter.medianNs);
      if (!(median > 0) || !(jitter.sigma >= 0)) {
        throw new InvalidArgumentError("lognormal needs medianNs > 0 and sigma ≥ 0");
      }
      const mu = Math.log(median);
      const sigma = jitter.sigma;
      return truncated((prng) => prng.lognormal(mu, sigma), nonNegative("lognormal maxNs", jitter.maxNs));
    }
    default: {
      const unknown: never = jitter;
      throw new InvalidArgumentError(`unknown jitter distribution ${(unknown as { kind: string }).kind}`);
    }
  }
}
