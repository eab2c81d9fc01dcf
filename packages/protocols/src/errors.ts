/**
 * Typed errors of `@chronosync/protocols`. Every class carries one stable `code` from
 * {@link ProtocolsErrorCode}; callers `switch (err.code)`. All extend core's
 * {@link ChronoSyncError}.
 */
import { ChronoSyncError } from "@chronosync/core";

/** The stable error codes of this package. */
export type ProtocolsErrorCode =
  | "NTP_DECODE_ERROR"
  | "NAME_NOT_RESOLVED"
  | "NTP_TIMEOUT"
  | "NTP_KISS_OF_DEATH"
  | "NTP_REFUSED"
  | "CHRONY_CMD_DECODE_ERROR"
  | "CHRONY_CMD_STATUS"
  | "CHRONY_CMD_TIMEOUT"
  | "CHRONY_CMD_NATIVE_UNAVAILABLE"
  | "ROUGHTIME_DECODE_ERROR"
  | "ROUGHTIME_VERIFICATION_FAILED"
  | "ROUGHTIME_TIMEOUT"
  | "ROUGHTIME_MALFEASANCE"
  | "HTTP_DATE_INVALID"
  | "HTTP_TIMEOUT"
  | "NTS_KE_DECODE_ERROR"
  | "NTS_FIELD_DECODE_ERROR"
  | "NTS_KE_FAILED"
  | "NTS_NAK"
  | "PTP_DECODE_ERROR"
  | "PTP_TIMEOUT"
  | "PTP_INTERFACE_NOT_FOUND"
  | "TIME_SOURCE_UNKNOWN_SCHEME"
  | "TIME_SOURCE_BAD_URL"
  | "TIME_SOURCE_UNAVAILABLE"
  | "CHRONOSYNC_TIME_DECODE_ERROR";

/**
 * Why bytes are not an NTP packet (stable, for logs and tests):
 * - `too-short`: fewer than the 48 header bytes (RFC 5905 §7.3);
 * - `bad-extension-length`: an extension field whose length is under 16, not a multiple
 *   of 4, or runs past the end (RFC 7822 §3);
 * - `bad-trailer`: bytes after the header that are neither extension fields nor a MAC
 *   (RFC 7822 §7, RFC 5905 §7.3).
 */
export type NtpDecodeErrorReason = "too-short" | "bad-extension-length" | "bad-trailer";

/** Bytes that are not a well-formed NTP packet. `reason` says what is wrong. */
export class NtpDecodeError extends ChronoSyncError {
  override readonly code = "NTP_DECODE_ERROR" as const;
  readonly reason: NtpDecodeErrorReason;
  constructor(reason: NtpDecodeErrorReason, message: string) {
    super("NTP_DECODE_ERROR", `malformed NTP packet (${reason}): ${message}`);
    this.reason = reason;
  }
}

/** A host name did not resolve to an address. */
export class NameNotResolvedError extends ChronoSyncError {
  override readonly code = "NAME_NOT_RESOLVED" as const;
  readonly host: string;
  constructor(host: string, options?: { cause?: unknown }) {
    super("NAME_NOT_RESOLVED", `name not resolved: ${host}`, options);
    this.host = host;
  }
}

/** No usable reply arrived from an NTP server within the time allowed. */
export class NtpTimeoutError extends ChronoSyncError {
  override readonly code = "NTP_TIMEOUT" as const;
  constructor(message: string, options?: { cause?: unknown }) {
    super("NTP_TIMEOUT", message, options);
  }
}

/**
 * The server answered with a kiss-o'-death packet (RFC 5905 §7.4); `kissCode` is its
 * ASCII code, e.g. `RATE` (slow down) or `DENY`/`RSTR` (stop using this server).
 */
export class NtpKissOfDeathError extends ChronoSyncError {
  override readonly code = "NTP_KISS_OF_DEATH" as const;
  readonly kissCode: string;
  constructor(kissCode: string, message?: string) {
    super("NTP_KISS_OF_DEATH", message ?? `NTP server sent kiss-o'-death ${JSON.stringify(kissCode)}`);
    this.kissCode = kissCode;
  }
}

