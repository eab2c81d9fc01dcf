/**
 * Shared types and constants of the source-selection pipeline (RFC 5905 §10–§11.2).
 *
 * Every stage takes plain values and returns plain values: no clocks, no I/O. Offsets,
 * delays and dispersions are `bigint` nanoseconds; statistics that need a square root
 * (jitter) are computed in floating point and rounded back to whole nanoseconds.
 *
 * @see https://www.rfc-editor.org/rfc/rfc5905#section-11.2
 */

import { rootDistance } from "../clock-math.js";
import type { Duration } from "../time.js";

/** Number of clock-filter stages NSTAGE (RFC 5905 §7.3): the filter keeps the last 8 samples. */
export const FILTER_STAGES = 8;
/** MAXDISP of RFC 5905 §7.3 (16 s): the dispersion of an empty filter stage. */
export const MAX_DISPERSION_NS = 16_000_000_000n;
/**
 * Distance threshold MAXDIST: a source whose root distance exceeds it is not selectable.
 * RFC 5905 §7.3 lists 1 s; we use ntpd's default (`tos maxdist`) of 1.5 s.
 */
export const MAX_DISTANCE_NS = 1_500_000_000n;
/** MAXSTRAT of RFC 5905 §7.3: stratum 16 means unsynchronized. */
export const MAX_STRATUM = 16;
/** NMIN of RFC 5905 §11.2.2: the cluster algorithm never prunes below 3 survivors. */
export const MIN_CLUSTER_SURVIVORS = 3;

/**
 * One source as the selection algorithms see it: the output of its clock filter
 * ({@link FilterEstimate}) plus what the server told us about its own distance to the
 * primary reference. `dispersionNs` must already be aged to the selection instant
 * (the filter's `estimate(nowNs)` does this).
 */
export interface SourceCandidate {
  /** Stable identifier of the source (an address, a URL, a name). Unique per call. */
  readonly id: string;
  /** Clock offset θ of the source relative to us (positive: the source is ahead). */
  readonly offsetNs: Duration;
  /** Round-trip delay δ to the source. */
  readonly delayNs: Duration;
  /** Peer dispersion ε, aged to the selection instant. */
  readonly dispersionNs: Duration;
  /** Peer jitter ψ. */
  readonly jitterNs: Duration;
  /** Root delay the server reported (its own delay to the primary reference). */
  readonly rootDelayNs: Duration;
  /** Root dispersion the server reported. */
  readonly rootDispersionNs: Duration;
  /** Server stratum (1 = primary). */
  readonly stratum: number;
}

/**
 * Root synchronization distance λ of a candidate (RFC 5905 A.5.5.2 `root_dist`):
 * max(MINDISP, root delay + delay)/2 + root dispersion + dispersion + jitter. The
 * correctness interval of the source is [θ − λ, θ + λ].
 */
export function candidateRootDistance(c: SourceCandidate): Duration {
  return rootDistance({
    rootDelay: c.rootDelayNs,
    rootDispersion: c.rootDispersionNs,
    delay: c.delayNs,
    dispersion: c.dispersionNs,
    jitter: c.jitterNs,
  });
}
