/**
 * PTP timestamps to UTC, IEEE 1588-2019 §7.2.3 and §8.2.4: with the PTP timescale
 * (`ptpTimescale` flag) timestamps count TAI, and UTC = TAI − `currentUtcOffset`.
 * Which offset to trust follows linuxptp's `clock_utc_correct`: the announced one when
 * `currentUtcOffsetValid`, else the larger of the announced one and our fallback (37 s);
 * an ARB timescale is used as it is (offset 0). Pure.
 */
import { type Instant, NS_PER_S, type PtpTimestamp, ptpTimestampToNs } from "@chronosync/core";
import type { PtpAnnounce } from "./messages/announce.js";
import { hasPtpFlag, PtpFlag } from "./messages/header.js";

/** The offset applied, and whether the master vouched for it. */
export interface PtpUtcOffset {
  readonly utcOffsetS: number;
  readonly utcOffsetValid: boolean;
  readonly ptpTimescale: boolean;
}

/** The UTC offset to apply to a master's timestamps, from its latest Announce. */
export function ptpUtcOffsetOf(announce: PtpAnnounce, fallbackS: number): PtpUtcOffset {
  const ptpTimescale = hasPtpFlag(announce.header, PtpFlag.ptpTimescale);
  const valid = hasPtpFlag(announce.header, PtpFlag.currentUtcOffsetValid);
  if (!ptpTimescale) return { utcOffsetS: 0, utcOffsetValid: valid, ptpTimescale };
  const utcOffsetS = valid ? announce.currentUtcOffset : Math.max(announce.currentUtcOffset, fallbackS);
  return { utcOffsetS, utcOffsetValid: valid, ptpTimescale };
}

/** A master's Timestamp as a UTC instant (may be negative for nonsense timestamps). */
export function masterTimestampToUtc(timestamp: PtpTimestamp, offset: PtpUtcOffset): Instant {
  return ptpTimestampToNs(timestamp) - BigInt(offset.utcOffsetS) * NS_PER_S;
}
