/**
 * The 32-bit reference identifier of RFC 5905 §7.3: at stratum 0 a kiss code, at
 * stratum 1 a reference clock name such as `GPS` or `LOCL` (four ASCII characters,
 * NUL-padded on the right), at stratum 2 and above the IPv4 address of the upstream
 * server (or the first four bytes of the MD5 hash of its IPv6 address).
 *
 * Pure functions of numbers.
 * @see https://www.rfc-editor.org/rfc/rfc5905#section-7.3
 */
import { InvalidArgumentError } from "@chronosync/core";

/**
 * The reference id as ASCII (trailing NULs dropped), or null when it is not printable
 * ASCII: a NUL before a character, a control or a non-ASCII byte, or all NULs.
 */
export function referenceIdAscii(referenceId: number): string | null {
  let text = "";
  let ended = false;
  for (let shift = 24; shift >= 0; shift -= 8) {
    const byte = (referenceId >>> shift) & 0xff;
    if (byte === 0) {
      ended = true;
    } else if (ended || byte < 0x20 || byte > 0x7e) {
      return null;
    } else {
      text += String.fromCharCode(byte);
    }
  }
  return text === "" ? null : text;
}

/** The reference id as a dotted quad, e.g. `127.0.0.1`. */
export function referenceIdDottedQuad(referenceId: number): string {
  return [24, 16, 8, 0].map((shift) => (referenceId >>> shift) & 0xff).join(".");
}

/**
 * Formats a reference id for people: ASCII at stratum 0 and 1 (`RATE`, `GPS`, `LOCL`),
 * a dotted quad above, and a dotted quad too when a stratum 0/1 id is not printable.
 * @see https://www.rfc-editor.org/rfc/rfc5905#section-7.3
 */
export function formatReferenceId(stratum: number, referenceId: number): string {
  const id = referenceId >>> 0;
  if (stratum <= 1) {
    const ascii = referenceIdAscii(id);
    if (ascii !== null) return ascii;
  }
  return referenceIdDottedQuad(id);
}

/**
 * Encodes up to four printable ASCII characters as a reference id, NUL-padded on the
 * right: `asciiReferenceId("GPS")` is 0x47505300. Throws InvalidArgumentError otherwise.
 */
export function asciiReferenceId(text: string): number {
  if (text.length < 1 || text.length > 4 || !/^[\x20-\x7e]+$/.test(text)) {
    throw new InvalidArgumentError(`a reference id is 1 to 4 printable ASCII characters, got ${text}`);
  }
  let id = 0;
  for (let i = 0; i < 4; i++) id = (id << 8) | (i < text.length ? text.charCodeAt(i) : 0);
  return id >>> 0;
}

/** Encodes a dotted-quad IPv4 address as a reference id (stratum ≥ 2). */
export function ipv4ReferenceId(address: string): number {
  const parts = address.split(".");
  const bytes = parts.map((p) => (/^\d{1,3}$/.test(p) ? Number(p) : Number.NaN));
  if (bytes.length !== 4 || bytes.some((b) => !(b >= 0 && b <= 255))) {
    throw new InvalidArgumentError(`not an IPv4 address: ${address}`);
  }
  return bytes.reduce((id, b) => id * 256 + b, 0);
}
