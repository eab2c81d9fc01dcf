/**
 * The `RPY_N_SOURCES` reply (code 2, to `REQ_N_SOURCES` 14: one u32, the number of
 * sources) and `RPY_SOURCE_DATA` (code 3, to `REQ_SOURCE_DATA` 15 with a source index):
 * one row of `chronyc sources`. `RPY_Source_Data` after the reply header: ip_addr IPAddr,
 * poll i16, stratum u16, state u16, mode u16, flags u16, reachability u16, since_sample
 * u32, then Floats orig_latest_meas, latest_meas, latest_meas_err. Pure functions of bytes.
 * @see https://gitlab.com/chrony/chrony/-/blob/4.3/candm.h
 * @see https://chrony-project.org/doc/4.3/chronyc.html#sources
 */
import { ChronyCmdDecodeError } from "../errors.js";
import { CHRONY_IP_ADDR_LENGTH, type ChronyIpAddr, readChronyIpAddr, writeChronyIpAddr } from "./fields.js";
import { decodeChronyFloat, encodeChronyFloat } from "./float.js";
import {
  CHRONY_REPLY_HEADER_LENGTH,
  ChronyCommand,
  ChronyReplyCode,
  writeChronyReplyHeader,
} from "./header.js";

/** Bytes of `RPY_N_SOURCES` data, without its EOR marker. */
export const CHRONY_N_SOURCES_LENGTH = 4;
/** Bytes of `RPY_Source_Data`, without its EOR marker. */
export const CHRONY_SOURCE_DATA_LENGTH = CHRONY_IP_ADDR_LENGTH + 16 + 12;

/**
 * Selection state, `RPY_SD_ST_*` 0–5 in this order, with chronyc's symbol: `sync` `*`
 * (selected), `unreach` `?` (not selectable), `falseticker` `x`, `jittery` `~`,
 * `candidate` `+` (combined), `outlier` `-` (selectable, not combined). chrony 4 renamed
 * them SELECTED, NONSELECTABLE, FALSETICKER, JITTERY, UNSELECTED, SELECTABLE.
 */
export const CHRONY_SOURCE_STATES = [
  "sync",
  "unreach",
  "falseticker",
  "jittery",
  "candidate",
  "outlier",
] as const;
export type ChronySourceState = (typeof CHRONY_SOURCE_STATES)[number];

/** `RPY_SD_MD_*`: an NTP server, an NTP peer, or a reference clock. */
export const CHRONY_SOURCE_MODES = ["client", "peer", "refclock"] as const;
export type ChronySourceMode = (typeof CHRONY_SOURCE_MODES)[number];

/** `RPY_SD_FLAG_*` bits of {@link ChronySource.flags}. */
export const ChronySourceFlag = { noselect: 0x1, prefer: 0x2, trust: 0x4, require: 0x8 } as const;

/** One row of `chronyc sources`. */
export interface ChronySource {
  ipAddr: ChronyIpAddr;
  /** Polling interval, log2 seconds. */
  poll: number;
  stratum: number;
  state: ChronySourceState;
  mode: ChronySourceMode;
  flags: number;
  /** Reach register, 8 bits (chronyc prints it in octal). */
  reachability: number;
  /** Seconds since the last good sample (chronyc's "LastRx"); 0xFFFFFFFF when none. */
  sinceSample: number;
  /** Offset of the last sample as measured, seconds (chronyc's bracketed value). */
  origLatestMeas: number;
  /** The same, adjusted for slews since, seconds. */
  latestMeas: number;
  /** Its error bound, seconds. */
  latestMeasErr: number;
}

/** Reads the `RPY_N_SOURCES` count at `offset`. */
export function readChronyNSources(view: DataView, offset: number): number {
  return view.getUint32(offset);
}

/** Reads the source data that starts at `offset` (the caller checked the length). */
export function readChronySource(view: DataView, offset: number): ChronySource {
  const stateCode = view.getUint16(offset + 24);
  const modeCode = view.getUint16(offset + 26);
  const state = CHRONY_SOURCE_STATES[stateCode];
  const mode = CHRONY_SOURCE_MODES[modeCode];
  if (state === undefined) throw new ChronyCmdDecodeError("bad-value", `source state ${stateCode}`);
  if (mode === undefined) throw new ChronyCmdDecodeError("bad-value", `source mode ${modeCode}`);
  return {
    ipAddr: readChronyIpAddr(view, offset),
    poll: view.getInt16(offset + 20),
    stratum: view.getUint16(offset + 22),
    state,
    mode,
    flags: view.getUint16(offset + 28),
    reachability: view.getUint16(offset + 30),
    sinceSample: view.getUint32(offset + 32),
    origLatestMeas: decodeChronyFloat(view.getUint32(offset + 36)),
    latestMeas: decodeChronyFloat(view.getUint32(offset + 40)),
    latestMeasErr: decodeChronyFloat(view.getUint32(offset + 44)),
  };
}

/** Encodes a whole `RPY_N_SOURCES` reply. */
export function encodeChronyNSourcesReply(nSources: number, sequence: number): Uint8Array {
  const bytes = new Uint8Array(CHRONY_REPLY_HEADER_LENGTH + CHRONY_N_SOURCES_LENGTH);
  writeChronyReplyHeader(bytes, {
    command: ChronyCommand.nSources,
    reply: ChronyReplyCode.nSources,
    status: 0,
    sequence,
  });
  new DataView(bytes.buffer).setUint32(CHRONY_REPLY_HEADER_LENGTH, nSources >>> 0);
  return bytes;
}

/** Encodes a whole `RPY_SOURCE_DATA` reply. */
export function encodeChronySourceDataReply(source: ChronySource, sequence: number): Uint8Array {
  const bytes = new Uint8Array(CHRONY_REPLY_HEADER_LENGTH + CHRONY_SOURCE_DATA_LENGTH);
  writeChronyReplyHeader(bytes, {
    command: ChronyCommand.sourceData,
    reply: ChronyReplyCode.sourceData,
    status: 0,
    sequence,
  });
  const view = new DataView(bytes.buffer);
  const o = CHRONY_REPLY_HEADER_LENGTH;
  writeChronyIpAddr(view, o, source.ipAddr);
  view.setInt16(o + 20, source.poll);
  view.setUint16(o + 22, source.stratum);
  view.setUint16(o + 24, CHRONY_SOURCE_STATES.indexOf(source.state));
  view.setUint16(o + 26, CHRONY_SOURCE_MODES.indexOf(source.mode));
  view.setUint16(o + 28, source.flags);
  view.setUint16(o + 30, source.reachability);
  view.setUint32(o + 32, source.sinceSample >>> 0);
  view.setUint32(o + 36, encodeChronyFloat(source.origLatestMeas));
  view.setUint32(o + 40, encodeChronyFloat(source.latestMeas));
  view.setUint32(o + 44, encodeChronyFloat(source.latestMeasErr));
  return bytes;
}
