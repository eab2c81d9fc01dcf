/**
 * The PTP slave engine: ordinary clock, slave-only, one port, E2E delay over any
 * transport (IEEE 1588-2019 §9, §11.3). No I/O and no clock: the runner passes bytes with
 * their software receive time, calls {@link PtpSlave.handleTimer} at least every 250 ms,
 * sends what the engine returns and reports each Delay_Req's transmit time (t3) through
 * {@link PtpSlave.delayReqSent}. Samples come back as actions, offsets in UTC.
 */
import { type Duration, type Instant, nsToPtpTimestamp } from "@chronosync/core";
import { PtpDecodeError } from "../errors.js";
import { type ForeignMaster, ptpAnnounceIntervalNs, recordPtpAnnounce, selectBestPtpMaster } from "./bmca.js";
import { computeE2e } from "./e2e.js";
import type { PtpAnnounce } from "./messages/announce.js";
import { encodeDelayReq } from "./messages/delay-req.js";
import {
  hasPtpFlag,
  newPtpHeader,
  type PortIdentity,
  PtpFlag,
  PtpMessageType,
  samePortIdentity,
} from "./messages/header.js";
import { decodePtpMessage, type PtpMessage } from "./messages/message.js";
import { nextSlaveState, type PtpPortState, type PtpSlaveEvent } from "./slave-fsm.js";
import { masterTimestampToUtc, type PtpUtcOffset, ptpUtcOffsetOf } from "./utc-offset.js";

/** One complete E2E exchange, all instants UTC nanoseconds. */
export interface PtpSample {
  readonly masterIdentity: string;
  readonly masterPort: PortIdentity;
  readonly sequenceId: number;
  readonly t1: Instant;
  readonly t2: Instant;
  readonly t3: Instant;
  readonly t4: Instant;
  /** master − local (positive: the master is ahead). */
  readonly offsetNs: Duration;
  readonly meanPathDelayNs: Duration;
  readonly utcOffsetS: number;
  readonly utcOffsetValid: boolean;
  readonly twoStep: boolean;
}

/** What the runner must do. */
export type PtpSlaveAction =
  | {
      readonly type: "send";
      readonly channel: "event";
      readonly bytes: Uint8Array;
      readonly sequenceId: number;
    }
  | { readonly type: "sample"; readonly sample: PtpSample }
  | {
      readonly type: "state";
      readonly from: PtpPortState;
      readonly to: PtpPortState;
      readonly master: string | null;
    };

export interface PtpSlaveOptions {
  /** Our clock identity, 16 lowercase hex digits. */
  readonly clockIdentity: string;
  readonly portNumber?: number;
  readonly domainNumber?: number;
  /** TAI − UTC to assume when the master does not vouch for its own. Default 37. */
  readonly fallbackUtcOffsetS?: number;
  /** Announce intervals without an Announce before the master is dropped. Default 3. */
  readonly announceReceiptTimeout?: number;
  /** Announces needed to qualify a foreign master. Default 2 (§9.3.2.4.6). */
  readonly foreignMasterThreshold?: number;
  /** Good exchanges in UNCALIBRATED before SLAVE. Default 2. */
  readonly calibrationSamples?: number;
  /**
   * Delay_Req with the unicastFlag (§13.3.2.8), for a master reached by unicast
   * negotiation (the runner sends it to the master's address). Default false.
   */
  readonly unicast?: boolean;
}

interface SyncPoint {
  readonly sequenceId: number;
  readonly t2: Instant;
  readonly correction: bigint;
  readonly t1: Instant | null;
  readonly twoStep: boolean;
}

/** Counters for diagnostics. */
export interface PtpSlaveCounters {
  malformed: number;
  skipped: number;
  otherDomain: number;
  unmatched: number;
}

const DELAY_REQ_TIMEOUT_NS = 2_000_000_000n;

/** Slave-only ordinary clock (see module doc). */
export class PtpSlave {
  state: PtpPortState = "INITIALIZING";
  readonly counters: PtpSlaveCounters = { malformed: 0, skipped: 0, otherDomain: 0, unmatched: 0 };
  private readonly port: PortIdentity;
  private readonly domainNumber: number;
  private readonly fallbackUtcOffsetS: number;
  private readonly receiptTimeout: bigint;
  private readonly threshold: number;
  private readonly calibrationSamples: number;
  private readonly delayReqFlags: number;
  private readonly foreign = new Map<string, ForeignMaster>();
  private master: ForeignMaster | null = null;
  private lastMasterAnnounce: Instant = 0n;
  private sync: SyncPoint | null = null;
  private pendingFollowUp: { sequenceId: number; t1: PtpMessage & { kind: "follow-up" } } | null = null;
  private delayReq: { sequenceId: number; sync: SyncPoint; t3: Instant | null; sentAt: Instant } | null =
    null;
  private nextSequenceId = 0;
  private goodSamples = 0;

