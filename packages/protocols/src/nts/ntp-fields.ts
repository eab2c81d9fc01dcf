/**
 * NTS extension fields in NTPv4 packets (RFC 8915 §5.3–§5.6), RFC 7822 layout: Unique
 * Identifier (0x0104, ≥ 32 random bytes), NTS Cookie (0x0204, opaque), NTS Cookie
 * Placeholder (0x0304, as long as a cookie, ignored content) and the Authenticator
 * (0x0404, its body in authenticator.ts). Reading splits a packet's trailer into fields
 * with their offsets (the Authenticator's associated data ends where it starts);
 * writing pads values to 4 bytes and 16 in all.
 *
 * Pure functions of bytes.
 * @see https://www.rfc-editor.org/rfc/rfc8915#section-5
 */
import { NtsFieldDecodeError } from "../errors.js";
import { NTP_HEADER_LENGTH } from "../ntp/header.js";

/** An extension field and where it starts in its packet (0 for fields not in one). */
export interface NtsExtensionField {
  fieldType: number;
  /** The body, padding included. */
  value: Uint8Array;
  offset: number;
}

const pad4 = (n: number) => (n + 3) & ~3;
const u16 = (b: Uint8Array, i: number) => ((b[i] ?? 0) << 8) | (b[i + 1] ?? 0);

/**
 * Splits `bytes[start..)` into extension fields (RFC 7822 §3 layout: length ≥ 16 for a
 * field in a packet, ≥ 4 inside a ciphertext, a multiple of 4, within bounds) that must
 * cover it exactly. Throws {@link NtsFieldDecodeError}.
 */
export function readNtsFields(bytes: Uint8Array, start: number, minLength = 16): NtsExtensionField[] {
  const fields: NtsExtensionField[] = [];
  let pos = start;
  while (pos < bytes.length) {
    if (pos + 4 > bytes.length) throw new NtsFieldDecodeError(`${bytes.length - pos} stray bytes at ${pos}`);
    const length = u16(bytes, pos + 2);
    if (length < minLength || length % 4 !== 0 || pos + length > bytes.length) {
      throw new NtsFieldDecodeError(`extension field at ${pos} has bad length ${length}`);
    }
    fields.push({ fieldType: u16(bytes, pos), value: bytes.subarray(pos + 4, pos + length), offset: pos });
    pos += length;
  }
  return fields;
}

/** The fields after an NTP header; throws {@link NtsFieldDecodeError}. */
export function readNtsPacketFields(packet: Uint8Array): NtsExtensionField[] {
  if (packet.length < NTP_HEADER_LENGTH) throw new NtsFieldDecodeError("shorter than an NTP header");
  return readNtsFields(packet, NTP_HEADER_LENGTH);
}

/** Wire length of a field carrying `valueLength` bytes: padded to 4, at least `min`. */
export const ntsFieldLength = (valueLength: number, min = 16) => Math.max(min, 4 + pad4(valueLength));

/** Writes one field at `target[pos..)`; returns the position after it. */
export function writeNtsField(
  target: Uint8Array,
  pos: number,
  fieldType: number,
  value: Uint8Array,
  min = 16,
) {
  const length = ntsFieldLength(value.length, min);
  target[pos] = fieldType >>> 8;
  target[pos + 1] = fieldType & 0xff;
  target[pos + 2] = length >>> 8;
  target[pos + 3] = length & 0xff;
  target.set(value, pos + 4);
  return pos + length;
}

/** Concatenated fields, e.g. the plaintext of an Authenticator. */
export function encodeNtsFields(
  fields: readonly { fieldType: number; value: Uint8Array }[],
  min = 16,
): Uint8Array {
  const out = new Uint8Array(fields.reduce((n, f) => n + ntsFieldLength(f.value.length, min), 0));
  let pos = 0;
  for (const f of fields) pos = writeNtsField(out, pos, f.fieldType, f.value, min);
  return out;
}
