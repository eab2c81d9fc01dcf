/**
 * The common PTP message header, IEEE 1588-2019 §13.3 (34 bytes), and the
 * `PortIdentity` (§5.3.5) and `flagField` bits (§13.3.2.8, Table 37) it carries.
 * Pure: no `node:` imports.
 */
import { PtpDecodeError } from "../../errors.js";

/** `messageType` values, IEEE 1588-2019 §13.3.2.3 Table 36. */
export const PtpMessageType = {
  Sync: 0x0,
  Delay_Req: 0x1,
  Pdelay_Req: 0x2,
  Pdelay_Resp: 0x3,
  Follow_Up: 0x8,
  Delay_Resp: 0x9,
  Pdelay_Resp_Follow_Up: 0xa,
  Announce: 0xb,
  Signaling: 0xc,
  Management: 0xd,
} as const;
export type PtpMessageType = (typeof PtpMessageType)[keyof typeof PtpMessageType];

/** Bits of the 16-bit `flagField` (octet 0 is the high byte), §13.3.2.8 Table 37. */
export const PtpFlag = {
  alternateMasterFlag: 0x0100,
  twoStepFlag: 0x0200,
  unicastFlag: 0x0400,
  leap61: 0x0001,
  leap59: 0x0002,
  currentUtcOffsetValid: 0x0004,
  ptpTimescale: 0x0008,
  timeTraceable: 0x0010,
  frequencyTraceable: 0x0020,
  synchronizationUncertain: 0x0040,
} as const;

/** Bytes of the common header. */
export const PTP_HEADER_LENGTH = 34;
/** The version this codec speaks: PTPv2 (versionPTP 2, minorVersionPTP 0 or 1). */
export const PTP_VERSION = 2;

/** `PortIdentity`, §5.3.5: `clockIdentity` as 16 lowercase hex digits, and a port number. */
export interface PortIdentity {
  readonly clockIdentity: string;
  readonly portNumber: number;
}

/** The common header with the standard's field names, §13.3.1 Table 35. */
export interface PtpHeader {
  readonly majorSdoId: number;
  readonly messageType: PtpMessageType;
  readonly minorVersionPTP: number;
  readonly versionPTP: number;
  readonly messageLength: number;
  readonly domainNumber: number;
  readonly minorSdoId: number;
  /** Raw 16-bit flags; test bits with {@link PtpFlag}. */
  readonly flagField: number;
  /** TimeInterval: nanoseconds × 2^16. */
  readonly correctionField: bigint;
  readonly messageTypeSpecific: number;
  readonly sourcePortIdentity: PortIdentity;
  readonly sequenceId: number;
  readonly controlField: number;
  /** Integer8: log2 of the message interval in seconds (0x7f: not applicable). */
  readonly logMessageInterval: number;
}

/** True when `flag` (a {@link PtpFlag} bit) is set in the header. */
export function hasPtpFlag(header: Pick<PtpHeader, "flagField">, flag: number): boolean {
  return (header.flagField & flag) !== 0;
}

/** `controlField` by message type (§13.3.2.13, legacy but still sent by PTPv2 peers). */
export function controlFieldOf(messageType: PtpMessageType): number {
  switch (messageType) {
    case PtpMessageType.Sync:
      return 0;
    case PtpMessageType.Delay_Req:
      return 1;
    case PtpMessageType.Follow_Up:
      return 2;
    case PtpMessageType.Delay_Resp:
      return 3;
    case PtpMessageType.Management:
      return 4;
    default:
      return 5;
  }
}

const HEX = /^[0-9a-f]{16}$/;

/** Reads a 10-byte `PortIdentity` at `offset` (the caller has checked the length). */
export function decodePortIdentity(view: DataView, offset: number): PortIdentity {
  let clockIdentity = "";
  for (let i = 0; i < 8; i++)
    clockIdentity += view
      .getUint8(offset + i)
      .toString(16)
      .padStart(2, "0");
  return { clockIdentity, portNumber: view.getUint16(offset + 8) };
}

