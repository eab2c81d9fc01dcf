/**
 * The cluster algorithm of RFC 5905 §11.2.2 (A.5.5.3): from the truechimers, repeatedly
 * discard the survivor whose offset is furthest from the others — the one with the
 * largest selection jitter — until that jitter is explained by the survivors' peer
 * jitters (pruning further would not make the result better) or only NMIN (3) survivors
 * remain.
 *
 * @see https://www.rfc-editor.org/rfc/rfc5905#section-11.2.2
 */

import type { Duration } from "../time.js";
import { MAX_DISTANCE_NS, MIN_CLUSTER_SURVIVORS } from "./types.js";
import { assertUniqueIds, compareIds, roundNs } from "./util.js";

/** A survivor is consistent with the others when φ_S ≤ this many × its expected value. */
const CONSISTENT_SIGMAS = 2;

/** A truechimer as the cluster algorithm needs it. */
export interface ClusterCandidate {
  readonly id: string;
  readonly offsetNs: Duration;
  /** Peer jitter ψ. */
  readonly jitterNs: Duration;
  /** Root distance λ. */
  readonly rootDistanceNs: Duration;
  readonly stratum: number;
}

/** A survivor with its selection jitter φ_S in the final round. */
export interface ClusterSurvivor extends ClusterCandidate {
  readonly selectionJitterNs: Duration;
}

export interface ClusterResult {
  /** Survivors by merit (MAXDIST · stratum + λ, then id): the first is the system peer. */
  readonly survivors: readonly ClusterSurvivor[];
  /** Discarded ids, in the order they were discarded. */
  readonly outliers: readonly string[];
  /** Id of the first survivor, `undefined` when there were no candidates. */
  readonly systemPeer: string | undefined;
}

export interface ClusterOptions {
  /** NMIN: never prune below this many survivors; default 3. */
  readonly minSurvivors?: number;
}

/**
 * Selection jitter of each candidate: φ_S,i = √(Σⱼ (θᵢ − θⱼ)² / (n − 1)), as the RFC
 * §11.2.2 text defines it (0 for a single candidate).
 */
export function selectionJitters(candidates: readonly { readonly offsetNs: Duration }[]): number[] {
  const n = candidates.length;
  return candidates.map((p) => {
    if (n < 2) return 0;
    let sum = 0;
    for (const q of candidates) sum += Number(p.offsetNs - q.offsetNs) ** 2;
    return Math.sqrt(sum / (n - 1));
  });
}

/**
 * Runs the cluster algorithm. Ties are broken by merit so the result does not depend on
 * the order of the input: of two equally distant candidates the one with the worse merit
 * goes first.
 *
 * Departures from the A.5.5.3 pseudocode: it deletes the survivor with the largest
 * selection jitter (the printed code deletes the last one scanned), and it stops when
 * when that φ_S ≤ 2·√(ψ_w² + mean_{j≠w} ψ_j²) (the code says φ_S < min ψ). When the
 * offsets differ by noise only, E[φ_S,w²] is exactly ψ_w² + mean ψ_j², so the RFC test
 * pruned healthy sources of equal quality down to NMIN (four loopback servers left one
 * `outlier`, often the least noisy one); the offset spread is now judged against the
 * noise the survivors report (a 2σ test), as chrony keeps every source consistent with
 * the others. The test is never stricter than the RFC's. Equal offsets with zero jitter
 * are kept.
 */
export function clusterSurvivors(
  candidates: readonly ClusterCandidate[],
  options: ClusterOptions = {},
): ClusterResult {
  assertUniqueIds(candidates);
  const minSurvivors = options.minSurvivors ?? MIN_CLUSTER_SURVIVORS;
  const survivors = [...candidates].sort(compareMerit);
  const outliers: string[] = [];
  let jitters = selectionJitters(survivors);
  while (survivors.length > minSurvivors) {
    let worst = 0;
    for (let i = 1; i < survivors.length; i++) {
      if (jitters[i]! >= jitters[worst]!) worst = i;
    }
    // E[φ_S,w²] = ψ_w² + mean over the others of ψ_j² when offsets differ by noise only.
    let othersSquares = 0;
    for (let i = 0; i < survivors.length; i++)
      if (i !== worst) othersSquares += Number(survivors[i]!.jitterNs) ** 2;
    const expected = Math.sqrt(
      Number(survivors[worst]!.jitterNs) ** 2 + othersSquares / (survivors.length - 1),
    );
    if (jitters[worst]! <= CONSISTENT_SIGMAS * expected) break;
    outliers.push(survivors[worst]!.id);
    survivors.splice(worst, 1);
    jitters = selectionJitters(survivors);
  }
  return {
    survivors: survivors.map((s, i) => ({ ...s, selectionJitterNs: roundNs(jitters[i]!) })),
    outliers,
    systemPeer: survivors[0]?.id,
  };
}

/** The RFC 5905 merit: stratum dominates, then root distance (A.5.5.1 `metric`). */
function compareMerit(a: ClusterCandidate, b: ClusterCandidate): number {
  const ma = MAX_DISTANCE_NS * BigInt(a.stratum) + a.rootDistanceNs;
  const mb = MAX_DISTANCE_NS * BigInt(b.stratum) + b.rootDistanceNs;
  return ma < mb ? -1 : ma > mb ? 1 : compareIds(a.id, b.id);
}
