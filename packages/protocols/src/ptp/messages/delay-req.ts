/**
 * Delay_Req message, IEEE 1588-2019 §13.6: the header and a 10-byte `originTimestamp`
 * (44 bytes without TLVs). The slave's t3 is its own transmit time; the originTimestamp may be approximate or zero. Pure: no `node:` imports.
 */
import type { PtpTimestamp } from "@chronosync/core";
import { decodeBody, encodeFrame, PTP_HEADER_LENGTH, readTimestamp, writeTimestamp } from "./fields.js";
import { type PtpHeader, PtpMessageType } from "./header.js";
import type { PtpTlv } from "./tlv.js";

/** A Delay_Req message with the standard's field names. */
export interface PtpDelayReq {
  readonly header: PtpHeader;
  readonly originTimestamp: PtpTimestamp;
  readonly tlvs: readonly PtpTlv[];
}

/** Bytes of a Delay_Req without TLVs. */
export const PTP_DELAY_REQ_LENGTH = PTP_HEADER_LENGTH + 10;

/**
 * Decodes the body of a Delay_Req whose header is already decoded.
 * @throws {PtpDecodeError} `bad-length`, `bad-timestamp` or `bad-tlv`.
 */
export function decodeDelayReq(bytes: Uint8Array, header: PtpHeader): PtpDelayReq {
  const tlvs = decodeBody(bytes, header, PTP_DELAY_REQ_LENGTH, "Delay_Req");
  return { header, originTimestamp: readTimestamp(bytes, PTP_HEADER_LENGTH), tlvs };
}

/** Encodes a Delay_Req; `messageType` and `messageLength` are set from the message. */
export function encodeDelayReq(
  message: Omit<PtpDelayReq, "tlvs"> & { tlvs?: readonly PtpTlv[] },
): Uint8Array {
  const header = { ...message.header, messageType: PtpMessageType.Delay_Req };
  return encodeFrame(header, PTP_DELAY_REQ_LENGTH, message.tlvs ?? [], (bytes) =>
    writeTimestamp(message.originTimestamp, bytes, PTP_HEADER_LENGTH),
  );
}
