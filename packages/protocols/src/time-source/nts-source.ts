/**
 * `nts://host[:port]` (NTS-KE port, default 4460): NTS-KE once, then one authenticated
 * NTP exchange per measurement (RFC 8915 §5.7). The keys and the cookie jar live across
 * measurements: each request spends one cookie and asks for the missing ones back with
 * placeholders; NTS-KE runs again only when the jar is empty or the server sends an NTS
 * NAK (kiss NTSN). Built from nts/index.ts's pure exchange and ntp's client socket.
 * @see https://www.rfc-editor.org/rfc/rfc8915#section-5.7
 */
import { randomBytes } from "node:crypto";
import { type Clock, type Instant, isChronoSyncError, systemClock } from "@chronosync/core";
import { NtpKissOfDeathError, NtpTimeoutError, NtsNakError } from "../errors.js";
import { openNtpClientSocket } from "../ntp/udp-client-socket.js";
import { formatEndpoint, type ResolvedAddress, resolveHost, socketFailure } from "../ntp/udp-socket.js";
import { createNtsRequest, handleNtsReply, type NtsReplyResult } from "../nts/client-exchange.js";
import { NtsCookieJar } from "../nts/cookie-jar.js";
import { type NtsKeResult, performNtsKe } from "../nts/ke-client.js";
import { CA_PARAM, caQuery, sourceCa } from "./ca.js";
import { closedGuard } from "./closed.js";
import { ntpTimeSample } from "./ntp-source.js";
import type { MeasureOptions, TimeSample, TimeSource, TimeSourceOptions } from "./types.js";
import { formatAuthority, requireHost, requireNoPath, type TimeSourceUrl } from "./url.js";

export const NTS_KE_PORT = 4460;

/** What an NTS source keeps between measurements, for status and tests. */
export interface NtsSourceState {
  /** NTS-KE runs so far. */
  keRuns: number;
  /** NTS NAKs received so far. */
  naks: number;
  /** Cookies in the jar. */
  cookies: number;
  /** The NTP endpoint NTS-KE named, or null before the first run. */
  ntpEndpoint: string | null;
}

const random = (n: number) => new Uint8Array(randomBytes(n));

/** An NTS time source; see the module comment. */
export class NtsTimeSource implements TimeSource {
  readonly protocol = "nts";
  readonly url: string;
  readonly #guard = closedGuard(() => this.url);
  readonly #jar = new NtsCookieJar();
  #ke: NtsKeResult | null = null;
  #ntp: ResolvedAddress | null = null;
  #keRuns = 0;
  #naks = 0;

  constructor(
    private readonly host: string,
    private readonly kePort: number,
    private readonly clock: Clock,
    private readonly timeoutMs: number,
    private readonly ca: string | Buffer | undefined,
    caPath?: string,
  ) {
    this.url = `nts://${formatAuthority(host, kePort)}${caQuery(caPath)}`;
  }

  state(): NtsSourceState {
    const ke = this.#ke;
    return {
      keRuns: this.#keRuns,
      naks: this.#naks,
      cookies: this.#jar.size,
      ntpEndpoint: ke === null ? null : formatEndpoint(ke.ntpHost, ke.ntpPort),
    };
  }

  async measure(options: MeasureOptions = {}): Promise<TimeSample> {
    this.#guard.check();
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    for (let attempt = 0; ; attempt++) {
      if (this.#ke === null || this.#jar.size === 0) await this.#runKe(timeoutMs);
      const ke = this.#ke!;
      const ntp = this.#ntp!;
      const where = formatEndpoint(ntp.address, ke.ntpPort);
      const { result, t1 } = await this.#exchange(ke, ntp, where, timeoutMs);
      if (result === null)
        throw new NtpTimeoutError(`no authenticated reply from ${where} within ${timeoutMs} ms`);
      if (result.kind === "sample") {
        for (const c of result.cookies) this.#jar.add(c);
        return ntpTimeSample(result.sample, {
          protocol: "nts",
          source: this.url,
          address: ntp.address,
          authenticated: true,
        });
      }
      if (result.kind === "nak") {
        this.#naks++;
        if (attempt > 0) throw new NtsNakError(`${where} sent an NTS NAK after a fresh NTS-KE`);
        this.#ke = null;
        continue;
      }
      if (result.kind === "kiss")
        throw new NtpKissOfDeathError(result.code, `${where} sent kiss-o'-death ${result.code}`);
      throw new NtpTimeoutError(`no usable reply from ${where} (t1 ${t1})`);
    }
  }

  async #runKe(timeoutMs: number): Promise<void> {
    this.#keRuns++;
    const ke = await performNtsKe(this.host, {
      port: this.kePort,
      timeoutMs: Math.max(timeoutMs, 1000),
      ...(this.ca === undefined ? {} : { ca: this.ca }),
    });
    this.#ntp = await resolveHost(ke.ntpHost);
    this.#jar.clear();
    for (const c of ke.cookies) this.#jar.add(c);
    this.#ke = ke;
  }

  /** One request on a fresh socket; the first authenticated (non-bogus) reply, or null on timeout. */
  async #exchange(
    ke: NtsKeResult,
    ntp: ResolvedAddress,
    where: string,
    timeoutMs: number,
  ): Promise<{ result: NtsReplyResult | null; t1: Instant }> {
    const cookie = this.#jar.take()!;
    const request = createNtsRequest({
      random,
      c2s: ke.c2s,
      cookie,
      placeholders: this.#jar.placeholdersWanted(),
    });
    let t1: Instant = 0n;
    let settle: (r: NtsReplyResult | null, err?: unknown) => void = () => {};
    const done = new Promise<NtsReplyResult | null>((resolve, reject) => {
      settle = (r, err) => (err === undefined ? resolve(r) : reject(err));
    });
    this.clock.now();
    const socket = await openNtpClientSocket({ ...ntp, port: ke.ntpPort }, this.clock, false, {
      onReply: (bytes, t4) => {
        const r = handleNtsReply(request, ke.s2c, t1, bytes, t4, {
          clientPrecisionLog2: this.clock.precisionLog2,
        });
        if (r.kind !== "bogus") settle(r);
      },
      onError: (err) => settle(null, socketFailure(err, where)),
    }).catch((err: unknown) => {
      throw socketFailure(err, where);
    });
    const timer = setTimeout(() => settle(null), timeoutMs);
    try {
      t1 = socket.send(request.bytes);
      return { result: await done, t1 };
    } catch (err) {
      throw isChronoSyncError(err) ? err : socketFailure(err, where);
    } finally {
      clearTimeout(timer);
      socket.close();
    }
  }

  async close(): Promise<void> {
    this.#guard.close();
    this.#jar.clear();
    this.#ke = null;
  }
}

/** The factory of `nts://`. */
export function createNtsTimeSource(url: TimeSourceUrl, options: TimeSourceOptions): TimeSource {
  const host = requireHost(url, [CA_PARAM]);
  requireNoPath(url);
  const { ca, path } = sourceCa(url, options);
  return new NtsTimeSource(
    host,
    url.port ?? NTS_KE_PORT,
    options.clock ?? systemClock,
    options.timeoutMs ?? 2000,
    ca,
    path,
  );
}
