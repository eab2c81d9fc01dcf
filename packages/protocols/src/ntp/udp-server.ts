/**
 * `startNtpServer`: serves an {@link NtpResponder} over UDP with one of two transports.
 *
 * - `"native-batch"` (udp-server-native.ts): the optional C addon, batching receives and
 *   sends (recvmmsg/sendmmsg) with kernel receive timestamps. Used when it is built and
 *   loads, unless turned off (`native: false`, or `CHRONOSYNC_NATIVE=0` for `"auto"`).
 * - `"dgram"`: node:dgram, everywhere. The receive time is read first thing in the message
 *   handler; replies go out with `socket.send(reply, port, address)` and no callback,
 *   the cheapest path. Send errors (e.g. ENOBUFS under load) are counted and dropped: UDP
 *   may lose packets anyway.
 *
 * In a node:cluster worker `"auto"` picks dgram: cluster shares one dgram socket between
 * workers, which the addon's own socket would not join.
 * @see https://www.rfc-editor.org/rfc/rfc5905#section-9
 * @see docs/ntp-server-fast-path.md
 */
import cluster from "node:cluster";
import type { AddressInfo } from "node:net";
import { NetworkFailureError } from "@chronosync/core";
import { loadNtpUdpAddon, wantsNative } from "./native-addon.js";
import type { NtpResponder } from "./responder.js";
import { startNativeNtpServer } from "./udp-server-native.js";
import {
  clockNowAtCall,
  createUdpSocket,
  formatEndpoint,
  resolveHost,
  responderFailureReporter,
  socketCall,
} from "./udp-socket.js";

/** How a server moves datagrams: the batching addon or node:dgram. */
export type NtpServerTransport = "native-batch" | "dgram";

/** Counters of a server's transport. */
export interface NtpTransportStats {
  /** Calls into JavaScript with received datagrams (dgram: one per datagram). */
  batches: number;
  /** Datagrams received. */
  datagrams: number;
  /** Replies the kernel refused (full send queue, unreachable destination): dropped. */
  sendFailures: number;
}

/** A running server. */
export interface NtpServerHandle {
  /** Where it is bound (the real port when asked for port 0). */
  address: { address: string; port: number };
  /** Which transport serves. */
  readonly transport: NtpServerTransport;
  /** Stops serving; resolves once the socket is closed. */
  close(): Promise<void>;
  /** The responder's counters. */
  readonly stats: NtpResponder["stats"];
  /** The transport's counters. */
  readonly transportStats: NtpTransportStats;
}

/** Options of {@link startNtpServer}. */
export interface NtpServerOptions {
  host: string;
  port: number;
  responder: NtpResponder;
  /**
   * `"auto"` (default): the native transport when its addon is built and loads, unless
   * the environment has `CHRONOSYNC_NATIVE=0` or this is a node:cluster worker; else
   * dgram. `true`: the native transport or a NetworkFailureError. `false`: dgram.
   */
  native?: boolean | "auto";
}

/**
 * Binds `host:port` (IPv4 or IPv6; port 0 picks a free one) and answers NTP requests
 * with `responder`. Rejects with core's NetworkFailureError (its `cause` has the system
 * code, e.g. EADDRINUSE) or NameNotResolvedError.
 * @see https://www.rfc-editor.org/rfc/rfc5905#section-9
 */
export async function startNtpServer(options: NtpServerOptions): Promise<NtpServerHandle> {
  const { host, port, responder } = options;
  const native = options.native ?? "auto";
  const resolved = await resolveHost(host);
  // Read the clock once before serving: a SystemClock anchors itself on its first read
  // (a busy-wait of a few ms) and that must not delay, and so skew, the first reply.
  responder.clock.now();
  if (wantsNative(native) && !(native === "auto" && cluster.isWorker)) {
    const loaded = loadNtpUdpAddon();
    if ("addon" in loaded) return startNativeNtpServer(loaded.addon, resolved.address, port, responder);
    if (native === true) throw new NetworkFailureError(`native NTP transport not available: ${loaded.error}`);
  }
  return startDgramNtpServer(resolved.address, resolved.family, port, responder);
}

const NO_BYTES = new Uint8Array(0);

async function startDgramNtpServer(
  address: string,
  family: 4 | 6,
  port: number,
  responder: NtpResponder,
): Promise<NtpServerHandle> {
  const socket = createUdpSocket(family);
  const clock = responder.clock;
  let sendFailures = 0;
  const failed = responderFailureReporter(() => {
    const bound = socket.address();
    return `${formatEndpoint(bound.address, bound.port)} (dgram)`;
  });
  socket.on("message", (message, rinfo) => {
    try {
      const receiveTime = clockNowAtCall(clock);
      // Source port 0 cannot be answered (and dgram's send throws on it): only a spoofed
      // datagram has it. The responder sees an empty request, so it is counted as ignored.
      const reply = responder.respond(rinfo.port === 0 ? NO_BYTES : message, receiveTime, rinfo.address);
      if (reply !== null) socket.send(reply, rinfo.port, rinfo.address);
    } catch (err) {
      failed(err);
    }
  });
  try {
    await socketCall(socket, (done) => socket.bind(port, address, done));
  } catch (err) {
    socket.close();
    const message = err instanceof Error ? err.message : String(err);
    throw new NetworkFailureError(`cannot bind ${formatEndpoint(address, port)}: ${message}`, { cause: err });
  }
  // Failed sends (e.g. ENOBUFS under load) must not crash the server: the client retries.
  socket.on("error", () => {
    sendFailures++;
  });
  const bound = socket.address() as AddressInfo;
  let closed: Promise<void> | null = null;
  return {
    address: { address: bound.address, port: bound.port },
    transport: "dgram",
    close() {
      closed ??= new Promise((resolve) => socket.close(() => resolve()));
      return closed;
    },
    get stats() {
      return responder.stats;
    },
    get transportStats(): NtpTransportStats {
      const received = responder.stats.received;
      return { batches: received, datagrams: received, sendFailures };
    },
  };
}
