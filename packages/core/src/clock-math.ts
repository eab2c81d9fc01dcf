/**
 * On-wire clock math of RFC 5905 §8: offset θ, round-trip delay δ and dispersion ε
 * of one client/server exchange.
 *
 * T1 = client transmit (origin), T2 = server receive, T3 = server transmit,
 * T4 = client receive. T1, T4 are read on the client's clock; T2, T3 on the server's.
 * offset = server − client: positive when the server is ahead.
 */

import { precisionLog2ToNs } from "./ntp-timestamp.js";
import type { Duration, Instant } from "./time.js";

export interface FourTimestamps {
  readonly t1: Instant;
  readonly t2: Instant;
  readonly t3: Instant;
  readonly t4: Instant;
}

/** Frequency tolerance φ of RFC 5905: 15 ppm, the growth rate of dispersion. */
export const PHI_PPM = 15;
/** Minimum dispersion increment MINDISP of RFC 5905 §7.2 (5 ms), in ns. */
export const MINDISP_NS = 5_000_000n;

/** θ = ((T2 − T1) + (T3 − T4)) / 2. Exact when the path is symmetric. */
export function exchangeOffset({ t1, t2, t3, t4 }: FourTimestamps): Duration {
  return (t2 - t1 + (t3 - t4)) / 2n;
}

/** δ = (T4 − T1) − (T3 − T2): time on the wire, both directions. */
export function exchangeDelay({ t1, t2, t3, t4 }: FourTimestamps): Duration {
  return t4 - t1 - (t3 - t2);
}

/**
 * Worst-case error of θ from path asymmetry: the true offset lies within θ ± δ/2
 * (when both clocks are correct). This is the physical limit of two-way time transfer.
 */
export function asymmetryBound(delay: Duration): Duration {
  return delay > 0n ? delay / 2n : 0n;
}

/** Growth of dispersion over `elapsed` at φ = 15 ppm. */
export function dispersionGrowth(elapsed: Duration): Duration {
  const e = elapsed < 0n ? -elapsed : elapsed;
  return (e * BigInt(PHI_PPM)) / 1_000_000n;
}

/**
 * Sample dispersion ε = ρ(client) + ρ(server) + φ·(T4 − T1) (RFC 5905 §8).
 */
export function sampleDispersion(
  clientPrecisionLog2: number,
  serverPrecisionLog2: number,
  t1: Instant,
  t4: Instant,
): Duration {
  return (
    precisionLog2ToNs(clientPrecisionLog2) +
    precisionLog2ToNs(serverPrecisionLog2) +
    dispersionGrowth(t4 - t1)
  );
}

export interface DistanceInputs {
  readonly rootDelay: Duration;
  readonly rootDispersion: Duration;
  readonly delay: Duration;
  readonly dispersion: Duration;
  readonly jitter?: Duration;
}

/**
 * Root synchronization distance λ (RFC 5905 A.5.5.2): half the total round trip to the
 * primary reference (at least {@link MINDISP_NS}) plus all accumulated dispersion and
 * jitter — the bound on the error of time taken from this source.
 */
export function rootDistance({
  rootDelay,
  rootDispersion,
  delay,
  dispersion,
  jitter = 0n,
}: DistanceInputs): Duration {
  const totalDelay = rootDelay + delay;
  return (totalDelay > MINDISP_NS ? totalDelay : MINDISP_NS) / 2n + rootDispersion + dispersion + jitter;
}
