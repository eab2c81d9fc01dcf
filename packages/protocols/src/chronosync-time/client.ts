/**
 * `queryChronosyncTime`: ChronoSync's signed four-timestamp exchange over HTTP(S)
 * (messages.ts). All requests go over one keep-alive connection; the first one opens it
 * (TCP and TLS handshakes) and is not used, so every kept sample's round trip is one
 * request and its answer. The best sample is the one with the smallest delay, as in NTP.
 * Every answer's Ed25519 signature is checked against the server's published key set.
 */
import { createPublicKey, type KeyObject, randomBytes, verify as verifySignature } from "node:crypto";
import type { Agent as HttpAgent, IncomingMessage } from "node:http";
import * as http from "node:http";
import * as https from "node:https";
import {
  type Clock,
  CryptoVerificationFailedError,
  NetworkFailureError,
  systemClock,
} from "@chronosync/core";
import { ChronosyncTimeDecodeError, HttpTimeoutError, NameNotResolvedError } from "../errors.js";
import {
  CHRONOSYNC_TIME_PATH,
  type ChronosyncTimeSample,
  createTimeRequest,
  parseTimeResponse,
  timeSample,
  verifyTimeResponse,
} from "./messages.js";

/** The server's published keys (`/.well-known/chronosync/keys`). */
export interface ChronosyncTimeKeySet {
  readonly keys: readonly {
    readonly keyId: string;
    readonly algorithm: string;
    readonly publicKey: string;
  }[];
}

export interface ChronosyncTimeQueryOptions {
  /** Samples to keep (default 4). */
  samples?: number;
  /** Per-request timeout, ms (default 3000). */
  timeoutMs?: number;
  /** Keys to verify with; default: fetched from the same server's `/.well-known/chronosync/keys`. */
  keySet?: ChronosyncTimeKeySet;
  /** For https: extra trusted CA certificates (PEM). */
  ca?: string | Buffer;
  /** For https: verify the certificate (default true). */
  rejectUnauthorized?: boolean;
  clock?: Clock;
}

export interface ChronosyncTimeQueryResult {
  readonly url: string;
  readonly samples: readonly ChronosyncTimeSample[];
  /** The smallest-delay sample. */
  readonly best: ChronosyncTimeSample;
  readonly authenticated: true;
}

interface Response {
  readonly status: number;
  readonly body: string;
  readonly t4: bigint;
}

function post(
  url: URL,
  agent: HttpAgent,
  body: string | undefined,
  timeoutMs: number,
  clock: Clock,
): Promise<Response> {
  const lib = url.protocol === "https:" ? https : http;
  return new Promise((resolve, reject) => {
    const req = lib.request(
      url,
      {
        method: body === undefined ? "GET" : "POST",
        agent,
        headers:
          body === undefined
            ? {}
            : { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
      },
      (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on("data", (chunk: Buffer) => {
          size += chunk.length;
          if (size > 1 << 20) req.destroy(new ChronosyncTimeDecodeError("too-large", "response too large"));
          else chunks.push(chunk);
        });
        res.on("end", () => {
          // T4 when the whole answer is in: the reply is one small packet in practice.
          const t4 = clock.now();
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8"), t4 });
        });
        res.on("error", reject);
      },
    );
    req.setTimeout(timeoutMs, () =>
      req.destroy(new HttpTimeoutError(`no answer from ${url.origin} within ${timeoutMs} ms`)),
    );
    req.on("error", (err) => reject(requestFailure(err, url)));
    req.end(body);
  });
}

function requestFailure(err: unknown, url: URL): Error {
  if (err instanceof HttpTimeoutError || err instanceof ChronosyncTimeDecodeError) return err;
  const code = (err as { code?: unknown } | null)?.code;
  if (code === "ENOTFOUND" || code === "EAI_AGAIN")
    return new NameNotResolvedError(url.hostname, { cause: err });
  if (typeof code === "string" && /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|ALTNAME/.test(code)) {
    return new CryptoVerificationFailedError(`TLS certificate of ${url.host} not trusted (${code})`, {
      cause: err,
    });
  }
  return new NetworkFailureError(
    `request to ${url.origin} failed: ${String((err as Error)?.message ?? err)}`,
    {
      cause: err,
    },
  );
}

/** Ed25519 public keys by key id, from a key set. */
function keyVerifier(keySet: ChronosyncTimeKeySet): (keyId: string, m: Uint8Array, s: Uint8Array) => boolean {
  const keys = new Map<string, KeyObject>();
  for (const k of keySet.keys) {
    if (k.algorithm !== "Ed25519") continue;
    const x = Buffer.from(k.publicKey, "base64").toString("base64url");
    keys.set(k.keyId, createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x }, format: "jwk" }));
  }
  return (keyId, message, signature) => {
    const key = keys.get(keyId);
    return key !== undefined && verifySignature(null, message, key, signature);
  };
}

/**
 * Measures this clock against a ChronoSync server's `/api/time` over HTTP(S).
 * `base` is the server's URL (`https://host:port`); offsets are server − local.
 */
export async function queryChronosyncTime(
  base: string,
  options: ChronosyncTimeQueryOptions = {},
): Promise<ChronosyncTimeQueryResult> {
  const clock = options.clock ?? systemClock;
  const count = options.samples ?? 4;
  const timeoutMs = options.timeoutMs ?? 3000;
  if (!Number.isInteger(count) || count < 1 || count > 64) throw new RangeError("samples must be 1–64");
  const origin = new URL(base);
  if (origin.protocol !== "http:" && origin.protocol !== "https:") {
    throw new RangeError(`ChronoSync time needs an http: or https: URL, got ${origin.protocol}`);
  }
  const tls = {
    ...(options.ca === undefined ? {} : { ca: options.ca }),
    rejectUnauthorized: options.rejectUnauthorized ?? true,
  };
  const agent =
    origin.protocol === "https:"
      ? new https.Agent({ keepAlive: true, maxSockets: 1, ...tls })
      : new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    let keySet = options.keySet;
    if (keySet === undefined) {
      // Also opens the connection the exchanges then reuse.
      const res = await post(
        new URL("/.well-known/chronosync/keys", origin),
        agent,
        undefined,
        timeoutMs,
        clock,
      );
      if (res.status !== 200) throw new NetworkFailureError(`${origin.origin} key set: HTTP ${res.status}`);
      keySet = JSON.parse(res.body) as ChronosyncTimeKeySet;
    }
    const verify = keyVerifier(keySet);
    const url = new URL(CHRONOSYNC_TIME_PATH, origin);
    const samples: ChronosyncTimeSample[] = [];
    for (let i = 0; i < count + (options.keySet === undefined ? 0 : 1); i++) {
      const request = createTimeRequest(clock.now(), randomBytes(16));
      const res = await post(url, agent, JSON.stringify(request), timeoutMs, clock);
      if (res.status !== 200) throw new NetworkFailureError(`${url.href}: HTTP ${res.status}`);
      const response = parseTimeResponse(res.body, request);
      verifyTimeResponse(response, verify);
      // With a given key set the first exchange opened the connection: not a sample.
      if (options.keySet !== undefined && i === 0) continue;
      samples.push(timeSample(response, res.t4));
    }
    const best = samples.reduce((a, b) => (b.delayNs < a.delayNs ? b : a));
    return { url: url.href, samples, best, authenticated: true };
  } finally {
    agent.destroy();
  }
}
