/**
 * The Roughtime request: VER (versions offered), NONC (32 bytes), TYPE (0), SRV (which
 * long-term key, optional) and ZZZZ (zeros) padding the message to 1024 bytes. Pure.
 * @see https://datatracker.ietf.org/doc/html/draft-ietf-ntp-roughtime-19#section-5.1
 */
import { InvalidArgumentError } from "@chronosync/core";
import { RoughtimeDecodeError } from "../errors.js";
import { fixedValue, u32Bytes, u32Value, versionList } from "./bytes.js";
import { ROUGHTIME_HASH_LENGTH } from "./crypto.js";
import { decodeRoughtimeMessage, encodeRoughtimeMessage } from "./message.js";
import { decodeRoughtimePacket, encodeRoughtimePacket } from "./packet.js";
import { RoughtimeTag } from "./tag.js";
import { ROUGHTIME_VERSIONS } from "./version.js";

/** The least message size (bytes, framing excluded) a request SHOULD have over UDP. */
export const ROUGHTIME_MIN_REQUEST_LENGTH = 1024;

/** TYPE of a request (§5.1.3). */
export const ROUGHTIME_TYPE_REQUEST = 0;

/** A decoded request. Tags this version does not define are ignored. */
export interface RoughtimeRequest {
  /** VER: the versions offered, ascending. */
  versions: number[];
  /** NONC: 32 bytes. */
  nonce: Uint8Array;
  /** SRV: H(0xff || long-term public key), or null when absent. */
  srv: Uint8Array | null;
}

/** Options of {@link encodeRoughtimeRequest}. */
export interface RoughtimeRequestFields {
  nonce: Uint8Array;
  /** Default {@link ROUGHTIME_VERSIONS}. */
  versions?: readonly number[];
  /** SRV value (see `roughtimeSrv`); omitted when null or absent. */
  srv?: Uint8Array | null;
  /** Message size to pad to with ZZZZ; default 1024. */
  minLength?: number;
}

/** Encodes a request packet (framing included), padded with ZZZZ to `minLength`. */
export function encodeRoughtimeRequest(fields: RoughtimeRequestFields): Uint8Array {
  const {
    nonce,
    versions = ROUGHTIME_VERSIONS,
    srv = null,
    minLength = ROUGHTIME_MIN_REQUEST_LENGTH,
  } = fields;
  if (nonce.length !== ROUGHTIME_HASH_LENGTH) throw new InvalidArgumentError("NONC must be 32 bytes");
  if (srv !== null && srv.length !== ROUGHTIME_HASH_LENGTH)
    throw new InvalidArgumentError("SRV must be 32 bytes");
  if (versions.length < 1 || versions.length > 32 || versions.some((v, i) => i > 0 && v <= versions[i - 1]!))
    throw new InvalidArgumentError("VER needs 1 to 32 versions, strictly ascending");
  const ver = new Uint8Array(4 * versions.length);
  versions.forEach((v, i) => {
    ver.set(u32Bytes(v), 4 * i);
  });
  const entries: [number, Uint8Array][] = [
    [RoughtimeTag.VER, ver],
    [RoughtimeTag.NONC, nonce],
    [RoughtimeTag.TYPE, u32Bytes(ROUGHTIME_TYPE_REQUEST)],
  ];
  if (srv !== null) entries.push([RoughtimeTag.SRV, srv]);
  // Header 8 bytes per tag; ZZZZ is the last tag, so its length need not be a multiple of 4,
  // but keep it one so every offset and the total stay aligned.
  const used = 8 * (entries.length + 1) + ver.length + nonce.length + 4 + (srv === null ? 0 : srv.length);
  const padding = Math.max(0, minLength - used);
  entries.push([RoughtimeTag.ZZZZ, new Uint8Array(padding + ((4 - (padding % 4)) % 4))]);
  return encodeRoughtimePacket(encodeRoughtimeMessage(entries));
}

/**
 * Decodes a request packet. Throws RoughtimeDecodeError when it is malformed, lacks VER,
 * NONC or TYPE (`missing-tag`), or TYPE is not 0 (`bad-value`): all of which a server
 * ignores (§5.1).
 */
export function decodeRoughtimeRequest(packet: Uint8Array): RoughtimeRequest {
  const message = decodeRoughtimeMessage(decodeRoughtimePacket(packet));
  const where = "request";
  const versions = versionList(message, RoughtimeTag.VER, where);
  const nonce = fixedValue(message, RoughtimeTag.NONC, ROUGHTIME_HASH_LENGTH, where);
  const type = u32Value(message, RoughtimeTag.TYPE, where);
  if (type !== ROUGHTIME_TYPE_REQUEST)
    throw new RoughtimeDecodeError("bad-value", `request TYPE is ${type}, not 0`);
  const srv = message.has(RoughtimeTag.SRV)
    ? fixedValue(message, RoughtimeTag.SRV, ROUGHTIME_HASH_LENGTH, where)
    : null;
  return { versions, nonce, srv };
}
