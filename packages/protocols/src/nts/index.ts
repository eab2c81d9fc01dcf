/**
 * NTS (RFC 8915) for ChronoSync: NTS-KE records and conversation, NTS extension fields
 * with AES-SIV-CMAC-256, cookies, the client (`queryNts`) and the server
 * (`startNtsServer`). See docs/nts.md.
 * @see https://www.rfc-editor.org/rfc/rfc8915
 */
export { openSiv, sealSiv } from "./aead.js";
export {
  decodeNtsAuthenticator,
  encodeNtsAuthenticator,
  type NtsAuthenticator,
  openNtsPacket,
  sealNtsPacket,
} from "./authenticator.js";
export {
  createNtsRequest,
  handleNtsReply,
  type NtsBogusReason,
  type NtsReplyResult,
  type NtsRequest,
} from "./client-exchange.js";
export {
  NTS_AEAD_AES_SIV_CMAC_256,
  NTS_COOKIE_COUNT,
  NTS_KE_ALPN,
  NTS_KE_DEFAULT_PORT,
  NTS_KE_EXPORTER_LABEL,
  NTS_NAK_KISS_CODE,
  NTS_PROTOCOL_NTPV4,
  NtsFieldType,
  NtsKeErrorCode,
  NtsKeRecordType,
} from "./constants.js";
export { NTS_COOKIE_LENGTH, NtsCookieKeys, type NtsMasterKey, type NtsSessionKeys } from "./cookie.js";
export { NtsCookieJar } from "./cookie-jar.js";
export {
  exportNtsKeys,
  type NtsKeClientOptions,
  type NtsKeResult,
  ntsExporterContext,
  performNtsKe,
} from "./ke-client.js";
export {
  answerNtsKeRequest,
  createNtsKeRequest,
  type NtsKeOutcome,
  type NtsKeServerSettings,
  readNtsKeResponse,
} from "./ke-exchange.js";
export { decodeNtsKeMessage, encodeNtsKeRecords, type NtsKeRecord, ntsKeMessageLength } from "./ke-record.js";
export {
  type NtsKeServerHandle,
  type NtsKeServerOptions,
  type NtsKeServerStats,
  startNtsKeServer,
} from "./ke-server.js";
export { encodeNtsFields, type NtsExtensionField, readNtsFields, readNtsPacketFields } from "./ntp-fields.js";
export { NtsResponder, type NtsResponderStats } from "./responder.js";
export { type NtsQueryOptions, type NtsQueryResult, type NtsSample, queryNts } from "./udp-client.js";
export { type NtsServerHandle, type NtsServerOptions, startNtsServer } from "./udp-server.js";