/** Writes a 10-byte `PortIdentity` at `offset`. */
export function encodePortIdentity(identity: PortIdentity, view: DataView, offset: number): void {
  if (!HEX.test(identity.clockIdentity)) {
    throw new RangeError(`clockIdentity must be 16 lowercase hex digits, got ${identity.clockIdentity}`);
  }
  for (let i = 0; i < 8; i++) {
    view.setUint8(offset + i, Number.parseInt(identity.clockIdentity.slice(2 * i, 2 * i + 2), 16));
  }
  view.setUint16(offset + 8, identity.portNumber);
}

/** ptp4l's notation of a clock identity, e.g. `0011.22ff.fe33.4455` → `001122.fffe.334455`. */
export function formatClockIdentity(clockIdentity: string): string {
  return `${clockIdentity.slice(0, 6)}.${clockIdentity.slice(6, 10)}.${clockIdentity.slice(10)}`;
}

/** Two port identities are the same port. */
export function samePortIdentity(a: PortIdentity, b: PortIdentity): boolean {
  return a.clockIdentity === b.clockIdentity && a.portNumber === b.portNumber;
}

/**
 * Decodes the 34-byte header. Checks only what every message needs: at least 34 bytes,
 * and a messageLength that the bytes hold (trailing padding after it is allowed).
 * @throws {PtpDecodeError} `too-short`.
 */
export function decodePtpHeader(bytes: Uint8Array): PtpHeader {
  if (bytes.length < PTP_HEADER_LENGTH) {
    throw new PtpDecodeError("too-short", `${bytes.length} bytes, the header needs ${PTP_HEADER_LENGTH}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const b0 = view.getUint8(0);
  const b1 = view.getUint8(1);
  const messageLength = view.getUint16(2);
  if (messageLength > bytes.length) {
    throw new PtpDecodeError("too-short", `messageLength ${messageLength} but only ${bytes.length} bytes`);
  }
  if (messageLength < PTP_HEADER_LENGTH) {
    throw new PtpDecodeError("bad-length", `messageLength ${messageLength} is shorter than the header`);
  }
  return {
    majorSdoId: b0 >> 4,
    messageType: (b0 & 0x0f) as PtpMessageType,
    minorVersionPTP: b1 >> 4,
    versionPTP: b1 & 0x0f,
    messageLength,
    domainNumber: view.getUint8(4),
    minorSdoId: view.getUint8(5),
    flagField: view.getUint16(6),
    correctionField: view.getBigInt64(8),
    messageTypeSpecific: view.getUint32(16),
    sourcePortIdentity: decodePortIdentity(view, 20),
    sequenceId: view.getUint16(30),
    controlField: view.getUint8(32),
    logMessageInterval: view.getInt8(33),
  };
}

/** Writes the header into the first 34 bytes of `view`. */
export function encodePtpHeader(header: PtpHeader, view: DataView): void {
  view.setUint8(0, ((header.majorSdoId & 0x0f) << 4) | (header.messageType & 0x0f));
  view.setUint8(1, ((header.minorVersionPTP & 0x0f) << 4) | (header.versionPTP & 0x0f));
  view.setUint16(2, header.messageLength);
  view.setUint8(4, header.domainNumber);
  view.setUint8(5, header.minorSdoId);
  view.setUint16(6, header.flagField);
  view.setBigInt64(8, header.correctionField);
  view.setUint32(16, header.messageTypeSpecific);
  encodePortIdentity(header.sourcePortIdentity, view, 20);
  view.setUint16(30, header.sequenceId);
  view.setUint8(32, header.controlField);
  view.setInt8(33, header.logMessageInterval);
}

/** Header defaults for a new message of `messageType` (caller overrides what it needs). */
export function newPtpHeader(
  messageType: PtpMessageType,
  fields: Pick<PtpHeader, "sourcePortIdentity" | "sequenceId"> & Partial<PtpHeader>,
): PtpHeader {
  return {
    majorSdoId: 0,
    messageType,
    minorVersionPTP: 0,
    versionPTP: PTP_VERSION,
    messageLength: 0,
    domainNumber: 0,
    minorSdoId: 0,
    flagField: 0,
    correctionField: 0n,
    messageTypeSpecific: 0,
    controlField: controlFieldOf(messageType),
    logMessageInterval: 0x7f,
    ...fields,
  };
}
