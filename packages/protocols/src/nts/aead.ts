/**
 * AEAD_AES_SIV_CMAC_256 (RFC 5297), NTS's mandatory algorithm, over `@noble/ciphers`'
 * `aessiv`. Output is the 16-byte synthetic IV followed by the ciphertext. NTS passes the
 * associated data and then the nonce as the vector of S2V inputs (RFC 5297 §3, RFC 8915
 * §5.6: "associated data ... and nonce"); the RFC 5297 test vectors in the tests go
 * through these same functions.
 *
 * Pure: no I/O, no clock.
 * @see https://www.rfc-editor.org/rfc/rfc5297
 * @see https://www.rfc-editor.org/rfc/rfc8915#section-5.6
 */
import { InvalidArgumentError } from "@chronosync/core";
import { aessiv } from "@noble/ciphers/aes.js";
import { NTS_AEAD_KEY_LENGTH, NTS_AEAD_TAG_LENGTH } from "./constants.js";

function checkKey(key: Uint8Array): void {
  if (key.length !== NTS_AEAD_KEY_LENGTH) {
    throw new InvalidArgumentError(
      `AES-SIV-CMAC-256 key must be ${NTS_AEAD_KEY_LENGTH} bytes, got ${key.length}`,
    );
  }
}

/**
 * Encrypts `plaintext` under `key` (32 bytes) with the S2V inputs `headers` (associated
 * data, then the nonce, if any). Returns SIV ‖ ciphertext.
 * @see https://www.rfc-editor.org/rfc/rfc5297#section-2.6
 */
export function sealSiv(key: Uint8Array, headers: readonly Uint8Array[], plaintext: Uint8Array): Uint8Array {
  checkKey(key);
  return aessiv(key, ...headers).encrypt(plaintext);
}

/**
 * Decrypts and verifies SIV ‖ ciphertext; returns the plaintext, or null when it is too
 * short or does not authenticate.
 * @see https://www.rfc-editor.org/rfc/rfc5297#section-2.7
 */
export function openSiv(
  key: Uint8Array,
  headers: readonly Uint8Array[],
  sealed: Uint8Array,
): Uint8Array | null {
  checkKey(key);
  if (sealed.length < NTS_AEAD_TAG_LENGTH) return null;
  try {
    return aessiv(key, ...headers).decrypt(sealed);
  } catch {
    return null;
  }
}
