/**
 * The NTP server's optional native transport ("native-batch"): the C addon
 * `native/ntp_udp.c` owns the socket, takes datagrams from the kernel in batches
 * (recvmmsg, up to 64 per call) into memory shared with JavaScript, calls
 * {@link NtpResponder.respondInto} once per datagram from ONE call into JavaScript per
 * batch, and sends the replies with one sendmmsg. Nothing is allocated per datagram.
 * Built by `scripts/build-native.mjs`; when it is not built or does not load,
 * `loadNtpUdpAddon` (native-addon.ts) says why and `startNtpServer` uses node:dgram.
 *
 * Receive times (T2) are the kernel's (SO_TIMESTAMPNS), which are CLOCK_REALTIME. The
 * responder serves its own clock, which need not be the system's (a disciplined or
 * virtual clock), so T2 is carried over: the addon passes the batch's base time (a
 * CLOCK_REALTIME reading) and each datagram's receive time relative to it; the handler
 * puts the base on the served clock with {@link realtimeToClock} (CLOCK_REALTIME read in
 * C on both sides of `clock.now()`) and adds each datagram's offset:
 * `T2 = clock.now() − (realtimeNow − base) + (kernelReceiveTime − base)`. Not an age read
 * in C before the call into JavaScript: entering the handler, cold (a request a second),
 * takes 20–30 µs on a loaded machine, and every T2 was that much late. What is left is the
 * bracket's half-width (under 1 µs) and the rate difference of the two clocks over the
 * packet's age. T3 is read from the clock once per batch, after every reply was built.
 * @see docs/ntp-server-fast-path.md
 */
import { NetworkFailureError } from "@chronosync/core";
import { splitInstant, writeNtpTimestamp } from "./fast-timestamp.js";
import { NTP_HEADER_LENGTH } from "./header.js";
import { type AddonServerSocket, type NtpUdpAddon, realtimeToClock } from "./native-addon.js";
import type { NtpResponder } from "./responder.js";
import type { NtpServerHandle, NtpTransportStats } from "./udp-server.js";
import { formatEndpoint, responderFailureReporter } from "./udp-socket.js";

const META_RX_LENGTH = 0;
const META_RX_NS = 1;
const META_CLIENT_KEY = 2;
const META_TX_LENGTH = 3;

/**
 * Serves `responder` on `address:port` (an IP literal) through the addon. Throws core's
 * NetworkFailureError when the socket cannot be bound (its `cause` has the system code).
 */
export function startNativeNtpServer(
  addon: NtpUdpAddon,
  address: string,
  port: number,
  responder: NtpResponder,
): NtpServerHandle {
  const clock = responder.clock;
  const split = new Float64Array(2);
  let rx = new Uint8Array(0);
  let tx = new Uint8Array(0);
  let meta = new Float64Array(0);
  let rxSlot = 0;
  let txSlot = 0;
  let stride = 0;
  const failed = responderFailureReporter(() => `${formatEndpoint(socket.address, socket.port)} (native)`);
  // An exception must not leave this function: the addon would report it as an uncaught
  // exception, which ends the process. A failed request is not answered (tx length 0).
  const onBatch = (count: number, baseSec: number, baseNsec: number): void => {
    try {
      serveBatch(count, baseSec, baseNsec);
    } catch (err) {
      for (let i = 0; i < count; i++) meta[i * stride + META_TX_LENGTH] = 0;
      failed(err);
    }
  };
  const serveBatch = (count: number, baseSec: number, baseNsec: number): void => {
    // The batch's base time on the served clock; each receive time is relative to it.
    splitInstant(realtimeToClock(addon, clock, baseSec, baseNsec), split);
    const seconds = split[0]!;
    const nanoseconds = split[1]!;
    for (let i = 0; i < count; i++) {
      const m = i * stride;
      let rxSeconds = seconds;
      let rxNanoseconds = nanoseconds + meta[m + META_RX_NS]!;
      if (rxNanoseconds < 0 || rxNanoseconds >= 1e9) {
        const carry = Math.floor(rxNanoseconds / 1e9);
        rxSeconds += carry;
        rxNanoseconds -= carry * 1e9;
      }
      try {
        meta[m + META_TX_LENGTH] = responder.respondInto(
          rx,
          i * rxSlot,
          meta[m + META_RX_LENGTH]!,
          rxSeconds,
          rxNanoseconds,
          meta[m + META_CLIENT_KEY]!,
          tx,
          i * txSlot,
        );
      } catch (err) {
        meta[m + META_TX_LENGTH] = 0;
        failed(err);
      }
    }
    // All replies leave in one sendmmsg right after this returns: stamp T3 once, last,
    // so no reply carries a transmit time read before the rest of the batch was built.
    // Kiss-o'-death replies (stratum 0) keep the client's own timestamp there.
    splitInstant(clock.now(), split);
    for (let i = 0; i < count; i++) {
      const offset = i * txSlot;
      if (meta[i * stride + META_TX_LENGTH]! >= NTP_HEADER_LENGTH && tx[offset + 1] !== 0) {
        writeNtpTimestamp(tx, offset + 40, split[0]!, split[1]!);
      }
    }
  };
  let socket: AddonServerSocket;
  try {
    socket = addon.open(address, port, onBatch);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new NetworkFailureError(`cannot bind ${formatEndpoint(address, port)}: ${message}`, { cause: err });
  }
  rx = new Uint8Array(socket.rx);
  tx = new Uint8Array(socket.tx);
  meta = new Float64Array(socket.meta);
  rxSlot = socket.rxSlot;
  txSlot = socket.txSlot;
  stride = socket.metaStride;
  let closed = false;
  return {
    address: { address: socket.address, port: socket.port },
    transport: "native-batch",
    close() {
      // The socket is closed when this returns (the handle stays valid for stats).
      if (!closed) addon.close(socket.handle);
      closed = true;
      return Promise.resolve();
    },
    get stats() {
      return responder.stats;
    },
    get transportStats(): NtpTransportStats {
      const s = addon.stats(socket.handle);
      return { batches: s.batches, datagrams: s.datagrams, sendFailures: s.sendFailures };
    },
  };
}
