/**
 * Headers of chronyd's command protocol, version 6 (chrony 4.x `candm.h`), the protocol
 * `chronyc` speaks over `/run/chrony/chronyd.sock` or UDP port 323. Big-endian.
 *
 * ```
 * request (20 bytes + data + padding)      reply (28 bytes + data)
 *  0 version (6)  1 pkt_type (1)            0 version (6)  1 pkt_type (2)
 *  2 res1 (0)     3 res2 (0)                2 res1 (0)     3 res2 (0)
 *  4 command (16) 6 attempt (16)            4 command (16) 6 reply (16)
 *  8 sequence (32)                          8 status (16)  10..15 pad
 * 12 pad1 (32)   16 pad2 (32)              16 sequence (32)
 * 20 data                                  20 pad4 (32)   24 pad5 (32)
 *                                          28 data
 * ```
 *
 * A request must be at least as long as its reply (chronyd drops shorter ones, against
 * amplification), so requests are padded with zeros. Pure functions of bytes.
 * @see https://gitlab.com/chrony/chrony/-/blob/4.3/candm.h
 */
import { ChronyCmdDecodeError } from "../errors.js";

/** `PROTO_VERSION_NUMBER` of chrony 4.x. */
export const CHRONY_PROTO_VERSION = 6;
/** `PKT_TYPE_CMD_REQUEST`. */
export const CHRONY_PKT_TYPE_REQUEST = 1;
/** `PKT_TYPE_CMD_REPLY`. */
export const CHRONY_PKT_TYPE_REPLY = 2;
export const CHRONY_REQUEST_HEADER_LENGTH = 20;
export const CHRONY_REPLY_HEADER_LENGTH = 28;

/** The request codes this codec builds (`REQ_*`). */
export const ChronyCommand = {
  nSources: 14,
  sourceData: 15,
  tracking: 33,
} as const;

/** The reply codes this codec reads (`RPY_*`). */
export const ChronyReplyCode = {
  null: 1,
  nSources: 2,
  sourceData: 3,
  tracking: 5,
} as const;

/** `STT_SUCCESS`; other statuses are errors (see ChronyCmdStatusError). */
export const CHRONY_STATUS_SUCCESS = 0;

/** The fields of a reply header that carry meaning. */
export interface ChronyReplyHeader {
  /** The request's command code, echoed. */
  command: number;
  /** `RPY_*` code: which message the data is. */
  reply: number;
  /** `STT_*` status; 0 is success. */
  status: number;
  /** The request's sequence number, echoed. */
  sequence: number;
}

/** Reads and checks the 28-byte reply header; throws ChronyCmdDecodeError. */
export function readChronyReplyHeader(bytes: Uint8Array): ChronyReplyHeader {
  if (bytes.length < CHRONY_REPLY_HEADER_LENGTH)
    throw new ChronyCmdDecodeError(
      "too-short",
      `${bytes.length} bytes, header needs ${CHRONY_REPLY_HEADER_LENGTH}`,
    );
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const version = view.getUint8(0);
  const pktType = view.getUint8(1);
  if (version !== CHRONY_PROTO_VERSION)
    throw new ChronyCmdDecodeError(
      "bad-header",
      `protocol version ${version}, expected ${CHRONY_PROTO_VERSION}`,
    );
  if (pktType !== CHRONY_PKT_TYPE_REPLY)
    throw new ChronyCmdDecodeError("bad-header", `packet type ${pktType}`);
  if (view.getUint8(2) !== 0 || view.getUint8(3) !== 0)
    throw new ChronyCmdDecodeError("bad-header", "reserved bytes not zero");
  return {
    command: view.getUint16(4),
    reply: view.getUint16(6),
    status: view.getUint16(8),
    sequence: view.getUint32(16),
  };
}

/** Writes a reply header into the first 28 bytes of `bytes` (which are zero). */
export function writeChronyReplyHeader(bytes: Uint8Array, header: ChronyReplyHeader): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  view.setUint8(0, CHRONY_PROTO_VERSION);
  view.setUint8(1, CHRONY_PKT_TYPE_REPLY);
  view.setUint16(4, header.command);
  view.setUint16(6, header.reply);
  view.setUint16(8, header.status);
  view.setUint32(16, header.sequence >>> 0);
}