/** The server's host answered ICMP port unreachable: nothing listens on that port. */
export class NtpRefusedError extends ChronoSyncError {
  override readonly code = "NTP_REFUSED" as const;
  constructor(message: string, options?: { cause?: unknown }) {
    super("NTP_REFUSED", message, options);
  }
}

/**
 * Why bytes are not a chronyd command reply (candm.h of chrony 4.3):
 * - `too-short`: shorter than the 28-byte reply header or than the reply's own data;
 * - `bad-header`: not protocol version 6, not a reply packet, or reserved bytes set;
 * - `unknown-reply`: a reply code this codec does not know;
 * - `bad-value`: a field outside its range (e.g. an address family).
 */
export type ChronyCmdDecodeErrorReason = "too-short" | "bad-header" | "unknown-reply" | "bad-value";

/** Bytes that are not a well-formed chronyd command reply. `reason` says what is wrong. */
export class ChronyCmdDecodeError extends ChronoSyncError {
  override readonly code = "CHRONY_CMD_DECODE_ERROR" as const;
  readonly reason: ChronyCmdDecodeErrorReason;
  constructor(reason: ChronyCmdDecodeErrorReason, message: string) {
    super("CHRONY_CMD_DECODE_ERROR", `malformed chronyd reply (${reason}): ${message}`);
    this.reason = reason;
  }
}

/**
 * chronyd answered, but with a status other than success (candm.h `STT_*`), e.g. 2
 * (`STT_UNAUTH`: the command needs the Unix socket) or 4 (`STT_NOSUCHSOURCE`).
 */
export class ChronyCmdStatusError extends ChronoSyncError {
  override readonly code = "CHRONY_CMD_STATUS" as const;
  readonly status: number;
  constructor(status: number, message: string) {
    super("CHRONY_CMD_STATUS", message);
    this.status = status;
  }
}

/** chronyd did not answer a command within the time allowed. */
export class ChronyCmdTimeoutError extends ChronoSyncError {
  override readonly code = "CHRONY_CMD_TIMEOUT" as const;
  constructor(message: string, options?: { cause?: unknown }) {
    super("CHRONY_CMD_TIMEOUT", message, options);
  }
}

/**
 * A chronyd Unix command socket was asked for, but the native addon that opens AF_UNIX
 * datagram sockets is not available (not built, not Linux, or `CHRONOSYNC_NATIVE=0`).
 * `reason` says why; the remedy is chronyd's UDP command port, 127.0.0.1:323.
 */
export class ChronyCmdNativeUnavailableError extends ChronoSyncError {
  override readonly code = "CHRONY_CMD_NATIVE_UNAVAILABLE" as const;
  readonly reason: string;
  constructor(socketPath: string, reason: string) {
    super(
      "CHRONY_CMD_NATIVE_UNAVAILABLE",
      `Unix socket needs the native addon; use UDP 127.0.0.1:323 (${socketPath}: ${reason})`,
    );
    this.reason = reason;
  }
}

/**
 * Why bytes are not a Roughtime packet or message (draft-ietf-ntp-roughtime-19 §4, §5):
 * - `too-short`: fewer bytes than the framing, header or a fixed-size value needs;
 * - `bad-magic`: the packet does not start with "ROUGHTIM";
 * - `bad-length`: the packet's length field disagrees with the bytes that follow;
 * - `bad-header`: zero tags, or more tags than the message can hold;
 * - `bad-offset`: an offset not a multiple of 4, decreasing, or past the end;
 * - `unsorted-tags`: tags not strictly ascending (a repeated tag included);
 * - `missing-tag`: a tag the message type requires is absent;
 * - `bad-value`: a value of the wrong size or content (e.g. TYPE of a request ≠ 0).
 */
export type RoughtimeDecodeErrorReason =
  | "too-short"
  | "bad-magic"
  | "bad-length"
  | "bad-header"
  | "bad-offset"
  | "unsorted-tags"
  | "missing-tag"
  | "bad-value";

