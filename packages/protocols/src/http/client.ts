/**
 * `queryHttpDate`: the clock offset of an HTTP(S) server from its Date header, to well
 * under a second (htpdate's method, see date-offset.ts). HTTP/1.1 HEAD requests on one
 * keep-alive connection (so round trips exclude connection setup), each timed by
 * {@link HttpDateOffsetEstimator} to straddle the server's next second tick.
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-6.6.1
 */
import type { Agent as HttpAgent, IncomingMessage } from "node:http";
import * as http from "node:http";
import * as https from "node:https";
import {
  type Clock,
  CryptoVerificationFailedError,
  type Duration,
  InvalidArgumentError,
  NetworkFailureError,
  NS_PER_MS,
  systemClock,
} from "@chronosync/core";
import { HttpDateInvalidError, HttpTimeoutError, NameNotResolvedError } from "../errors.js";
import { HttpDateOffsetEstimator, type HttpDateSample } from "./date-offset.js";
import { parseHttpDate } from "./http-date.js";

/** Options of {@link queryHttpDate}. */
export interface HttpDateQueryOptions {
  /** Most HEAD requests (default 12: 1 s / 2^10 ≈ 1 ms after the first two). */
  maxSamples?: number;
  /** Stop once the uncertainty (half-width) is at most this, ns (default 1 ms, at least rtt/2). */
  targetUncertaintyNs?: Duration;
  /** Per-request timeout, ms (default 5000). */
  timeoutMs?: number;
  /** Local clock (default core's systemClock). */
  clock?: Clock;
  /** For https: verify the certificate (default true). */
  rejectUnauthorized?: boolean;
  /** For https: extra trusted CA certificates (PEM). */
  ca?: string | Buffer;
}

/** The result: θ = server − local (positive: server ahead). */
export interface HttpDateQueryResult {
  offsetNs: Duration;
  /** Half-width of the interval that must hold the offset. */
  uncertaintyNs: Duration;
  /** The smallest round trip of a request. */
  rttNs: Duration;
  samples: (HttpDateSample & { rttNs: Duration })[];
  /** Samples that contradicted earlier ones (a server clock that stepped or a Date cache). */
  resets: number;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** OpenSSL's certificate verification codes as Node reports them, plus the name check. */
const CERT_ERROR = /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|ERR_TLS_CERT_ALTNAME_INVALID/;

function requestFailure(err: unknown, where: string): Error {
  const code = (err as { code?: unknown } | null)?.code;
  const host = new URL(where).hostname;
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") return new NameNotResolvedError(host, { cause: err });
  if (typeof code === "string" && CERT_ERROR.test(code))
    return new CryptoVerificationFailedError(`${where}: TLS certificate not trusted (${code})`, {
      cause: err,
    });
  const message = err instanceof Error ? err.message : String(err);
  return new NetworkFailureError(`${where}: ${message}`, { cause: err });
}

function head(
  url: URL,
  agent: HttpAgent,
  timeoutMs: number,
  clock: Clock,
): Promise<HttpDateSample & { rttNs: Duration }> {
  const lib = url.protocol === "https:" ? https : http;
  return new Promise((resolve, reject) => {
    let sentNs = 0n;
    const req = lib.request(
      url,
      { method: "HEAD", agent, headers: { "user-agent": "chronosync" } },
      (res: IncomingMessage) => {
        const receivedNs = clock.now();
        res.resume();
        const value = res.headers.date;
        if (value === undefined) {
          reject(new HttpDateInvalidError(null, `${url.href} sent no Date header`));
          return;
        }
        try {
          const dateS = parseHttpDate(value);
          res.on("end", () => resolve({ sentNs, receivedNs, dateS, rttNs: receivedNs - sentNs }));
        } catch (err) {
          reject(err);
        }
      },
    );
    req.setTimeout(timeoutMs, () =>
      req.destroy(new HttpTimeoutError(`${url.href}: no response in ${timeoutMs} ms`)),
    );
    req.on("error", (err) => reject(err instanceof HttpTimeoutError ? err : requestFailure(err, url.href)));
    sentNs = clock.now();
    req.end();
  });
}

/**
 * Measures the offset of the server at `url` (http: or https:). Rejects with
 * NameNotResolvedError, HttpTimeoutError, HttpDateInvalidError (no or bad Date header),
 * or core's NetworkFailureError.
 */
export async function queryHttpDate(
  url: string | URL,
  options: HttpDateQueryOptions = {},
): Promise<HttpDateQueryResult> {
  const target = new URL(url);
  if (target.protocol !== "http:" && target.protocol !== "https:")
    throw new InvalidArgumentError(`HTTP time needs an http: or https: URL, got ${target.protocol}`);
  const { maxSamples = 12, targetUncertaintyNs = NS_PER_MS, timeoutMs = 5000, clock = systemClock } = options;
  if (!Number.isInteger(maxSamples) || maxSamples < 2)
    throw new InvalidArgumentError("maxSamples must be ≥ 2");
  const agentOptions = { keepAlive: true, maxSockets: 1 };
  const agent =
    target.protocol === "https:"
      ? new https.Agent({
          ...agentOptions,
          rejectUnauthorized: options.rejectUnauthorized ?? true,
          ...(options.ca === undefined ? {} : { ca: options.ca }),
        })
      : new http.Agent(agentOptions);
  const estimator = new HttpDateOffsetEstimator();
  const samples: HttpDateQueryResult["samples"] = [];
  clock.now();
  try {
    // The first request also opens the connection; its round trip counts only as an interval.
    for (let i = 0; i < maxSamples; i++) {
      if (i > 0) {
        const rtt = estimator.minRttNs() ?? 0n;
        const e = estimator.estimate()!;
        if (i > 1 && e.uncertaintyNs <= (targetUncertaintyNs > rtt / 2n ? targetUncertaintyNs : rtt / 2n))
          break;
        const sendAt = estimator.nextSendTime(clock.now() + 5n * NS_PER_MS, rtt);
        await waitUntil(clock, sendAt);
      }
      const sample = await head(target, agent, timeoutMs, clock);
      samples.push(sample);
      estimator.add(sample);
    }
  } finally {
    agent.destroy();
  }
  const e = estimator.estimate()!;
  return {
    offsetNs: e.offsetNs,
    uncertaintyNs: e.uncertaintyNs,
    rttNs: estimator.minRttNs()!,
    samples,
    resets: e.resets,
  };
}

/** Sleeps until `at` on `clock`: a timer to 2 ms before, then a short spin. */
async function waitUntil(clock: Clock, at: bigint): Promise<void> {
  const aheadMs = Number((at - clock.now()) / NS_PER_MS) - 2;
  if (aheadMs > 0) await sleep(aheadMs);
  while (clock.now() < at) {
    // spin at most ~2 ms for a precise send time
  }
}
