/**
 * Settings of the normalize route: the engine's model tuning and the policy results are
 * checked against (issue 4 §3), from environment variables with core's defaults.
 */
import {
  checkNormalizeSettings,
  DEFAULT_NORMALIZE_CONFIG,
  DEFAULT_NORMALIZE_POLICY,
  type NormalizeConfig,
  type NormalizePolicy,
} from "@chronosync/core";
import { ConfigError } from "../errors.js";

export interface NormalizeSettings {
  readonly policy: NormalizePolicy;
  readonly config: NormalizeConfig;
}

export const DEFAULT_NORMALIZE_SETTINGS: NormalizeSettings = {
  policy: DEFAULT_NORMALIZE_POLICY,
  config: DEFAULT_NORMALIZE_CONFIG,
};

/** A non-negative decimal number of milliseconds → ns. */
function msToNs(text: string, name: string): bigint {
  const m = /^(\d{1,12})(?:\.(\d{1,6}))?$/.exec(text);
  if (m === null)
    throw new ConfigError(`${name} must be a number of milliseconds ≥ 0, got ${JSON.stringify(text)}`);
  return BigInt(m[1]!) * 1_000_000n + BigInt((m[2] ?? "").padEnd(6, "0"));
}

/**
 * Reads `CHRONOSYNC_NORMALIZE_STRICT` (`true`/`false`), `CHRONOSYNC_NORMALIZE_MAX_DIVERGENCE_MS`,
 * `CHRONOSYNC_NORMALIZE_MAX_UNCERTAINTY_MS` and `CHRONOSYNC_NORMALIZE_LATENCY_MS` (the
 * one-way latency assumed without a client round trip: `MAX` or `MIN-MAX`, ms); undefined
 * when none is set (the defaults apply).
 * @throws {ConfigError} for a malformed value.
 */
export function normalizeSettingsFromEnv(env: NodeJS.ProcessEnv): NormalizeSettings | undefined {
  const base = DEFAULT_NORMALIZE_SETTINGS;
  const names = Object.keys(env).filter((k) => k.startsWith("CHRONOSYNC_NORMALIZE_") && env[k] !== "");
  if (names.length === 0) return undefined;
  const strictText = env.CHRONOSYNC_NORMALIZE_STRICT;
  if (strictText !== undefined && strictText !== "" && strictText !== "true" && strictText !== "false")
    throw new ConfigError("CHRONOSYNC_NORMALIZE_STRICT must be true or false");
  const divergence = env.CHRONOSYNC_NORMALIZE_MAX_DIVERGENCE_MS;
  const uncertainty = env.CHRONOSYNC_NORMALIZE_MAX_UNCERTAINTY_MS;
  const latency = env.CHRONOSYNC_NORMALIZE_LATENCY_MS;
  let latencyEstimate = base.config.latencyEstimate;
  if (latency !== undefined && latency !== "") {
    const [a, b] = latency.split("-");
    const name = "CHRONOSYNC_NORMALIZE_LATENCY_MS";
    latencyEstimate =
      b === undefined
        ? { minNs: 0n, maxNs: msToNs(a!, name) }
        : { minNs: msToNs(a!, name), maxNs: msToNs(b, name) };
  }
  const settings: NormalizeSettings = {
    policy: {
      strict: strictText === "true" ? true : strictText === "false" ? false : base.policy.strict,
      maxDivergenceNs:
        divergence === undefined || divergence === ""
          ? base.policy.maxDivergenceNs
          : msToNs(divergence, "CHRONOSYNC_NORMALIZE_MAX_DIVERGENCE_MS"),
      maxUncertaintyNs:
        uncertainty === undefined || uncertainty === ""
          ? base.policy.maxUncertaintyNs
          : msToNs(uncertainty, "CHRONOSYNC_NORMALIZE_MAX_UNCERTAINTY_MS"),
    },
    config: { ...base.config, latencyEstimate },
  };
  try {
    checkNormalizeSettings(settings.policy, settings.config);
  } catch (err) {
    throw new ConfigError((err as Error).message);
  }
  return settings;
}
