/**
 * The `RPY_TRACKING` reply (code 5) to `REQ_TRACKING` (33): chronyd's reference and the
 * state of its clock correction, what `chronyc tracking` prints. Layout after the reply
 * header (candm.h `RPY_Tracking`): ref_id u32, ip_addr IPAddr, stratum u16, leap_status
 * u16, ref_time Timespec, then nine Floats (current_correction, last_offset, rms_offset,
 * freq_ppm, resid_freq_ppm, skew_ppm, root_delay, root_dispersion,
 * last_update_interval). Pure functions of bytes.
 * @see https://gitlab.com/chrony/chrony/-/blob/4.3/candm.h
 * @see https://chrony-project.org/doc/4.3/chronyc.html#tracking
 */
import type { Instant } from "@chronosync/core";
import { ChronyCmdDecodeError } from "../errors.js";
import {
  CHRONY_IP_ADDR_LENGTH,
  type ChronyIpAddr,
  readChronyIpAddr,
  readChronyTimespec,
  writeChronyIpAddr,
  writeChronyTimespec,
} from "./fields.js";
import { decodeChronyFloat, encodeChronyFloat } from "./float.js";
import {
  CHRONY_REPLY_HEADER_LENGTH,
  ChronyCommand,
  ChronyReplyCode,
  writeChronyReplyHeader,
} from "./header.js";

/** Bytes of `RPY_Tracking` up to (not including) its EOR marker, as chronyd sends it. */
export const CHRONY_TRACKING_LENGTH = 4 + CHRONY_IP_ADDR_LENGTH + 4 + 12 + 9 * 4;

/** chronyd's leap status: 0 normal, 1 insert second, 2 delete second, 3 unsynchronized. */
export type ChronyLeapStatus = 0 | 1 | 2 | 3;

/** What `chronyc tracking` shows, in seconds and ppm as chronyd sends them. */
export interface ChronyTracking {
  /** Reference ID of the source it follows (0 when none; 0x7F7F0101 for `local`). */
  refId: number;
  /** Its address (`""` when none). */
  ipAddr: ChronyIpAddr;
  stratum: number;
  leapStatus: ChronyLeapStatus;
  /** Time of the last update (0n when never). */
  refTime: Instant;
  /**
   * chronyd's estimate of the system clock's error still to correct (chronyc's "System
   * time"), seconds: true time minus system clock, so positive means the system clock is
   * behind (chronyc prints "slow"; checked against chronyc 4.3 with a known 50 ms offset).
   */
  currentCorrectionS: number;
  lastOffsetS: number;
  rmsOffsetS: number;
  /** chronyd's frequency of the clock, ppm (chronyc's "Frequency": positive printed "fast"). */
  freqPpm: number;
  residFreqPpm: number;
  skewPpm: number;
  rootDelayS: number;
  rootDispersionS: number;
  lastUpdateIntervalS: number;
}

const FLOAT_FIELDS = [
  "currentCorrectionS",
  "lastOffsetS",
  "rmsOffsetS",
  "freqPpm",
  "residFreqPpm",
  "skewPpm",
  "rootDelayS",
  "rootDispersionS",
  "lastUpdateIntervalS",
] as const;

/** Reads the tracking data that starts at `offset` (the caller checked the length). */
export function readChronyTracking(view: DataView, offset: number): ChronyTracking {
  const leap = view.getUint16(offset + 26);
  if (leap > 3) throw new ChronyCmdDecodeError("bad-value", `leap status ${leap}`);
  const tracking = {
    refId: view.getUint32(offset),
    ipAddr: readChronyIpAddr(view, offset + 4),
    stratum: view.getUint16(offset + 24),
    leapStatus: leap as ChronyLeapStatus,
    refTime: readChronyTimespec(view, offset + 28),
  } as ChronyTracking;
  FLOAT_FIELDS.forEach((name, i) => {
    tracking[name] = decodeChronyFloat(view.getUint32(offset + 40 + 4 * i));
  });
  return tracking;
}

/** Encodes a whole `RPY_TRACKING` reply (header and data), as chronyd would send it. */
export function encodeChronyTrackingReply(tracking: ChronyTracking, sequence: number): Uint8Array {
  const bytes = new Uint8Array(CHRONY_REPLY_HEADER_LENGTH + CHRONY_TRACKING_LENGTH);
  writeChronyReplyHeader(bytes, {
    command: ChronyCommand.tracking,
    reply: ChronyReplyCode.tracking,
    status: 0,
    sequence,
  });
  const view = new DataView(bytes.buffer);
  const o = CHRONY_REPLY_HEADER_LENGTH;
  view.setUint32(o, tracking.refId >>> 0);
  writeChronyIpAddr(view, o + 4, tracking.ipAddr);
  view.setUint16(o + 24, tracking.stratum);
  view.setUint16(o + 26, tracking.leapStatus);
  writeChronyTimespec(view, o + 28, tracking.refTime);
  FLOAT_FIELDS.forEach((name, i) => {
    view.setUint32(o + 40 + 4 * i, encodeChronyFloat(tracking[name]));
  });
  return bytes;
}
