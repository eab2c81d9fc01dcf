/**
 * `startNtpServer`: serves an {@link NtpResponder} on a UDP socket (node:dgram). The
 * receive time is read first thing in the message handler; replies go out with
 * `socket.send(reply, port, address)` and no callback, the cheapest path. Send errors
 * (e.g. ENOBUFS under load) are swallowed: UDP may lose packets anyway.
 * @see https://www.rfc-editor.org/rfc/rfc5905#section-9
 */
import type { AddressInfo } from "node:net";
import { NetworkFailureError } from "@chronosync/core";
import type { NtpResponder } from "./responder.js";
import { createUdpSocket, formatEndpoint, resolveHost, socketCall } from "./udp-socket.js";

/** A running server. */
export interface NtpServerHandle {
  /** Where it is bound (the real port when asked for port 0). */
  address: { address: string; port: number };
  /** Stops serving; resolves once the socket is closed. */
  close(): Promise<void>;
  /** The responder's counters. */
  readonly stats: NtpResponder["stats"];
}

/**
 * Binds `host:port` (IPv4 or IPv6; port 0 picks a free one) and answers NTP requests
 * with `responder`. Rejects with core's NetworkFailureError (its `cause` has the system
 * code, e.g. EADDRINUSE) or NameNotResolvedError.
 * @see https://www.rfc-editor.org/rfc/rfc5905#section-9
 */
export async function startNtpServer(options: {
  host: string;
  port: number;
  responder: NtpResponder;
}): Promise<NtpServerHandle> {
  const { host, port, responder } = options;
  const { address, family } = await resolveHost(host);
  const socket = createUdpSocket(family);
  const clock = responder.clock;
  // Read the clock once before serving: a SystemClock anchors itself on its first read
  // (a busy-wait of a few ms) and that must not delay, and so skew, the first reply.
  clock.now();
  socket.on("message", (message, rinfo) => {
    const receiveTime = clock.now();
    const reply = responder.respond(message, receiveTime, rinfo.address);
    if (reply !== null) socket.send(reply, rinfo.port, rinfo.address);
  });
  try {
    await socketCall(socket, (done) => socket.bind(port, address, done));
  } catch (err) {
    socket.close();
    const message = err instanceof Error ? err.message : String(err);
    throw new NetworkFailureError(`cannot bind ${formatEndpoint(address, port)}: ${message}`, { cause: err });
  }
  // Failed sends (e.g. ENOBUFS under load) must not crash the server: the client retries.
  socket.on("error", () => {});
  const bound = socket.address() as AddressInfo;
  let closed: Promise<void> | null = null;
  return {
    address: { address: bound.address, port: bound.port },
    close() {
      closed ??= new Promise((resolve) => socket.close(() => resolve()));
      return closed;
    },
    get stats() {
      return responder.stats;
    },
  };
}
