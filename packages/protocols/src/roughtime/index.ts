/**
 * Roughtime (draft-ietf-ntp-roughtime-19, published as RFC 10049; version 1, and the
 * draft's testing number 0x8000000c) for ChronoSync: the pure codec, verification,
 * chaining and malfeasance reports, the batching responder, and UDP client and server.
 * See docs/roughtime.md.
 * @see https://datatracker.ietf.org/doc/html/draft-ietf-ntp-roughtime-19
 */
export {
  decodeRoughtimeCert,
  decodeRoughtimeDele,
  ED25519_PUBLIC_KEY_LENGTH,
  ED25519_SIGNATURE_LENGTH,
  encodeRoughtimeCert,
  encodeRoughtimeDele,
  type RoughtimeCertificate,
  type RoughtimeDelegation,
} from "./cert.js";
export {
  chainedRoughtimeNonce,
  findRoughtimeInconsistencies,
  type RoughtimeChainLink,
  type RoughtimeInconsistency,
} from "./chain.js";
export {
  queryRoughtimeChain,
  type RoughtimeChainOptions,
  type RoughtimeChainResult,
  type RoughtimeServerSpec,
} from "./chain-client.js";
export { queryRoughtime, type RoughtimeQueryOptions, type RoughtimeQueryResult } from "./client.js";
export {
  type Ed25519,
  nobleEd25519,
  ROUGHTIME_DELEGATION_CONTEXT,
  ROUGHTIME_HASH_LENGTH,
  ROUGHTIME_RESPONSE_CONTEXT,
  roughtimeHash,
  roughtimeSrv,
} from "./crypto.js";
export {
  decodeGoogleRoughtimeRequest,
  decodeGoogleRoughtimeResponse,
  encodeGoogleRoughtimeRequest,
  GOOGLE_ROUGHTIME_DELEGATION_CONTEXT,
  GOOGLE_ROUGHTIME_HASH_LENGTH,
  GOOGLE_ROUGHTIME_PAD_TAG,
  GOOGLE_ROUGHTIME_RESPONSE_CONTEXT,
  GoogleRoughtimeResponder,
  type GoogleRoughtimeResponderOptions,
  type GoogleRoughtimeResponse,
  type GoogleRoughtimeVerified,
  googleRoughtimeLeaf,
  googleRoughtimeNode,
  verifyGoogleRoughtimeResponse,
} from "./google.js";
export {
  checkRoughtimeMalfeasanceReport,
  type RoughtimeMalfeasanceReport,
  type RoughtimeReportCheck,
  roughtimeMalfeasanceReport,
} from "./malfeasance.js";
export {
  type MalfeasancePostOptions,
  type MalfeasancePostResult,
  postRoughtimeMalfeasanceReport,
  ROUGHTIME_MALFEASANCE_MEDIA_TYPE,
} from "./malfeasance-post.js";
export {
  buildRoughtimeMerkleTree,
  ROUGHTIME_MAX_PATH_LENGTH,
  type RoughtimeMerkleTree,
  roughtimeLeaf,
  roughtimeNode,
  roughtimeRootFromPath,
} from "./merkle.js";
export { decodeRoughtimeMessage, encodeRoughtimeMessage, type RoughtimeMessage } from "./message.js";
export { nodeEd25519 } from "./node-ed25519.js";
export {
  decodeRoughtimePacket,
  encodeRoughtimePacket,
  ROUGHTIME_FRAMING_LENGTH,
  ROUGHTIME_MAGIC,
} from "./packet.js";
export {
  decodeRoughtimeRequest,
  encodeRoughtimeRequest,
  ROUGHTIME_MIN_REQUEST_LENGTH,
  ROUGHTIME_TYPE_REQUEST,
  type RoughtimeRequest,
  type RoughtimeRequestFields,
} from "./request.js";
export {
  RoughtimeResponder,
  type RoughtimeResponderOptions,
  type RoughtimeResponderStats,
} from "./responder.js";
export {
  decodeRoughtimeResponse,
  encodeRoughtimeResponse,
  ROUGHTIME_TYPE_RESPONSE,
  type RoughtimeResponse,
  type RoughtimeResponseParts,
} from "./response.js";
export {
  ROUGHTIME_DEFAULT_PORT,
  type RoughtimeServerHandle,
  type RoughtimeServerOptions,
  startRoughtimeServer,
} from "./server.js";
export {
  parseRoughtimeAddress,
  parseRoughtimeServerList,
  type RoughtimeAddress,
  type RoughtimeListedServer,
  type RoughtimeServerList,
} from "./server-list.js";
export { decodeRoughtimeSrep, encodeRoughtimeSrep, type RoughtimeSignedResponse } from "./srep.js";
export { ROUGHTIME_MAX_STREAM_MESSAGE, RoughtimeStreamDecoder } from "./stream.js";
export { RoughtimeTag, roughtimeTag, roughtimeTagName } from "./tag.js";
export { type RoughtimeVerifiedResponse, verifyRoughtimeResponse } from "./verify.js";
export { ROUGHTIME_VERSION_1, ROUGHTIME_VERSION_DRAFT, ROUGHTIME_VERSIONS } from "./version.js";
