/**
 * Follow_Up message, IEEE 1588-2019 §13.7: the header and a 10-byte `preciseOriginTimestamp`
 * (44 bytes without TLVs). Carries t1 of the two-step Sync with the same sequenceId. Pure: no `node:` imports.
 */
import type { PtpTimestamp } from "@chronosync/core";
import { decodeBody, encodeFrame, PTP_HEADER_LENGTH, readTimestamp, writeTimestamp } from "./fields.js";
import { type PtpHeader, PtpMessageType } from "./header.js";
import type { PtpTlv } from "./tlv.js";

/** A Follow_Up message with the standard's field names. */
export interface PtpFollowUp {
  readonly header: PtpHeader;
  readonly preciseOriginTimestamp: PtpTimestamp;
  readonly tlvs: readonly PtpTlv[];
}

/** Bytes of a Follow_Up without TLVs. */
export const PTP_FOLLOW_UP_LENGTH = PTP_HEADER_LENGTH + 10;

/**
 * Decodes the body of a Follow_Up whose header is already decoded.
 * @throws {PtpDecodeError} `bad-length`, `bad-timestamp` or `bad-tlv`.
 */
export function decodeFollowUp(bytes: Uint8Array, header: PtpHeader): PtpFollowUp {
  const tlvs = decodeBody(bytes, header, PTP_FOLLOW_UP_LENGTH, "Follow_Up");
  return { header, preciseOriginTimestamp: readTimestamp(bytes, PTP_HEADER_LENGTH), tlvs };
}

/** Encodes a Follow_Up; `messageType` and `messageLength` are set from the message. */
export function encodeFollowUp(
  message: Omit<PtpFollowUp, "tlvs"> & { tlvs?: readonly PtpTlv[] },
): Uint8Array {
  const header = { ...message.header, messageType: PtpMessageType.Follow_Up };
  return encodeFrame(header, PTP_FOLLOW_UP_LENGTH, message.tlvs ?? [], (bytes) =>
    writeTimestamp(message.preciseOriginTimestamp, bytes, PTP_HEADER_LENGTH),
  );
}
