/**
 * `queryNtp`: an SNTP-style client (RFC 5905 client mode, RFC 4330 usage). One connected
 * UDP socket (udp-client-socket.ts), so ICMP port unreachable surfaces as ECONNREFUSED:
 * the addon's, with the kernel's receive time as T4, when it is built, else node:dgram's
 * (T4 read first thing on receipt). Every reply is judged by the pure
 * {@link handleNtpReply}. Samples are spaced by `intervalMs`; the best is the one with
 * the lowest delay (RFC 5905 §10, the clock filter's choice).
 * @see https://www.rfc-editor.org/rfc/rfc5905#section-8
 * @see docs/ntp-server-fast-path.md (Client)
 */
import { randomBytes } from "node:crypto";
import {
  type Clock,
  type Instant,
  InvalidArgumentError,
  NetworkFailureError,
  NS_PER_MS,
  systemClock,
} from "@chronosync/core";
import { NtpKissOfDeathError, NtpTimeoutError } from "../errors.js";
import { createNtpRequest, handleNtpReply, type NtpRequest, type NtpSample } from "./client-exchange.js";
import { type NtpClientSocket, openNtpClientSocket } from "./udp-client-socket.js";
import { formatEndpoint, resolveHost, socketFailure } from "./udp-socket.js";

/** Options of {@link queryNtp}. */
export interface NtpQueryOptions {
  /** Requests to send (default 4). */
  samples?: number;
  /** Least time from one request to the next, ms (default 2000, like iburst). */
  intervalMs?: number;
  /** How long to wait for each reply, ms (default 2000). */
  timeoutMs?: number;
  /** The local clock for T1 and T4 (default core's `systemClock`). */
  clock?: Clock;
  /**
   * `"auto"` (default): the addon's socket, with kernel receive timestamps for T4, when
   * the addon is built and loads, unless the environment has `CHRONOSYNC_NATIVE=0`; else
   * node:dgram. `true`: the addon's socket or core's NetworkFailureError. `false`: dgram.
   */
  native?: boolean | "auto";
}

/** The samples of one query and the best of them. */
export interface NtpQueryResult {
  address: string;
  port: number;
  samples: NtpSample[];
  best: NtpSample;
}

interface Pending {
  request: NtpRequest;
  /** Set by the send, before any reply can be taken (replies come from the event loop). */
  t1: Instant;
  finish: () => void;
}

function checkOptions(target: { host: string; port: number }, o: NtpQueryOptions): Required<NtpQueryOptions> {
  const { samples = 4, intervalMs = 2000, timeoutMs = 2000, clock = systemClock, native = "auto" } = o;
  if (!Number.isInteger(target.port) || target.port < 1 || target.port > 65535) {
    throw new InvalidArgumentError(`NTP port must be in [1, 65535], got ${target.port}`);
  }
  if (!Number.isInteger(samples) || samples < 1) throw new InvalidArgumentError(`samples must be ≥ 1`);
  if (!(intervalMs >= 0)) throw new InvalidArgumentError(`intervalMs must be ≥ 0`);
  if (!(timeoutMs > 0)) throw new InvalidArgumentError(`timeoutMs must be > 0`);
  return { samples, intervalMs, timeoutMs, clock, native };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Queries an NTP server. Rejects with NameNotResolvedError, NtpRefusedError (nothing
 * listens there), NtpKissOfDeathError (RATE, DENY or RSTR, or only other kisses came
 * back), NtpTimeoutError (no usable reply at all), or core's NetworkFailureError.
 * @see https://www.rfc-editor.org/rfc/rfc5905#section-8
 */
export async function queryNtp(
  target: { host: string; port: number },
  options: NtpQueryOptions = {},
): Promise<NtpQueryResult> {
  const { samples: count, intervalMs, timeoutMs, clock, native } = checkOptions(target, options);
  const { address, family } = await resolveHost(target.host);
  const where = formatEndpoint(address, target.port);
  const samples: NtpSample[] = [];
  let failure: Error | null = null;
  let lastKiss: string | null = null;
  let pending: Pending | null = null;
  const clientPrecisionLog2 = clock.precisionLog2;
  const onReply = (message: Uint8Array, t4: Instant) => {
    const p = pending;
    if (p === null) return;
    const result = handleNtpReply(p.request, p.t1, message, t4, { clientPrecisionLog2 });
    if (result.kind === "sample") {
      samples.push(result.sample);
      p.finish();
    } else if (result.kind === "kiss") {
      lastKiss = result.code;
      if (result.action !== "ignore") {
        failure = new NtpKissOfDeathError(result.code, `${where} sent kiss-o'-death ${result.code}`);
        p.finish();
      }
    }
  };
  const onError = (err: unknown) => {
    failure ??= socketFailure(err, where);
    pending?.finish();
  };
  // Read the clock once before the first exchange: a SystemClock anchors itself on its
  // first read (a busy-wait of a few ms), which must not happen between T1 and T4.
  clock.now();
  const socket = await openNtpClientSocket({ address, family, port: target.port }, clock, native, {
    onReply,
    onError,
  }).catch((err: unknown) => {
    throw err instanceof NetworkFailureError ? err : socketFailure(err, where);
  });
  try {
    let lastSend: Instant | null = null;
    for (let i = 0; i < count && failure === null; i++) {
      if (lastSend !== null) {
        const waitMs = intervalMs - Number((clock.now() - lastSend) / NS_PER_MS);
        if (waitMs > 0) await sleep(waitMs);
        if (failure !== null) break;
      }
      lastSend = await exchange(socket, timeoutMs, (p) => {
        pending = p;
      }).catch((err: unknown) => {
        failure ??= socketFailure(err, where);
        return null;
      });
      pending = null;
    }
  } finally {
    socket.close();
  }
  if (failure !== null) throw failure;
  const best = samples.reduce<NtpSample | undefined>(
    (a, s) => (a === undefined || s.delayNs < a.delayNs ? s : a),
    undefined,
  );
  if (best === undefined) {
    if (lastKiss !== null)
      throw new NtpKissOfDeathError(lastKiss, `${where} sent only kiss-o'-death ${lastKiss}`);
    throw new NtpTimeoutError(`no reply from ${where} to ${count} request(s) within ${timeoutMs} ms each`);
  }
  return { address, port: target.port, samples, best };
}

/**
 * Sends one request; resolves with its T1 when its reply is taken, on timeout, or on a
 * socket error; rejects when the send fails at once.
 */
function exchange(socket: NtpClientSocket, timeoutMs: number, start: (p: Pending) => void): Promise<Instant> {
  return new Promise((resolve, reject) => {
    const request = createNtpRequest({ random: randomBytes });
    const timer = setTimeout(() => finish(), timeoutMs);
    const finish = () => {
      clearTimeout(timer);
      resolve(pending.t1);
    };
    const pending: Pending = { request, t1: 0n, finish };
    start(pending);
    try {
      pending.t1 = socket.send(request.bytes);
    } catch (err) {
      clearTimeout(timer);
      reject(err);
    }
  });
}
