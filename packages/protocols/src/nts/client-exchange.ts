/**
 * One authenticated NTP exchange (RFC 8915 §5.7), as pure functions: build a request
 * that spends a cookie, then judge each reply. No I/O, no clock; randomness injected.
 *
 * Request: an NTP client header (client-exchange.ts of ntp: random transmit timestamp),
 * Unique Identifier, NTS Cookie, Cookie Placeholders, and an Authenticator sealed with
 * C2S over all of it. A reply counts only when it echoes our Unique Identifier and its
 * Authenticator (the last field) verifies under S2C; then the usual RFC 5905 tests run
 * and the encrypted NTS Cookie fields are the new cookies. An NTS NAK (kiss NTSN with our
 * Unique Identifier) is the one unauthenticated reply that counts.
 * @see https://www.rfc-editor.org/rfc/rfc8915#section-5.7
 */
import type { Instant } from "@chronosync/core";
import { NtsFieldDecodeError } from "../errors.js";
import { createNtpRequest, handleNtpReply, type NtpRequest, type NtpSample } from "../ntp/client-exchange.js";
import { NTP_HEADER_LENGTH, NtpMode } from "../ntp/header.js";
import type { NtpKissAction } from "../ntp/kiss-code.js";
import { asciiReferenceId } from "../ntp/reference-id.js";
import { openNtsPacket, sealNtsPacket } from "./authenticator.js";
import { NTS_NAK_KISS_CODE, NTS_NONCE_LENGTH, NTS_UNIQUE_ID_LENGTH, NtsFieldType } from "./constants.js";
import { encodeNtsFields, readNtsPacketFields } from "./ntp-fields.js";

/** A request ready to send. */
export interface NtsRequest {
  /** The whole packet, Authenticator included. */
  bytes: Uint8Array;
  /** The random transmit timestamp the reply must echo. */
  nonce: bigint;
  uniqueId: Uint8Array;
}

/** Why a reply is dropped: the NTP reasons plus NTS's own. */
export type NtsBogusReason =
  | "malformed"
  | "unique-id-mismatch"
  | "unauthenticated"
  | "wrong-mode"
  | "wrong-version"
  | "origin-mismatch"
  | "zero-timestamp"
  | "unsynchronized"
  | "bad-stratum"
  | "bad-delay";

/** The verdict on one reply. */
export type NtsReplyResult =
  | { kind: "sample"; sample: NtpSample; cookies: Uint8Array[] }
  | { kind: "nak" }
  | { kind: "kiss"; code: string; action: NtpKissAction }
  | { kind: "bogus"; reason: NtsBogusReason };

const NTSN = asciiReferenceId(NTS_NAK_KISS_CODE);

/**
 * Builds an authenticated request spending `cookie`, asking for `placeholders` extra
 * cookies, sealed with `c2s`. `random(n)` gives n random bytes (transmit timestamp,
 * Unique Identifier, nonce).
 * @see https://www.rfc-editor.org/rfc/rfc8915#section-5.7
 */
export function createNtsRequest(options: {
  random: (n: number) => Uint8Array;
  c2s: Uint8Array;
  cookie: Uint8Array;
  placeholders: number;
}): NtsRequest {
  const { random, c2s, cookie, placeholders } = options;
  const header: NtpRequest = createNtpRequest({ random });
  const uniqueId = random(NTS_UNIQUE_ID_LENGTH).slice(0, NTS_UNIQUE_ID_LENGTH);
  const fields: { fieldType: number; value: Uint8Array }[] = [
    { fieldType: NtsFieldType.uniqueIdentifier, value: uniqueId },
    { fieldType: NtsFieldType.cookie, value: cookie },
  ];
  for (let i = 0; i < placeholders; i++) {
    fields.push({ fieldType: NtsFieldType.cookiePlaceholder, value: new Uint8Array(cookie.length) });
  }
  const body = encodeNtsFields(fields);
  const unsealed = new Uint8Array(NTP_HEADER_LENGTH + body.length);
  unsealed.set(header.bytes);
  unsealed.set(body, NTP_HEADER_LENGTH);
  const nonce = random(NTS_NONCE_LENGTH).slice(0, NTS_NONCE_LENGTH);
  const bytes = sealNtsPacket(unsealed, c2s, nonce, new Uint8Array(0));
  return { bytes, nonce: header.nonce, uniqueId };
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

/**
 * Judges a reply to `request` with the S2C key: unique id, NAK, Authenticator, then
 * ntp's `handleNtpReply` (RFC 5905 tests, kiss codes, delay bound). A sample comes with
 * the cookies found in the encrypted fields.
 * @see https://www.rfc-editor.org/rfc/rfc8915#section-5.7
 */
export function handleNtsReply(
  request: NtsRequest,
  s2c: Uint8Array,
  t1: Instant,
  reply: Uint8Array,
  t4: Instant,
  options?: { clientPrecisionLog2?: number; maxDelayNs?: bigint },
): NtsReplyResult {
  try {
    const fields = readNtsPacketFields(reply);
    // A padded Unique Identifier would not match: ours is 32 bytes, a multiple of 4.
    const uid = fields.find((f) => f.fieldType === NtsFieldType.uniqueIdentifier);
    if (uid === undefined || !sameBytes(uid.value, request.uniqueId)) {
      return { kind: "bogus", reason: "unique-id-mismatch" };
    }
    const view = new DataView(reply.buffer, reply.byteOffset, NTP_HEADER_LENGTH);
    const isNak =
      (view.getUint8(0) & 7) === NtpMode.server && view.getUint8(1) === 0 && view.getUint32(12) === NTSN;
    if (isNak && !fields.some((f) => f.fieldType === NtsFieldType.authenticator)) return { kind: "nak" };
    const opened = openNtsPacket(reply, fields, s2c);
    if (opened === null) return { kind: "bogus", reason: "unauthenticated" };
    const result = handleNtpReply({ bytes: request.bytes, nonce: request.nonce }, t1, reply, t4, options);
    if (result.kind !== "sample") return result;
    const cookies = opened.encrypted
      .filter((f) => f.fieldType === NtsFieldType.cookie)
      .map((f) => f.value.slice());
    return { kind: "sample", sample: result.sample, cookies };
  } catch (err) {
    if (err instanceof NtsFieldDecodeError) return { kind: "bogus", reason: "malformed" };
    throw err;
  }
}
