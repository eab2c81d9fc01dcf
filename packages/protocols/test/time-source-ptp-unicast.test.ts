/**
 * `ptp://…?unicast=`: the URL's unicast masters reach the slave, which negotiates with
 * them (REQUEST_UNICAST_TRANSMISSION in Signaling, IEEE 1588-2019 §16.1) instead of
 * joining the multicast group. A plain UDP socket stands in for the master here; the
 * negotiation against ptp4l (`unicast_listen 1`) is in ptp-interop.timing.test.ts (d).
 */
import { createSocket, type Socket } from "node:dgram";
import { afterEach, describe, expect, it } from "vitest";
import {
  createTimeSource,
  decodePtpMessage,
  decodePtpUnicastTlv,
  encodePtpUnicastTlv,
  encodeSignaling,
  hasPtpFlag,
  newPtpHeader,
  PtpFlag,
  PtpMessageType,
  type PtpUnicastTlv,
  TimeSourceUrlError,
} from "../src/index.js";
import { until } from "./helpers/ntp-server-contract.js";
import { freeUdpPort } from "./helpers/udp.js";

/** The master's address: on loopback, but not the slave's own 127.0.0.1 (same ports). */
const MASTER = "127.0.0.2";
const MASTER_PORT = { clockIdentity: "a0b0c0fffed0e0f0", portNumber: 1 };

interface FakeMaster {
  socket: Socket;
  /** The unicast TLVs of each Signaling message received, and who sent it. */
  received: { from: string; tlvs: PtpUnicastTlv[] }[];
}

/**
 * A socket on MASTER:port that grants every unicast request it receives (60 s), so the
 * slave goes on from Announce to Sync and Delay_Resp, and cancels on close.
 */
async function fakeMaster(port: number): Promise<FakeMaster> {
  // reuseAddr: the slave's sockets hold 0.0.0.0:port too; the more specific address wins.
  const socket = createSocket({ type: "udp4", reuseAddr: true });
  const received: FakeMaster["received"] = [];
  socket.on("message", (bytes, peer) => {
    const decoded = decodePtpMessage(bytes);
    if (decoded.kind !== "message" || decoded.message.kind !== "signaling") return;
    if (!hasPtpFlag(decoded.message.header, PtpFlag.unicastFlag)) return;
    const tlvs = decoded.message.tlvs.map((t) => decodePtpUnicastTlv(t)!);
    received.push({ from: peer.address, tlvs });
    const grants = tlvs
      .filter((t) => t.kind === "request")
      .map((t) =>
        encodePtpUnicastTlv({
          kind: "grant",
          messageType: t.messageType,
          logInterMessagePeriod: t.logInterMessagePeriod,
          durationField: 60,
          renewalInvited: false,
        }),
      );
    if (grants.length === 0) return;
    const header = newPtpHeader(PtpMessageType.Signaling, {
      sourcePortIdentity: MASTER_PORT,
      sequenceId: received.length,
      flagField: PtpFlag.unicastFlag,
    });
    const reply = encodeSignaling({
      header,
      targetPortIdentity: decoded.message.header.sourcePortIdentity,
      tlvs: grants,
    });
    socket.send(reply, peer.port, peer.address);
  });
  await new Promise<void>((resolve) => socket.bind(port, MASTER, resolve));
  return { socket, received };
}

const kinds = (master: FakeMaster, kind: PtpUnicastTlv["kind"]) =>
  new Set(master.received.flatMap((r) => r.tlvs.filter((t) => t.kind === kind).map((t) => t.messageType)));

describe("ptp:// with unicast masters", () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  it.each([
    [`ptp://${MASTER}?unicast=1`, "listening where the route to the master leaves from"],
    [`ptp://${MASTER}?unicast=1&interface=lo`, "listening on lo"],
    [`ptp://lo?unicast=${MASTER}`, "listening on the host, lo"],
  ])("%s (%s) negotiates Announce, Sync and Delay_Resp with the master, cancels on close", async (base) => {
    const event = await freeUdpPort();
    const general = await freeUdpPort();
    const master = await fakeMaster(general);
    cleanups.push(() => {
      master.socket.close();
    });
    const source = createTimeSource(`${base}&event=${event}&general=${general}`, { timeoutMs: 1500 });
    // Granted, but the master sends no Sync: the measurement times out.
    await expect(source.measure()).rejects.toMatchObject({ code: "PTP_TIMEOUT" });
    expect(kinds(master, "request")).toEqual(
      new Set([PtpMessageType.Announce, PtpMessageType.Sync, PtpMessageType.Delay_Resp]),
    );
    expect(new Set(master.received.map((r) => r.from))).toEqual(new Set(["127.0.0.1"]));
    await source.close();
    await until(() => kinds(master, "cancel").size === 3);
  });

  it("without unicast= joins the group and asks no one", async () => {
    const event = await freeUdpPort();
    const general = await freeUdpPort();
    const master = await fakeMaster(general);
    cleanups.push(() => {
      master.socket.close();
    });
    const source = createTimeSource(`ptp://127.0.0.1?event=${event}&general=${general}`, { timeoutMs: 800 });
    cleanups.push(() => source.close());
    await expect(source.measure()).rejects.toMatchObject({ code: "PTP_TIMEOUT" });
    expect(master.received).toEqual([]);
  });

  it.each([
    ["ptp://eth0?unicast=1", /host is the master's IPv4 address/],
    ["ptp://10.0.0.1?interface=eth0", /interface= goes with unicast=1/],
    ["ptp://eth0?unicast=10.0.0.1&interface=eth1", /interface= goes with unicast=1/],
    ["ptp://eth0?unicast=maybe", /unicast= takes 1 or masters' IPv4 addresses/],
    ["ptp://eth0?unicast=10.0.0.1,", /unicast= takes 1/],
    ["ptp://10.0.0.1?unicast=1&interface=", /empty interface/],
  ])("rejects %s", (url, message) => {
    expect(() => createTimeSource(url)).toThrow(TimeSourceUrlError);
    expect(() => createTimeSource(url)).toThrow(message);
  });

  it("keeps unicast=0 multicast, and names the source by its URL", () => {
    expect(createTimeSource("ptp://eth0?unicast=0").url).toBe("ptp://eth0?unicast=0");
    expect(createTimeSource("ptp://10.0.0.1?unicast=1&interface=eth0").url).toBe(
      "ptp://10.0.0.1?unicast=1&interface=eth0",
    );
  });
});
