/**
 * Unicast negotiation for a slave, IEEE 1588-2019 §16.1: instead of listening to
 * multicast, ask each master in a table for unicast Announce, then Sync and Delay_Resp,
 * with REQUEST_UNICAST_TRANSMISSION TLVs in Signaling messages, and renew the grants
 * before they run out. Per master (as linuxptp's `unicast_fsm`, E2E):
 *
 *   WAIT ──Announce granted──▶ NEED_SYNC_DELAY ──Sync and Delay_Resp granted──▶ HAVE_SYNC_DELAY
 *     ▲                               │                                          │
 *     └──── denied (duration 0), cancelled by the master, or the grant ran out ──┘
 *
 * In WAIT and NEED_SYNC_DELAY a request goes out every query interval; once granted,
 * everything is renewed at 3/4 of the shortest grant. A CANCEL from the master is
 * acknowledged. No I/O and no clock: the runner passes datagrams with their source
 * address and calls {@link PtpUnicastClient.handleTimer} at least every 250 ms.
 */
import type { Instant } from "@chronosync/core";
import { PtpDecodeError } from "../errors.js";
import { newPtpHeader, type PortIdentity, PtpFlag, PtpMessageType } from "./messages/header.js";
import { decodePtpMessage } from "./messages/message.js";
import {
  decodePtpUnicastTlv,
  encodePtpUnicastTlv,
  encodeSignaling,
  type PtpUnicastTlv,
} from "./messages/signaling.js";

/** A master's negotiation state. */
export type PtpUnicastState = "WAIT" | "NEED_SYNC_DELAY" | "HAVE_SYNC_DELAY";

/** What the runner must send: a Signaling message to `destination`'s general port. */
export interface PtpUnicastSend {
  readonly type: "send";
  readonly channel: "general";
  readonly destination: string;
  readonly bytes: Uint8Array;
}

/** A grant or denial, for logs and status. */
export interface PtpUnicastGrantEvent {
  readonly type: "grant";
  readonly master: string;
  readonly messageType: PtpMessageType;
  /** Seconds; 0: denied. */
  readonly durationS: number;
  readonly logInterMessagePeriod: number;
}

export type PtpUnicastAction = PtpUnicastSend | PtpUnicastGrantEvent;

export interface PtpUnicastClientOptions {
  /** Our clock identity, 16 lowercase hex digits. */
  readonly clockIdentity: string;
  readonly portNumber?: number;
  readonly domainNumber?: number;
  /** The unicast master table: IPv4 addresses. */
  readonly masters: readonly string[];
  /** Requested periods (log2 s): Announce default 1, Sync 0, Delay_Resp 0. */
  readonly logAnnounceInterval?: number;
  readonly logSyncInterval?: number;
  readonly logMinDelayReqInterval?: number;
  /** Requested grant duration in seconds, default 300 (ptp4l's unicast_req_duration is 3600). */
  readonly durationS?: number;
  /** Time between unanswered requests, default 1 s (ptp4l: 2^logQueryInterval). */
  readonly queryIntervalNs?: bigint;
}

/** §16.1.4.4: CANCEL flags. */
const MAINTAIN_GRANT = 0x02;
const NS = 1_000_000_000n;
/** The TLV types of §16.1.4 and the message types we ask for (E2E). */
const SYNC_DELAY = [PtpMessageType.Sync, PtpMessageType.Delay_Resp] as const;

interface MasterRecord {
  readonly address: string;
  state: PtpUnicastState;
  /** Learned from its grants. */
  port: PortIdentity | null;
  /** Per granted message type: when it runs out, and when to renew it (at 3/4). */
  granted: Map<PtpMessageType, { expiry: Instant; renewAt: Instant }>;
  nextQuery: Instant | null;
}

/** A slave's unicast negotiation with every master of its table (see module doc). */
export class PtpUnicastClient {
  readonly counters = { malformed: 0, rogue: 0, denied: 0, cancelled: 0 };
  private readonly o: Required<Omit<PtpUnicastClientOptions, "masters">>;
  private readonly port: PortIdentity;
  private readonly masters: Map<string, MasterRecord>;
  private sequenceId = 0;

