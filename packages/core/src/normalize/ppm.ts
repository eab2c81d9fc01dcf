/** Scaling durations by parts-per-million rates in integer nanoseconds. */
import { InvalidArgumentError } from "../errors.js";
import type { Duration } from "../time.js";

const PPB_PER_PPM = 1000;
const NS_PER_PPB_UNIT = 1_000_000_000n;

function ppb(ppm: number, what: string): bigint {
  if (!Number.isFinite(ppm))
    throw new InvalidArgumentError(`${what} must be a finite number of ppm, got ${ppm}`);
  return BigInt(Math.round(ppm * PPB_PER_PPM));
}

/** `durationNs × ppm / 10⁶`, rounded to the nearest ns (ties away from zero); ppm to 0.001 resolution. */
export function scalePpm(durationNs: Duration, ppm: number, what = "rate"): Duration {
  const p = durationNs * ppb(ppm, what);
  const half = NS_PER_PPB_UNIT / 2n;
  return p >= 0n ? (p + half) / NS_PER_PPB_UNIT : -((-p + half) / NS_PER_PPB_UNIT);
}

/** `|durationNs| × ppm / 10⁶` rounded up: for error bounds (ppm ≥ 0). */
export function growthPpm(durationNs: Duration, ppm: number, what = "rate"): Duration {
  if (!(ppm >= 0)) throw new InvalidArgumentError(`${what} must be ≥ 0 ppm, got ${ppm}`);
  const magnitude = durationNs < 0n ? -durationNs : durationNs;
  return (magnitude * ppb(ppm, what) + NS_PER_PPB_UNIT - 1n) / NS_PER_PPB_UNIT;
}

/** `a × num / den` rounded to the nearest integer (den > 0). */
export function mulDivRound(a: bigint, num: bigint, den: bigint): bigint {
  const p = a * num;
  return p >= 0n ? (p + den / 2n) / den : -((-p + den / 2n) / den);
}

/** The larger of two bigints (Math.max does not take bigint). */
export function maxBigInt(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}

/** The smaller of two bigints. */
export function minBigInt(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}
