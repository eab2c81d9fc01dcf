/**
 * The PTP master engine: ordinary clock, master-only, one port, two-step, E2E
 * (IEEE 1588-2019 §9.5, §11.3): Announce every 2^logAnnounceInterval s, Sync + Follow_Up
 * every 2^logSyncInterval s, a Delay_Resp for every Delay_Req of our domain. No I/O and no
 * clock: the runner calls {@link PtpMaster.handleTimer} with the local UTC time (at least
 * as often as {@link PtpMaster.nextTimerAt} asks), sends the returned messages, and
 * reports each Sync's software transmit time through {@link PtpMaster.syncSent}, which
 * returns the Follow_Up carrying it. Timestamps go out on the PTP timescale (TAI).
 */
import { type Instant, NS_PER_S, nsToPtpTimestamp } from "@chronosync/core";
import { PtpDecodeError } from "../errors.js";
import { encodeAnnounce, type PtpClockQuality } from "./messages/announce.js";
import { encodeDelayResp } from "./messages/delay-resp.js";
import { encodeFollowUp } from "./messages/follow-up.js";
import { newPtpHeader, type PortIdentity, PtpFlag, PtpMessageType } from "./messages/header.js";
import { decodePtpMessage } from "./messages/message.js";
import { encodeSync } from "./messages/sync.js";

/** What the runner must send; `channel` is the event (319) or general (320) port. */
export interface PtpMasterSend {
  readonly type: "send";
  readonly channel: "event" | "general";
  readonly kind: "announce" | "sync" | "follow-up" | "delay-resp";
  readonly bytes: Uint8Array;
  readonly sequenceId: number;
}

export interface PtpMasterOptions {
  readonly clockIdentity: string;
  readonly portNumber?: number;
  readonly domainNumber?: number;
  readonly priority1?: number;
  readonly priority2?: number;
  /** Default clockClass 248, clockAccuracy 0xfe (unknown), offsetScaledLogVariance 0xffff. */
  readonly clockQuality?: PtpClockQuality;
  /** TAI − UTC announced and added to our UTC clock. Default 37. */
  readonly currentUtcOffset?: number;
  /** Default true. */
  readonly currentUtcOffsetValid?: boolean;
  /** `timeSource`, §7.6.2.8. Default 0xa0 (INTERNAL_OSCILLATOR). */
  readonly timeSource?: number;
  readonly logSyncInterval?: number;
  readonly logAnnounceInterval?: number;
  readonly logMinDelayReqInterval?: number;
}

const intervalNs = (log: number) => (log >= 0 ? NS_PER_S << BigInt(log) : NS_PER_S >> BigInt(-log));

/** Master-only ordinary clock (see module doc). */
export class PtpMaster {
  readonly counters = { malformed: 0, delayRequests: 0 };
  private readonly o: Required<PtpMasterOptions>;
  private readonly port: PortIdentity;
  private readonly flags: number;
  private nextAnnounce: Instant | null = null;
  private nextSync: Instant | null = null;
  private announceSeq = 0;
  private syncSeq = 0;
  private pendingSync: number | null = null;

  constructor(options: PtpMasterOptions) {
    this.o = {
      portNumber: 1,
      domainNumber: 0,
      priority1: 128,
      priority2: 128,
      clockQuality: { clockClass: 248, clockAccuracy: 0xfe, offsetScaledLogVariance: 0xffff },
      currentUtcOffset: 37,
      currentUtcOffsetValid: true,
      timeSource: 0xa0,
      logSyncInterval: 0,
      logAnnounceInterval: 1,
      logMinDelayReqInterval: 0,
      ...options,
    };
    this.port = { clockIdentity: this.o.clockIdentity, portNumber: this.o.portNumber };
    this.flags = PtpFlag.ptpTimescale | (this.o.currentUtcOffsetValid ? PtpFlag.currentUtcOffsetValid : 0);
  }

  /** When the runner should call {@link handleTimer} next (null: right away). */
  get nextTimerAt(): Instant | null {
    if (this.nextAnnounce === null || this.nextSync === null) return null;
    // biome-ignore lint/complexity/useMathMinMax: bigint operands (Math.min takes numbers)
    return this.nextAnnounce < this.nextSync ? this.nextAnnounce : this.nextSync;
  }

