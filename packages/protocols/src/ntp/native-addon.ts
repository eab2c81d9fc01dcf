/**
 * The optional C addon `native/ntp_udp.node` (built by `scripts/build-native.mjs` from
 * `native/ntp_udp.c`, the server's batched socket, and `native/ntp_udp_client.c`, the
 * client's socket): its exports, and {@link loadNtpUdpAddon}, which says why it is not
 * there when it is not (not built, not Linux, failed to load).
 * @see docs/ntp-server-fast-path.md
 */
import { createRequire } from "node:module";

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
  /** Per slot, `metaStride` doubles: rx length (−1: truncated, or from source port 0), age ns, client key, tx length. */
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

/** Counters of a client socket. */
export interface AddonClientStats {
  datagrams: number;
  truncated: number;
  noTimestamp: number;
  errors: number;
}

/** The addon's exports. Errors thrown or passed on are Errors with a system `code`. */
export interface NtpUdpAddon {
  /** Binds a UDP socket and polls it on Node's loop; throws an Error with `code` (e.g. EADDRINUSE). */
  open(address: string, port: number, onBatch: (count: number) => void): AddonServerSocket;
  /** Stops polling and closes the socket at once; idempotent. */
  close(handle: unknown): void;
  stats(handle: unknown): AddonServerStats;
  /**
   * A UDP socket connected to `address:port` (an IP literal), with kernel receive
   * timestamps. `onDatagram` gets each datagram and its age in ns: CLOCK_REALTIME read
   * just before the call minus the kernel's receive time. `onError` gets errors found
   * while polling (ECONNREFUSED after an ICMP port unreachable); polling goes on.
   */
  openClient(
    address: string,
    port: number,
    onDatagram: (bytes: Uint8Array, ageNs: number) => void,
    onError: (err: Error) => void,
  ): unknown;
  /** Sends; returns the ns since CLOCK_REALTIME was read right before send(). Throws on error. */
  clientSend(handle: unknown, bytes: Uint8Array): number;
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
        typeof addon?.open === "function" && typeof addon.openClient === "function"
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
