/**
 * Sync message, IEEE 1588-2019 §13.6: the header and a 10-byte `originTimestamp`
 * (44 bytes without TLVs). In a two-step Sync (`twoStepFlag`) the timestamp is approximate and the precise one follows in a Follow_Up. Pure: no `node:` imports.
 */
import type { PtpTimestamp } from "@chronosync/core";
import { decodeBody, encodeFrame, PTP_HEADER_LENGTH, readTimestamp, writeTimestamp } from "./fields.js";
import { type PtpHeader, PtpMessageType } from "./header.js";
import type { PtpTlv } from "./tlv.js";

/** A Sync message with the standard's field names. */
export interface PtpSync {
  readonly header: PtpHeader;
  readonly originTimestamp: PtpTimestamp;
  readonly tlvs: readonly PtpTlv[];
}

/** Bytes of a Sync without TLVs. */
export const PTP_SYNC_LENGTH = PTP_HEADER_LENGTH + 10;

/**
 * Decodes the body of a Sync whose header is already decoded.
 * @throws {PtpDecodeError} `bad-length`, `bad-timestamp` or `bad-tlv`.
 */
export function decodeSync(bytes: Uint8Array, header: PtpHeader): PtpSync {
  const tlvs = decodeBody(bytes, header, PTP_SYNC_LENGTH, "Sync");
  return { header, originTimestamp: readTimestamp(bytes, PTP_HEADER_LENGTH), tlvs };
}

/** Encodes a Sync; `messageType` and `messageLength` are set from the message. */
export function encodeSync(message: Omit<PtpSync, "tlvs"> & { tlvs?: readonly PtpTlv[] }): Uint8Array {
  const header = { ...message.header, messageType: PtpMessageType.Sync };
  return encodeFrame(header, PTP_SYNC_LENGTH, message.tlvs ?? [], (bytes) =>
    writeTimestamp(message.originTimestamp, bytes, PTP_HEADER_LENGTH),
  );
}
