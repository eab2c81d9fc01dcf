/**
 * Small node:dgram helpers shared by the NTP client and server transports: name
 * resolution and socket errors mapped to this package's typed errors.
 */
import { createSocket, type Socket } from "node:dgram";
import type { LookupOneOptions } from "node:dns";
import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import { type Clock, type Instant, NetworkFailureError } from "@chronosync/core";
import { NameNotResolvedError, NtpRefusedError } from "../errors.js";

/** An address to open a socket on: the literal and its family. */
export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Resolves `host` with the system resolver (dns.lookup); literals are kept as they are. */
export async function resolveHost(host: string): Promise<ResolvedAddress> {
  const literal = isIP(host);
  if (literal !== 0) return { address: host, family: literal === 6 ? 6 : 4 };
  try {
    const { address, family } = await lookup(host);
    return { address, family: family === 6 ? 6 : 4 };
  } catch (err) {
    throw new NameNotResolvedError(host, { cause: err });
  }
}

/**
 * Address lookup for our sockets: IP literals (all the server ever sends to) are answered
 * at once, where Node's default dns.lookup defers even literals to the next tick on every
 * `send`; anything else goes to dns.lookup.
 */
function literalLookup(
  address: string,
  options: LookupOneOptions | number,
  callback: (err: NodeJS.ErrnoException | null, address: string, family: number) => void,
): void {
  const kind = isIP(address);
  if (kind !== 0) {
    callback(null, address, kind);
    return;
  }
  const family = typeof options === "number" ? options : (options.family ?? 0);
  lookup(address, {
    family: family === 6 || family === "IPv6" ? 6 : family === 4 || family === "IPv4" ? 4 : 0,
  }).then(
    (r) => callback(null, r.address, r.family),
    (err: NodeJS.ErrnoException) => callback(err, "", 0),
  );
}

/** A UDP socket of the address's family. */
export function createUdpSocket(family: 4 | 6): Socket {
  return createSocket({ type: family === 6 ? "udp6" : "udp4", lookup: literalLookup });
}

/** ICMP port unreachable becomes NtpRefusedError, anything else NetworkFailureError. */
export function socketFailure(err: unknown, where: string): Error {
  const code = (err as { code?: unknown } | null)?.code;
  if (code === "ECONNREFUSED")
    return new NtpRefusedError(`${where} refused (port unreachable)`, { cause: err });
  const message = err instanceof Error ? err.message : String(err);
  return new NetworkFailureError(`${where}: ${message}`, { cause: err });
}

/** `host:port`, with brackets around IPv6 literals. */
export function formatEndpoint(address: string, port: number): string {
  return isIP(address) === 6 ? `[${address}]:${port}` : `${address}:${port}`;
}

/** Runs `start` and settles on its callback, or rejects on the socket's first error. */
export function socketCall(socket: Socket, start: (done: () => void) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    socket.once("error", onError);
    start(() => {
      socket.off("error", onError);
      resolve();
    });
  });
}

/**
 * What a transport does when its responder throws (a reference function or clock that
 * failed; never a datagram's content): that request goes unanswered, the server goes on
 * serving, and the first such error of the server is emitted as a process warning
 * (`CHRONOSYNC_NTP_RESPONDER`), not one per request.
 */
export function responderFailureReporter(where: () => string): (err: unknown) => void {
  let warned = false;
  return (err) => {
    if (warned) return;
    warned = true;
    const message = err instanceof Error ? err.message : String(err);
    process.emitWarning(`NTP server ${where()}: the responder threw, requests go unanswered: ${message}`, {
      code: "CHRONOSYNC_NTP_RESPONDER",
      detail: err instanceof Error ? err.stack : undefined,
    });
  };
}

/**
 * The clock's reading for the instant this call began. A clock may stall inside now() —
 * core's SystemClock busy-waits for a Date.now() tick edge when it (re-)anchors, up to a
 * few ms — and the process may be preempted around the read; either way the reading
 * would be later than the moment the caller meant (e.g. the instant a kernel
 * timestamp's age was measured). A read that took over 1 µs is therefore repeated until
 * one is fast, and that fast read is carried back to the start on the monotonic clock.
 */
export function clockNowAtCall(clock: Clock): Instant {
  const entered = process.hrtime.bigint();
  let now = clock.now();
  let after = process.hrtime.bigint();
  if (after - entered <= SLOW_READ_NS) return now;
  for (let attempt = 0; attempt < 3; attempt++) {
    const start = process.hrtime.bigint();
    now = clock.now();
    after = process.hrtime.bigint();
    if (after - start <= SLOW_READ_NS) return now - ((start + after) / 2n - entered);
  }
  return now - (after - entered);
}

const SLOW_READ_NS = 1_000n;
