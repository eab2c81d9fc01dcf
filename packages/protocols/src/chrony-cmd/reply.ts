/**
 * Decoding any chronyd command reply this codec knows: the header is checked, then the
 * data is read by reply code. A reply with a non-success status carries no data
 * (`RPY_NULL`) and decodes as `{ kind: "status" }`; the caller decides whether that is
 * an error. Pure; throws ChronyCmdDecodeError for anything malformed.
 * @see https://gitlab.com/chrony/chrony/-/blob/4.3/candm.h
 */
import { ChronyCmdDecodeError } from "../errors.js";
import {
  CHRONY_REPLY_HEADER_LENGTH,
  ChronyReplyCode,
  type ChronyReplyHeader,
  readChronyReplyHeader,
} from "./header.js";
import {
  CHRONY_N_SOURCES_LENGTH,
  CHRONY_SOURCE_DATA_LENGTH,
  type ChronySource,
  readChronyNSources,
  readChronySource,
} from "./sources.js";
import { CHRONY_TRACKING_LENGTH, type ChronyTracking, readChronyTracking } from "./tracking.js";

/** A decoded reply, tagged by what its data is. */
export type ChronyReply =
  | { kind: "status"; header: ChronyReplyHeader }
  | { kind: "tracking"; header: ChronyReplyHeader; tracking: ChronyTracking }
  | { kind: "n-sources"; header: ChronyReplyHeader; nSources: number }
  | { kind: "source-data"; header: ChronyReplyHeader; source: ChronySource };

function need(bytes: Uint8Array, dataLength: number, what: string): DataView {
  const total = CHRONY_REPLY_HEADER_LENGTH + dataLength;
  if (bytes.length < total)
    throw new ChronyCmdDecodeError("too-short", `${what}: ${bytes.length} bytes of ${total}`);
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
}

/** Decodes one reply datagram. */
export function decodeChronyReply(bytes: Uint8Array): ChronyReply {
  const header = readChronyReplyHeader(bytes);
  const o = CHRONY_REPLY_HEADER_LENGTH;
  switch (header.reply) {
    case ChronyReplyCode.null:
      return { kind: "status", header };
    case ChronyReplyCode.tracking:
      return {
        kind: "tracking",
        header,
        tracking: readChronyTracking(need(bytes, CHRONY_TRACKING_LENGTH, "tracking"), o),
      };
    case ChronyReplyCode.nSources:
      return {
        kind: "n-sources",
        header,
        nSources: readChronyNSources(need(bytes, CHRONY_N_SOURCES_LENGTH, "n_sources"), o),
      };
    case ChronyReplyCode.sourceData:
      return {
        kind: "source-data",
        header,
        source: readChronySource(need(bytes, CHRONY_SOURCE_DATA_LENGTH, "source_data"), o),
      };
    default:
      throw new ChronyCmdDecodeError("unknown-reply", `reply code ${header.reply}`);
  }
}
