/**
 * The Roughtime packet: the uint64 0x4d49544847554f52 ("ROUGHTIM"), the uint32 length of
 * the message, then the message. Pure.
 * @see https://datatracker.ietf.org/doc/html/draft-ietf-ntp-roughtime-19#section-5
 */
import { RoughtimeDecodeError } from "../errors.js";
import { readU32 } from "./bytes.js";

/** "ROUGHTIM" in ASCII: the first 8 bytes of every packet. */
export const ROUGHTIME_MAGIC: Uint8Array = new TextEncoder().encode("ROUGHTIM");

/** Bytes of framing before the message: magic and length. */
export const ROUGHTIME_FRAMING_LENGTH = 12;

/** Frames a message as a packet. */
export function encodeRoughtimePacket(message: Uint8Array): Uint8Array {
  const out = new Uint8Array(ROUGHTIME_FRAMING_LENGTH + message.length);
  out.set(ROUGHTIME_MAGIC, 0);
  new DataView(out.buffer).setUint32(8, message.length, true);
  out.set(message, ROUGHTIME_FRAMING_LENGTH);
  return out;
}

/**
 * The message bytes of a packet (a view). The length field must match the bytes that
 * follow exactly (one packet per datagram). Throws RoughtimeDecodeError.
 */
export function decodeRoughtimePacket(packet: Uint8Array): Uint8Array {
  if (packet.length < ROUGHTIME_FRAMING_LENGTH)
    throw new RoughtimeDecodeError("too-short", `${packet.length} bytes, shorter than the 12-byte framing`);
  for (let i = 0; i < 8; i++)
    if (packet[i] !== ROUGHTIME_MAGIC[i]) throw new RoughtimeDecodeError("bad-magic", "no ROUGHTIM magic");
  const length = readU32(packet, 8);
  if (length !== packet.length - ROUGHTIME_FRAMING_LENGTH)
    throw new RoughtimeDecodeError(
      "bad-length",
      `length field ${length}, but ${packet.length - ROUGHTIME_FRAMING_LENGTH} bytes follow`,
    );
  return packet.subarray(ROUGHTIME_FRAMING_LENGTH);
}