  private tai(utc: Instant) {
    return nsToPtpTimestamp(utc + BigInt(this.o.currentUtcOffset) * NS_PER_S);
  }

  private header(
    type: PtpMessageType,
    sequenceId: number,
    extra: { flagField?: number; logMessageInterval?: number },
  ) {
    return newPtpHeader(type, {
      sourcePortIdentity: this.port,
      sequenceId,
      domainNumber: this.o.domainNumber,
      flagField: this.flags,
      ...extra,
    });
  }

  /** Sends Announce and Sync when due. */
  handleTimer(now: Instant): PtpMasterSend[] {
    const out: PtpMasterSend[] = [];
    if (this.nextAnnounce === null || now >= this.nextAnnounce) {
      this.nextAnnounce = now + intervalNs(this.o.logAnnounceInterval);
      const sequenceId = this.announceSeq;
      this.announceSeq = (sequenceId + 1) & 0xffff;
      const bytes = encodeAnnounce({
        header: this.header(PtpMessageType.Announce, sequenceId, {
          logMessageInterval: this.o.logAnnounceInterval,
        }),
        originTimestamp: this.tai(now),
        currentUtcOffset: this.o.currentUtcOffset,
        grandmasterPriority1: this.o.priority1,
        grandmasterClockQuality: this.o.clockQuality,
        grandmasterPriority2: this.o.priority2,
        grandmasterIdentity: this.o.clockIdentity,
        stepsRemoved: 0,
        timeSource: this.o.timeSource,
      });
      out.push({ type: "send", channel: "general", kind: "announce", bytes, sequenceId });
    }
    if (this.nextSync === null || now >= this.nextSync) {
      this.nextSync = now + intervalNs(this.o.logSyncInterval);
      const sequenceId = this.syncSeq;
      this.syncSeq = (sequenceId + 1) & 0xffff;
      this.pendingSync = sequenceId;
      const header = this.header(PtpMessageType.Sync, sequenceId, {
        flagField: this.flags | PtpFlag.twoStepFlag,
        logMessageInterval: this.o.logSyncInterval,
      });
      out.push({
        type: "send",
        channel: "event",
        kind: "sync",
        bytes: encodeSync({ header, originTimestamp: this.tai(now) }),
        sequenceId,
      });
    }
    return out;
  }

  /** The Sync `sequenceId` left at `t1` (local UTC): returns its Follow_Up. */
  syncSent(sequenceId: number, t1: Instant): PtpMasterSend[] {
    if (this.pendingSync !== sequenceId) return [];
    this.pendingSync = null;
    const header = this.header(PtpMessageType.Follow_Up, sequenceId, {
      logMessageInterval: this.o.logSyncInterval,
    });
    const bytes = encodeFollowUp({ header, preciseOriginTimestamp: this.tai(t1) });
    return [{ type: "send", channel: "general", kind: "follow-up", bytes, sequenceId }];
  }

  /** A datagram with its receive time (local UTC): Delay_Req of our domain → Delay_Resp. */
  handleMessage(bytes: Uint8Array, rxTime: Instant): PtpMasterSend[] {
    let decoded: ReturnType<typeof decodePtpMessage>;
    try {
      decoded = decodePtpMessage(bytes);
    } catch (err) {
      if (!(err instanceof PtpDecodeError)) throw err;
      this.counters.malformed++;
      return [];
    }
    if (decoded.kind !== "message" || decoded.message.kind !== "delay-req") return [];
    const request = decoded.message.header;
    if (request.domainNumber !== this.o.domainNumber) return [];
    this.counters.delayRequests++;
    const header = this.header(PtpMessageType.Delay_Resp, request.sequenceId, {
      logMessageInterval: this.o.logMinDelayReqInterval,
    });
    const resp = encodeDelayResp({
      header: { ...header, correctionField: request.correctionField },
      receiveTimestamp: this.tai(rxTime),
      requestingPortIdentity: request.sourcePortIdentity,
    });
    return [
      { type: "send", channel: "general", kind: "delay-resp", bytes: resp, sequenceId: request.sequenceId },
    ];
  }
}
