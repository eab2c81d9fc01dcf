/**
 * Roughtime tags: four octets, one to four capital ASCII letters then zero padding,
 * compared and sorted as the little-endian uint32 of those octets.
 * @see https://datatracker.ietf.org/doc/html/draft-ietf-ntp-roughtime-19#section-4.1.3
 * @see https://datatracker.ietf.org/doc/html/draft-ietf-ntp-roughtime-19#section-12.3
 */

/** The uint32 of a tag's ASCII name ("NONC" → 0x434e4f4e, "VER" → 0x00524556). */
export function roughtimeTag(name: string): number {
  if (name.length < 1 || name.length > 4) throw new RangeError(`a Roughtime tag has 1 to 4 letters: ${name}`);
  let value = 0;
  for (let i = 0; i < 4; i++) value += (i < name.length ? name.charCodeAt(i) & 0xff : 0) * 2 ** (8 * i);
  return value;
}

/** The printable name of a tag ("SIG" for 0x00474953); other octets as `\xNN`. */
export function roughtimeTagName(tag: number): string {
  let out = "";
  for (let i = 0; i < 4; i++) {
    const byte = Math.floor(tag / 2 ** (8 * i)) & 0xff;
    if (byte === 0 && i > 0) break;
    out +=
      byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : `\\x${byte.toString(16).padStart(2, "0")}`;
  }
  return out;
}

/** The tags of draft-ietf-ntp-roughtime-19 (Table 2), by name. */
export const RoughtimeTag = {
  SIG: roughtimeTag("SIG"),
  VER: roughtimeTag("VER"),
  SRV: roughtimeTag("SRV"),
  NONC: roughtimeTag("NONC"),
  DELE: roughtimeTag("DELE"),
  TYPE: roughtimeTag("TYPE"),
  PATH: roughtimeTag("PATH"),
  RADI: roughtimeTag("RADI"),
  PUBK: roughtimeTag("PUBK"),
  MIDP: roughtimeTag("MIDP"),
  SREP: roughtimeTag("SREP"),
  VERS: roughtimeTag("VERS"),
  MINT: roughtimeTag("MINT"),
  ROOT: roughtimeTag("ROOT"),
  CERT: roughtimeTag("CERT"),
  MAXT: roughtimeTag("MAXT"),
  INDX: roughtimeTag("INDX"),
  ZZZZ: roughtimeTag("ZZZZ"),
} as const;
