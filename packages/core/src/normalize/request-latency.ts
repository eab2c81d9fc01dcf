/**
 * The origin's offset from a single request (issue 4 §3 (b)): it stamped the request with
 * its own clock (`requestTimestamp`) when sending, the server stamped its arrival with
 * UTC. offset = serverReceive − latency − requestTimestamp, where the one-way latency is
 * half a client-measured round trip, or the midpoint of a configured estimate. The true
 * latency lies in [0, rtt] (or the estimate's range), so the offset is good to ± rtt/2
 * (± half the range); an event stamped away from the request adds φ × the distance.
 */
import { InvalidArgumentError } from "../errors.js";
import type { Instant } from "../time.js";
import type { OffsetEstimate } from "./offset-history.js";
import { growthPpm } from "./ppm.js";
import type { LatencyEstimate, NormalizeConfig, RequestLatencyModel } from "./types.js";

/** Checks a latency range: 0 ≤ minNs ≤ maxNs. @throws {InvalidArgumentError} */
export function checkLatencyEstimate(e: LatencyEstimate, what = "latencyEstimate"): void {
  if (e.minNs < 0n || e.maxNs < e.minNs) {
    throw new InvalidArgumentError(`${what} must satisfy 0 ≤ minNs ≤ maxNs, got ${e.minNs}..${e.maxNs}`);
  }
}

/** Offset, uncertainty and the latency compensated for, at the origin's instant `t`. */
export function offsetFromRequest(
  model: RequestLatencyModel,
  t: Instant,
  config: NormalizeConfig,
): OffsetEstimate & { latencyNs: bigint } {
  let latencyNs: bigint;
  let latencyUncertaintyNs: bigint;
  if (model.roundTripNs !== undefined) {
    if (model.roundTripNs < 0n)
      throw new InvalidArgumentError(`roundTripNs ${model.roundTripNs} is negative`);
    latencyNs = model.roundTripNs / 2n;
    latencyUncertaintyNs = model.roundTripNs - latencyNs; // ceil(rtt / 2): covers both ends
  } else {
    const estimate = model.latencyEstimate ?? config.latencyEstimate;
    checkLatencyEstimate(estimate);
    latencyNs = (estimate.minNs + estimate.maxNs) / 2n;
    latencyUncertaintyNs = estimate.maxNs - latencyNs;
  }
  return {
    offsetNs: model.serverReceiveNs - latencyNs - model.requestTimestampNs,
    uncertaintyNs:
      latencyUncertaintyNs + growthPpm(t - model.requestTimestampNs, config.maxDriftPpm, "maxDriftPpm"),
    latencyNs,
  };
}
