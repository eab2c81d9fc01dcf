/**
 * PTP's sockets on the optional C addon (`native/ptp_udp.c`): the kernel's software
 * timestamps, as ptp4l takes them with `time_stamping software` (SO_TIMESTAMPING). The
 * receive time is the instant the packet entered the network stack, the event port's
 * transmit time the instant the driver handed it to the device (looped back on the
 * socket's error queue), instead of whenever Node woke up or called sendmsg(2). Both come
 * from C as CLOCK_REALTIME and are carried over to the measuring clock by the NTP side's
 * {@link realtimeToClock}, as the NTP client's and server's times are.
 * @see https://www.kernel.org/doc/html/latest/networking/timestamping.html
 */
import { type Clock, type Instant, NetworkFailureError } from "@chronosync/core";
import {
  type AddonClientStats,
  loadNtpUdpAddon,
  type NtpUdpAddon,
  realtimeToClock,
  wantsNative,
} from "../ntp/native-addon.js";
import type { PtpChannel, PtpUdpTransport } from "./udp-transport.js";

/** Counters of one PTP socket of the addon: the NTP client socket's, and its receive timestamps. */
export interface PtpSocketStats extends AddonClientStats {
  /** 2: SO_TIMESTAMPING, 1: SO_TIMESTAMPNS, 0: none. */
  rxTimestamping: number;
}

/**
 * The addon's PTP socket functions (native/ptp_udp.c), and its `realtimeSince` (native/ntp_udp.c)
 * for {@link realtimeToClock}. Errors are system errors with `code`.
 */
export interface PtpUdpAddon extends Pick<NtpUdpAddon, "realtimeSince"> {
  /**
   * Binds 0.0.0.0:`port` (SO_REUSEADDR), joins `group` ("" for none) on `interfaceAddress`
   * and sends from it; `txTimestamps` turns on the kernel's software transmit timestamps.
   * `onDatagram` gets each datagram, its receive time (CLOCK_REALTIME seconds and
   * nanoseconds) and its IPv4 source address.
   */
  openPtp(
    port: number,
    interfaceAddress: string,
    group: string,
    txTimestamps: boolean,
    onDatagram: (bytes: Uint8Array, sec: number, nsec: number, source: string) => void,
    onError: (err: Error) => void,
  ): unknown;
  /**
   * Sends; writes the transmit time (CLOCK_REALTIME seconds, nanoseconds) to `out` and
   * returns 1 for the kernel's timestamp, 0 for the reading right before sendto().
   */
  ptpSend(handle: unknown, bytes: Uint8Array, address: string, port: number, out: Float64Array): number;
  /** Stops polling and closes at once; idempotent. */
  ptpClose(handle: unknown): void;
  ptpStats(handle: unknown): PtpSocketStats;
}

/** The addon's PTP functions, or why they are not available. */
export function loadPtpUdpAddon(): { addon: PtpUdpAddon } | { error: string } {
  const loaded = loadNtpUdpAddon();
  if ("error" in loaded) return { error: `the native addon is not available: ${loaded.error}` };
  const addon = loaded.addon as unknown as Partial<PtpUdpAddon>;
  if (typeof addon.openPtp !== "function" || typeof addon.ptpSend !== "function")
    return { error: "the native addon is an old build without ptp_udp.c (rebuild it)" };
  return { addon: addon as PtpUdpAddon };
}

/** Whether `native` picks the addon, and the addon if so (see {@link wantsNative}). */
export function choosePtpAddon(native: boolean | "auto"): PtpUdpAddon | null {
  if (!wantsNative(native)) return null;
  const loaded = loadPtpUdpAddon();
  if ("addon" in loaded) return loaded.addon;
  if (native === true) throw new NetworkFailureError(`native PTP transport not available: ${loaded.error}`);
  return null;
}

/** What {@link openNativePtpUdp} needs, resolved by `openPtpUdp`. */
export interface NativePtpConfig {
  readonly address: string;
  readonly group: string;
  readonly ports: Record<PtpChannel, number>;
  readonly destination: string;
  readonly clock: Clock;
  readonly ingressNs: bigint;
  readonly egressNs: bigint;
  readonly onMessage: (bytes: Uint8Array, rxTime: Instant, channel: PtpChannel, source: string) => void;
}

/**
 * Opens the event socket (receive and transmit timestamps) and the general socket
 * (receive timestamps) on the addon. Throws core's NetworkFailureError.
 */
export function openNativePtpUdp(addon: PtpUdpAddon, config: NativePtpConfig): PtpUdpTransport {
  const { clock, ingressNs, egressNs, onMessage } = config;
  const handles: Partial<Record<PtpChannel, unknown>> = {};
  try {
    for (const channel of ["event", "general"] as const) {
      handles[channel] = addon.openPtp(
        config.ports[channel],
        config.address,
        config.group,
        channel === "event",
        (bytes, sec, nsec, source) => {
          onMessage(bytes, realtimeToClock(addon, clock, sec, nsec) - ingressNs, channel, source);
        },
        () => {}, // errors while polling: a lost datagram, which PTP's timeouts cover
      );
    }
  } catch (err) {
    for (const handle of Object.values(handles)) addon.ptpClose(handle);
    throw new NetworkFailureError(`cannot open PTP sockets on ${config.address}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  const event = handles.event!;
  const general = handles.general!;
  const sentAt = new Float64Array(2);
  let closed = false;
  return {
    timestamps: "kernel",
    async send(channel, bytes, destination = config.destination) {
      try {
        addon.ptpSend(
          channel === "event" ? event : general,
          bytes,
          destination,
          config.ports[channel],
          sentAt,
        );
        return realtimeToClock(addon, clock, sentAt[0]!, sentAt[1]!) + egressNs;
      } catch (err) {
        throw new NetworkFailureError(`PTP send failed: ${(err as Error).message}`, { cause: err });
      }
    },
    stats: () => ({ event: addon.ptpStats(event), general: addon.ptpStats(general) }),
    async close() {
      if (closed) return;
      closed = true;
      addon.ptpClose(event);
      addon.ptpClose(general);
    },
  };
}
