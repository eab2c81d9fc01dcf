/**
 * The normalization engine of issue 4 §3 (DESIGN.md flow 4 "Normalize"): a timestamp from
 * an origin's clock → UTC instant, uncertainty, method, and policy flags. Pure: no clock
 * is read; the server passes its receive time in the request-latency model.
 */
import {
  InvalidArgumentError,
  PrecisionThresholdExceededError,
  TimestampDivergenceError,
} from "../errors.js";
import type { Duration } from "../time.js";
import { checkHistory, type OffsetEstimate, offsetFromHistory } from "./offset-history.js";
import { precisionToNs } from "./parse.js";
import { checkLatencyEstimate, offsetFromRequest } from "./request-latency.js";
import type {
  NormalizeConfig,
  NormalizedTimestamp,
  NormalizeFlag,
  NormalizeInput,
  NormalizeOutcome,
  NormalizePolicy,
  NormalizeRejection,
} from "./types.js";

/** φ = 15 ppm (RFC 5905 §7.3), 1 ppm frequency uncertainty, 0–100 ms one-way latency. */
export const DEFAULT_NORMALIZE_CONFIG: NormalizeConfig = {
  maxDriftPpm: 15,
  frequencyUncertaintyPpm: 1,
  latencyEstimate: { minNs: 0n, maxNs: 100_000_000n },
};

/** Flags everything, rejects nothing: 1 s divergence, 1 s uncertainty. */
export const DEFAULT_NORMALIZE_POLICY: NormalizePolicy = {
  maxDivergenceNs: 1_000_000_000n,
  maxUncertaintyNs: 1_000_000_000n,
  strict: false,
};

const abs = (x: Duration) => (x < 0n ? -x : x);

/**
 * Places `input.originalNs` on UTC with the model it carries (no policy applied):
 * normalizedNs = originalNs + offsetNs; uncertaintyNs = the model's + the claimed precision.
 *
 * @throws {InvalidArgumentError} for a malformed model or precision, or a bad config.
 */
export function normalizeTimestamp(
  input: NormalizeInput,
  config: NormalizeConfig = DEFAULT_NORMALIZE_CONFIG,
): NormalizedTimestamp {
  const precisionNs = precisionToNs(input.precisionS);
  const { model } = input;
  let estimate: OffsetEstimate;
  let latencyNs: bigint | undefined;
  switch (model.kind) {
    case "agent-history":
      checkHistory(model.history);
      estimate = offsetFromHistory(model.history, input.originalNs, config);
      break;
    case "request-latency": {
      const r = offsetFromRequest(model, input.originalNs, config);
      estimate = r;
      latencyNs = r.latencyNs;
      break;
    }
    case "none":
      estimate = { offsetNs: 0n, uncertaintyNs: 0n };
      break;
    default:
      throw new InvalidArgumentError(
        `unknown offset model ${JSON.stringify((model as { kind: unknown }).kind)}`,
      );
  }
  const normalizedNs = input.originalNs + estimate.offsetNs;
  const uncertaintyNs = estimate.uncertaintyNs + precisionNs;
  const { offsetNs } = estimate;
  return latencyNs === undefined
    ? { normalizedNs, uncertaintyNs, method: model.kind, offsetNs, flags: [] }
    : { normalizedNs, uncertaintyNs, method: model.kind, offsetNs, flags: [], latencyNs };
}

/** The policy's failed checks for a result, in a fixed order (divergence first). */
export function policyFlags(result: NormalizedTimestamp, policy: NormalizePolicy): NormalizeFlag[] {
  const flags: NormalizeFlag[] = [];
  if (abs(result.offsetNs) > policy.maxDivergenceNs) flags.push("TIMESTAMP_DIVERGENCE");
  if (result.uncertaintyNs > policy.maxUncertaintyNs) flags.push("PRECISION_THRESHOLD_EXCEEDED");
  return flags;
}

/** @throws {InvalidArgumentError} for negative limits or a bad config. */
export function checkNormalizeSettings(policy: NormalizePolicy, config: NormalizeConfig): void {
  if (policy.maxDivergenceNs < 0n || policy.maxUncertaintyNs < 0n) {
    throw new InvalidArgumentError("policy limits must be ≥ 0 ns");
  }
  if (!(config.maxDriftPpm >= 0) || !(config.frequencyUncertaintyPpm >= 0)) {
    throw new InvalidArgumentError("maxDriftPpm and frequencyUncertaintyPpm must be ≥ 0");
  }
  checkLatencyEstimate(config.latencyEstimate, "config.latencyEstimate");
}

/**
 * {@link normalizeTimestamp} checked against a policy: |offset| > maxDivergenceNs flags
 * `TIMESTAMP_DIVERGENCE`, uncertainty > maxUncertaintyNs flags
 * `PRECISION_THRESHOLD_EXCEEDED` (a value exactly at a limit passes). A strict policy
 * returns a rejection instead of a flagged result.
 *
 * @throws {InvalidArgumentError} for malformed input (not a policy outcome).
 */
export function normalizeWithPolicy(
  input: NormalizeInput,
  policy: NormalizePolicy = DEFAULT_NORMALIZE_POLICY,
  config: NormalizeConfig = DEFAULT_NORMALIZE_CONFIG,
): NormalizeOutcome {
  checkNormalizeSettings(policy, config);
  const base = normalizeTimestamp(input, config);
  const flags = policyFlags(base, policy);
  const result = { ...base, flags };
  const [code] = flags;
  if (!policy.strict || code === undefined) return { ok: true, result };
  const message =
    code === "TIMESTAMP_DIVERGENCE"
      ? `offset ${result.offsetNs} ns is beyond the tolerance of ${policy.maxDivergenceNs} ns`
      : `uncertainty ${result.uncertaintyNs} ns is beyond the threshold of ${policy.maxUncertaintyNs} ns`;
  return { ok: false, rejection: { code, codes: flags, message, result } };
}

/** A strict policy's rejection as the typed error of its (first) code, e.g. to throw. */
export function rejectionError(
  rejection: NormalizeRejection,
): TimestampDivergenceError | PrecisionThresholdExceededError {
  return rejection.code === "TIMESTAMP_DIVERGENCE"
    ? new TimestampDivergenceError(rejection.message)
    : new PrecisionThresholdExceededError(rejection.message);
}
