/**
 * Announce message, IEEE 1588-2019 §13.5 (64 bytes without TLVs): the grandmaster's
 * dataset that the best master clock algorithm compares (§9.3.4), and the time
 * properties — `currentUtcOffset` (TAI − UTC) with `currentUtcOffsetValid`,
 * `ptpTimescale` and leap flags in the header's `flagField`. Pure: no `node:` imports.
 */
import type { PtpTimestamp } from "@chronosync/core";
import { decodeBody, encodeFrame, PTP_HEADER_LENGTH, readTimestamp, writeTimestamp } from "./fields.js";
import { type PtpHeader, PtpMessageType } from "./header.js";
import type { PtpTlv } from "./tlv.js";

/** `ClockQuality`, §5.3.7. */
export interface PtpClockQuality {
  readonly clockClass: number;
  readonly clockAccuracy: number;
  readonly offsetScaledLogVariance: number;
}

/** An Announce message with the standard's field names. */
export interface PtpAnnounce {
  readonly header: PtpHeader;
  readonly originTimestamp: PtpTimestamp;
  /** Integer16: TAI − UTC in seconds (37 since 2017). */
  readonly currentUtcOffset: number;
  readonly grandmasterPriority1: number;
  readonly grandmasterClockQuality: PtpClockQuality;
  readonly grandmasterPriority2: number;
  /** 16 lowercase hex digits. */
  readonly grandmasterIdentity: string;
  readonly stepsRemoved: number;
  /** `timeSource` enumeration, §7.6.2.8 (e.g. 0xa0 INTERNAL_OSCILLATOR). */
  readonly timeSource: number;
  readonly tlvs: readonly PtpTlv[];
}

/** Bytes of an Announce without TLVs. */
export const PTP_ANNOUNCE_LENGTH = PTP_HEADER_LENGTH + 30;

const O = PTP_HEADER_LENGTH;

/**
 * Decodes the body of an Announce whose header is already decoded.
 * @throws {PtpDecodeError} `bad-length`, `bad-timestamp` or `bad-tlv`.
 */
export function decodeAnnounce(bytes: Uint8Array, header: PtpHeader): PtpAnnounce {
  const tlvs = decodeBody(bytes, header, PTP_ANNOUNCE_LENGTH, "Announce");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let grandmasterIdentity = "";
  for (let i = 0; i < 8; i++)
    grandmasterIdentity += view
      .getUint8(O + 19 + i)
      .toString(16)
      .padStart(2, "0");
  return {
    header,
    originTimestamp: readTimestamp(bytes, O),
    currentUtcOffset: view.getInt16(O + 10),
    grandmasterPriority1: view.getUint8(O + 13),
    grandmasterClockQuality: {
      clockClass: view.getUint8(O + 14),
      clockAccuracy: view.getUint8(O + 15),
      offsetScaledLogVariance: view.getUint16(O + 16),
    },
    grandmasterPriority2: view.getUint8(O + 18),
    grandmasterIdentity,
    stepsRemoved: view.getUint16(O + 27),
    timeSource: view.getUint8(O + 29),
    tlvs,
  };
}

/** Encodes an Announce; `messageType` and `messageLength` are set from the message. */
export function encodeAnnounce(
  message: Omit<PtpAnnounce, "tlvs"> & { tlvs?: readonly PtpTlv[] },
): Uint8Array {
  const header = { ...message.header, messageType: PtpMessageType.Announce };
  return encodeFrame(header, PTP_ANNOUNCE_LENGTH, message.tlvs ?? [], (bytes, view) => {
    writeTimestamp(message.originTimestamp, bytes, O);
    view.setInt16(O + 10, message.currentUtcOffset);
    view.setUint8(O + 13, message.grandmasterPriority1);
    view.setUint8(O + 14, message.grandmasterClockQuality.clockClass);
    view.setUint8(O + 15, message.grandmasterClockQuality.clockAccuracy);
    view.setUint16(O + 16, message.grandmasterClockQuality.offsetScaledLogVariance);
    view.setUint8(O + 18, message.grandmasterPriority2);
    if (!/^[0-9a-f]{16}$/.test(message.grandmasterIdentity)) {
      throw new RangeError(`grandmasterIdentity must be 16 lowercase hex digits`);
    }
    for (let i = 0; i < 8; i++) {
      view.setUint8(O + 19 + i, Number.parseInt(message.grandmasterIdentity.slice(2 * i, 2 * i + 2), 16));
    }
    view.setUint16(O + 27, message.stepsRemoved);
    view.setUint8(O + 29, message.timeSource);
  });
}
