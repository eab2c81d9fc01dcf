/**
 * Code points of Network Time Security (RFC 8915) that ChronoSync speaks.
 * @see https://www.rfc-editor.org/rfc/rfc8915#section-7
 */

/** The NTS-KE TCP port (RFC 8915 §4). */
export const NTS_KE_DEFAULT_PORT = 4460;
/** The TLS ALPN protocol id of NTS-KE (RFC 8915 §4). */
export const NTS_KE_ALPN = "ntske/1";
/** The TLS exporter label for the C2S and S2C keys (RFC 8915 §5.1). */
export const NTS_KE_EXPORTER_LABEL = "EXPORTER-network-time-security";
/** NTS Next Protocol id of NTPv4 (RFC 8915 §7.7). */
export const NTS_PROTOCOL_NTPV4 = 0;
/** AEAD_AES_SIV_CMAC_256 (RFC 5297, IANA AEAD registry id 15): the mandatory algorithm. */
export const NTS_AEAD_AES_SIV_CMAC_256 = 15;
/** Key length of AEAD_AES_SIV_CMAC_256 in bytes. */
export const NTS_AEAD_KEY_LENGTH = 32;
/** The SIV tag that starts every AES-SIV ciphertext, in bytes. */
export const NTS_AEAD_TAG_LENGTH = 16;
/** The nonce length ChronoSync uses in authenticators (RFC 8915 §5.6: at least 16). */
export const NTS_NONCE_LENGTH = 16;
/** How many cookies a client keeps and a server hands out in NTS-KE (RFC 8915 §4.1.6). */
export const NTS_COOKIE_COUNT = 8;
/** Unique Identifier length ChronoSync sends (RFC 8915 §5.3: at least 32). */
export const NTS_UNIQUE_ID_LENGTH = 32;

/** NTS-KE record types (RFC 8915 §4.1, §7.6). */
export const NtsKeRecordType = {
  endOfMessage: 0,
  nextProtocol: 1,
  error: 2,
  warning: 3,
  aeadAlgorithm: 4,
  newCookie: 5,
  ntpServer: 6,
  ntpPort: 7,
} as const;

/** NTS-KE error codes (RFC 8915 §4.1.3, §7.8). */
export const NtsKeErrorCode = {
  unrecognizedCriticalRecord: 0,
  badRequest: 1,
  internalServerError: 2,
} as const;

/** NTP extension field types of NTS (RFC 8915 §5.3–§5.6, §7.5). */
export const NtsFieldType = {
  uniqueIdentifier: 0x0104,
  cookie: 0x0204,
  cookiePlaceholder: 0x0304,
  authenticator: 0x0404,
} as const;

/** The kiss code of an NTS NAK (RFC 8915 §5.7). */
export const NTS_NAK_KISS_CODE = "NTSN";
