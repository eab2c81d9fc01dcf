/**
 * The unicast negotiation engine (IEEE 1588-2019 §16.1) on simulated time: requests,
 * grants, renewal at 3/4 of the grant, expiry, denial, a master's CANCEL, rogue senders,
 * and the cancellation on close. The wire against ptp4l is in ptp-interop.timing.test.ts (d).
 */
import { describe, expect, it } from "vitest";
import {
  decodePtpMessage,
  decodePtpUnicastTlv,
  encodePtpUnicastTlv,
  encodeSignaling,
  hasPtpFlag,
  newPtpHeader,
  type PortIdentity,
  PtpFlag,
  PtpMaster,
  PtpMessageType,
  PtpSlave,
  type PtpUnicastAction,
  PtpUnicastClient,
  type PtpUnicastSend,
  type PtpUnicastTlv,
} from "../src/index.js";

const S = 1_000_000_000n;
const MASTER = "10.0.0.1";
const MASTER_PORT: PortIdentity = { clockIdentity: "a0b0c0fffed0e0f0", portNumber: 1 };
const US = "0011223344556677";

function client(): PtpUnicastClient {
  return new PtpUnicastClient({ clockIdentity: US, masters: [MASTER], durationS: 60 });
}

/** The unicast TLVs of the Signaling messages sent; checks what every one must carry. */
function sent(actions: PtpUnicastAction[]): PtpUnicastTlv[][] {
  return actions
    .filter((a): a is PtpUnicastSend => a.type === "send")
    .map((a) => {
      expect(a.destination).toBe(MASTER);
      expect(a.channel).toBe("general");
      const d = decodePtpMessage(a.bytes);
      if (d.kind !== "message" || d.message.kind !== "signaling") throw new Error("not Signaling");
      expect(hasPtpFlag(d.message.header, PtpFlag.unicastFlag)).toBe(true);
      expect(d.message.header.sourcePortIdentity).toEqual({ clockIdentity: US, portNumber: 1 });
      return d.message.tlvs.map((t) => decodePtpUnicastTlv(t)!);
    });
}

const typesOf = (tlvs: PtpUnicastTlv[]) => tlvs.map((t) => `${t.kind}:${t.messageType}`);

/** A Signaling message from the master with `tlvs`, to us. */
function fromMaster(tlvs: PtpUnicastTlv[], target: PortIdentity = { clockIdentity: US, portNumber: 1 }) {
  const header = newPtpHeader(PtpMessageType.Signaling, {
    sourcePortIdentity: MASTER_PORT,
    sequenceId: 1,
    flagField: PtpFlag.unicastFlag,
  });
  return encodeSignaling({ header, targetPortIdentity: target, tlvs: tlvs.map(encodePtpUnicastTlv) });
}

const grant = (messageType: PtpMessageType, durationField = 60): PtpUnicastTlv => ({
  kind: "grant",
  messageType,
  logInterMessagePeriod: messageType === PtpMessageType.Announce ? 1 : 0,
  durationField,
  renewalInvited: false,
});

/** A client that holds all three grants, given at `at`. */
function granted(at: bigint): PtpUnicastClient {
  const c = client();
  c.handleTimer(at);
  c.handleMessage(fromMaster([grant(PtpMessageType.Announce)]), MASTER, at);
  c.handleMessage(fromMaster([grant(PtpMessageType.Sync), grant(PtpMessageType.Delay_Resp)]), MASTER, at);
  return c;
}

