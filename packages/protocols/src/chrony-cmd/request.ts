/**
 * Building chronyd command requests (candm.h `CMD_Request`): protocol version 6, a random
 * 32-bit sequence number the reply must echo, the command's data, and zero padding up to
 * the length of the expected reply — chronyd drops requests shorter than their reply so
 * it cannot be used to amplify traffic. Pure; randomness is injected.
 * @see https://gitlab.com/chrony/chrony/-/blob/4.3/candm.h
 * @see https://gitlab.com/chrony/chrony/-/blob/4.3/pktlength.c
 */
import { InvalidArgumentError } from "@chronosync/core";
import {
  CHRONY_PKT_TYPE_REQUEST,
  CHRONY_PROTO_VERSION,
  CHRONY_REPLY_HEADER_LENGTH,
  CHRONY_REQUEST_HEADER_LENGTH,
  ChronyCommand,
} from "./header.js";
import { CHRONY_N_SOURCES_LENGTH, CHRONY_SOURCE_DATA_LENGTH } from "./sources.js";
import { CHRONY_TRACKING_LENGTH } from "./tracking.js";

/** What to ask: tracking, the number of sources, or the source at an index. */
export type ChronyRequestKind =
  | { kind: "tracking" }
  | { kind: "n-sources" }
  | { kind: "source-data"; index: number };

/** A request ready to send. */
export interface ChronyRequest {
  bytes: Uint8Array;
  /** Its sequence number; the reply must echo it. */
  sequence: number;
  command: number;
}

/** Builds a padded request; `random(4)` supplies the sequence number. */
export function createChronyRequest(
  what: ChronyRequestKind,
  options: { random: (n: number) => Uint8Array },
): ChronyRequest {
  let command: number;
  let dataLength = 0;
  let replyDataLength: number;
  switch (what.kind) {
    case "tracking":
      command = ChronyCommand.tracking;
      replyDataLength = CHRONY_TRACKING_LENGTH;
      break;
    case "n-sources":
      command = ChronyCommand.nSources;
      replyDataLength = CHRONY_N_SOURCES_LENGTH;
      break;
    case "source-data":
      if (!Number.isInteger(what.index) || what.index < 0 || what.index > 0x7fff_ffff)
        throw new InvalidArgumentError(`source index ${what.index}`);
      command = ChronyCommand.sourceData;
      dataLength = 4;
      replyDataLength = CHRONY_SOURCE_DATA_LENGTH;
      break;
  }
  const random = options.random(4);
  if (random.length < 4) throw new InvalidArgumentError(`random(4) returned ${random.length} bytes`);
  const length = Math.max(
    CHRONY_REQUEST_HEADER_LENGTH + dataLength,
    CHRONY_REPLY_HEADER_LENGTH + replyDataLength,
  );
  const bytes = new Uint8Array(length);
  const view = new DataView(bytes.buffer);
  view.setUint8(0, CHRONY_PROTO_VERSION);
  view.setUint8(1, CHRONY_PKT_TYPE_REQUEST);
  view.setUint16(4, command);
  bytes.set(random.subarray(0, 4), 8);
  if (what.kind === "source-data") view.setInt32(CHRONY_REQUEST_HEADER_LENGTH, what.index);
  return { bytes, sequence: view.getUint32(8), command };
}
