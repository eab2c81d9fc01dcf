/**
 * Source selection when the engine holds sources other than NTP (issue 6 §5): core's
 * RFC 5905 selection (intersection, cluster, combine) plus two rules it does not have.
 * With NTP sources only, this is exactly `selectSources` (the tuned NTP engine and its
 * simulation scenarios are unchanged).
 *
 * 1. **Coarse sources are checked, not combined** (chrony's `combinelimit`). RFC 5905's
 *    merit puts stratum first, so a Roughtime server (stratum 1, ±1 s radius) would become
 *    the system peer over a stratum-2 NTP server with a ±20 µs interval; combining weights
 *    by 1/λ would still let it pull the clock by milliseconds; and RFC 5905's intersection
 *    counts its midpoint, which means nothing at ms scale, so with two sources it would
 *    even block the selection. A non-NTP source whose distance (without RFC 5905's 5 ms
 *    MINDISP floor, which hides the difference between µs and ms sources) exceeds
 *    {@link COARSE_RATIO} × the best usable one's and the best by more than
 *    {@link COARSE_MARGIN_NS} is coarse: the fine sources are selected among themselves
 *    (the coarse ones' votes are used only when the fine ones have no majority alone), and
 *    a coarse source is then a `falseticker` when its interval misses the fine
 *    intersection, else a `candidate`. When every source is coarse nothing changes: a
 *    coarse source is better than none, and its ±λ is in the bound.
 * 2. **Authenticated sources win ties.** When the system peer is not authenticated and a
 *    selected authenticated survivor of the same stratum is within 1/8 of its distance,
 *    that one becomes the system peer (the peer-derived fields are recomputed as core does).
 */
import {
  candidateRootDistance,
  type Duration,
  rootDistance,
  type SelectionOptions,
  type SelectionResult,
  type SelectionSuccess,
  type SourceCandidate,
  type SourceVerdict,
  selectSources,
} from "@chronosync/core";

/** A non-NTP source farther than this many times the best distance is coarse... */
export const COARSE_RATIO = 3n;
/** ...and farther than the best by this much (1 ms). */
export const COARSE_MARGIN_NS = 1_000_000n;

/** What selection must know about a source besides its candidate. */
export interface CandidateKind {
  /** Measured through a TimeSource (not the engine's own NTP). */
  readonly timeSource: boolean;
  readonly authenticated: boolean;
}

const abs = (n: bigint): bigint => (n < 0n ? -n : n);

/** (root delay + δ)/2 + root dispersion + ε + ψ: λ without the MINDISP floor. */
export function fineDistance(c: SourceCandidate): Duration {
  return (c.rootDelayNs + c.delayNs) / 2n + c.rootDispersionNs + c.dispersionNs + c.jitterNs;
}

/** Selection with the two rules of the module comment. */
export function selectWithPolicy(
  candidates: readonly SourceCandidate[],
  kinds: ReadonlyMap<string, CandidateKind>,
  options?: SelectionOptions,
): SelectionResult {
  if (!candidates.some((c) => kinds.get(c.id)?.timeSource === true))
    return selectSources(candidates, options);
  const coarse = coarseIds(candidates, kinds, options);
  if (coarse.size === 0 || coarse.size === candidates.length)
    return finish(selectSources(candidates, options));
  const fine = candidates.filter((c) => !coarse.has(c.id));
  // The fine sources decide; if they have no majority alone, the coarse ones' votes may
  // settle it (midpoints count then, as in RFC 5905), and the fine truechimers decide again.
  let result = selectSources(fine, options);
  if (!result.ok) {
    const all = selectSources(candidates, options);
    if (!all.ok) return all;
    const truechimers = new Set(
      all.sources.filter((v) => v.state === "selected" || v.state === "outlier").map((v) => v.id),
    );
    result = selectSources(
      fine.filter((c) => truechimers.has(c.id)),
      options,
    );
    if (!result.ok) return all;
    const again = new Map(result.sources.map((v) => [v.id, v]));
    result = {
      ...result,
      sources: all.sources.filter((v) => !coarse.has(v.id)).map((v) => again.get(v.id) ?? v),
    };
  }
  const ok: SelectionSuccess = result;
  // A coarse source whose interval misses the fine intersection is a falseticker; else it
  // agrees, and stays a candidate (not combined, never the system peer).
  const verdicts = new Map(ok.sources.map((v) => [v.id, v]));
  const sources = candidates.map((c): SourceVerdict => {
    const v = verdicts.get(c.id);
    if (v !== undefined) return v;
    const lambda = candidateRootDistance(c);
    const unusable = c.stratum >= (options?.maxStratum ?? 16);
    const agrees =
      c.offsetNs - lambda <= ok.intersection.highNs && c.offsetNs + lambda >= ok.intersection.lowNs;
    return {
      id: c.id,
      state: unusable ? "unusable" : agrees ? "candidate" : "falseticker",
      rootDistanceNs: lambda,
      ...(unusable ? { unusableReason: "stratum" as const } : {}),
    };
  });
  return preferAuthenticated({ ...ok, sources }, candidates, kinds);

  function finish(r: SelectionResult): SelectionResult {
    return r.ok ? preferAuthenticated(r, candidates, kinds) : r;
  }
}

/** Non-NTP sources far coarser than the best usable one (see the module comment). */
function coarseIds(
  candidates: readonly SourceCandidate[],
  kinds: ReadonlyMap<string, CandidateKind>,
  options?: SelectionOptions,
): Set<string> {
  const usable = candidates.filter((c) => c.stratum < (options?.maxStratum ?? 16));
  let best: Duration | undefined;
  for (const c of usable) {
    const d = fineDistance(c);
    if (best === undefined || d < best) best = d;
  }
  const out = new Set<string>();
  if (best === undefined) return out;
  for (const c of usable) {
    if (kinds.get(c.id)?.timeSource !== true) continue;
    const d = fineDistance(c);
    if (d > COARSE_RATIO * best && d > best + COARSE_MARGIN_NS) out.add(c.id);
  }
  return out;
}

function preferAuthenticated(
  result: SelectionSuccess,
  candidates: readonly SourceCandidate[],
  kinds: ReadonlyMap<string, CandidateKind>,
): SelectionSuccess {
  if (kinds.get(result.systemPeer)?.authenticated === true) return result;
  const byId = new Map(candidates.map((c) => [c.id, c]));
  const peer = byId.get(result.systemPeer);
  if (peer === undefined) return result;
  const peerDistance = candidateRootDistance(peer);
  let pick: { c: SourceCandidate; d: Duration } | undefined;
  for (const v of result.sources) {
    const c = byId.get(v.id);
    if (v.state !== "selected" || c === undefined || kinds.get(v.id)?.authenticated !== true) continue;
    if (c.stratum !== peer.stratum) continue;
    const d = candidateRootDistance(c);
    if (d > peerDistance + peerDistance / 8n) continue;
    if (pick === undefined || d < pick.d) pick = { c, d };
  }
  if (pick === undefined) return result;
  const p = pick.c;
  const rootDelayNs = p.rootDelayNs + p.delayNs;
  const rootDispersionNs =
    p.rootDispersionNs + p.dispersionNs + abs(result.offsetNs - p.offsetNs) + result.jitterNs;
  return {
    ...result,
    systemPeer: p.id,
    rootDelayNs,
    rootDispersionNs,
    rootDistanceNs: rootDistance({
      rootDelay: rootDelayNs,
      rootDispersion: rootDispersionNs,
      delay: 0n,
      dispersion: 0n,
    }),
    stratum: p.stratum + 1,
  };
}
