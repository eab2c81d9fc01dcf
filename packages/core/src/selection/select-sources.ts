/**
 * The whole selection pipeline of RFC 5905 §11.2 in one pure call: sanity checks
 * (`accept`), intersection (§11.2.1), cluster (§11.2.2), combine (§11.2.3). Chrony and
 * ntpd-rs structure it the same way, one stage per module; this module only wires them.
 *
 * Source states, with the `chronyc sources` mark they correspond to:
 * - `selected` — survived clustering and is combined (`*` for the system peer, `+` others);
 * - `outlier` — a truechimer discarded by the cluster algorithm (`-`);
 * - `falseticker` — its offset lies outside the majority's intersection (`x`);
 * - `unusable` — failed a sanity check: stratum ≥ 16 or root distance > MAXDIST (`?`);
 * - `candidate` — usable, but nothing was selected because no majority agrees.
 *
 * @see https://www.rfc-editor.org/rfc/rfc5905#section-11.2
 */

import { rootDistance } from "../clock-math.js";
import { absNs, type Duration } from "../time.js";
import { clusterSurvivors } from "./cluster.js";
import { combineSurvivors } from "./combine.js";
import { findIntersection } from "./intersection.js";
import { candidateRootDistance, MAX_DISTANCE_NS, MAX_STRATUM, type SourceCandidate } from "./types.js";
import { assertUniqueIds } from "./util.js";

export type SourceState = "selected" | "candidate" | "falseticker" | "outlier" | "unusable";

export interface SourceVerdict {
  readonly id: string;
  readonly state: SourceState;
  /** Root distance λ the algorithms used for this source. */
  readonly rootDistanceNs: Duration;
  /** Why an `unusable` source failed the sanity checks. */
  readonly unusableReason?: "stratum" | "distance";
}

export interface SelectionOptions {
  /** MAXDIST: sources farther than this are unusable; default 1.5 s. */
  readonly maxDistanceNs?: Duration;
  /** MAXSTRAT: sources at this stratum or above are unusable; default 16. */
  readonly maxStratum?: number;
  /** NMIN of the cluster algorithm; default 3. */
  readonly minSurvivors?: number;
}

/** A synchronized outcome: the combination of the selected sources. */
export interface SelectionSuccess {
  readonly ok: true;
  /** One verdict per candidate, in input order. */
  readonly sources: readonly SourceVerdict[];
  /** Id of the system peer: the selected source of best merit. */
  readonly systemPeer: string;
  /** Combined offset Θ of the selected sources (positive: true time is ahead of us). */
  readonly offsetNs: Duration;
  /** System jitter √(ψ_P² + ψ_S²). */
  readonly jitterNs: Duration;
  /** Root delay of the combination: the system peer's root delay plus its delay. */
  readonly rootDelayNs: Duration;
  /** Root dispersion: the system peer's root dispersion + dispersion + |Θ − θ_P| + system jitter. */
  readonly rootDispersionNs: Duration;
  /** Root distance of the combination: max(MINDISP, root delay)/2 + root dispersion. */
  readonly rootDistanceNs: Duration;
  /** Stratum to advertise downstream: the system peer's plus one. */
  readonly stratum: number;
  /** The intersection interval of the truechimers' correctness intervals. */
  readonly intersection: { readonly lowNs: Duration; readonly highNs: Duration };
}

/** No selection possible; every usable source stays a `candidate`. */
export interface SelectionFailure {
  readonly ok: false;
  readonly reason: "no-candidates" | "no-majority";
  readonly sources: readonly SourceVerdict[];
}

export type SelectionResult = SelectionSuccess | SelectionFailure;

/**
 * Selects and combines sources (RFC 5905 §11.2). Pure: the same candidates, in any
 * order, give the same result. `candidates[i].dispersionNs` must be aged to the instant
 * of the call. Throws `InvalidArgumentError` on duplicate ids.
 */
export function selectSources(
  candidates: readonly SourceCandidate[],
  options: SelectionOptions = {},
): SelectionResult {
  assertUniqueIds(candidates);
  const maxDistance = options.maxDistanceNs ?? MAX_DISTANCE_NS;
  const maxStratum = options.maxStratum ?? MAX_STRATUM;
  const distances = new Map(candidates.map((c) => [c.id, candidateRootDistance(c)]));
  const states = new Map<string, SourceState>();
  const unusable = new Map<string, "stratum" | "distance">();
  const usable: SourceCandidate[] = [];
  for (const c of candidates) {
    if (c.stratum >= maxStratum) unusable.set(c.id, "stratum");
    else if (distances.get(c.id)! > maxDistance) unusable.set(c.id, "distance");
    else usable.push(c);
    states.set(c.id, unusable.has(c.id) ? "unusable" : "candidate");
  }
  const verdicts = (): SourceVerdict[] =>
    candidates.map((c) => {
      const reason = unusable.get(c.id);
      const base = { id: c.id, state: states.get(c.id)!, rootDistanceNs: distances.get(c.id)! };
      return reason === undefined ? base : { ...base, unusableReason: reason };
    });

  const intersection = findIntersection(
    usable.map((c) => ({ id: c.id, offsetNs: c.offsetNs, rootDistanceNs: distances.get(c.id)! })),
  );
  if (!intersection.ok) return { ok: false, reason: intersection.reason, sources: verdicts() };
  for (const id of intersection.falsetickers) states.set(id, "falseticker");

  const truechimers = new Set(intersection.truechimers);
  const cluster = clusterSurvivors(
    usable.filter((c) => truechimers.has(c.id)).map((c) => ({ ...c, rootDistanceNs: distances.get(c.id)! })),
    options.minSurvivors === undefined ? {} : { minSurvivors: options.minSurvivors },
  );
  for (const id of cluster.outliers) states.set(id, "outlier");
  for (const s of cluster.survivors) states.set(s.id, "selected");

  // A successful intersection has more than n/2 ≥ 1 truechimers, so there is a peer.
  const peer = usable.find((c) => c.id === cluster.systemPeer)!;
  const combined = combineSurvivors(cluster.survivors);
  const rootDelayNs = peer.rootDelayNs + peer.delayNs;
  const rootDispersionNs =
    peer.rootDispersionNs + peer.dispersionNs + absNs(combined.offsetNs - peer.offsetNs) + combined.jitterNs;
  return {
    ok: true,
    sources: verdicts(),
    systemPeer: peer.id,
    offsetNs: combined.offsetNs,
    jitterNs: combined.jitterNs,
    rootDelayNs,
    rootDispersionNs,
    rootDistanceNs: rootDistance({
      rootDelay: rootDelayNs,
      rootDispersion: rootDispersionNs,
      delay: 0n,
      dispersion: 0n,
    }),
    stratum: peer.stratum + 1,
    intersection: { lowNs: intersection.lowNs, highNs: intersection.highNs },
  };
}
