/**
 * End-to-end delay arithmetic, IEEE 1588-2019 §11.3 (delay request-response mechanism):
 *
 *     meanPathDelay    = [(t2 − t3) + (t4 − t1) − cSync − cDelayResp] / 2
 *     offsetFromMaster = t2 − t1 − meanPathDelay − cSync
 *
 * with cSync = Sync.correctionField (+ Follow_Up.correctionField in two-step mode) and
 * cDelayResp = Delay_Resp.correctionField. t1 and t4 are the master's, t2 and t3 ours;
 * all four must be on one timescale (callers convert the master's TAI to UTC first).
 * ChronoSync's sign: `offsetNs` = master − local (= −offsetFromMaster). Pure.
 */
import { type Duration, type Instant, timeIntervalToNs } from "@chronosync/core";

/** The four timestamps (ns, one timescale) and the correction fields (TimeInterval, ns × 2^16). */
export interface PtpE2eExchange {
  readonly t1: Instant;
  readonly t2: Instant;
  readonly t3: Instant;
  readonly t4: Instant;
  readonly syncCorrection: bigint;
  readonly delayRespCorrection: bigint;
}

/** Offset (master − local) and mean path delay, nanoseconds. */
export interface PtpE2eResult {
  readonly offsetNs: Duration;
  readonly meanPathDelayNs: Duration;
}

const SCALE = 65_536n;

/** Computes offset and mean path delay of one exchange, in 2^-16 ns internally. */
export function computeE2e(x: PtpE2eExchange): PtpE2eResult {
  const twiceDelay = (x.t2 - x.t3 + (x.t4 - x.t1)) * SCALE - x.syncCorrection - x.delayRespCorrection;
  const meanPathDelay = twiceDelay / 2n;
  const offsetFromMaster = (x.t2 - x.t1) * SCALE - meanPathDelay - x.syncCorrection;
  return { offsetNs: -timeIntervalToNs(offsetFromMaster), meanPathDelayNs: timeIntervalToNs(meanPathDelay) };
}
