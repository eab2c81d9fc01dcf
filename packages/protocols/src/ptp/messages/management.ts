/**
 * Management message, IEEE 1588-2019 §15 (basic): the 48-byte fixed part
 * (`targetPortIdentity`, `startingBoundaryHops`, `boundaryHops`, `actionField`) and a
 * MANAGEMENT TLV (§15.5.2: `managementId` + `dataField`). Encodes GET requests, decodes
 * any Management message, and reads CURRENT_DATA_SET and TIME_PROPERTIES_DATA_SET
 * responses (§15.5.3.4.1, §15.5.3.6.1). Pure: no `node:` imports.
 */
import { PtpDecodeError } from "../../errors.js";
import { decodeBody, encodeFrame, PTP_HEADER_LENGTH } from "./fields.js";
import {
  decodePortIdentity,
  encodePortIdentity,
  type PortIdentity,
  type PtpHeader,
  PtpMessageType,
} from "./header.js";
import { type PtpTlv, PtpTlvType } from "./tlv.js";

/** `actionField` values, §15.4.1.6 Table 71. */
export const PtpManagementAction = { GET: 0, SET: 1, RESPONSE: 2, COMMAND: 3, ACKNOWLEDGE: 4 } as const;
export type PtpManagementAction = (typeof PtpManagementAction)[keyof typeof PtpManagementAction];

/** Some `managementId` values, §15.5.2.3 Table 72. */
export const PtpManagementId = {
  NULL_PTP_MANAGEMENT: 0x0000,
  CLOCK_DESCRIPTION: 0x0001,
  USER_DESCRIPTION: 0x0002,
  DEFAULT_DATA_SET: 0x2000,
  CURRENT_DATA_SET: 0x2001,
  PARENT_DATA_SET: 0x2002,
  TIME_PROPERTIES_DATA_SET: 0x2003,
  PORT_DATA_SET: 0x2004,
} as const;

/** A Management message; `managementId`/`dataField` come from its MANAGEMENT TLV, if any. */
export interface PtpManagement {
  readonly header: PtpHeader;
  readonly targetPortIdentity: PortIdentity;
  readonly startingBoundaryHops: number;
  readonly boundaryHops: number;
  readonly actionField: PtpManagementAction;
  readonly managementId: number | null;
  readonly dataField: Uint8Array | null;
  readonly tlvs: readonly PtpTlv[];
}

/** Bytes of a Management message without TLVs. */
export const PTP_MANAGEMENT_LENGTH = PTP_HEADER_LENGTH + 14;
/** `targetPortIdentity` that addresses every clock and port. */
export const PTP_ALL_PORTS: PortIdentity = { clockIdentity: "ffffffffffffffff", portNumber: 0xffff };

const O = PTP_HEADER_LENGTH;

/**
 * Decodes the body of a Management message whose header is already decoded.
 * @throws {PtpDecodeError} `bad-length`, `bad-tlv`, or `bad-value` (actionField > 4, or a
 * MANAGEMENT TLV shorter than its managementId).
 */
export function decodeManagement(bytes: Uint8Array, header: PtpHeader): PtpManagement {
  const tlvs = decodeBody(bytes, header, PTP_MANAGEMENT_LENGTH, "Management");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const actionField = view.getUint8(O + 12) & 0x0f;
  if (actionField > PtpManagementAction.ACKNOWLEDGE) {
    throw new PtpDecodeError("bad-value", `Management actionField ${actionField} is reserved`);
  }
  const tlv = tlvs.find((t) => t.tlvType === PtpTlvType.MANAGEMENT);
  if (tlv !== undefined && tlv.valueField.length < 2) {
    throw new PtpDecodeError("bad-value", "MANAGEMENT TLV without a managementId");
  }
  return {
    header,
    targetPortIdentity: decodePortIdentity(view, O),
    startingBoundaryHops: view.getUint8(O + 10),
    boundaryHops: view.getUint8(O + 11),
    actionField: actionField as PtpManagementAction,
    managementId: tlv === undefined ? null : (tlv.valueField[0]! << 8) | tlv.valueField[1]!,
    dataField: tlv === undefined ? null : tlv.valueField.slice(2),
    tlvs,
  };
}

/**
 * Encodes a Management message. With `managementId` (and `dataField`) and no MANAGEMENT
 * TLV in `tlvs`, that TLV is put first; a decoded message re-encodes byte for byte.
 */
export function encodeManagement(
  message: Omit<PtpManagement, "tlvs" | "managementId" | "dataField"> & {
    managementId?: number | null;
    dataField?: Uint8Array | null;
    tlvs?: readonly PtpTlv[];
  },
): Uint8Array {
  const header = { ...message.header, messageType: PtpMessageType.Management };
  const tlvs = [...(message.tlvs ?? [])];
  const hasTlv = tlvs.some((t) => t.tlvType === PtpTlvType.MANAGEMENT);
  if (message.managementId !== undefined && message.managementId !== null && !hasTlv) {
    const data = message.dataField ?? new Uint8Array(0);
    const valueField = new Uint8Array(2 + data.length);
    valueField[0] = message.managementId >> 8;
    valueField[1] = message.managementId & 0xff;
    valueField.set(data, 2);
    tlvs.unshift({ tlvType: PtpTlvType.MANAGEMENT, valueField });
  }
  return encodeFrame(header, PTP_MANAGEMENT_LENGTH, tlvs, (_bytes, view) => {
    encodePortIdentity(message.targetPortIdentity, view, O);
    view.setUint8(O + 10, message.startingBoundaryHops);
    view.setUint8(O + 11, message.boundaryHops);
    view.setUint8(O + 12, message.actionField & 0x0f);
  });
}

/** CURRENT_DATA_SET, §8.2.2: `offsetFromMaster` and `meanPathDelay` are TimeIntervals. */
export interface PtpCurrentDataSet {
  readonly stepsRemoved: number;
  readonly offsetFromMaster: bigint;
  readonly meanPathDelay: bigint;
}

/** Reads a CURRENT_DATA_SET dataField (18 bytes). @throws {PtpDecodeError} `too-short`. */
export function decodeCurrentDataSet(dataField: Uint8Array): PtpCurrentDataSet {
  if (dataField.length < 18) throw new PtpDecodeError("too-short", "CURRENT_DATA_SET needs 18 bytes");
  const view = new DataView(dataField.buffer, dataField.byteOffset, dataField.byteLength);
  return {
    stepsRemoved: view.getUint16(0),
    offsetFromMaster: view.getBigInt64(2),
    meanPathDelay: view.getBigInt64(10),
  };
}

/** TIME_PROPERTIES_DATA_SET, §8.2.4: `flags` uses the low-octet bits of {@link PtpFlag}. */
export interface PtpTimePropertiesDataSet {
  readonly currentUtcOffset: number;
  readonly flags: number;
  readonly timeSource: number;
}

/** Reads a TIME_PROPERTIES_DATA_SET dataField (4 bytes). @throws {PtpDecodeError} `too-short`. */
export function decodeTimePropertiesDataSet(dataField: Uint8Array): PtpTimePropertiesDataSet {
  if (dataField.length < 4) throw new PtpDecodeError("too-short", "TIME_PROPERTIES_DATA_SET needs 4 bytes");
  const view = new DataView(dataField.buffer, dataField.byteOffset, dataField.byteLength);
  return { currentUtcOffset: view.getInt16(0), flags: view.getUint8(2), timeSource: view.getUint8(3) };
}
