/**
 * What follows the 48-byte header: NTPv4 extension fields (RFC 7822) and a trailing
 * legacy MAC (RFC 5905 §7.3, §9.2).
 *
 * ```
 * |          Field Type           |            Length             |
 * |                    Value (padded to 4 bytes)                  |
 * ```
 * Length counts the whole field including its 4-byte header and padding; it is a
 * multiple of 4 and at least 16 (RFC 7822 §3). The MAC is a 4-byte key id plus a 16-byte
 * (MD5) or 20-byte (SHA-1) digest; NTPv4 also allows a bare 4-byte key id (the
 * crypto-NAK). Following RFC 7822 §7, whatever remains is a MAC when it is exactly 4, 20
 * or 24 bytes long, else an extension field. Versions before 4 carry no extension fields.
 *
 * Pure functions of bytes.
 * @see https://www.rfc-editor.org/rfc/rfc7822
 */
import { InvalidArgumentError } from "@chronosync/core";
import { NtpDecodeError } from "../errors.js";
import { NTP_HEADER_LENGTH } from "./header.js";

/** One extension field; `value` is everything after its 4-byte header, padding included. */
export interface NtpExtensionField {
  fieldType: number;
  value: Uint8Array;
}

/** Smallest extension field, header included (RFC 7822 §3). */
export const NTP_EXTENSION_MIN_LENGTH = 16;
/** Smallest last extension field of a packet without a MAC (RFC 7822 §7). */
export const NTP_LAST_EXTENSION_MIN_LENGTH = 28;

/** True when `length` bytes left after the header or an extension field are a MAC. */
export function isNtpMacLength(length: number): boolean {
  return length === 4 || length === 20 || length === 24;
}

/** {@link findNtpMacOffset} result: an extension field's length is out of range. */
export const TRAILER_BAD_EXTENSION = -1;
/** {@link findNtpMacOffset} result: trailing bytes are neither a field nor a MAC. */
export const TRAILER_BAD = -2;

/**
 * Walks the bytes after the header without allocating. Returns where the MAC starts
 * (`end` when there is none), or {@link TRAILER_BAD_EXTENSION} / {@link TRAILER_BAD}
 * when the packet is malformed. The packet is `bytes[start..end)`, at least 48 bytes.
 */
export function findNtpMacOffset(
  bytes: Uint8Array,
  version: number,
  start = 0,
  end: number = bytes.length,
): number {
  let pos = start + NTP_HEADER_LENGTH;
  while (pos < end) {
    const remaining = end - pos;
    if (isNtpMacLength(remaining)) return pos;
    if (version < 4 || remaining < NTP_EXTENSION_MIN_LENGTH) return TRAILER_BAD;
    const length = ((bytes[pos + 2] ?? 0) << 8) | (bytes[pos + 3] ?? 0);
    if (length < NTP_EXTENSION_MIN_LENGTH || length % 4 !== 0 || length > remaining) {
      return TRAILER_BAD_EXTENSION;
    }
    pos += length;
  }
  return end;
}

/** A plain copy (a Node Buffer's `slice` would share memory with the input). */
function copyBytes(bytes: Uint8Array, start: number, end: number): Uint8Array {
  return new Uint8Array(bytes.subarray(start, end));
}

/** Splits the trailer into extension fields and MAC; throws {@link NtpDecodeError}. */
export function readNtpTrailer(
  bytes: Uint8Array,
  version: number,
): { extensionFields: NtpExtensionField[]; mac: Uint8Array | null } {
  const macOffset = findNtpMacOffset(bytes, version);
  if (macOffset === TRAILER_BAD_EXTENSION) {
    throw new NtpDecodeError(
      "bad-extension-length",
      "extension field length under 16, unaligned or too long",
    );
  }
  if (macOffset === TRAILER_BAD) {
    throw new NtpDecodeError(
      "bad-trailer",
      `${bytes.length - NTP_HEADER_LENGTH} bytes after the header are neither extension fields nor a MAC`,
    );
  }
  const extensionFields: NtpExtensionField[] = [];
  let pos = NTP_HEADER_LENGTH;
  while (pos < macOffset) {
    const length = ((bytes[pos + 2] ?? 0) << 8) | (bytes[pos + 3] ?? 0);
    const fieldType = ((bytes[pos] ?? 0) << 8) | (bytes[pos + 1] ?? 0);
    extensionFields.push({ fieldType, value: copyBytes(bytes, pos + 4, pos + length) });
    pos += length;
  }
  return {
    extensionFields,
    mac: macOffset < bytes.length ? copyBytes(bytes, macOffset, bytes.length) : null,
  };
}

/**
 * Wire lengths of `fields` as {@link writeNtpTrailer} writes them: values padded with
 * zeros to 4 bytes and to the 16-byte minimum. When the last field plus the MAC would be
 * 20 or 24 bytes, which a reader takes for a MAC, the field grows to 28 bytes
 * (RFC 7822 §7). A decoded packet never needs this, so decode→encode is exact.
 * Throws InvalidArgumentError for what the format cannot carry.
 */
export function ntpExtensionLengths(
  fields: readonly NtpExtensionField[],
  version: number,
  mac: Uint8Array | null,
): number[] {
  if (fields.length > 0 && version < 4) {
    throw new InvalidArgumentError(`NTP version ${version} packets cannot carry extension fields`);
  }
  if (mac !== null && !isNtpMacLength(mac.length)) {
    throw new InvalidArgumentError(`NTP MAC must be 4, 20 or 24 bytes, got ${mac.length}`);
  }
  const lengths = fields.map(({ fieldType, value }) => {
    if (!Number.isInteger(fieldType) || fieldType < 0 || fieldType > 0xffff) {
      throw new InvalidArgumentError(`NTP extension field type must be a u16, got ${fieldType}`);
    }
    const length = Math.max(NTP_EXTENSION_MIN_LENGTH, 4 + Math.ceil(value.length / 4) * 4);
    if (length > 0xfffc) throw new InvalidArgumentError(`NTP extension field too long: ${length} bytes`);
    return length;
  });
  const last = lengths.length - 1;
  const macLength = mac?.length ?? 0;
  if (last >= 0 && isNtpMacLength((lengths[last] ?? 0) + macLength)) {
    lengths[last] = NTP_LAST_EXTENSION_MIN_LENGTH;
  }
  return lengths;
}

/** Writes fields (with their `lengths`) and the MAC into `target` from byte 48 on. */
export function writeNtpTrailer(
  target: Uint8Array,
  fields: readonly NtpExtensionField[],
  lengths: readonly number[],
  mac: Uint8Array | null,
): void {
  let pos = NTP_HEADER_LENGTH;
  fields.forEach(({ fieldType, value }, i) => {
    const length = lengths[i] ?? 0;
    target[pos] = fieldType >>> 8;
    target[pos + 1] = fieldType & 0xff;
    target[pos + 2] = length >>> 8;
    target[pos + 3] = length & 0xff;
    target.set(value, pos + 4);
    pos += length;
  });
  if (mac !== null) target.set(mac, pos);
}
