/**
 * chronyd's command protocol (chrony 4.x `candm.h`, what `chronyc` speaks): a pure codec
 * for tracking and sources, and a client over UDP or chronyd's Unix socket.
 */
export {
  CHRONYD_DEFAULT_SOCKET,
  type ChronydQueryOptions,
  type ChronydTarget,
  queryChronyd,
} from "./client.js";
export { CHRONY_IP_ADDR_LENGTH, type ChronyIpAddr } from "./fields.js";
export { decodeChronyFloat, encodeChronyFloat } from "./float.js";
export {
  CHRONY_PROTO_VERSION,
  CHRONY_REPLY_HEADER_LENGTH,
  CHRONY_REQUEST_HEADER_LENGTH,
  CHRONY_STATUS_SUCCESS,
  ChronyCommand,
  ChronyReplyCode,
  type ChronyReplyHeader,
} from "./header.js";
export { type ChronyReply, decodeChronyReply } from "./reply.js";
export { type ChronyRequest, type ChronyRequestKind, createChronyRequest } from "./request.js";
export {
  CHRONY_SOURCE_MODES,
  CHRONY_SOURCE_STATES,
  type ChronySource,
  ChronySourceFlag,
  type ChronySourceMode,
  type ChronySourceState,
  encodeChronyNSourcesReply,
  encodeChronySourceDataReply,
} from "./sources.js";
export { type ChronyLeapStatus, type ChronyTracking, encodeChronyTrackingReply } from "./tracking.js";
export { type ChronyCmdTransport, openUdpTransport } from "./transport.js";
export { loadUnixDgramAddon, openUnixTransport, type UnixDgramAddon } from "./unix-transport.js";
