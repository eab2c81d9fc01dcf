/**
 * The NTS Authenticator and Encrypted Extension Fields field (0x0404, RFC 8915 §5.6):
 *
 * ```
 * |        Nonce Length           |      Ciphertext Length        |
 * |                 Nonce (padded to a multiple of 4)             |
 * |               Ciphertext (padded to a multiple of 4)          |
 * |                      Additional Padding                       |
 * ```
 * The ciphertext is AES-SIV over the packet up to the Authenticator (associated data)
 * and the nonce; its plaintext is zero or more extension fields (the encrypted ones).
 * The Authenticator must be the packet's last field.
 *
 * Pure functions of bytes.
 * @see https://www.rfc-editor.org/rfc/rfc8915#section-5.6
 */
import { NtsFieldDecodeError } from "../errors.js";
import { openSiv, sealSiv } from "./aead.js";
import { NTS_AEAD_TAG_LENGTH, NtsFieldType } from "./constants.js";
import { type NtsExtensionField, ntsFieldLength, readNtsFields, writeNtsField } from "./ntp-fields.js";

const pad4 = (n: number) => (n + 3) & ~3;
const u16 = (b: Uint8Array, i: number) => ((b[i] ?? 0) << 8) | (b[i + 1] ?? 0);

/** The decoded body of an NTS Authenticator and Encrypted Extension Fields field. */
export interface NtsAuthenticator {
  nonce: Uint8Array;
  /** SIV tag ‖ encrypted extension fields. */
  ciphertext: Uint8Array;
}

/**
 * Decodes an Authenticator body. Throws {@link NtsFieldDecodeError} when the nonce is
 * empty, the ciphertext shorter than the SIV tag, or either runs past the body.
 * @see https://www.rfc-editor.org/rfc/rfc8915#section-5.6
 */
export function decodeNtsAuthenticator(body: Uint8Array): NtsAuthenticator {
  if (body.length < 4) throw new NtsFieldDecodeError("Authenticator body under 4 bytes");
  const nonceLength = u16(body, 0);
  const ciphertextLength = u16(body, 2);
  if (nonceLength === 0 || ciphertextLength < NTS_AEAD_TAG_LENGTH) {
    throw new NtsFieldDecodeError(
      `Authenticator nonce ${nonceLength} / ciphertext ${ciphertextLength} bytes`,
    );
  }
  const ctStart = 4 + pad4(nonceLength);
  if (ctStart + pad4(ciphertextLength) > body.length) {
    throw new NtsFieldDecodeError("Authenticator nonce or ciphertext runs past the field");
  }
  return {
    nonce: body.subarray(4, 4 + nonceLength),
    ciphertext: body.subarray(ctStart, ctStart + ciphertextLength),
  };
}

/** Encodes an Authenticator body (nonce and ciphertext each zero-padded to 4). */
export function encodeNtsAuthenticator({ nonce, ciphertext }: NtsAuthenticator): Uint8Array {
  const body = new Uint8Array(4 + pad4(nonce.length) + pad4(ciphertext.length));
  body[0] = nonce.length >>> 8;
  body[1] = nonce.length & 0xff;
  body[2] = ciphertext.length >>> 8;
  body[3] = ciphertext.length & 0xff;
  body.set(nonce, 4);
  body.set(ciphertext, 4 + pad4(nonce.length));
  return body;
}

/**
 * Appends an Authenticator to `unsealed` (an NTP header and its plain fields): AES-SIV
 * under `key` over `unsealed` as associated data and `nonce`, encrypting `plaintext`
 * (encoded extension fields, may be empty). Returns the whole packet.
 * @see https://www.rfc-editor.org/rfc/rfc8915#section-5.6
 */
export function sealNtsPacket(
  unsealed: Uint8Array,
  key: Uint8Array,
  nonce: Uint8Array,
  plaintext: Uint8Array,
): Uint8Array {
  const ciphertext = sealSiv(key, [unsealed, nonce], plaintext);
  const body = encodeNtsAuthenticator({ nonce, ciphertext });
  const packet = new Uint8Array(unsealed.length + ntsFieldLength(body.length));
  packet.set(unsealed);
  writeNtsField(packet, unsealed.length, NtsFieldType.authenticator, body);
  return packet;
}

/**
 * Verifies a packet whose `fields` were read by {@link readNtsPacketFields}: the
 * Authenticator must be the last field; returns the fields before it and the decrypted
 * fields, or null when there is no Authenticator, it is not last, or it does not verify
 * under `key`. Throws {@link NtsFieldDecodeError} for a malformed Authenticator or
 * malformed encrypted fields.
 */
export function openNtsPacket(
  packet: Uint8Array,
  fields: readonly NtsExtensionField[],
  key: Uint8Array,
): { plain: NtsExtensionField[]; encrypted: NtsExtensionField[] } | null {
  const last = fields[fields.length - 1];
  if (last === undefined || last.fieldType !== NtsFieldType.authenticator) return null;
  if (fields.some((f, i) => i < fields.length - 1 && f.fieldType === NtsFieldType.authenticator)) return null;
  const { nonce, ciphertext } = decodeNtsAuthenticator(last.value);
  const plaintext = openSiv(key, [packet.subarray(0, last.offset), nonce], ciphertext);
  if (plaintext === null) return null;
  return { plain: fields.slice(0, -1), encrypted: readNtsFields(plaintext, 0, 4) };
}
