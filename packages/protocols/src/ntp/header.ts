/**
 * The 48-byte NTP packet header of RFC 5905 §7.3 (Figure 8):
 *
 * ```
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * |LI | VN  |Mode |    Stratum    |     Poll      |  Precision    |
 * |                         Root Delay                            |
 * |                         Root Dispersion                       |
 * |                          Reference ID                         |
 * |                     Reference Timestamp (64)                  |
 * |                      Origin Timestamp (64)                    |
 * |                      Receive Timestamp (64)                   |
 * |                      Transmit Timestamp (64)                  |
 * ```
 *
 * Pure functions of bytes.
 * @see https://www.rfc-editor.org/rfc/rfc5905#section-7.3
 */
import { InvalidArgumentError } from "@chronosync/core";

/** Length of the NTP header in bytes (RFC 5905 §7.3). */
export const NTP_HEADER_LENGTH = 48;

/** Association modes of RFC 5905 §7.3 (Figure 10). */
export const NtpMode = {
  reserved: 0,
  symmetricActive: 1,
  symmetricPassive: 2,
  client: 3,
  server: 4,
  broadcast: 5,
  control: 6,
  private: 7,
} as const;

/** Leap indicator 3: the clock is unsynchronized (RFC 5905 §7.3, Figure 9). */
export const NTP_LEAP_UNSYNCHRONIZED = 3;

/** The fixed header fields, named as in RFC 5905. Timestamps are raw NTP 64-bit values. */
export interface NtpHeader {
  leap: 0 | 1 | 2 | 3;
  version: number;
  mode: number;
  stratum: number;
  /** Poll exponent, signed log2 seconds. */
  poll: number;
  /** Precision, signed log2 seconds. */
  precision: number;
  /** Raw NTP short format (16.16 unsigned). */
  rootDelay: number;
  /** Raw NTP short format (16.16 unsigned). */
  rootDispersion: number;
  referenceId: number;
  referenceTimestamp: bigint;
  originTimestamp: bigint;
  receiveTimestamp: bigint;
  transmitTimestamp: bigint;
}

/** Reads the header from the first 48 bytes of `bytes` (the caller checks the length). */
export function readNtpHeader(bytes: Uint8Array): NtpHeader {
  const view = new DataView(bytes.buffer, bytes.byteOffset, NTP_HEADER_LENGTH);
  const flags = view.getUint8(0);
  return {
    leap: (flags >>> 6) as NtpHeader["leap"],
    version: (flags >>> 3) & 7,
    mode: flags & 7,
    stratum: view.getUint8(1),
    poll: view.getInt8(2),
    precision: view.getInt8(3),
    rootDelay: view.getUint32(4),
    rootDispersion: view.getUint32(8),
    referenceId: view.getUint32(12),
    referenceTimestamp: view.getBigUint64(16),
    originTimestamp: view.getBigUint64(24),
    receiveTimestamp: view.getBigUint64(32),
    transmitTimestamp: view.getBigUint64(40),
  };
}

function checkInt(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new InvalidArgumentError(`NTP ${name} must be an integer in [${min}, ${max}], got ${value}`);
  }
}

function checkU64(name: string, value: bigint): void {
  if (typeof value !== "bigint" || value < 0n || value > 0xffff_ffff_ffff_ffffn) {
    throw new InvalidArgumentError(`NTP ${name} must be an unsigned 64-bit bigint, got ${String(value)}`);
  }
}

/** Throws InvalidArgumentError when a field does not fit its wire width. */
export function checkNtpHeader(header: NtpHeader): void {
  checkInt("leap", header.leap, 0, 3);
  checkInt("version", header.version, 0, 7);
  checkInt("mode", header.mode, 0, 7);
  checkInt("stratum", header.stratum, 0, 255);
  checkInt("poll", header.poll, -128, 127);
  checkInt("precision", header.precision, -128, 127);
  checkInt("rootDelay", header.rootDelay, 0, 0xffff_ffff);
  checkInt("rootDispersion", header.rootDispersion, 0, 0xffff_ffff);
  checkInt("referenceId", header.referenceId, 0, 0xffff_ffff);
  checkU64("referenceTimestamp", header.referenceTimestamp);
  checkU64("originTimestamp", header.originTimestamp);
  checkU64("receiveTimestamp", header.receiveTimestamp);
  checkU64("transmitTimestamp", header.transmitTimestamp);
}

/** Writes a checked header into the first 48 bytes of `target`. */
export function writeNtpHeader(header: NtpHeader, target: Uint8Array): void {
  checkNtpHeader(header);
  const view = new DataView(target.buffer, target.byteOffset, NTP_HEADER_LENGTH);
  view.setUint8(0, (header.leap << 6) | (header.version << 3) | header.mode);
  view.setUint8(1, header.stratum);
  view.setInt8(2, header.poll);
  view.setInt8(3, header.precision);
  view.setUint32(4, header.rootDelay);
  view.setUint32(8, header.rootDispersion);
  view.setUint32(12, header.referenceId);
  view.setBigUint64(16, header.referenceTimestamp);
  view.setBigUint64(24, header.originTimestamp);
  view.setBigUint64(32, header.receiveTimestamp);
  view.setBigUint64(40, header.transmitTimestamp);
}
