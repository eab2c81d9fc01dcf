/**
 * NTP (RFC 5905) for ChronoSync: the wire codec, the client exchange, the responder and
 * their UDP transports. See docs/ntp-api-contract.md.
 */
export {
  createNtpRequest,
  handleNtpReply,
  NTP_DEFAULT_CLIENT_PRECISION_LOG2,
  NTP_DEFAULT_MAX_DELAY_NS,
  type NtpBogusReason,
  type NtpReplyResult,
  type NtpRequest,
  type NtpSample,
} from "./client-exchange.js";
export {
  isNtpMacLength,
  NTP_EXTENSION_MIN_LENGTH,
  NTP_LAST_EXTENSION_MIN_LENGTH,
  type NtpExtensionField,
} from "./extension-field.js";
export { NTP_HEADER_LENGTH, NTP_LEAP_UNSYNCHRONIZED, type NtpHeader, NtpMode } from "./header.js";
export { kissActionOf, kissCodeOf, NTP_KISS_CODES, type NtpKissAction } from "./kiss-code.js";
export { decodeNtpPacket, encodeNtpPacket, type NtpPacket } from "./packet.js";
export {
  NTP_RATE_LIMIT_DEFAULTS,
  NtpRateLimiter,
  type NtpRateLimitOptions,
  ntpClientKeyOf,
  RateDecision,
} from "./rate-limit.js";
export {
  asciiReferenceId,
  formatReferenceId,
  ipv4ReferenceId,
  referenceIdAscii,
  referenceIdDottedQuad,
} from "./reference-id.js";
export { type NtpReferenceState, NtpResponder, type NtpResponderStats } from "./responder.js";
export { type NtpQueryOptions, type NtpQueryResult, queryNtp } from "./udp-client.js";
export {
  type NtpClientSocket,
  type NtpClientSocketEvents,
  type NtpClientTransport,
  openNtpClientSocket,
} from "./udp-client-socket.js";
export {
  type NtpServerHandle,
  type NtpServerOptions,
  type NtpServerTransport,
  type NtpTransportStats,
  startNtpServer,
} from "./udp-server.js";
