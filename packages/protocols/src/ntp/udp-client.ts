/**
 * `queryNtp`: an SNTP-style client over node:dgram (RFC 5905 client mode, RFC 4330
 * usage). One connected UDP socket, so ICMP port unreachable surfaces as ECONNREFUSED;
 * T1 read right before `send`, T4 first thing on receipt; every reply judged by the pure
 * {@link handleNtpReply}. Samples are spaced by `intervalMs`; the best is the one with
 * the lowest delay (RFC 5905 §10, the clock filter's choice).
 * @see https://www.rfc-editor.org/rfc/rfc5905#section-8
 */
import { randomBytes } from "node:crypto";
import type { Socket } from "node:dgram";
import { type Clock, type Instant, InvalidArgumentError, NS_PER_MS, systemClock } from "@chronosync/core";
import { NtpKissOfDeathError, NtpTimeoutError } from "../errors.js";
import { createNtpRequest, handleNtpReply, type NtpRequest, type NtpSample } from "./client-exchange.js";
import { createUdpSocket, formatEndpoint, resolveHost, socketCall, socketFailure } from "./udp-socket.js";

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
  t1: Instant;
  finish: () => void;
}

function checkOptions(target: { host: string; port: number }, o: NtpQueryOptions): Required<NtpQueryOptions> {
  const { samples = 4, intervalMs = 2000, timeoutMs = 2000, clock = systemClock } = o;
  if (!Number.isInteger(target.port) || target.port < 1 || target.port > 65535) {
    throw new InvalidArgumentError(`NTP port must be in [1, 65535], got ${target.port}`);
  }
  if (!Number.isInteger(samples) || samples < 1) throw new InvalidArgumentError(`samples must be ≥ 1`);
  if (!(intervalMs >= 0)) throw new InvalidArgumentError(`intervalMs must be ≥ 0`);
  if (!(timeoutMs > 0)) throw new InvalidArgumentError(`timeoutMs must be > 0`);
  return { samples, intervalMs, timeoutMs, clock };
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
  const { samples: count, intervalMs, timeoutMs, clock } = checkOptions(target, options);
  const { address, family } = await resolveHost(target.host);
  const where = formatEndpoint(address, target.port);
  const socket = createUdpSocket(family);
  const samples: NtpSample[] = [];
  let failure: Error | null = null;
  let lastKiss: string | null = null;
  let pending: Pending | null = null;
  const clientPrecisionLog2 = clock.precisionLog2;
  socket.on("message", (message) => {
    const t4 = clock.now();
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
  });
  try {
    await socketCall(socket, (done) => socket.connect(target.port, address, done)).catch((err) => {
      throw socketFailure(err, where);
    });
    socket.on("error", (err) => {
      failure ??= socketFailure(err, where);
      pending?.finish();
    });
    let lastSend: Instant | null = null;
    for (let i = 0; i < count && failure === null; i++) {
      if (lastSend !== null) {
        const waitMs = intervalMs - Number((clock.now() - lastSend) / NS_PER_MS);
        if (waitMs > 0) await sleep(waitMs);
        if (failure !== null) break;
      }
      await exchange(socket, timeoutMs, clock, (p) => {
        pending = p;
        lastSend = p.t1;
      }).catch((err: unknown) => {
        failure ??= socketFailure(err, where);
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

/** Sends one request; settles when its reply is taken, on timeout, or on error. */
function exchange(
  socket: Socket,
  timeoutMs: number,
  clock: Clock,
  start: (p: Pending) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const request = createNtpRequest({ random: randomBytes });
    const timer = setTimeout(() => finish(), timeoutMs);
    const finish = () => {
      clearTimeout(timer);
      resolve();
    };
    const t1 = clock.now();
    start({ request, t1, finish });
    socket.send(request.bytes, (err) => {
      if (err) {
        clearTimeout(timer);
        reject(err);
      }
    });
  });
}
