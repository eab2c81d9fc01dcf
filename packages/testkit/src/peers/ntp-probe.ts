/**
 * A minimal SNTP probe (RFC 4330) on node:dgram: is a peer answering, is it synchronized,
 * roughly what offset does it serve? For readiness checks of the harness only — the
 * product's client is `queryNtp` in @chronosync/protocols.
 */
import { createSocket } from "node:dgram";
import { instantToNtp64, ntp64ToInstant, systemClock } from "@chronosync/core";

export interface NtpProbeReply {
  leap: number;
  stratum: number;
  /** Server − local, ms. */
  offsetMs: number;
  delayMs: number;
}

/** One request to `host:port`; null on timeout or a reply that is not ours. */
export function probeNtp(host: string, port: number, timeoutMs = 500): Promise<NtpProbeReply | null> {
  return new Promise((resolve) => {
    const socket = createSocket(host.includes(":") ? "udp6" : "udp4");
    const request = new Uint8Array(48);
    const view = new DataView(request.buffer);
    view.setUint8(0, (4 << 3) | 3); // version 4, mode 3 (client)
    let t1 = 0n;
    let settled = false;
    const finish = (reply: NtpProbeReply | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.close();
      resolve(reply);
    };
    const timer = setTimeout(() => finish(null), timeoutMs);
    socket.on("error", () => finish(null));
    socket.on("message", (msg) => {
      const t4 = systemClock.now();
      if (msg.length < 48) return;
      const reply = new DataView(msg.buffer, msg.byteOffset, msg.byteLength);
      if ((reply.getUint8(0) & 7) !== 4 || reply.getBigUint64(24) !== instantToNtp64(t1)) return;
      const t2 = ntp64ToInstant(reply.getBigUint64(32));
      const t3 = ntp64ToInstant(reply.getBigUint64(40));
      finish({
        leap: reply.getUint8(0) >> 6,
        stratum: reply.getUint8(1),
        offsetMs: Number(t2 - t1 + (t3 - t4)) / 2e6,
        delayMs: Number(t4 - t1 - (t3 - t2)) / 1e6,
      });
    });
    socket.connect(port, host, () => {
      t1 = systemClock.now();
      view.setBigUint64(40, instantToNtp64(t1));
      socket.send(request);
    });
  });
}