  constructor(options: PtpUnicastClientOptions) {
    this.o = {
      portNumber: 1,
      domainNumber: 0,
      logAnnounceInterval: 1,
      logSyncInterval: 0,
      logMinDelayReqInterval: 0,
      durationS: 300,
      queryIntervalNs: NS,
      ...options,
    };
    this.port = { clockIdentity: this.o.clockIdentity, portNumber: this.o.portNumber };
    this.masters = new Map(
      options.masters.map((address) => [
        address,
        { address, state: "WAIT", port: null, granted: new Map(), nextQuery: null },
      ]),
    );
  }

  /** Each master's state and granted message types. */
  get status(): { address: string; state: PtpUnicastState; granted: PtpMessageType[] }[] {
    return [...this.masters.values()].map((m) => ({
      address: m.address,
      state: m.state,
      granted: [...m.granted.keys()],
    }));
  }

  /** The address of the master whose port (learned from its grants) is `port`. */
  addressOf(port: PortIdentity | null): string | null {
    if (port === null) return null;
    for (const m of this.masters.values()) {
      if (m.port?.clockIdentity === port.clockIdentity && m.port.portNumber === port.portNumber)
        return m.address;
    }
    return null;
  }

  /** Requests that are due, expired grants dropped. */
  handleTimer(now: Instant): PtpUnicastAction[] {
    const out: PtpUnicastAction[] = [];
    for (const m of this.masters.values()) {
      for (const [type, grant] of m.granted) if (now >= grant.expiry) m.granted.delete(type);
      if (m.state !== "WAIT" && !m.granted.has(PtpMessageType.Announce)) this.reset(m);
      if (m.state === "HAVE_SYNC_DELAY" && !SYNC_DELAY.every((t) => m.granted.has(t)))
        m.state = "NEED_SYNC_DELAY";
      if (m.nextQuery !== null && now < m.nextQuery) continue;
      if (m.state === "HAVE_SYNC_DELAY") {
        // Renew everything once any grant is at 3/4 of its duration; again every query
        // interval until the new grants come.
        if (![...m.granted.values()].some((g) => now >= g.renewAt)) continue;
        m.nextQuery = now + this.o.queryIntervalNs;
        out.push(this.request(m, [PtpMessageType.Announce, ...SYNC_DELAY]));
        continue;
      }
      m.nextQuery = now + this.o.queryIntervalNs;
      out.push(
        m.state === "WAIT" ? this.request(m, [PtpMessageType.Announce]) : this.request(m, [...SYNC_DELAY]),
      );
    }
    return out;
  }

  /** A datagram of the general port from `source`: Signaling of a table master is handled. */
  handleMessage(bytes: Uint8Array, source: string, now: Instant): PtpUnicastAction[] {
    let decoded: ReturnType<typeof decodePtpMessage>;
    try {
      decoded = decodePtpMessage(bytes);
    } catch (err) {
      if (!(err instanceof PtpDecodeError)) throw err;
      this.counters.malformed++;
      return [];
    }
    if (decoded.kind !== "message" || decoded.message.kind !== "signaling") return [];
    const message = decoded.message;
    if (message.header.domainNumber !== this.o.domainNumber) return [];
    const target = message.targetPortIdentity;
    const forUs =
      target.clockIdentity === "ffffffffffffffff" ||
      (target.clockIdentity === this.port.clockIdentity &&
        (target.portNumber === 0xffff || target.portNumber === this.port.portNumber));
    if (!forUs) return [];
    const m = this.masters.get(source);
    if (m === undefined) {
      this.counters.rogue++;
      return [];
    }
    const out: PtpUnicastAction[] = [];
    for (const raw of message.tlvs) {
      let tlv: PtpUnicastTlv | null;
      try {
        tlv = decodePtpUnicastTlv(raw);
      } catch (err) {
        if (!(err instanceof PtpDecodeError)) throw err;
        this.counters.malformed++;
        continue;
      }
      if (tlv?.kind === "grant") out.push(...this.onGrant(m, message.header.sourcePortIdentity, tlv, now));
      else if (tlv?.kind === "cancel") out.push(...this.onCancel(m, tlv));
    }
    return out;
  }

  /** CANCEL_UNICAST_TRANSMISSION for everything granted (call before closing). */
  cancelAll(): PtpUnicastAction[] {
    const out: PtpUnicastAction[] = [];
    for (const m of this.masters.values()) {
      const types = [...m.granted.keys()];
      this.reset(m);
      if (types.length === 0) continue;
      const tlvs = types.map((messageType) => encodePtpUnicastTlv({ kind: "cancel", messageType, flags: 0 }));
      out.push(this.signaling(m, tlvs));
    }
    return out;
  }

