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
  | "CHRONY_CMD_TIMEOUT";

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

/** Every error class of this package, as a union for exhaustive `switch (err.code)`. */
export type ProtocolsError =
  | NtpDecodeError
  | NameNotResolvedError
  | NtpTimeoutError
  | NtpKissOfDeathError
  | NtpRefusedError
  | ChronyCmdDecodeError
  | ChronyCmdStatusError
  | ChronyCmdTimeoutError;