describe("PtpUnicastClient (IEEE 1588-2019 §16.1)", () => {
  it("asks for Announce every query interval until granted, to all ports", () => {
    const c = client();
    const first = sent(c.handleTimer(0n));
    expect(first.map(typesOf)).toEqual([["request:11"]]);
    expect(first[0]![0]).toMatchObject({ logInterMessagePeriod: 1, durationField: 60 });
    expect(c.handleTimer(S / 2n)).toEqual([]);
    expect(sent(c.handleTimer(S)).map(typesOf)).toEqual([["request:11"]]);
    expect(c.status).toEqual([{ address: MASTER, state: "WAIT", granted: [] }]);
  });

  it("asks for Sync and Delay_Resp once Announce is granted, then holds until 3/4 of the grant", () => {
    const c = client();
    c.handleTimer(0n);
    const events = c.handleMessage(fromMaster([grant(PtpMessageType.Announce)]), MASTER, S / 10n);
    expect(events).toEqual([
      {
        type: "grant",
        master: MASTER,
        messageType: PtpMessageType.Announce,
        durationS: 60,
        logInterMessagePeriod: 1,
      },
    ]);
    expect(c.status[0]!.state).toBe("NEED_SYNC_DELAY");
    expect(c.addressOf(MASTER_PORT)).toBe(MASTER);
    const next = sent(c.handleTimer(S / 5n));
    expect(next.map(typesOf)).toEqual([["request:0", "request:9"]]);
    c.handleMessage(
      fromMaster([grant(PtpMessageType.Sync), grant(PtpMessageType.Delay_Resp)]),
      MASTER,
      S / 4n,
    );
    expect(c.status[0]!.state).toBe("HAVE_SYNC_DELAY");
    // Nothing until 3/4 of 60 s after the first grant (45.1 s), then a renewal of all three.
    expect(c.handleTimer(30n * S)).toEqual([]);
    expect(c.handleTimer(45n * S)).toEqual([]);
    expect(sent(c.handleTimer(45n * S + S / 5n)).map(typesOf)).toEqual([
      ["request:11", "request:0", "request:9"],
    ]);
    // Unanswered: again a query interval later; answered: quiet again.
    expect(c.handleTimer(45n * S + S / 2n)).toEqual([]);
    expect(sent(c.handleTimer(46n * S + S / 5n))).toHaveLength(1);
    const at = 46n * S + S / 4n;
    c.handleMessage(fromMaster([grant(PtpMessageType.Announce)]), MASTER, at);
    c.handleMessage(fromMaster([grant(PtpMessageType.Sync), grant(PtpMessageType.Delay_Resp)]), MASTER, at);
    expect(c.handleTimer(80n * S)).toEqual([]);
    expect(c.status[0]!.state).toBe("HAVE_SYNC_DELAY");
  });

  it("starts over when the grants run out unrenewed", () => {
    const c = granted(0n);
    c.handleTimer(45n * S); // the renewal goes unanswered
    expect(sent(c.handleTimer(60n * S)).map(typesOf)).toEqual([["request:11"]]);
    expect(c.status).toEqual([{ address: MASTER, state: "WAIT", granted: [] }]);
  });

  it("stays in WAIT when Announce is denied (duration 0), and asks again later", () => {
    const c = client();
    c.handleTimer(0n);
    const events = c.handleMessage(fromMaster([grant(PtpMessageType.Announce, 0)]), MASTER, S / 10n);
    expect(events).toMatchObject([{ type: "grant", durationS: 0 }]);
    expect(c.counters.denied).toBe(1);
    expect(c.status[0]!.state).toBe("WAIT");
    expect(c.handleTimer(S / 2n)).toEqual([]);
    expect(sent(c.handleTimer(S + S / 10n)).map(typesOf)).toEqual([["request:11"]]);
  });

  it("acknowledges a master's CANCEL and asks again; keeps the grant with maintainGrant", () => {
    const c = granted(0n);
    const cancelSync: PtpUnicastTlv = { kind: "cancel", messageType: PtpMessageType.Sync, flags: 0 };
    const ack = sent(c.handleMessage(fromMaster([cancelSync]), MASTER, S));
    expect(ack).toEqual([[{ kind: "acknowledge-cancel", messageType: PtpMessageType.Sync, flags: 0 }]]);
    expect(c.counters.cancelled).toBe(1);
    expect(c.status[0]!.state).toBe("NEED_SYNC_DELAY");
    expect(sent(c.handleTimer(S)).map(typesOf)).toEqual([["request:0", "request:9"]]);

    const kept = granted(0n);
    const maintain: PtpUnicastTlv = { kind: "cancel", messageType: PtpMessageType.Sync, flags: 0x02 };
    expect(kept.handleMessage(fromMaster([maintain]), MASTER, S)).toEqual([]);
    expect(kept.status[0]!.state).toBe("HAVE_SYNC_DELAY");
  });

  it("ignores grants from outside the table, to another port, of another domain, and garbage", () => {
    const c = client();
    c.handleTimer(0n);
    expect(c.handleMessage(fromMaster([grant(PtpMessageType.Announce)]), "10.0.0.9", S)).toEqual([]);
    expect(c.counters.rogue).toBe(1);
    const other = { clockIdentity: "1111111111111111", portNumber: 1 };
    expect(c.handleMessage(fromMaster([grant(PtpMessageType.Announce)], other), MASTER, S)).toEqual([]);
    const header = newPtpHeader(PtpMessageType.Signaling, {
      sourcePortIdentity: MASTER_PORT,
      sequenceId: 2,
      domainNumber: 4,
    });
    const otherDomain = encodeSignaling({
      header,
      targetPortIdentity: { clockIdentity: US, portNumber: 1 },
      tlvs: [encodePtpUnicastTlv(grant(PtpMessageType.Announce))],
    });
    expect(c.handleMessage(otherDomain, MASTER, S)).toEqual([]);
    expect(c.handleMessage(Uint8Array.of(0x0c, 0x02, 0, 1), MASTER, S)).toEqual([]);
    expect(c.counters.malformed).toBe(1);
    expect(c.status[0]!.state).toBe("WAIT");
  });

  it("cancels what was granted on close", () => {
    const c = granted(0n);
    const cancels = sent(c.cancelAll());
    expect(cancels.map(typesOf)).toEqual([["cancel:11", "cancel:0", "cancel:9"]]);
    expect(c.status[0]!.state).toBe("WAIT");
    expect(client().cancelAll()).toEqual([]);
  });
});

describe("PtpSlave with unicast", () => {
  it("flags its Delay_Req as unicast", () => {
    const master = new PtpMaster({ clockIdentity: MASTER_PORT.clockIdentity });
    for (const unicast of [true, false]) {
      const slave = new PtpSlave({ clockIdentity: US, unicast });
      slave.start();
      let delayReq: Uint8Array | null = null;
      // Two Announces qualify the master; then a Sync + Follow_Up bring a Delay_Req.
      for (let i = 0n; i < 10n && delayReq === null; i++) {
        const now = i * S;
        for (const send of master.handleTimer(now)) {
          const out = [...slave.handleMessage(send.bytes, now + 1000n)];
          if (send.kind === "sync") {
            for (const f of master.syncSent(send.sequenceId, now))
              out.push(...slave.handleMessage(f.bytes, now + 2000n));
          }
          for (const a of out) if (a.type === "send") delayReq = a.bytes;
        }
      }
      expect(delayReq).not.toBeNull();
      const d = decodePtpMessage(delayReq!);
      if (d.kind !== "message") throw new Error("skip");
      expect(hasPtpFlag(d.message.header, PtpFlag.unicastFlag)).toBe(unicast);
    }
  });
});
