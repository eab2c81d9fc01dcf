/**
 * The offset of a node's clock at any instant from its agent's reports (issue 4 §3 (a)):
 * linear interpolation between the two reports around the instant; outside them,
 * extrapolation with the nearest report's frequency and an uncertainty growing with age.
 */
import { InvalidArgumentError } from "../errors.js";
import type { Duration, Instant } from "../time.js";
import { growthPpm, maxBigInt, minBigInt, mulDivRound, scalePpm } from "./ppm.js";
import type { NormalizeConfig, OffsetReport } from "./types.js";

/** The offset at an instant and its uncertainty (not yet including the claimed precision). */
export interface OffsetEstimate {
  readonly offsetNs: Duration;
  readonly uncertaintyNs: Duration;
}

/** Histories already checked: a server normalizing a batch against one node checks it once. */
const checked = new WeakSet<readonly OffsetReport[]>();

/**
 * @throws {InvalidArgumentError} unless the history is non-empty, strictly increasing, bounds ≥ 0.
 * A history that passed is remembered (by identity): treat histories as immutable.
 */
export function checkHistory(history: readonly OffsetReport[]): void {
  if (checked.has(history)) return;
  if (history.length === 0) throw new InvalidArgumentError("an offset history needs at least one report");
  for (const [i, r] of history.entries()) {
    if (r.boundNs < 0n) throw new InvalidArgumentError(`report ${i}: boundNs ${r.boundNs} is negative`);
    if (!Number.isFinite(r.frequencyPpm))
      throw new InvalidArgumentError(`report ${i}: frequencyPpm is not finite`);
    const prev = history[i - 1];
    if (prev !== undefined && r.atNs <= prev.atNs) {
      throw new InvalidArgumentError(`report ${i}: atNs ${r.atNs} does not follow ${prev.atNs}`);
    }
  }
  checked.add(history);
}

/** Index of the last report at or before `t`, or -1 when `t` precedes them all. */
function floorIndex(history: readonly OffsetReport[], t: Instant): number {
  let lo = -1;
  let hi = history.length - 1;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi + 1) / 2);
    if (history[mid]!.atNs <= t) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Extrapolates from one report to `t` (either side): its frequency, bound + (φ + σf)·age. */
function extrapolate(r: OffsetReport, t: Instant, config: NormalizeConfig): OffsetEstimate {
  const age = t - r.atNs;
  return {
    offsetNs: r.offsetNs + scalePpm(age, r.frequencyPpm, "frequencyPpm"),
    uncertaintyNs:
      r.boundNs +
      growthPpm(age, config.maxDriftPpm, "maxDriftPpm") +
      growthPpm(age, config.frequencyUncertaintyPpm, "frequencyUncertaintyPpm"),
  };
}

/**
 * The node's offset at its local instant `t`. Between reports r0 ≤ t < r1: the straight
 * line through both; uncertainty max(bound0, bound1) + σf × (distance to the nearer
 * report). At a report: that report. Before the first or after the last: see
 * {@link extrapolate}. The history must satisfy {@link checkHistory}.
 */
export function offsetFromHistory(
  history: readonly OffsetReport[],
  t: Instant,
  config: NormalizeConfig,
): OffsetEstimate {
  const i = floorIndex(history, t);
  const r0 = history[i];
  const r1 = history[i + 1];
  if (r0 === undefined) return extrapolate(history[0]!, t, config);
  if (r1 === undefined || t === r0.atNs) return extrapolate(r0, t, config);
  const span = r1.atNs - r0.atNs;
  const into = t - r0.atNs;
  const nearest = minBigInt(into, r1.atNs - t);
  return {
    offsetNs: r0.offsetNs + mulDivRound(r1.offsetNs - r0.offsetNs, into, span),
    uncertaintyNs:
      maxBigInt(r0.boundNs, r1.boundNs) +
      growthPpm(nearest, config.frequencyUncertaintyPpm, "frequencyUncertaintyPpm"),
  };
}
