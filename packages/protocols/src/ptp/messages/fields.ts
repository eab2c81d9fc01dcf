/**
 * Shared pieces of the message codecs: Timestamp fields that fail with a typed decode
 * error, and the frame every encoder writes (header + fixed body + TLVs). Pure.
 */
import { decodePtpTimestamp, encodePtpTimestamp, type PtpTimestamp } from "@chronosync/core";
import { PtpDecodeError } from "../../errors.js";
import { encodePtpHeader, PTP_HEADER_LENGTH, type PtpHeader } from "./header.js";
import { decodePtpTlvs, encodePtpTlvs, type PtpTlv, ptpTlvsLength } from "./tlv.js";

/** Reads a Timestamp; a nanosecondsField ≥ 10^9 is `bad-timestamp`. */
export function readTimestamp(bytes: Uint8Array, offset: number): PtpTimestamp {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const nanosecondsField = view.getUint32(offset + 6);
  if (nanosecondsField >= 1e9) {
    throw new PtpDecodeError("bad-timestamp", `nanosecondsField ${nanosecondsField} is not below 10^9`);
  }
  return decodePtpTimestamp(bytes, offset);
}

/** Writes a Timestamp. */
export function writeTimestamp(timestamp: PtpTimestamp, target: Uint8Array, offset: number): void {
  encodePtpTimestamp(timestamp, target, offset);
}

/**
 * Checks `header.messageLength` holds `fixedLength` bytes and decodes the TLVs after them.
 * @throws {PtpDecodeError} `bad-length` or `bad-tlv`.
 */
export function decodeBody(
  bytes: Uint8Array,
  header: PtpHeader,
  fixedLength: number,
  name: string,
): PtpTlv[] {
  if (header.messageLength < fixedLength) {
    throw new PtpDecodeError(
      "bad-length",
      `${name} needs ${fixedLength} bytes, messageLength is ${header.messageLength}`,
    );
  }
  return decodePtpTlvs(bytes, fixedLength, header.messageLength);
}

/**
 * Allocates a message of `fixedLength` + TLV bytes, writes the header (with the right
 * messageLength), lets `writeBody` fill the fixed part, then appends the TLVs.
 */
export function encodeFrame(
  header: PtpHeader,
  fixedLength: number,
  tlvs: readonly PtpTlv[],
  writeBody: (bytes: Uint8Array, view: DataView) => void,
): Uint8Array {
  const messageLength = fixedLength + ptpTlvsLength(tlvs);
  const bytes = new Uint8Array(messageLength);
  const view = new DataView(bytes.buffer);
  encodePtpHeader({ ...header, messageLength }, view);
  writeBody(bytes, view);
  encodePtpTlvs(tlvs, bytes, fixedLength);
  return bytes;
}

export { PTP_HEADER_LENGTH };
