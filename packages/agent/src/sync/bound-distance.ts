import type { Duration, SelectionSuccess, SourceCandidate } from "@chronosync/core";

/**
 * The root distance the bound carries for one servo update (issue 3 §3; docs/servo.md
 * "Tightness in the agent"): (root delay + δ_P)/2 + root dispersion + ε of the fed sample
 * + |Θ − θ_P|. Truth lies within δ_P/2 + the upstream distance of the system peer's
 * offset θ_P (path asymmetry cannot exceed half the round trip), and the combination Θ
 * within |Θ − θ_P| more. Unlike RFC 5905's selection distance it has no MINDISP floor (a
 * 5 ms minimum on the delay, for robust selection, not an error of the sample), no system
 * jitter (random error is the estimator's variance, k·√P), and it takes the sample's own
 * dispersion (precision + φ·RTT), not the filter's ε that ages the other stages: the
 * bound's drift term covers the time from the sample on.
 *
 * @see https://www.rfc-editor.org/rfc/rfc5905#appendix-A.5.5.2
 */
export function boundDistance(
  selection: SelectionSuccess,
  peer: SourceCandidate,
  peerSampleDispersionNs: Duration,
): Duration {
  const spread = selection.offsetNs - peer.offsetNs;
  return (
    selection.rootDelayNs / 2n +
    peer.rootDispersionNs +
    peerSampleDispersionNs +
    (spread < 0n ? -spread : spread)
  );
}
