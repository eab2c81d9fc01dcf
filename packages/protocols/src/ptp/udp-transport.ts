/**
 * PTP over UDP/IPv4, IEEE 1588-2019 Annex C: event messages on port 319, general
 * messages on port 320, multicast group 224.0.1.129 joined on one interface address,
 * sockets with SO_REUSEADDR so ptp4l may share the ports. Two implementations behind
 * {@link openPtpUdp}:
 * - `"kernel"` timestamps (native-transport.ts, the C addon): the kernel's software receive
 *   and transmit timestamps, as ptp4l's `time_stamping software`;
 * - `"user"` timestamps (plain node:dgram, the fallback): the receive time is read first
 *   thing in the `message` handler, the transmit time right before `send`, which calls
 *   sendmsg(2) synchronously. Each carries Node's wakeup latency (docs/ptp.md).
 * Binding 319/320 needs root or CAP_NET_BIND_SERVICE.
 */
import { createSocket, type Socket } from "node:dgram";
import { isIPv4 } from "node:net";
import { networkInterfaces } from "node:os";
import { type Clock, type Instant, NetworkFailureError } from "@chronosync/core";
import { PtpInterfaceNotFoundError } from "../errors.js";
import { choosePtpAddon, openNativePtpUdp, type PtpSocketStats } from "./native-transport.js";

/** The PTP primary multicast address for UDPv4 (Annex C.3). */
export const PTP_MULTICAST_ADDRESS = "224.0.1.129";
export const PTP_EVENT_PORT = 319;
export const PTP_GENERAL_PORT = 320;

export type PtpChannel = "event" | "general";

export interface PtpUdpOptions {
  /** IPv4 address of the interface to join the group on and send from. */
  readonly address: string;
  readonly clock: Clock;
  /** Called with every datagram, its receive time and its IPv4 source address. */
  readonly onMessage: (bytes: Uint8Array, rxTime: Instant, channel: PtpChannel, source: string) => void;
  /** Ports, for tests that cannot use 319/320. */
  readonly eventPort?: number;
  readonly generalPort?: number;
  /** Where to send (default the multicast group). */
  readonly destination?: string;
  /**
   * Join the group (default true). False for unicast negotiation: only datagrams sent to
   * our address arrive; multicast still goes out on the interface if sent.
   */
  readonly joinGroup?: boolean;
  /**
   * Known latency between the wire and our receive reading, subtracted from every
   * receive time (linuxptp's `ingressLatency`, IEEE 1588-2019 §16.7). Default 0.
   */
  readonly ingressLatencyNs?: bigint;
  /** Known latency between our transmit reading and the wire, added (`egressLatency`). Default 0. */
  readonly egressLatencyNs?: bigint;
  /**
   * `"auto"` (default): the addon's sockets with kernel timestamps when the addon loads,
   * unless `CHRONOSYNC_NATIVE=0`, else node:dgram; `true`: the addon or NetworkFailureError;
   * `false`: node:dgram.
   */
  readonly native?: boolean | "auto";
}

/** The two open sockets. */
export interface PtpUdpTransport {
  /** Where times come from: the kernel's software timestamps, or readings in JavaScript. */
  readonly timestamps: "kernel" | "user";
  /**
   * Sends to `destination` (default the transport's: the group); resolves with the
   * transmit time. Kernel: the driver's software TX timestamp on the event port (else
   * CLOCK_REALTIME right before sendto(2)). User: read right before `send`, which reaches
   * sendmsg(2) synchronously (literal lookup); not after, as on veth and loopback
   * sendmsg(2) runs the receiver's whole input path before it returns.
   */
  send(channel: PtpChannel, bytes: Uint8Array, destination?: string): Promise<Instant>;
  /** The addon's counters per socket (null for node:dgram). */
  stats(): Record<PtpChannel, PtpSocketStats> | null;
  close(): Promise<void>;
}

/**
 * Answers IPv4 literals synchronously, so `send` reaches sendmsg(2) before it returns
 * (Node's default lookup defers even literals to a later tick).
 */
