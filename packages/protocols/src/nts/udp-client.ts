/**
 * `queryNts`: NTS-KE, then authenticated NTP exchanges over node:dgram (RFC 8915 §5.7).
 * Each request spends one cookie and asks for replacements with placeholders; an NTS NAK
 * (or an empty jar) runs NTS-KE again, once per sample. Samples are spaced by
 * `intervalMs`; the best is the one with the lowest delay, as in `queryNtp`.
 * @see https://www.rfc-editor.org/rfc/rfc8915#section-5.7
 */
import { randomBytes } from "node:crypto";
import { type Clock, type Instant, InvalidArgumentError, NS_PER_MS, systemClock } from "@chronosync/core";
import { NtpKissOfDeathError, NtpTimeoutError, NtsNakError } from "../errors.js";
import type { NtpSample } from "../ntp/client-exchange.js";
import { type NtpClientSocket, openNtpClientSocket } from "../ntp/udp-client-socket.js";
import { formatEndpoint, resolveHost, socketFailure } from "../ntp/udp-socket.js";
import { createNtsRequest, handleNtsReply, type NtsReplyResult } from "./client-exchange.js";
import { NtsCookieJar } from "./cookie-jar.js";
import { type NtsKeClientOptions, type NtsKeResult, performNtsKe } from "./ke-client.js";

/** Options of {@link queryNts}: NTS-KE's and the NTP exchange's. */
export interface NtsQueryOptions extends Omit<NtsKeClientOptions, "port" | "timeoutMs"> {
  /** Requests to send (default 4). */
  samples?: number;
  /** Least time from one request to the next, ms (default 2000). */
  intervalMs?: number;
  /** How long to wait for each NTP reply, ms (default 2000). */
  timeoutMs?: number;
  /** NTS-KE limit, ms (default 5000). */
  keTimeoutMs?: number;
  /** The local clock for T1 and T4 (default core's `systemClock`). */
  clock?: Clock;
}

/** One authenticated sample: the NTP sample shape plus `authenticated: true`. */
export type NtsSample = NtpSample & { authenticated: true };

/** The samples of one query and the best of them. */
export interface NtsQueryResult {
  /** The NTP endpoint used (after Server and Port Negotiation). */
  address: string;
  port: number;
  /** The NTS-KE endpoint. */
  keHost: string;
  kePort: number;
  samples: NtsSample[];
  best: NtsSample;
  /** NTS-KE runs (1 unless a NAK or an empty jar forced more). */
  keRuns: number;
  /** NTS NAKs received. */
  naks: number;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Queries an NTS server; `target.port` is the NTS-KE port (default 4460). Rejects with
 * NtsKeError, NtsNakError (a NAK right after a fresh NTS-KE), NtpKissOfDeathError,
 * NtpTimeoutError, NameNotResolvedError or core's NetworkFailureError.
 * @see https://www.rfc-editor.org/rfc/rfc8915
 */
export async function queryNts(
  target: { host: string; port?: number },
  options: NtsQueryOptions = {},
): Promise<NtsQueryResult> {
  const { samples: count = 4, intervalMs = 2000, timeoutMs = 2000, clock = systemClock } = options;
  if (!Number.isInteger(count) || count < 1) throw new InvalidArgumentError("samples must be ≥ 1");
  if (!(intervalMs >= 0) || !(timeoutMs > 0)) throw new InvalidArgumentError("bad intervalMs or timeoutMs");
  const kePort = target.port ?? 4460;
  const keOptions: NtsKeClientOptions = {
    port: kePort,
    ...(options.ca === undefined ? {} : { ca: options.ca }),
    ...(options.servername === undefined ? {} : { servername: options.servername }),
    ...(options.rejectUnauthorized === undefined ? {} : { rejectUnauthorized: options.rejectUnauthorized }),
    timeoutMs: options.keTimeoutMs ?? 5000,
  };
  const jar = new NtsCookieJar();
  let keRuns = 0;
  const runKe = async () => {
    keRuns++;
    const ke = await performNtsKe(target.host, keOptions);
    jar.clear();
    for (const c of ke.cookies) jar.add(c);
    return ke;
  };
  let ke = await runKe();
  const { address, family } = await resolveHost(ke.ntpHost);
  const where = formatEndpoint(address, ke.ntpPort);
  let pending: ((bytes: Uint8Array, t4: Instant) => void) | null = null;
  let failure: Error | null = null;
  clock.now();
  const socket = await openNtpClientSocket({ address, family, port: ke.ntpPort }, clock, false, {
    onReply: (bytes, t4) => pending?.(bytes, t4),
    onError: (err) => {
      failure ??= socketFailure(err, where);
    },
  }).catch((err: unknown) => {
    throw socketFailure(err, where);
  });
  const samples: NtsSample[] = [];
  let naks = 0;
  try {
    let lastSend: Instant | null = null;
    for (let i = 0; i < count && failure === null; i++) {
      if (lastSend !== null) {
        const waitMs = intervalMs - Number((clock.now() - lastSend) / NS_PER_MS);
        if (waitMs > 0) await sleep(waitMs);
      }
      for (let attempt = 0; ; attempt++) {
        if (jar.size === 0) ke = await runKe();
        const sent = await exchange(socket, ke, jar, timeoutMs, (f) => {
          pending = f;
        });
        pending = null;
        lastSend = sent.t1;
        const r = sent.result;
        if (r?.kind === "sample") {
          for (const c of r.cookies) jar.add(c);
          samples.push({ ...r.sample, authenticated: true });
        } else if (r?.kind === "nak") {
          naks++;
          if (attempt > 0) throw new NtsNakError(`${where} sent an NTS NAK after a fresh NTS-KE`);
          ke = await runKe();
          continue;
        } else if (r?.kind === "kiss" && r.action !== "ignore") {
          throw new NtpKissOfDeathError(r.code, `${where} sent kiss-o'-death ${r.code}`);
        }
        break;
      }
    }
  } finally {
    socket.close();
  }
  if (failure !== null) throw failure;
  const best = samples.reduce<NtsSample | undefined>(
    (a, s) => (a === undefined || s.delayNs < a.delayNs ? s : a),
    undefined,
  );
  if (best === undefined)
    throw new NtpTimeoutError(`no authenticated reply from ${where} to ${count} request(s)`);
  return { address, port: ke.ntpPort, keHost: target.host, kePort, samples, best, keRuns, naks };
}

/** One request: resolves with its T1 and the first reply that is not bogus (or null on timeout). */
function exchange(
  socket: NtpClientSocket,
  ke: NtsKeResult,
  jar: NtsCookieJar,
  timeoutMs: number,
  listen: (f: (bytes: Uint8Array, t4: Instant) => void) => void,
): Promise<{ t1: Instant; result: NtsReplyResult | null }> {
  const cookie = jar.take();
  if (cookie === undefined) throw new InvalidArgumentError("empty cookie jar");
  const request = createNtsRequest({
    random: randomBytes,
    c2s: ke.c2s,
    cookie,
    placeholders: jar.placeholdersWanted(),
  });
  return new Promise((resolve, reject) => {
    let t1: Instant = 0n;
    const timer = setTimeout(() => resolve({ t1, result: null }), timeoutMs);
    listen((bytes, t4) => {
      const result = handleNtsReply(request, ke.s2c, t1, bytes, t4);
      if (result.kind === "bogus") return;
      clearTimeout(timer);
      resolve({ t1, result });
    });
    try {
      t1 = socket.send(request.bytes);
    } catch (err) {
      clearTimeout(timer);
      reject(err);
    }
  });
}
