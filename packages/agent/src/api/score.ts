/**
 * Reliability score of one source (issue 3 §4), shown in `GET /v1/status`, `/metrics` and
 * `chronosync status`. Pure.
 *
 *     score = reachability × F / (F + falsetickers) × J / (J + jitter)
 *
 * - reachability: answered fraction of the last min(8, polls) polls, 0–1 (0 before any poll);
 * - falsetickers: how often the selection has rejected the source as a falseticker, with
 *   F = {@link SCORE_FALSETICKER_HALF} (after 8 rejections the factor is ½; a single
 *   glitch costs 11 %);
 * - jitter: the filter's jitter ψ, with J = {@link SCORE_JITTER_HALF_NS} (1 ms: a source
 *   with 1 ms jitter scores ½ of one with none); no jitter known yet counts as 0.
 *
 * The result is in [0, 1], rounded to 3 decimals so the documents are stable.
 */

/** Falseticker rejections at which the falseticker factor is ½. */
export const SCORE_FALSETICKER_HALF = 8;
/** Jitter, ns, at which the jitter factor is ½. */
export const SCORE_JITTER_HALF_NS = 1_000_000;

export interface ScoreInput {
  /** Answered fraction of recent polls, 0–1. */
  readonly reachability: number;
  /** Times the source was rejected as a falseticker. */
  readonly falsetickers: number;
  /** Filter jitter ψ, ns; undefined before the first sample. */
  readonly jitterNs: bigint | number | undefined;
}

/** The reliability score in [0, 1] (3 decimals); see the module comment for the formula. */
export function sourceScore(input: ScoreInput): number {
  const reach = clamp01(Number.isFinite(input.reachability) ? input.reachability : 0);
  const falsetickers = Math.max(0, Number.isFinite(input.falsetickers) ? input.falsetickers : 0);
  const jitter = input.jitterNs === undefined ? 0 : Math.abs(Number(input.jitterNs));
  const jitterFactor = Number.isFinite(jitter) ? SCORE_JITTER_HALF_NS / (SCORE_JITTER_HALF_NS + jitter) : 0;
  const score = reach * (SCORE_FALSETICKER_HALF / (SCORE_FALSETICKER_HALF + falsetickers)) * jitterFactor;
  return Math.round(clamp01(score) * 1000) / 1000;
}

function clamp01(x: number): number {
  return Math.max(0, Math.min(1, x));
}
