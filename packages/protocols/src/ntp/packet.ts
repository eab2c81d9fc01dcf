/**
 * A whole NTP packet: the RFC 5905 header, then NTPv4 extension fields (RFC 7822), then
 * an optional legacy MAC. Any byte string decodes to an {@link NtpPacket} or throws an
 * {@link NtpDecodeError}; decode→encode gives back the same bytes.
 *
 * Decoding checks structure only. Whether a packet is for us (its mode, version,
 * stratum, timestamps) is the caller's business: see `client-exchange.ts` and
 * `responder.ts`.
 *
 * Pure functions of bytes.
 * @see https://www.rfc-editor.org/rfc/rfc5905#section-7.3
 * @see https://www.rfc-editor.org/rfc/rfc7822
 */
import { NtpDecodeError } from "../errors.js";
import {
  type NtpExtensionField,
  ntpExtensionLengths,
  readNtpTrailer,
  writeNtpTrailer,
} from "./extension-field.js";
import {
  checkNtpHeader,
  NTP_HEADER_LENGTH,
  type NtpHeader,
  readNtpHeader,
  writeNtpHeader,
} from "./header.js";

/**
 * A decoded NTP packet. Field names are those of RFC 5905 §7.3; timestamps are raw NTP
 * 64-bit values (convert with core's `ntp64ToInstant`), root delay and dispersion raw
 * NTP short format (core's `ntpShortToNs`).
 */
export interface NtpPacket extends NtpHeader {
  /** RFC 7822 extension fields in wire order (NTPv4 only). */
  extensionFields: NtpExtensionField[];
  /** The trailing key id + digest (20 or 24 bytes) or 4-byte crypto-NAK, if any. */
  mac: Uint8Array | null;
}

/**
 * Decodes an NTP packet. Throws {@link NtpDecodeError} (code `NTP_DECODE_ERROR`, with a
 * `reason`) when the bytes are shorter than the header or what follows the header is
 * neither well-formed extension fields nor a MAC.
 * @see https://www.rfc-editor.org/rfc/rfc5905#section-7.3
 */
export function decodeNtpPacket(bytes: Uint8Array): NtpPacket {
  if (bytes.length < NTP_HEADER_LENGTH) {
    throw new NtpDecodeError("too-short", `${bytes.length} bytes, the header alone is ${NTP_HEADER_LENGTH}`);
  }
  const header = readNtpHeader(bytes);
  const { extensionFields, mac } = readNtpTrailer(bytes, header.version);
  return { ...header, extensionFields, mac };
}

/**
 * Encodes an NTP packet. Extension field values are zero-padded to a multiple of 4 bytes
 * and at least 12 (RFC 7822 §3). Throws core's InvalidArgumentError when a field does
 * not fit its wire width, a MAC is not 4, 20 or 24 bytes long, or a packet before
 * version 4 has extension fields.
 * @see https://www.rfc-editor.org/rfc/rfc5905#section-7.3
 */
export function encodeNtpPacket(packet: NtpPacket): Uint8Array {
  checkNtpHeader(packet);
  const lengths = ntpExtensionLengths(packet.extensionFields, packet.version, packet.mac);
  const length = NTP_HEADER_LENGTH + lengths.reduce((a, b) => a + b, 0) + (packet.mac?.length ?? 0);
  const bytes = new Uint8Array(length);
  writeNtpHeader(packet, bytes);
  writeNtpTrailer(bytes, packet.extensionFields, lengths, packet.mac);
  return bytes;
}
