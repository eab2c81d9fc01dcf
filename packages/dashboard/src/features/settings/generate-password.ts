/** Temporary passwords an admin hands over (the user must change them at next sign-in). */

const ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";

/**
 * A random password of `length` characters from an alphabet without look-alikes
 * (no 0/O, 1/l/I), drawn by rejection sampling so every character is equally likely:
 * 20 characters carry ≈ 114 bits.
 */
export function generatePassword(
  length = 20,
  random: (bytes: Uint8Array) => Uint8Array = (b) => crypto.getRandomValues(b),
): string {
  const limit = 256 - (256 % ALPHABET.length);
  let out = "";
  while (out.length < length) {
    for (const byte of random(new Uint8Array(length * 2))) {
      if (byte < limit && out.length < length) out += ALPHABET[byte % ALPHABET.length];
    }
  }
  return out;
}
