/**
 * Delay_Resp message, IEEE 1588-2019 §13.8: `receiveTimestamp` (t4, the master's receive
 * time of the Delay_Req) and `requestingPortIdentity` (54 bytes without TLVs). Its
 * `correctionField` and `sequenceId` echo the Delay_Req's. Pure: no `node:` imports.
 */
import type { PtpTimestamp } from "@chronosync/core";
import { decodeBody, encodeFrame, PTP_HEADER_LENGTH, readTimestamp, writeTimestamp } from "./fields.js";
import {
  decodePortIdentity,
  encodePortIdentity,
  type PortIdentity,
  type PtpHeader,
  PtpMessageType,
} from "./header.js";
import type { PtpTlv } from "./tlv.js";

/** A Delay_Resp message with the standard's field names. */
export interface PtpDelayResp {
  readonly header: PtpHeader;
  readonly receiveTimestamp: PtpTimestamp;
  readonly requestingPortIdentity: PortIdentity;
  readonly tlvs: readonly PtpTlv[];
}

/** Bytes of a Delay_Resp without TLVs. */
export const PTP_DELAY_RESP_LENGTH = PTP_HEADER_LENGTH + 20;

/**
 * Decodes the body of a Delay_Resp whose header is already decoded.
 * @throws {PtpDecodeError} `bad-length`, `bad-timestamp` or `bad-tlv`.
 */
export function decodeDelayResp(bytes: Uint8Array, header: PtpHeader): PtpDelayResp {
  const tlvs = decodeBody(bytes, header, PTP_DELAY_RESP_LENGTH, "Delay_Resp");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return {
    header,
    receiveTimestamp: readTimestamp(bytes, PTP_HEADER_LENGTH),
    requestingPortIdentity: decodePortIdentity(view, PTP_HEADER_LENGTH + 10),
    tlvs,
  };
}

/** Encodes a Delay_Resp; `messageType` and `messageLength` are set from the message. */
export function encodeDelayResp(
  message: Omit<PtpDelayResp, "tlvs"> & { tlvs?: readonly PtpTlv[] },
): Uint8Array {
  const header = { ...message.header, messageType: PtpMessageType.Delay_Resp };
  return encodeFrame(header, PTP_DELAY_RESP_LENGTH, message.tlvs ?? [], (bytes, view) => {
    writeTimestamp(message.receiveTimestamp, bytes, PTP_HEADER_LENGTH);
    encodePortIdentity(message.requestingPortIdentity, view, PTP_HEADER_LENGTH + 10);
  });
}
