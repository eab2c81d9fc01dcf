/**
 * The combine algorithm of RFC 5905 §11.2.3 (A.5.5.5 `clock_combine`): the system offset
 * is the average of the survivors' offsets weighted by 1/λ (root distance), the
 * selection jitter is the weighted RMS of their offsets about the system peer's, and the
 * system jitter is √(ψ_P² + ψ_S²), ψ_P being the system peer's own jitter.
 *
 * @see https://www.rfc-editor.org/rfc/rfc5905#section-11.2.3
 */

import { InvalidArgumentError } from "../errors.js";
import type { Duration } from "../time.js";
import { roundNs } from "./util.js";

/** A cluster survivor as the combine algorithm needs it. */
export interface CombineCandidate {
  readonly offsetNs: Duration;
  readonly rootDistanceNs: Duration;
  /** Peer jitter ψ. */
  readonly jitterNs: Duration;
}

export interface CombineResult {
  /** System offset Θ. */
  readonly offsetNs: Duration;
  /** Selection jitter ψ_S: weighted RMS of the survivors' offsets about the system peer's. */
  readonly selectionJitterNs: Duration;
  /** System jitter ϑ = √(ψ_P² + ψ_S²). */
  readonly jitterNs: Duration;
}

/**
 * Combines `survivors`, the first being the system peer. Throws
 * {@link InvalidArgumentError} on an empty list. A root distance of 0 counts as 1 ns.
 *
 * Offsets are averaged relative to the system peer's, so large absolute offsets keep
 * their precision, and the result is clamped to the survivors' offset range (a weighted
 * mean always lies there; the clamp only absorbs rounding).
 */
export function combineSurvivors(survivors: readonly CombineCandidate[]): CombineResult {
  const peer = survivors[0];
  if (peer === undefined) throw new InvalidArgumentError("combine needs at least one survivor");
  let weights = 0;
  let offsets = 0;
  let squares = 0;
  let min = peer.offsetNs;
  let max = peer.offsetNs;
  for (const s of survivors) {
    const w = 1 / Number(s.rootDistanceNs > 0n ? s.rootDistanceNs : 1n);
    const d = Number(s.offsetNs - peer.offsetNs);
    weights += w;
    offsets += w * d;
    squares += w * d * d;
    if (s.offsetNs < min) min = s.offsetNs;
    if (s.offsetNs > max) max = s.offsetNs;
  }
  let offset = peer.offsetNs + roundNs(offsets / weights);
  if (offset < min) offset = min;
  if (offset > max) offset = max;
  const selectionJitter = Math.sqrt(squares / weights);
  const peerJitter = Number(peer.jitterNs);
  return {
    offsetNs: offset,
    selectionJitterNs: roundNs(selectionJitter),
    jitterNs: roundNs(Math.sqrt(peerJitter ** 2 + selectionJitter ** 2)),
  };
}