/** Bytes that are not a well-formed Roughtime packet or message. `reason` says what is wrong. */
export class RoughtimeDecodeError extends ChronoSyncError {
  override readonly code = "ROUGHTIME_DECODE_ERROR" as const;
  readonly reason: RoughtimeDecodeErrorReason;
  constructor(reason: RoughtimeDecodeErrorReason, message: string) {
    super("ROUGHTIME_DECODE_ERROR", `malformed Roughtime message (${reason}): ${message}`);
    this.reason = reason;
  }
}

/**
 * Which check of draft-ietf-ntp-roughtime-19 §5.4 a well-formed response failed:
 * - `delegation-signature`: CERT's SIG is not the long-term key's signature of DELE;
 * - `response-signature`: SIG is not the delegated key's signature of SREP;
 * - `delegation-window`: MIDP lies outside [MINT, MAXT];
 * - `merkle-path`: PATH and INDX do not lead from our request to ROOT;
 * - `nonce-mismatch`: NONC is not the nonce we sent;
 * - `version`: the response's version is not one we offered, or VERS lacks it;
 * - `radius`: RADI is zero;
 * - `chain-nonce`: in a malfeasance report, a nonce is not H(previous response || rand).
 */
export type RoughtimeVerificationFailure =
  | "chain-nonce"
  | "delegation-signature"
  | "response-signature"
  | "delegation-window"
  | "merkle-path"
  | "nonce-mismatch"
  | "version"
  | "radius";

/** A Roughtime response that failed authentication; `failure` names the check. */
export class RoughtimeVerificationError extends ChronoSyncError {
  override readonly code = "ROUGHTIME_VERIFICATION_FAILED" as const;
  readonly failure: RoughtimeVerificationFailure;
  constructor(failure: RoughtimeVerificationFailure, message: string) {
    super("ROUGHTIME_VERIFICATION_FAILED", `Roughtime response rejected (${failure}): ${message}`);
    this.failure = failure;
  }
}

/** No valid Roughtime response arrived within the time allowed. */
export class RoughtimeTimeoutError extends ChronoSyncError {
  override readonly code = "ROUGHTIME_TIMEOUT" as const;
  constructor(message: string, options?: { cause?: unknown }) {
    super("ROUGHTIME_TIMEOUT", message, options);
  }
}

/**
 * Valid, signed Roughtime responses that cannot all be true (draft-ietf-ntp-roughtime-19
 * §8.2). `report` is the malfeasance report of §8.4.1, ready to serialize as JSON.
 */
export class RoughtimeMalfeasanceError extends ChronoSyncError {
  override readonly code = "ROUGHTIME_MALFEASANCE" as const;
  readonly report: { responses: { rand?: string; publicKey: string; request: string; response: string }[] };
  constructor(message: string, report: RoughtimeMalfeasanceError["report"]) {
    super("ROUGHTIME_MALFEASANCE", message);
    this.report = report;
  }
}

/** An HTTP response without a Date header, or with one that is not an HTTP-date (RFC 9110 §5.6.7). */
export class HttpDateInvalidError extends ChronoSyncError {
  override readonly code = "HTTP_DATE_INVALID" as const;
  readonly value: string | null;
  constructor(value: string | null, message: string) {
    super("HTTP_DATE_INVALID", message);
    this.value = value;
  }
}

/** An HTTP time server did not answer within the time allowed. */
export class HttpTimeoutError extends ChronoSyncError {
  override readonly code = "HTTP_TIMEOUT" as const;
  constructor(message: string, options?: { cause?: unknown }) {
    super("HTTP_TIMEOUT", message, options);
  }
}

/**
 * Why bytes are not an NTS-KE message (RFC 8915 §4):
 * - `truncated`: a record header or body runs past the end, or End of Message is missing;
 * - `trailing-bytes`: bytes after the End of Message record;
 * - `bad-body`: a body whose length or content does not fit its record type;
 * - `not-critical`: End of Message, Next Protocol, Error or Warning without the critical bit.
 */
export type NtsKeDecodeErrorReason = "truncated" | "trailing-bytes" | "bad-body" | "not-critical";

