/**
 * Best master clock algorithm for a slave-only port, IEEE 1588-2019 §9.3. Simplified
 * (documented in docs/ptp.md): our own clock never competes (slave-only, no D0), so only
 * foreign masters' Announce datasets are compared; the topology part of §9.3.4 (same
 * grandmaster) compares stepsRemoved, then the senders' port identities. Foreign master
 * qualification follows §9.3.2.5: ≥ FOREIGN_MASTER_THRESHOLD (2) Announces within
 * FOREIGN_MASTER_TIME_WINDOW (4 announce intervals), stepsRemoved < 255. Pure.
 */
import type { Instant } from "@chronosync/core";
import type { PtpAnnounce } from "./messages/announce.js";
import type { PortIdentity } from "./messages/header.js";

/** §9.3.2.4.6 / §9.3.2.5. */
export const FOREIGN_MASTER_THRESHOLD = 2;
export const FOREIGN_MASTER_TIME_WINDOW = 4;

/** A foreign master as the slave knows it: its latest Announce and when Announces arrived. */
export interface ForeignMaster {
  readonly announce: PtpAnnounce;
  readonly arrivals: readonly Instant[];
}

function comparePort(a: PortIdentity, b: PortIdentity): number {
  if (a.clockIdentity !== b.clockIdentity) return a.clockIdentity < b.clockIdentity ? -1 : 1;
  return a.portNumber - b.portNumber;
}

/**
 * Dataset comparison, §9.3.4 Figures 34–35: negative when `a` is the better master.
 * Different grandmasters: priority1, clockClass, clockAccuracy, offsetScaledLogVariance,
 * priority2, grandmasterIdentity (lower wins each). Same grandmaster: fewer stepsRemoved,
 * then the lower sourcePortIdentity.
 */
export function compareAnnounceDatasets(a: PtpAnnounce, b: PtpAnnounce): number {
  if (a.grandmasterIdentity !== b.grandmasterIdentity) {
    const qa = a.grandmasterClockQuality;
    const qb = b.grandmasterClockQuality;
    const keys: [number, number][] = [
      [a.grandmasterPriority1, b.grandmasterPriority1],
      [qa.clockClass, qb.clockClass],
      [qa.clockAccuracy, qb.clockAccuracy],
      [qa.offsetScaledLogVariance, qb.offsetScaledLogVariance],
      [a.grandmasterPriority2, b.grandmasterPriority2],
    ];
    for (const [x, y] of keys) if (x !== y) return x - y;
    return a.grandmasterIdentity < b.grandmasterIdentity ? -1 : 1;
  }
  if (a.stepsRemoved !== b.stepsRemoved) return a.stepsRemoved - b.stepsRemoved;
  return comparePort(a.header.sourcePortIdentity, b.header.sourcePortIdentity);
}

/** Announce interval of a foreign master in ns, from its `logMessageInterval` (clamped to ±8). */
export function ptpAnnounceIntervalNs(announce: PtpAnnounce): bigint {
  const log = Math.max(-8, Math.min(8, announce.header.logMessageInterval));
  return log >= 0 ? 1_000_000_000n << BigInt(log) : 1_000_000_000n >> BigInt(-log);
}

/** Records an Announce's arrival, keeping only arrivals inside the qualification window. */
export function recordPtpAnnounce(
  previous: ForeignMaster | undefined,
  announce: PtpAnnounce,
  now: Instant,
): ForeignMaster {
  const window = BigInt(FOREIGN_MASTER_TIME_WINDOW) * ptpAnnounceIntervalNs(announce);
  const arrivals = [...(previous?.arrivals ?? []), now].filter((t) => now - t <= window);
  return { announce, arrivals };
}

/** The best qualified foreign master at `now`, or null (§9.3.2.5, §9.3.3 for a slave-only port). */
export function selectBestPtpMaster(
  masters: Iterable<ForeignMaster>,
  now: Instant,
  threshold = FOREIGN_MASTER_THRESHOLD,
): ForeignMaster | null {
  let best: ForeignMaster | null = null;
  for (const master of masters) {
    const window = BigInt(FOREIGN_MASTER_TIME_WINDOW) * ptpAnnounceIntervalNs(master.announce);
    const recent = master.arrivals.filter((t) => now - t <= window).length;
    if (recent < threshold || master.announce.stepsRemoved >= 255) continue;
    if (best === null || compareAnnounceDatasets(master.announce, best.announce) < 0) best = master;
  }
  return best;
}