  constructor(options: PtpSlaveOptions) {
    this.port = { clockIdentity: options.clockIdentity, portNumber: options.portNumber ?? 1 };
    this.domainNumber = options.domainNumber ?? 0;
    this.fallbackUtcOffsetS = options.fallbackUtcOffsetS ?? 37;
    this.receiptTimeout = BigInt(options.announceReceiptTimeout ?? 3);
    this.threshold = options.foreignMasterThreshold ?? 2;
    this.calibrationSamples = options.calibrationSamples ?? 2;
    this.delayReqFlags = options.unicast ? PtpFlag.unicastFlag : 0;
  }

  /** The selected master's port identity, or null. */
  get masterPort(): PortIdentity | null {
    return this.master?.announce.header.sourcePortIdentity ?? null;
  }

  /** The selected master's latest Announce, or null. */
  get masterAnnounce(): PtpAnnounce | null {
    return this.master?.announce ?? null;
  }

  /** Starts listening (INITIALIZING → LISTENING). */
  start(): PtpSlaveAction[] {
    return this.transition({ type: "initialized" });
  }

  /** A datagram from port 319 or 320 with its receive time (local UTC ns). Never throws on bad input. */
  handleMessage(bytes: Uint8Array, rxTime: Instant): PtpSlaveAction[] {
    let decoded: ReturnType<typeof decodePtpMessage>;
    try {
      decoded = decodePtpMessage(bytes);
    } catch (err) {
      if (!(err instanceof PtpDecodeError)) throw err;
      this.counters.malformed++;
      return [];
    }
    if (decoded.kind === "skip") {
      this.counters.skipped++;
      return [];
    }
    const message = decoded.message;
    if (message.header.domainNumber !== this.domainNumber) {
      this.counters.otherDomain++;
      return [];
    }
    if (message.header.sourcePortIdentity.clockIdentity === this.port.clockIdentity) return [];
    switch (message.kind) {
      case "announce":
        return this.onAnnounce(message, rxTime);
      case "sync":
        return this.onSync(message, rxTime);
      case "follow-up":
        return this.onFollowUp(message);
      case "delay-resp":
        return this.onDelayResp(message);
      default:
        return [];
    }
  }

  /** Announce receipt timeout and stale Delay_Req; call at least every 250 ms. */
  handleTimer(now: Instant): PtpSlaveAction[] {
    if (this.delayReq !== null && now - this.delayReq.sentAt > DELAY_REQ_TIMEOUT_NS) this.delayReq = null;
    if (this.master === null) return [];
    const timeout = this.receiptTimeout * ptpAnnounceIntervalNs(this.master.announce);
    if (now - this.lastMasterAnnounce <= timeout) return [];
    this.foreign.delete(this.key(this.master.announce.header.sourcePortIdentity));
    this.master = null;
    this.sync = null;
    this.delayReq = null;
    return this.transition({ type: "announce-timeout" });
  }

  /** The runner's software transmit time of the Delay_Req `sequenceId` (t3). */
  delayReqSent(sequenceId: number, t3: Instant): void {
    if (this.delayReq?.sequenceId === sequenceId) this.delayReq.t3 = t3;
  }

  private key(port: PortIdentity): string {
    return `${port.clockIdentity}/${port.portNumber}`;
  }

  private transition(event: PtpSlaveEvent): PtpSlaveAction[] {
    const from = this.state;
    const to = nextSlaveState(from, event);
    if (to === from) return [];
    this.state = to;
    if (to !== "SLAVE") this.goodSamples = 0;
    return [{ type: "state", from, to, master: this.master?.announce.grandmasterIdentity ?? null }];
  }

  private onAnnounce(announce: PtpAnnounce, rxTime: Instant): PtpSlaveAction[] {
    const key = this.key(announce.header.sourcePortIdentity);
    this.foreign.set(key, recordPtpAnnounce(this.foreign.get(key), announce, rxTime));
    const best = selectBestPtpMaster(this.foreign.values(), rxTime, this.threshold);
    const previous = this.master?.announce.header.sourcePortIdentity ?? null;
    this.master = best;
    if (best === null) return previous === null ? [] : this.transition({ type: "no-master" });
    const port = best.announce.header.sourcePortIdentity;
    if (samePortIdentity(port, announce.header.sourcePortIdentity)) this.lastMasterAnnounce = rxTime;
    const changed = previous === null || !samePortIdentity(previous, port);
    if (changed) {
      this.sync = null;
      this.delayReq = null;
      this.lastMasterAnnounce = rxTime;
    }
    return this.transition({ type: "master-selected", changed });
  }