/** Bytes that are not a well-formed NTS-KE message. `reason` says what is wrong. */
export class NtsKeDecodeError extends ChronoSyncError {
  override readonly code = "NTS_KE_DECODE_ERROR" as const;
  readonly reason: NtsKeDecodeErrorReason;
  constructor(reason: NtsKeDecodeErrorReason, message: string) {
    super("NTS_KE_DECODE_ERROR", `malformed NTS-KE message (${reason}): ${message}`);
    this.reason = reason;
  }
}

/**
 * An NTS extension field of an NTP packet (RFC 8915 §5) with a malformed body: an
 * Authenticator whose nonce or ciphertext lengths do not fit, or a Unique Identifier
 * shorter than 32 bytes.
 */
export class NtsFieldDecodeError extends ChronoSyncError {
  override readonly code = "NTS_FIELD_DECODE_ERROR" as const;
  constructor(message: string) {
    super("NTS_FIELD_DECODE_ERROR", `malformed NTS extension field: ${message}`);
  }
}

/**
 * NTS key establishment did not give usable keys and cookies (RFC 8915 §4):
 * `tls` (handshake, certificate or ALPN), `server-error` (an Error record; `keErrorCode`),
 * `unsupported` (no NTPv4 or no AES-SIV-CMAC-256 agreed), `no-cookies`, `bad-response`
 * (malformed or incomplete), `timeout`.
 */
export type NtsKeFailureReason =
  | "tls"
  | "server-error"
  | "unsupported"
  | "no-cookies"
  | "bad-response"
  | "timeout";

/** NTS-KE failed; `reason` says how. */
export class NtsKeError extends ChronoSyncError {
  override readonly code = "NTS_KE_FAILED" as const;
  readonly reason: NtsKeFailureReason;
  /** The server's NTS-KE error code when `reason` is `server-error`. */
  readonly keErrorCode: number | null;
  constructor(
    reason: NtsKeFailureReason,
    message: string,
    options?: { cause?: unknown; keErrorCode?: number },
  ) {
    super("NTS_KE_FAILED", `NTS-KE failed (${reason}): ${message}`, options);
    this.reason = reason;
    this.keErrorCode = options?.keErrorCode ?? null;
  }
}

/** The NTS server kept refusing our cookies with an NTS NAK (kiss code NTSN, RFC 8915 §5.7). */
export class NtsNakError extends ChronoSyncError {
  override readonly code = "NTS_NAK" as const;
  constructor(message: string) {
    super("NTS_NAK", message);
  }
}

/** Every error class of this package, as a union for exhaustive `switch (err.code)`. */
export type ProtocolsError =
  | NtpDecodeError
  | NameNotResolvedError
  | NtpTimeoutError
  | NtpKissOfDeathError
  | NtpRefusedError
  | ChronyCmdDecodeError
  | ChronyCmdStatusError
  | ChronyCmdTimeoutError
  | ChronyCmdNativeUnavailableError
  | RoughtimeDecodeError
  | RoughtimeVerificationError
  | RoughtimeTimeoutError
  | RoughtimeMalfeasanceError
  | HttpDateInvalidError
  | HttpTimeoutError
  | NtsKeDecodeError
  | NtsFieldDecodeError
  | NtsKeError
  | NtsNakError
  | PtpDecodeError
  | PtpTimeoutError
  | PtpInterfaceNotFoundError
  | TimeSourceUnknownSchemeError
  | TimeSourceUrlError
  | TimeSourceUnavailableError;

/**
 * Why bytes are not a PTP message (IEEE 1588-2019 §13, linuxptp's `-EBADMSG`):
 * - `too-short`: fewer bytes than the header, the messageLength field, or the body needs;
 * - `bad-length`: messageLength shorter than the message type's fixed part;
 * - `bad-timestamp`: a Timestamp whose nanosecondsField is not below 10^9;
 * - `bad-tlv`: a TLV whose lengthField runs past the end of the message;
 * - `bad-value`: a field outside its range (e.g. a Management actionField).
 */