  private reset(m: MasterRecord): void {
    m.state = "WAIT";
    m.granted.clear();
    m.nextQuery = null;
  }

  private periodOf(type: PtpMessageType): number {
    if (type === PtpMessageType.Announce) return this.o.logAnnounceInterval;
    if (type === PtpMessageType.Sync) return this.o.logSyncInterval;
    return this.o.logMinDelayReqInterval;
  }

  private request(m: MasterRecord, types: readonly PtpMessageType[]): PtpUnicastSend {
    const tlvs = types.map((messageType) =>
      encodePtpUnicastTlv({
        kind: "request",
        messageType,
        logInterMessagePeriod: this.periodOf(messageType),
        durationField: this.o.durationS,
      }),
    );
    return this.signaling(m, tlvs);
  }

  private signaling(m: MasterRecord, tlvs: ReturnType<typeof encodePtpUnicastTlv>[]): PtpUnicastSend {
    const sequenceId = this.sequenceId;
    this.sequenceId = (sequenceId + 1) & 0xffff;
    const header = newPtpHeader(PtpMessageType.Signaling, {
      sourcePortIdentity: this.port,
      sequenceId,
      domainNumber: this.o.domainNumber,
      flagField: PtpFlag.unicastFlag,
    });
    const targetPortIdentity = m.port ?? { clockIdentity: "ffffffffffffffff", portNumber: 0xffff };
    const bytes = encodeSignaling({ header, targetPortIdentity, tlvs });
    return { type: "send", channel: "general", destination: m.address, bytes };
  }

  private onGrant(
    m: MasterRecord,
    from: PortIdentity,
    grant: PtpUnicastTlv & { kind: "grant" },
    now: Instant,
  ): PtpUnicastAction[] {
    const event: PtpUnicastGrantEvent = {
      type: "grant",
      master: m.address,
      messageType: grant.messageType,
      durationS: grant.durationField,
      logInterMessagePeriod: grant.logInterMessagePeriod,
    };
    if (grant.durationField === 0) {
      this.counters.denied++;
      // §16.1.4.2: duration 0 denies. Without Announce there is nothing to build on.
      if (grant.messageType === PtpMessageType.Announce || m.state === "HAVE_SYNC_DELAY") {
        m.granted.delete(grant.messageType);
        if (grant.messageType === PtpMessageType.Announce) this.reset(m);
        else m.state = "NEED_SYNC_DELAY";
      }
      m.nextQuery = now + this.o.queryIntervalNs; // ask again, not at once
      return [event];
    }
    const wanted =
      grant.messageType === PtpMessageType.Announce || SYNC_DELAY.some((t) => t === grant.messageType);
    if (!wanted) return [event];
    const durationNs = BigInt(grant.durationField) * NS;
    m.granted.set(grant.messageType, { expiry: now + durationNs, renewAt: now + (durationNs * 3n) / 4n });
    m.port = from;
    if (m.state === "WAIT" && grant.messageType === PtpMessageType.Announce) {
      m.state = "NEED_SYNC_DELAY";
      m.nextQuery = null; // ask for Sync and Delay_Resp right away
    }
    if (m.state === "NEED_SYNC_DELAY" && SYNC_DELAY.every((t) => m.granted.has(t))) {
      m.state = "HAVE_SYNC_DELAY";
      m.nextQuery = null;
    }
    return [event];
  }

  private onCancel(m: MasterRecord, cancel: PtpUnicastTlv & { kind: "cancel" }): PtpUnicastAction[] {
    if (cancel.flags & MAINTAIN_GRANT) return [];
    this.counters.cancelled++;
    m.granted.delete(cancel.messageType);
    if (cancel.messageType === PtpMessageType.Announce) this.reset(m);
    else if (m.state === "HAVE_SYNC_DELAY") m.state = "NEED_SYNC_DELAY";
    const ack = encodePtpUnicastTlv({
      kind: "acknowledge-cancel",
      messageType: cancel.messageType,
      flags: cancel.flags,
    });
    return [this.signaling(m, [ack])];
  }
}
