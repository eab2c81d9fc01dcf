/**
 * Signaling message, IEEE 1588-2019 §13.12: the header, a 10-byte `targetPortIdentity`
 * (all ones: every port) and TLVs — here the unicast negotiation TLVs of §16.1.4
 * (REQUEST / GRANT / CANCEL / ACKNOWLEDGE_CANCEL_UNICAST_TRANSMISSION), read and written
 * by the helpers below. Pure: no `node:` imports.
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

/** A Signaling message with the standard's field names. */
export interface PtpSignaling {
  readonly header: PtpHeader;
  readonly targetPortIdentity: PortIdentity;
  readonly tlvs: readonly PtpTlv[];
}

/** Bytes of a Signaling message without TLVs. */
export const PTP_SIGNALING_LENGTH = PTP_HEADER_LENGTH + 10;

/**
 * Decodes the body of a Signaling message whose header is already decoded.
 * @throws {PtpDecodeError} `bad-length` or `bad-tlv`.
 */
export function decodeSignaling(bytes: Uint8Array, header: PtpHeader): PtpSignaling {
  const tlvs = decodeBody(bytes, header, PTP_SIGNALING_LENGTH, "Signaling");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { header, targetPortIdentity: decodePortIdentity(view, PTP_HEADER_LENGTH), tlvs };
}

/** Encodes a Signaling message; `messageType` and `messageLength` are set from the message. */
export function encodeSignaling(message: PtpSignaling): Uint8Array {
  const header = { ...message.header, messageType: PtpMessageType.Signaling };
  return encodeFrame(header, PTP_SIGNALING_LENGTH, message.tlvs, (_bytes, view) =>
    encodePortIdentity(message.targetPortIdentity, view, PTP_HEADER_LENGTH),
  );
}

/**
 * One unicast negotiation TLV (§16.1.4), by `tlvType`:
 * - `request` (REQUEST_UNICAST_TRANSMISSION, 6 bytes): send `messageType` every
 *   2^`logInterMessagePeriod` s for `durationField` s;
 * - `grant` (GRANT_UNICAST_TRANSMISSION, 8 bytes): the same, granted (`durationField` 0:
 *   denied), `renewalInvited` (flag R);
 * - `cancel` (CANCEL_UNICAST_TRANSMISSION, 2 bytes) and `acknowledge-cancel`
 *   (ACKNOWLEDGE_CANCEL_UNICAST_TRANSMISSION, 2 bytes): `messageType` and the low four
 *   flag bits of its octet (`flags`; bit 0 maintainRequest, bit 1 maintainGrant).
 * `messageType` is the 4-bit type of the messages concerned (Announce 0xB, Sync 0x0,
 * Delay_Resp 0x9, Pdelay_Resp 0x3), sent in the high nibble of the first octet.
 */
export type PtpUnicastTlv =
  | {
      readonly kind: "request";
      readonly messageType: PtpMessageType;
      readonly logInterMessagePeriod: number;
      readonly durationField: number;
    }
  | {
      readonly kind: "grant";
      readonly messageType: PtpMessageType;
      readonly logInterMessagePeriod: number;
      readonly durationField: number;
      readonly renewalInvited: boolean;
    }
  | { readonly kind: "cancel"; readonly messageType: PtpMessageType; readonly flags: number }
  | { readonly kind: "acknowledge-cancel"; readonly messageType: PtpMessageType; readonly flags: number };

const LENGTHS = {
  [PtpTlvType.REQUEST_UNICAST_TRANSMISSION]: 6,
  [PtpTlvType.GRANT_UNICAST_TRANSMISSION]: 8,
  [PtpTlvType.CANCEL_UNICAST_TRANSMISSION]: 2,
  [PtpTlvType.ACKNOWLEDGE_CANCEL_UNICAST_TRANSMISSION]: 2,
} as Record<number, number>;

/**
 * Reads a unicast negotiation TLV; `null` for any other `tlvType`.
 * @throws {PtpDecodeError} `bad-tlv` for one shorter than its type's fixed length.
 */
export function decodePtpUnicastTlv(tlv: PtpTlv): PtpUnicastTlv | null {
  const length = LENGTHS[tlv.tlvType];
  if (length === undefined) return null;
  const v = tlv.valueField;
  if (v.length < length) {
    throw new PtpDecodeError(
      "bad-tlv",
      `unicast TLV 0x${tlv.tlvType.toString(16)} of ${v.length} bytes, needs ${length}`,
    );
  }
  const view = new DataView(v.buffer, v.byteOffset, v.byteLength);
  const messageType = (v[0]! >> 4) as PtpMessageType;
  switch (tlv.tlvType) {
    case PtpTlvType.REQUEST_UNICAST_TRANSMISSION:
      return {
        kind: "request",
        messageType,
        logInterMessagePeriod: view.getInt8(1),
        durationField: view.getUint32(2),
      };
    case PtpTlvType.GRANT_UNICAST_TRANSMISSION:
      return {
        kind: "grant",
        messageType,
        logInterMessagePeriod: view.getInt8(1),
        durationField: view.getUint32(2),
        renewalInvited: (v[7]! & 0x01) !== 0,
      };
    case PtpTlvType.CANCEL_UNICAST_TRANSMISSION:
      return { kind: "cancel", messageType, flags: v[0]! & 0x0f };
    default:
      return { kind: "acknowledge-cancel", messageType, flags: v[0]! & 0x0f };
  }
}

/** Writes a unicast negotiation TLV (reserved bits zero). */
export function encodePtpUnicastTlv(tlv: PtpUnicastTlv): PtpTlv {
  const typeOctet = (tlv.messageType & 0x0f) << 4;
  switch (tlv.kind) {
    case "request":
    case "grant": {
      const grant = tlv.kind === "grant";
      const valueField = new Uint8Array(grant ? 8 : 6);
      const view = new DataView(valueField.buffer);
      view.setUint8(0, typeOctet);
      view.setInt8(1, tlv.logInterMessagePeriod);
      view.setUint32(2, tlv.durationField);
      if (tlv.kind === "grant") view.setUint8(7, tlv.renewalInvited ? 1 : 0);
      return {
        tlvType: grant ? PtpTlvType.GRANT_UNICAST_TRANSMISSION : PtpTlvType.REQUEST_UNICAST_TRANSMISSION,
        valueField,
      };
    }
    case "cancel":
    case "acknowledge-cancel":
      return {
        tlvType:
          tlv.kind === "cancel"
            ? PtpTlvType.CANCEL_UNICAST_TRANSMISSION
            : PtpTlvType.ACKNOWLEDGE_CANCEL_UNICAST_TRANSMISSION,
        valueField: Uint8Array.of(typeOctet | (tlv.flags & 0x0f), 0),
      };
  }
}
