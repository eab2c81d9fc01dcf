/**
 * The optional C addon `native/ntp_udp.node` (built by `scripts/build-native.mjs` from
 * `native/ntp_udp.c`, the server's batched socket, and `native/ntp_udp_client.c`, the
 * client's socket; PTP's and chronyd's sockets are in the same addon): its exports,
 * {@link loadNtpUdpAddon}, which says why it is not there when it is not (not built, not
 * Linux, failed to load), and {@link realtimeToClock}, which carries every time the addon
 * gives (CLOCK_REALTIME) over to a clock.
 * @see docs/ntp-server-fast-path.md
 */
import { createRequire } from "node:module";
import type { Clock, Instant } from "@chronosync/core";

/** Where scripts/build-native.mjs puts the addon, from src/ntp or dist/ntp alike. */
const ADDON_PATH = "../../native/build/ntp_udp.node";

/** One bound server socket of the addon, with the memory it shares with JavaScript. */
export interface AddonServerSocket {
  handle: unknown;
  address: string;
  port: number;
  /** Received datagrams, `rxSlot` bytes per slot. */
  rx: ArrayBuffer;
  /** Replies, `txSlot` bytes per slot. */
  tx: ArrayBuffer;
  /**
   * Per slot, `metaStride` doubles: rx length (−1: truncated, or from source port 0), the
   * kernel's receive time minus the batch's base time in ns, client key, tx length.
   */
  meta: ArrayBuffer;
  batch: number;
  rxSlot: number;
  txSlot: number;
  metaStride: number;
}

/** Counters of a server socket. */
export interface AddonServerStats {
  batches: number;
  datagrams: number;
  truncated: number;
  sendFailures: number;
  receiveErrors: number;
  noTimestamp: number;
}

/** Counters of a client socket (and, with more, of a PTP socket). */
export interface AddonClientStats {
  datagrams: number;
  truncated: number;
  /** Datagrams without a kernel receive timestamp (stamped at recvmsg() instead). */
  noTimestamp: number;
  errors: number;
  /** Sends with the kernel's software transmit timestamp. */
  txTimestamps: number;
  /** Sends stamped with CLOCK_REALTIME read before the send (no kernel timestamp in time). */
  txFallbacks: number;
  /** Error-queue entries dropped: late, or of an earlier send. */
  txLate: number;
}

/** The addon's exports. Errors thrown or passed on are Errors with a system `code`. */
export interface NtpUdpAddon {
  /**
   * Binds a UDP socket and polls it on Node's loop; throws an Error with `code` (e.g.
   * EADDRINUSE). `onBatch` gets the number of datagrams in the shared memory and the
   * batch's base time (CLOCK_REALTIME seconds and nanoseconds) their receive times are
   * relative to.
   */
  open(
    address: string,
    port: number,
    onBatch: (count: number, baseSec: number, baseNsec: number) => void,
  ): AddonServerSocket;
  /** Stops polling and closes the socket at once; idempotent. */
  close(handle: unknown): void;
  stats(handle: unknown): AddonServerStats;
  /** CLOCK_REALTIME now minus `sec`.`nsec`, in ns, read first thing (see {@link realtimeToClock}). */
  realtimeSince(sec: number, nsec: number): number;
  /**
   * A UDP socket connected to `address:port` (an IP literal), with kernel receive
   * timestamps. `onDatagram` gets each datagram and the kernel's receive time
   * (CLOCK_REALTIME seconds and nanoseconds). `onError` gets errors found while polling
   * (ECONNREFUSED after an ICMP port unreachable); polling goes on.
   */
  openClient(
    address: string,
    port: number,
    onDatagram: (bytes: Uint8Array, sec: number, nsec: number) => void,
    onError: (err: Error) => void,
  ): unknown;
  /**
   * Sends; writes the transmit time (CLOCK_REALTIME seconds, nanoseconds) to `out` and
   * returns 1 for the kernel's software transmit timestamp, 0 for the reading right
   * before send(). Throws on error.
   */
  clientSend(handle: unknown, bytes: Uint8Array, out: Float64Array): number;
  /** Stops polling and closes the socket at once; idempotent. */
  clientClose(handle: unknown): void;
  clientStats(handle: unknown): AddonClientStats;
}

let loaded: { addon: NtpUdpAddon } | { error: string } | null = null;

/** The addon, or why it is not available (not built, not Linux, failed to load). Cached. */
export function loadNtpUdpAddon(): { addon: NtpUdpAddon } | { error: string } {
  if (loaded === null) {
    try {
      const addon = createRequire(import.meta.url)(ADDON_PATH) as NtpUdpAddon;
      loaded =
        typeof addon?.open === "function" &&
        typeof addon.openClient === "function" &&
        typeof addon.realtimeSince === "function"
          ? { addon }
          : { error: `${ADDON_PATH} is not the addon (or an old build of it: rebuild it)` };
    } catch (err) {
      loaded = { error: err instanceof Error ? err.message : String(err) };
    }
  }
  return loaded;
}

/**
 * Whether a transport's `native` option picks the addon: `true` always, `false` never,
 * `"auto"` unless the environment has `CHRONOSYNC_NATIVE=0`.
 */
export function wantsNative(native: boolean | "auto"): boolean {
  return native === true || (native === "auto" && process.env.CHRONOSYNC_NATIVE !== "0");
}

/** Reads of the clock bracketed by two CLOCK_REALTIME reads wider than this are retried. */
const BRACKET_LIMIT_NS = 2_000;

/**
 * A CLOCK_REALTIME time (e.g. a kernel receive timestamp) on `clock`, which need not be
 * the system's: `clock.now()` minus the time's age, the age read in C on both sides of
 * `clock.now()` (their mean; up to three tries for a bracket under 2 µs, else the
 * narrowest). Nothing between the kernel's stamp and this call counts (the event loop's
 * wakeup; entering a cold callback, 20–30 µs measured for the server's batch handler),
 * only the bracket's half-width and the rate difference of the two clocks over the age.
 */
export function realtimeToClock(
  addon: Pick<NtpUdpAddon, "realtimeSince">,
  clock: Clock,
  sec: number,
  nsec: number,
): Instant {
  let bestNow = 0n;
  let bestAge = 0;
  let bestWidth = Number.POSITIVE_INFINITY;
  for (let attempt = 0; attempt < 3; attempt++) {
    const before = addon.realtimeSince(sec, nsec);
    const now = clock.now();
    const after = addon.realtimeSince(sec, nsec);
    const width = after - before;
    if (width < bestWidth) {
      bestNow = now;
      bestAge = (before + after) / 2;
      bestWidth = width;
    }
    if (width <= BRACKET_LIMIT_NS) break;
  }
  return bestNow - BigInt(Math.round(bestAge));
}
