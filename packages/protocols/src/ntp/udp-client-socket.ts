/**
 * The client socket of `queryNtp`, with one of two transports behind one interface. Both
 * are connected UDP sockets, so an ICMP port unreachable surfaces as ECONNREFUSED; both
 * give T1 (`send`) and T4 (`onReply`) in the terms of the measuring clock.
 *
 * - `"native"`: the addon's client socket (native/ntp_udp_client.c). T4 is the kernel's
 *   receive time (SO_TIMESTAMPNS), T1 its software transmit time (SO_TIMESTAMPING, as
 *   chronyd's client takes it; else CLOCK_REALTIME read in C right before `send()`);
 *   both are carried over to `clock` by {@link realtimeToClock}: `clock.now()` minus the
 *   time's age, read in C on both sides of it. So neither includes the wakeup of the event
 *   loop, entering the callback (cold once per poll) nor any JavaScript
 *   that ran before the reply was taken; what is left is the bracket's half-width
 *   (under 1 µs).
 * - `"dgram"`: node:dgram. T1 is `clock.now()` right before `socket.send`, T4 first thing
 *   in the `message` handler, after the event loop woke up.
 * @see docs/ntp-server-fast-path.md (Client)
 */
import type { Socket } from "node:dgram";
import { type Clock, type Instant, NetworkFailureError } from "@chronosync/core";
import { loadNtpUdpAddon, type NtpUdpAddon, realtimeToClock, wantsNative } from "./native-addon.js";
import { clockNowAtCall, createUdpSocket, socketCall } from "./udp-socket.js";

/** How queryNtp's socket moves datagrams: the addon (kernel timestamps) or node:dgram. */
export type NtpClientTransport = "native" | "dgram";

/** What a client socket reports. Errors are raw system errors (with `code`). */
export interface NtpClientSocketEvents {
  /** A datagram from the server and its receive time T4 on the clock. */
  onReply(bytes: Uint8Array, t4: Instant): void;
  /** A socket error after connect (ECONNREFUSED, a failed dgram send). */
  onError(err: unknown): void;
}

/** A connected client socket. */
export interface NtpClientSocket {
  readonly transport: NtpClientTransport;
  /** Sends `bytes`; returns T1 on the clock. The native transport throws on a failed send. */
  send(bytes: Uint8Array): Instant;
  close(): void;
}

/**
 * Opens a socket connected to `address:port` (an IP literal of `family`). `native`:
 * `"auto"` picks the addon when it loads, unless `CHRONOSYNC_NATIVE=0`; `true` requires
 * it (core's NetworkFailureError if it cannot be loaded); `false` picks node:dgram.
 * Rejects with the system error of a failed connect.
 */
export async function openNtpClientSocket(
  target: { address: string; family: 4 | 6; port: number },
  clock: Clock,
  native: boolean | "auto",
  events: NtpClientSocketEvents,
): Promise<NtpClientSocket> {
  if (wantsNative(native)) {
    const loaded = loadNtpUdpAddon();
    if ("addon" in loaded) return openNativeClientSocket(loaded.addon, target, clock, events);
    if (native === true) throw new NetworkFailureError(`native NTP transport not available: ${loaded.error}`);
  }
  return openDgramClientSocket(target, clock, events);
}

function openNativeClientSocket(
  addon: NtpUdpAddon,
  target: { address: string; port: number },
  clock: Clock,
  events: NtpClientSocketEvents,
): NtpClientSocket {
  const handle = addon.openClient(
    target.address,
    target.port,
    (bytes, sec, nsec) => events.onReply(bytes, realtimeToClock(addon, clock, sec, nsec)),
    (err) => events.onError(err),
  );
  const sentAt = new Float64Array(2);
  return {
    transport: "native",
    send(bytes) {
      addon.clientSend(handle, bytes, sentAt);
      return realtimeToClock(addon, clock, sentAt[0]!, sentAt[1]!);
    },
    close() {
      addon.clientClose(handle);
    },
  };
}

async function openDgramClientSocket(
  target: { address: string; family: 4 | 6; port: number },
  clock: Clock,
  events: NtpClientSocketEvents,
): Promise<NtpClientSocket> {
  const socket: Socket = createUdpSocket(target.family);
  socket.on("message", (message) => {
    const t4 = clockNowAtCall(clock);
    events.onReply(message, t4);
  });
  try {
    await socketCall(socket, (done) => socket.connect(target.port, target.address, done));
  } catch (err) {
    socket.close();
    throw err;
  }
  socket.on("error", (err) => events.onError(err));
  const onSent = (err: Error | null) => {
    if (err) events.onError(err);
  };
  return {
    transport: "dgram",
    send(bytes) {
      const t1 = clock.now();
      socket.send(bytes, onSent);
      return t1;
    },
    close() {
      socket.close();
    },
  };
}
