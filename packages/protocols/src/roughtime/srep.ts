/**
 * SREP, the signed part of a response: VER (the version answered), RADI (radius, whole
 * seconds, never 0), MIDP (the midpoint, seconds since the Unix epoch), VERS (versions
 * the server supports) and ROOT (the Merkle tree root). Pure.
 * @see https://datatracker.ietf.org/doc/html/draft-ietf-ntp-roughtime-19#section-5.2.5
 */
import { fixedValue, u32Bytes, u32Value, u64Bytes, u64Value, versionList } from "./bytes.js";
import { ROUGHTIME_HASH_LENGTH } from "./crypto.js";
import { decodeRoughtimeMessage, encodeRoughtimeMessage } from "./message.js";
import { RoughtimeTag } from "./tag.js";

/** A decoded SREP. */
export interface RoughtimeSignedResponse {
  /** VER: the one version of this response. */
  version: number;
  /** RADI: the server's accuracy estimate, seconds. */
  radius: number;
  /** MIDP: seconds since 1970-01-01T00:00:00Z (86 400-second days). */
  midpoint: bigint;
  /** VERS: the versions the server supports, ascending. */
  versions: number[];
  /** ROOT: 32 bytes. */
  root: Uint8Array;
}

/** Encodes an SREP value (a message). */
export function encodeRoughtimeSrep(srep: RoughtimeSignedResponse): Uint8Array {
  const vers = new Uint8Array(4 * srep.versions.length);
  srep.versions.forEach((v, i) => {
    vers.set(u32Bytes(v), 4 * i);
  });
  return encodeRoughtimeMessage([
    [RoughtimeTag.VER, u32Bytes(srep.version)],
    [RoughtimeTag.RADI, u32Bytes(srep.radius)],
    [RoughtimeTag.MIDP, u64Bytes(srep.midpoint)],
    [RoughtimeTag.VERS, vers],
    [RoughtimeTag.ROOT, srep.root],
  ]);
}

/** Decodes an SREP value. Throws RoughtimeDecodeError. */
export function decodeRoughtimeSrep(bytes: Uint8Array): RoughtimeSignedResponse {
  const message = decodeRoughtimeMessage(bytes);
  const where = "SREP";
  return {
    version: u32Value(message, RoughtimeTag.VER, where),
    radius: u32Value(message, RoughtimeTag.RADI, where),
    midpoint: u64Value(message, RoughtimeTag.MIDP, where),
    versions: versionList(message, RoughtimeTag.VERS, where),
    root: fixedValue(message, RoughtimeTag.ROOT, ROUGHTIME_HASH_LENGTH, where),
  };
}
