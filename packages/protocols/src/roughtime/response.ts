/**
 * The Roughtime response: SIG (the online key's signature of SREP), NONC (the request's
 * nonce), TYPE (1), PATH (sibling hashes, 32 bytes each, at most 32), SREP, CERT and
 * INDX (the request's leaf index). SREP and CERT keep their bytes for verification
 * (verify.ts). Tags this version does not define are ignored. Pure.
 * @see https://datatracker.ietf.org/doc/html/draft-ietf-ntp-roughtime-19#section-5.2
 */
import { RoughtimeDecodeError } from "../errors.js";
import { fixedValue, requireTag, u32Bytes, u32Value } from "./bytes.js";
import { decodeRoughtimeCert, ED25519_SIGNATURE_LENGTH, type RoughtimeCertificate } from "./cert.js";
import { ROUGHTIME_HASH_LENGTH } from "./crypto.js";
import { ROUGHTIME_MAX_PATH_LENGTH } from "./merkle.js";
import { decodeRoughtimeMessage, encodeRoughtimeMessage } from "./message.js";
import { decodeRoughtimePacket, encodeRoughtimePacket } from "./packet.js";
import { decodeRoughtimeSrep, type RoughtimeSignedResponse } from "./srep.js";
import { RoughtimeTag } from "./tag.js";

/** TYPE of a response (§5.2.3). */
export const ROUGHTIME_TYPE_RESPONSE = 1;

/** A decoded response. */
export interface RoughtimeResponse {
  signature: Uint8Array;
  nonce: Uint8Array;
  path: Uint8Array[];
  /** SREP's bytes, which SIG covers. */
  srepBytes: Uint8Array;
  srep: RoughtimeSignedResponse;
  cert: RoughtimeCertificate;
  index: number;
}

/** The parts of a response to encode; SREP and CERT as bytes (already encoded). */
export interface RoughtimeResponseParts {
  signature: Uint8Array;
  nonce: Uint8Array;
  path: readonly Uint8Array[];
  srep: Uint8Array;
  cert: Uint8Array;
  index: number;
}

/** Encodes a response packet (framing included). */
export function encodeRoughtimeResponse(parts: RoughtimeResponseParts): Uint8Array {
  const path = new Uint8Array(ROUGHTIME_HASH_LENGTH * parts.path.length);
  parts.path.forEach((node, i) => {
    path.set(node, ROUGHTIME_HASH_LENGTH * i);
  });
  return encodeRoughtimePacket(
    encodeRoughtimeMessage([
      [RoughtimeTag.SIG, parts.signature],
      [RoughtimeTag.NONC, parts.nonce],
      [RoughtimeTag.TYPE, u32Bytes(ROUGHTIME_TYPE_RESPONSE)],
      [RoughtimeTag.PATH, path],
      [RoughtimeTag.SREP, parts.srep],
      [RoughtimeTag.CERT, parts.cert],
      [RoughtimeTag.INDX, u32Bytes(parts.index)],
    ]),
  );
}

/** Decodes a response packet. Throws RoughtimeDecodeError (TYPE ≠ 1 is `bad-value`). */
export function decodeRoughtimeResponse(packet: Uint8Array): RoughtimeResponse {
  const message = decodeRoughtimeMessage(decodeRoughtimePacket(packet));
  const where = "response";
  const type = u32Value(message, RoughtimeTag.TYPE, where);
  if (type !== ROUGHTIME_TYPE_RESPONSE)
    throw new RoughtimeDecodeError("bad-value", `response TYPE is ${type}, not 1`);
  const pathBytes = requireTag(message, RoughtimeTag.PATH, where);
  if (
    pathBytes.length % ROUGHTIME_HASH_LENGTH !== 0 ||
    pathBytes.length > ROUGHTIME_HASH_LENGTH * ROUGHTIME_MAX_PATH_LENGTH
  )
    throw new RoughtimeDecodeError("bad-value", `PATH of ${pathBytes.length} bytes`);
  const path: Uint8Array[] = [];
  for (let i = 0; i < pathBytes.length; i += ROUGHTIME_HASH_LENGTH)
    path.push(pathBytes.subarray(i, i + ROUGHTIME_HASH_LENGTH));
  const srepBytes = requireTag(message, RoughtimeTag.SREP, where);
  return {
    signature: fixedValue(message, RoughtimeTag.SIG, ED25519_SIGNATURE_LENGTH, where),
    nonce: fixedValue(message, RoughtimeTag.NONC, ROUGHTIME_HASH_LENGTH, where),
    path,
    srepBytes,
    srep: decodeRoughtimeSrep(srepBytes),
    cert: decodeRoughtimeCert(requireTag(message, RoughtimeTag.CERT, where)),
    index: u32Value(message, RoughtimeTag.INDX, where),
  };
}
