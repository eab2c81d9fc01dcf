/**
 * The intersection algorithm of RFC 5905 §11.2.1 (a variant of Marzullo's algorithm,
 * A.5.5.1 `clock_select`): find the smallest interval that contains points of the
 * correctness intervals [θ − λ, θ + λ] of a majority of the candidates, allowing f
 * falsetickers for f = 0, 1, … while f < n/2. Candidates whose offset (midpoint) lies in
 * that interval are the truechimers; the others are falsetickers.
 *
 * Like the RFC (and unlike plain Marzullo), midpoints are counted: an allowance of f
 * falsetickers fails when more than f midpoints lie outside the interval found, so a
 * truechimer's best estimate must itself lie in the intersection. Intervals that share a
 * point can therefore still give "no majority" when their midpoints are far apart.
 *
 * @see https://www.rfc-editor.org/rfc/rfc5905#section-11.2.1
 */

import { InvalidArgumentError } from "../errors.js";
import type { Duration } from "../time.js";
import { assertUniqueIds, compareIds } from "./util.js";

/** One correctness interval: the source's offset θ and root distance λ. */
export interface IntervalCandidate {
  readonly id: string;
  readonly offsetNs: Duration;
  readonly rootDistanceNs: Duration;
}

/** Outcome of {@link findIntersection}: a majority clique, or the reason there is none. */
export type IntersectionResult =
  | {
      readonly ok: true;
      /** Ids whose offset lies in [lowNs, highNs], sorted. */
      readonly truechimers: readonly string[];
      /** The other ids, sorted. */
      readonly falsetickers: readonly string[];
      readonly lowNs: Duration;
      readonly highNs: Duration;
      /** The number f of falsetickers the successful pass allowed. */
      readonly falsetickersAllowed: number;
    }
  | {
      readonly ok: false;
      /** `no-candidates`: nothing to choose from; `no-majority`: no interval is shared by more than half. */
      readonly reason: "no-candidates" | "no-majority";
      readonly truechimers: readonly [];
      readonly falsetickers: readonly [];
    };

/** Chime list entry: type −1 a lower endpoint, 0 a midpoint, +1 an upper endpoint. */
interface Edge {
  readonly edge: Duration;
  readonly type: -1 | 0 | 1;
}

/**
 * Runs the RFC 5905 intersection algorithm over `candidates` (ids must be unique; root
 * distances non-negative). The result does not depend on the order of the input.
 *
 * Corrections to the A.5.5.1 pseudocode, as in ntpd: the scans compare the chime count
 * with n − allow (the printed code says n − found), n counts candidates, not chime-list
 * entries, and success requires a scan to have found both endpoints in the same pass.
 * At equal edges, lower endpoints sort before midpoints before upper endpoints, so
 * touching intervals count as overlapping and a midpoint on an endpoint counts as inside.
 */
export function findIntersection(candidates: readonly IntervalCandidate[]): IntersectionResult {
  assertUniqueIds(candidates);
  const n = candidates.length;
  if (n === 0) return { ok: false, reason: "no-candidates", truechimers: [], falsetickers: [] };
  const edges: Edge[] = [];
  for (const c of candidates) {
    if (c.rootDistanceNs < 0n) {
      throw new InvalidArgumentError(`root distance of ${JSON.stringify(c.id)} is negative`);
    }
    edges.push({ edge: c.offsetNs - c.rootDistanceNs, type: -1 });
    edges.push({ edge: c.offsetNs, type: 0 });
    edges.push({ edge: c.offsetNs + c.rootDistanceNs, type: 1 });
  }
  edges.sort((a, b) => (a.edge < b.edge ? -1 : a.edge > b.edge ? 1 : a.type - b.type));

  for (let allow = 0; 2 * allow < n; allow++) {
    const need = n - allow;
    let found = 0;
    let low: Duration | undefined;
    let chime = 0;
    for (const e of edges) {
      chime -= e.type;
      if (chime >= need) {
        low = e.edge;
        break;
      }
      if (e.type === 0) found++;
    }
    let high: Duration | undefined;
    chime = 0;
    for (let i = edges.length - 1; i >= 0; i--) {
      const e = edges[i]!;
      chime += e.type;
      if (chime >= need) {
        high = e.edge;
        break;
      }
      if (e.type === 0) found++;
    }
    // More midpoints outside than falsetickers allowed: a truechimer's midpoint is
    // missing from the interval, so allow one more falseticker and try again.
    if (low === undefined || high === undefined || found > allow) continue;
    if (high > low) {
      const lowNs = low;
      const highNs = high;
      const inside = (c: IntervalCandidate) => c.offsetNs >= lowNs && c.offsetNs <= highNs;
      return {
        ok: true,
        truechimers: candidates
          .filter(inside)
          .map((c) => c.id)
          .sort(compareIds),
        falsetickers: candidates
          .filter((c) => !inside(c))
          .map((c) => c.id)
          .sort(compareIds),
        lowNs,
        highNs,
        falsetickersAllowed: allow,
      };
    }
  }
  return { ok: false, reason: "no-majority", truechimers: [], falsetickers: [] };
}