function literalLookup(
  host: string,
  _options: unknown,
  callback: (err: NodeJS.ErrnoException | null, address: string, family: number) => void,
): void {
  if (isIPv4(host)) callback(null, host, 4);
  else
    callback(
      Object.assign(new Error(`PTP sends to IPv4 literals only, not ${host}`), { code: "EINVAL" }),
      "",
      0,
    );
}

/** The first IPv4 address of a network interface. @throws {PtpInterfaceNotFoundError} */
export function ptpInterfaceAddress(name: string): string {
  const found = networkInterfaces()[name]?.find((a) => a.family === "IPv4");
  if (found === undefined) throw new PtpInterfaceNotFoundError(name);
  return found.address;
}

function bind(socket: Socket, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.once("error", reject);
    socket.bind({ port, address: "0.0.0.0", exclusive: false }, () => {
      socket.off("error", reject);
      resolve();
    });
  });
}

/**
 * Opens the event and general sockets and joins the group on `address`, on the addon or
 * node:dgram (see {@link PtpUdpOptions.native}).
 * @throws {NetworkFailureError} when a socket cannot be bound or joined.
 */
export async function openPtpUdp(options: PtpUdpOptions): Promise<PtpUdpTransport> {
  const ports = {
    event: options.eventPort ?? PTP_EVENT_PORT,
    general: options.generalPort ?? PTP_GENERAL_PORT,
  };
  const addon = choosePtpAddon(options.native ?? "auto");
  if (addon !== null) {
    return openNativePtpUdp(addon, {
      address: options.address,
      group: options.joinGroup === false ? "" : PTP_MULTICAST_ADDRESS,
      ports,
      destination: options.destination ?? PTP_MULTICAST_ADDRESS,
      clock: options.clock,
      ingressNs: options.ingressLatencyNs ?? 0n,
      egressNs: options.egressLatencyNs ?? 0n,
      onMessage: options.onMessage,
    });
  }
  return openDgramPtpUdp(options, ports);
}

async function openDgramPtpUdp(
  options: PtpUdpOptions,
  ports: Record<PtpChannel, number>,
): Promise<PtpUdpTransport> {
  const { clock, onMessage, address } = options;
  const destination = options.destination ?? PTP_MULTICAST_ADDRESS;
  const ingress = options.ingressLatencyNs ?? 0n;
  const egress = options.egressLatencyNs ?? 0n;
  const sockets: Record<PtpChannel, Socket> = {
    event: createSocket({ type: "udp4", reuseAddr: true, lookup: literalLookup }),
    general: createSocket({ type: "udp4", reuseAddr: true, lookup: literalLookup }),
  };
  try {
    for (const channel of ["event", "general"] as const) {
      const socket = sockets[channel];
      socket.on("message", (msg, rinfo) => {
        const rxTime = clock.now() - ingress;
        onMessage(new Uint8Array(msg.buffer, msg.byteOffset, msg.byteLength), rxTime, channel, rinfo.address);
      });
      await bind(socket, ports[channel]);
      socket.on("error", () => {}); // ICMP errors of a send surface in its callback
      if (options.joinGroup !== false) socket.addMembership(PTP_MULTICAST_ADDRESS, address);
      socket.setMulticastInterface(address);
      socket.setMulticastTTL(1);
      socket.setMulticastLoopback(false);
    }
  } catch (err) {
    for (const socket of Object.values(sockets)) socket.close();
    throw new NetworkFailureError(`cannot open PTP sockets on ${address}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  let closed = false;
  return {
    timestamps: "user",
    send(channel, bytes, to = destination) {
      return new Promise((resolve, reject) => {
        const txTime = clock.now() + egress;
        sockets[channel].send(bytes, ports[channel], to, (err) => {
          if (err) reject(new NetworkFailureError(`PTP send failed: ${err.message}`, { cause: err }));
          else resolve(txTime);
        });
      });
    },
    stats: () => null,
    async close() {
      if (closed) return;
      closed = true;
      await Promise.all(Object.values(sockets).map((s) => new Promise<void>((r) => s.close(() => r()))));
    },
  };
}
