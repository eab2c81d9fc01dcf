/**
 * The server side of authenticated NTP (RFC 8915 §5.7), next to plain NTP on one port:
 * requests without an NTS Cookie go to the wrapped {@link NtpResponder} unchanged. An NTS
 * request must carry a Unique Identifier, one NTS Cookie and an Authenticator last; the
 * cookie is opened with the server's master keys, the Authenticator verified with its
 * C2S key. Then the reply is the NtpResponder's header, the Unique Identifier echoed,
 * and an Authenticator sealed with S2C whose encrypted fields are 1 + (placeholders)
 * fresh cookies, so a reply is never larger than its request. A cookie that does not
 * open, or a request that does not verify, gets an NTS NAK (kiss code NTSN).
 *
 * Pure: clock (via the NtpResponder) and randomness are injected; the caller does I/O.
 * @see https://www.rfc-editor.org/rfc/rfc8915#section-5.7
 */
import type { Instant } from "@chronosync/core";
import { NtsFieldDecodeError } from "../errors.js";
import { NTP_HEADER_LENGTH, NTP_LEAP_UNSYNCHRONIZED, NtpMode } from "../ntp/header.js";
import { asciiReferenceId } from "../ntp/reference-id.js";
import type { NtpResponder } from "../ntp/responder.js";
import { openNtsPacket, sealNtsPacket } from "./authenticator.js";
import { NTS_NAK_KISS_CODE, NTS_NONCE_LENGTH, NtsFieldType } from "./constants.js";
import type { NtsCookieKeys } from "./cookie.js";
import { encodeNtsFields, type NtsExtensionField, readNtsPacketFields } from "./ntp-fields.js";

/** Counters of the NTS side; plain requests are counted by the NtpResponder. */
export interface NtsResponderStats {
  /** Authenticated replies sent. */
  authenticated: number;
  /** NTS NAKs sent (bad cookie or failed authentication). */
  naks: number;
  /** NTS requests dropped: malformed, no Unique Identifier, or rate-limited. */
  dropped: number;
}

const NTSN = asciiReferenceId(NTS_NAK_KISS_CODE);

/**
 * Answers plain and NTS-authenticated NTP requests.
 * @see https://www.rfc-editor.org/rfc/rfc8915#section-5.7
 */
export class NtsResponder {
  readonly ntp: NtpResponder;
  readonly keys: NtsCookieKeys;
  readonly stats: NtsResponderStats = { authenticated: 0, naks: 0, dropped: 0 };
  private readonly random: (n: number) => Uint8Array;

  constructor(options: { ntp: NtpResponder; keys: NtsCookieKeys; random: (n: number) => Uint8Array }) {
    this.ntp = options.ntp;
    this.keys = options.keys;
    this.random = options.random;
  }

  /**
   * The reply to `request` received at `receiveTime` (T2) from `clientKey` (its
   * address, for rate limiting), or null for no reply.
   */
  respond(request: Uint8Array, receiveTime: Instant, clientKey: string): Uint8Array | null {
    let fields: NtsExtensionField[];
    try {
      fields = readNtsPacketFields(request);
    } catch {
      return this.ntp.respond(request, receiveTime, clientKey);
    }
    const cookies = fields.filter((f) => f.fieldType === NtsFieldType.cookie);
    if (cookies.length === 0 || (request[0]! & 7) !== NtpMode.client) {
      return this.ntp.respond(request, receiveTime, clientKey);
    }
    const uid = fields.find((f) => f.fieldType === NtsFieldType.uniqueIdentifier);
    if (uid === undefined || uid.value.length < 32 || cookies.length !== 1) {
      this.stats.dropped++;
      return null;
    }
    try {
      const session = this.keys.open(cookies[0]!.value);
      const opened = session === null ? null : openNtsPacket(request, fields, session.c2s);
      if (session === null || opened === null) {
        this.stats.naks++;
        return nak(request, uid.value);
      }
      const limited = this.ntp.stats.rateLimited;
      const header = this.ntp.respond(request.subarray(0, NTP_HEADER_LENGTH), receiveTime, clientKey);
      // Over its rate the client gets nothing: an unauthenticated RATE kiss would be ignored.
      if (header === null || this.ntp.stats.rateLimited !== limited) {
        this.stats.dropped++;
        return null;
      }
      const wanted = 1 + fields.filter((f) => f.fieldType === NtsFieldType.cookiePlaceholder).length;
      const fresh = [];
      for (let i = 0; i < wanted; i++)
        fresh.push({ fieldType: NtsFieldType.cookie, value: this.keys.seal(session) });
      const uidField = encodeNtsFields([{ fieldType: NtsFieldType.uniqueIdentifier, value: uid.value }]);
      const unsealed = new Uint8Array(NTP_HEADER_LENGTH + uidField.length);
      unsealed.set(header);
      unsealed.set(uidField, NTP_HEADER_LENGTH);
      const nonce = this.random(NTS_NONCE_LENGTH).slice(0, NTS_NONCE_LENGTH);
      this.stats.authenticated++;
      return sealNtsPacket(unsealed, session.s2c, nonce, encodeNtsFields(fresh));
    } catch (err) {
      if (!(err instanceof NtsFieldDecodeError)) throw err;
      this.stats.dropped++;
      return null;
    }
  }
}

/**
 * An NTS NAK (RFC 8915 §5.7): a kiss-o'-death with code NTSN, leap 3, stratum 0, the
 * request's transmit timestamp as origin (and receive and transmit, telling nothing of
 * our clock), and the request's Unique Identifier as its only field.
 */
function nak(request: Uint8Array, uniqueId: Uint8Array): Uint8Array {
  const uidField = encodeNtsFields([{ fieldType: NtsFieldType.uniqueIdentifier, value: uniqueId }]);
  const out = new Uint8Array(NTP_HEADER_LENGTH + uidField.length);
  const view = new DataView(out.buffer);
  const version = (request[0]! >>> 3) & 7;
  view.setUint8(0, (NTP_LEAP_UNSYNCHRONIZED << 6) | (version << 3) | NtpMode.server);
  view.setUint8(2, request[2]!);
  view.setUint32(12, NTSN);
  for (let i = 0; i < 8; i++) {
    out[24 + i] = request[40 + i]!;
    out[32 + i] = request[40 + i]!;
    out[40 + i] = request[40 + i]!;
  }
  out.set(uidField, NTP_HEADER_LENGTH);
  return out;
}