  private fromMaster(message: PtpMessage): boolean {
    const port = this.masterPort;
    if (port !== null && samePortIdentity(port, message.header.sourcePortIdentity)) return true;
    this.counters.unmatched++;
    return false;
  }

  private utc(): PtpUtcOffset {
    return ptpUtcOffsetOf(this.master!.announce, this.fallbackUtcOffsetS);
  }

  private onSync(message: PtpMessage & { kind: "sync" }, rxTime: Instant): PtpSlaveAction[] {
    if (!this.fromMaster(message)) return [];
    const twoStep = hasPtpFlag(message.header, PtpFlag.twoStepFlag);
    const { sequenceId, correctionField } = message.header;
    let point: SyncPoint = { sequenceId, t2: rxTime, correction: correctionField, t1: null, twoStep };
    if (!twoStep) point = { ...point, t1: masterTimestampToUtc(message.originTimestamp, this.utc()) };
    else if (this.pendingFollowUp?.sequenceId === sequenceId)
      point = this.withFollowUp(point, this.pendingFollowUp.t1);
    this.sync = point;
    this.pendingFollowUp = null;
    return point.t1 === null ? [] : this.requestDelay(point, rxTime);
  }

  private withFollowUp(point: SyncPoint, followUp: PtpMessage & { kind: "follow-up" }): SyncPoint {
    return {
      ...point,
      t1: masterTimestampToUtc(followUp.preciseOriginTimestamp, this.utc()),
      correction: point.correction + followUp.header.correctionField,
    };
  }

  private onFollowUp(message: PtpMessage & { kind: "follow-up" }): PtpSlaveAction[] {
    if (!this.fromMaster(message)) return [];
    const sync = this.sync;
    if (sync === null || sync.sequenceId !== message.header.sequenceId || !sync.twoStep || sync.t1 !== null) {
      // The general socket may deliver the Follow_Up before the event socket's Sync.
      this.pendingFollowUp = { sequenceId: message.header.sequenceId, t1: message };
      return [];
    }
    const point = this.withFollowUp(sync, message);
    this.sync = point;
    return this.requestDelay(point, sync.t2);
  }

  private requestDelay(sync: SyncPoint, now: Instant): PtpSlaveAction[] {
    if (this.state === "LISTENING" || this.delayReq !== null) return [];
    const sequenceId = this.nextSequenceId;
    this.nextSequenceId = (this.nextSequenceId + 1) & 0xffff;
    this.delayReq = { sequenceId, sync, t3: null, sentAt: now };
    const header = newPtpHeader(PtpMessageType.Delay_Req, {
      sourcePortIdentity: this.port,
      sequenceId,
      domainNumber: this.domainNumber,
      flagField: this.delayReqFlags,
    });
    const utcOffset = BigInt(this.utc().utcOffsetS) * 1_000_000_000n;
    const bytes = encodeDelayReq({ header, originTimestamp: nsToPtpTimestamp(now + utcOffset) });
    return [{ type: "send", channel: "event", bytes, sequenceId }];
  }

  private onDelayResp(message: PtpMessage & { kind: "delay-resp" }): PtpSlaveAction[] {
    const pending = this.delayReq;
    if (
      pending === null ||
      !samePortIdentity(message.requestingPortIdentity, this.port) ||
      message.header.sequenceId !== pending.sequenceId ||
      !this.fromMaster(message)
    ) {
      return [];
    }
    this.delayReq = null;
    const { sync, t3 } = pending;
    if (t3 === null || sync.t1 === null) return [];
    const offset = this.utc();
    const t4 = masterTimestampToUtc(message.receiveTimestamp, offset);
    const result = computeE2e({
      t1: sync.t1,
      t2: sync.t2,
      t3,
      t4,
      syncCorrection: sync.correction,
      delayRespCorrection: message.header.correctionField,
    });
    const master = this.master!.announce;
    const sample: PtpSample = {
      masterIdentity: master.grandmasterIdentity,
      masterPort: master.header.sourcePortIdentity,
      sequenceId: pending.sequenceId,
      t1: sync.t1,
      t2: sync.t2,
      t3,
      t4,
      offsetNs: result.offsetNs,
      meanPathDelayNs: result.meanPathDelayNs,
      utcOffsetS: offset.utcOffsetS,
      utcOffsetValid: offset.utcOffsetValid,
      twoStep: sync.twoStep,
    };
    const actions: PtpSlaveAction[] = [{ type: "sample", sample }];
    if (this.state === "UNCALIBRATED" && ++this.goodSamples >= this.calibrationSamples) {
      actions.push(...this.transition({ type: "calibrated" }));
    }
    return actions;
  }
}
