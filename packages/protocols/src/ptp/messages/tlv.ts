/**
 * TLV entities, IEEE 1588-2019 §14.1: `tlvType` (UInteger16), `lengthField` (UInteger16,
 * bytes of `valueField`), `valueField`. A message's TLVs fill the bytes from the end of
 * its fixed part to `messageLength`. Pure: no `node:` imports.
 */
import { PtpDecodeError } from "../../errors.js";

/** Some `tlvType` values, §14.1.1 Table 52. */
export const PtpTlvType = {
  MANAGEMENT: 0x0001,
  MANAGEMENT_ERROR_STATUS: 0x0002,
  ORGANIZATION_EXTENSION: 0x0003,
  REQUEST_UNICAST_TRANSMISSION: 0x0004,
  GRANT_UNICAST_TRANSMISSION: 0x0005,
  CANCEL_UNICAST_TRANSMISSION: 0x0006,
  ACKNOWLEDGE_CANCEL_UNICAST_TRANSMISSION: 0x0007,
  PATH_TRACE: 0x0008,
  ALTERNATE_TIME_OFFSET_INDICATOR: 0x0009,
} as const;

/** One TLV; `valueField` is a copy, safe to keep. */
export interface PtpTlv {
  readonly tlvType: number;
  readonly valueField: Uint8Array;
}

/** Bytes of a TLV's type and length fields. */
export const PTP_TLV_HEADER_LENGTH = 4;

/**
 * Decodes the TLVs in `bytes[start, end)`.
 * @throws {PtpDecodeError} `bad-tlv` for a partial TLV header or a value past `end`.
 */
export function decodePtpTlvs(bytes: Uint8Array, start: number, end: number): PtpTlv[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tlvs: PtpTlv[] = [];
  let at = start;
  while (at < end) {
    if (end - at < PTP_TLV_HEADER_LENGTH) {
      throw new PtpDecodeError("bad-tlv", `${end - at} trailing bytes cannot hold a TLV header`);
    }
    const tlvType = view.getUint16(at);
    const lengthField = view.getUint16(at + 2);
    const valueStart = at + PTP_TLV_HEADER_LENGTH;
    if (valueStart + lengthField > end) {
      throw new PtpDecodeError(
        "bad-tlv",
        `TLV 0x${tlvType.toString(16)} of ${lengthField} bytes runs past the end`,
      );
    }
    tlvs.push({ tlvType, valueField: bytes.slice(valueStart, valueStart + lengthField) });
    at = valueStart + lengthField;
  }
  return tlvs;
}

/** Total encoded bytes of `tlvs`. */
export function ptpTlvsLength(tlvs: readonly PtpTlv[]): number {
  return tlvs.reduce((sum, tlv) => sum + PTP_TLV_HEADER_LENGTH + tlv.valueField.length, 0);
}

/** Writes `tlvs` into `target` from `offset`; returns the offset after them. */
export function encodePtpTlvs(tlvs: readonly PtpTlv[], target: Uint8Array, offset: number): number {
  const view = new DataView(target.buffer, target.byteOffset, target.byteLength);
  let at = offset;
  for (const tlv of tlvs) {
    if (tlv.valueField.length > 0xffff) throw new RangeError("TLV valueField longer than 65535 bytes");
    view.setUint16(at, tlv.tlvType);
    view.setUint16(at + 2, tlv.valueField.length);
    target.set(tlv.valueField, at + PTP_TLV_HEADER_LENGTH);
    at += PTP_TLV_HEADER_LENGTH + tlv.valueField.length;
  }
  return at;
}