export type PtpDecodeErrorReason = "too-short" | "bad-length" | "bad-timestamp" | "bad-tlv" | "bad-value";

/** Bytes that are not a well-formed PTP message. `reason` says what is wrong. */
export class PtpDecodeError extends ChronoSyncError {
  override readonly code = "PTP_DECODE_ERROR" as const;
  readonly reason: PtpDecodeErrorReason;
  constructor(reason: PtpDecodeErrorReason, message: string) {
    super("PTP_DECODE_ERROR", `malformed PTP message (${reason}): ${message}`);
    this.reason = reason;
  }
}

/** No PTP master was selected, or too few complete exchanges finished, in the time allowed. */
export class PtpTimeoutError extends ChronoSyncError {
  override readonly code = "PTP_TIMEOUT" as const;
  constructor(message: string, options?: { cause?: unknown }) {
    super("PTP_TIMEOUT", message, options);
  }
}

/** The network interface named for PTP does not exist or has no IPv4 address. */
export class PtpInterfaceNotFoundError extends ChronoSyncError {
  override readonly code = "PTP_INTERFACE_NOT_FOUND" as const;
  readonly interfaceName: string;
  constructor(interfaceName: string) {
    super("PTP_INTERFACE_NOT_FOUND", `no IPv4 address on network interface ${JSON.stringify(interfaceName)}`);
    this.interfaceName = interfaceName;
  }
}

/** `createTimeSource` was given a URL whose scheme has no registered adapter. */
export class TimeSourceUnknownSchemeError extends ChronoSyncError {
  override readonly code = "TIME_SOURCE_UNKNOWN_SCHEME" as const;
  readonly scheme: string;
  readonly known: readonly string[];
  constructor(scheme: string, known: readonly string[]) {
    super(
      "TIME_SOURCE_UNKNOWN_SCHEME",
      `unknown time source scheme ${JSON.stringify(scheme)} (known: ${known.join(", ")})`,
    );
    this.scheme = scheme;
    this.known = known;
  }
}

/** A time source URL that cannot be used: malformed, or missing/bad host, port or parameter. */
export class TimeSourceUrlError extends ChronoSyncError {
  override readonly code = "TIME_SOURCE_BAD_URL" as const;
  readonly url: string;
  constructor(url: string, message: string, options?: { cause?: unknown }) {
    super("TIME_SOURCE_BAD_URL", `bad time source URL ${JSON.stringify(url)}: ${message}`, options);
    this.url = url;
  }
}

/**
 * No time source could give a sample: automatic detection found nothing usable, every
 * member of a fallback chain failed, or an adapter's protocol is not available here.
 * `causes` holds each failure, in order.
 */
export class TimeSourceUnavailableError extends ChronoSyncError {
  override readonly code = "TIME_SOURCE_UNAVAILABLE" as const;
  readonly causes: readonly unknown[];
  constructor(message: string, causes: readonly unknown[] = []) {
    super(
      "TIME_SOURCE_UNAVAILABLE",
      message,
      causes.length > 0 ? { cause: causes[causes.length - 1] } : undefined,
    );
    this.causes = causes;
  }
}

/**
 * Why a ChronoSync time-over-HTTP message was refused: `not-json`, `too-large`,
 * `bad-version`, `bad-field` (a field missing or of the wrong form), `not-ours` (the nonce
 * or t1 do not match the request). A bad signature is core's CRYPTO_VERIFICATION_FAILED.
 */
export type ChronosyncTimeDecodeReason = "not-json" | "too-large" | "bad-version" | "bad-field" | "not-ours";

/** A ChronoSync time request or response that is malformed or not ours. */
export class ChronosyncTimeDecodeError extends ChronoSyncError {
  override readonly code = "CHRONOSYNC_TIME_DECODE_ERROR" as const;
  readonly reason: ChronosyncTimeDecodeReason;
  constructor(reason: ChronosyncTimeDecodeReason, message: string, options?: { cause?: unknown }) {
    super("CHRONOSYNC_TIME_DECODE_ERROR", `ChronoSync time message refused (${reason}): ${message}`, options);
    this.reason = reason;
  }
}
