/**
 * `queryRoughtime`: one authenticated Roughtime measurement. Sends a 1024-byte request
 * (VER, NONC, TYPE, SRV, ZZZZ) over UDP, retrying with the draft's backoff (×1.5 per
 * attempt), and over TCP when UDP brought no answer (§5: "A client SHOULD attempt to use
 * the TCP transport mode ... if it does not receive responses to its UDP queries").
 * Only a response that passes every check of {@link verifyRoughtimeResponse} is taken;
 * others are ignored, as an attacker may inject them.
 * @see https://datatracker.ietf.org/doc/html/draft-ietf-ntp-roughtime-19#section-5
 */
import { randomBytes } from "node:crypto";
import { type Clock, type Duration, type Instant, InvalidArgumentError, systemClock } from "@chronosync/core";
import { RoughtimeTimeoutError } from "../errors.js";
import { formatEndpoint, resolveHost } from "../ntp/udp-socket.js";
import { type Ed25519, roughtimeSrv } from "./crypto.js";
import {
  encodeGoogleRoughtimeRequest,
  GOOGLE_ROUGHTIME_HASH_LENGTH,
  verifyGoogleRoughtimeResponse,
} from "./google.js";
import { nodeEd25519 } from "./node-ed25519.js";
import { encodeRoughtimeRequest } from "./request.js";
import { type Exchange, exchangeTcp, exchangeUdp, type VerifiedTime } from "./transport.js";
import { verifyRoughtimeResponse } from "./verify.js";
import { ROUGHTIME_VERSIONS } from "./version.js";

/** Options of {@link queryRoughtime}. */
export interface RoughtimeQueryOptions {
  /** Wait for the first UDP attempt's response, ms (default 1000; ×1.5 per retry; TCP gets the last wait). */
  timeoutMs?: number;
  /** UDP requests to send before giving up or falling back to TCP (default 3). */
  attempts?: number;
  /** `"auto"` (default): UDP, then TCP if UDP got no answer; or only one of them. */
  transport?: "auto" | "udp" | "tcp";
  /** The nonce (32 bytes); default random. Chains pass H(previous response || rand). */
  nonce?: Uint8Array;
  /** Versions to offer, ascending (default 1 and 0x8000000c). */
  versions?: readonly number[];
  /** Local clock for send and receive times (default core's systemClock). */
  clock?: Clock;
  /** Ed25519 implementation (default node:crypto's). */
  ed25519?: Ed25519;
  /**
   * `"ietf"` (default): draft-ietf-ntp-roughtime-19. `"google"`: Google's original
   * protocol (google.ts: 64-byte nonce, SHA-512 Merkle tree, µs times, UDP only); `nonce`
   * must then be 64 bytes and `versions` is not used.
   */
  format?: "ietf" | "google";
}

/** The result of one authenticated exchange. Instants in ns since the Unix epoch. */
export interface RoughtimeQueryResult {
  address: string;
  port: number;
  transport: "udp" | "tcp";
  /** MIDP (whole seconds, as ns). */
  midpointNs: Instant;
  /** RADI (whole seconds, as ns): true time was within midpoint ± radius. */
  radiusNs: Duration;
  /** Local time from send to receive. */
  rttNs: Duration;
  /** midpoint − local midpoint of send and receive (positive: server ahead). */
  offsetNs: Duration;
  authenticated: true;
  /** The version the server answered with; 0 for Google's protocol, which has none. */
  version: number;
  format: "ietf" | "google";
  /** The packets exchanged (for chains and malfeasance reports). */
  request: Uint8Array;
  response: Uint8Array;
  sentNs: Instant;
  receivedNs: Instant;
}

/**
 * Queries the Roughtime server at `host`:`port` whose long-term Ed25519 public key is
 * `publicKey` (32 bytes). Rejects with NameNotResolvedError, core's NetworkFailureError
 * (refused — over UDP, ICMP port unreachable — or another socket error), or — when no
 * valid response came — the last response's
 * RoughtimeVerificationError / RoughtimeDecodeError, else RoughtimeTimeoutError.
 */
export async function queryRoughtime(
  host: string,
  port: number,
  publicKey: Uint8Array,
  options: RoughtimeQueryOptions = {},
): Promise<RoughtimeQueryResult> {
  const {
    timeoutMs = 1000,
    attempts = 3,
    transport = "auto",
    clock = systemClock,
    ed25519 = nodeEd25519,
  } = options;
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new InvalidArgumentError(`bad port ${port}`);
  if (publicKey.length !== 32) throw new InvalidArgumentError("a Roughtime public key is 32 bytes");
  if (!(timeoutMs > 0) || !Number.isInteger(attempts) || attempts < 1)
    throw new InvalidArgumentError("timeoutMs must be > 0 and attempts ≥ 1");
  const google = options.format === "google";
  if (google && transport === "tcp")
    throw new InvalidArgumentError("Google's Roughtime has no TCP transport");
  const nonce = options.nonce ?? new Uint8Array(randomBytes(google ? GOOGLE_ROUGHTIME_HASH_LENGTH : 32));
  const request = google
    ? encodeGoogleRoughtimeRequest(nonce)
    : encodeRoughtimeRequest({
        nonce,
        versions: options.versions ?? ROUGHTIME_VERSIONS,
        srv: roughtimeSrv(publicKey),
      });
  const { address, family } = await resolveHost(host);
  const where = `roughtime${google ? " (google)" : ""} ${formatEndpoint(address, port)}`;
  clock.now();
  let lastRejection: unknown = null;
  const accept = (response: Uint8Array): (VerifiedTime & { version: number }) | null => {
    try {
      return google
        ? { ...verifyGoogleRoughtimeResponse(nonce, response, publicKey, ed25519), version: 0 }
        : verifyRoughtimeResponse(request, response, publicKey, ed25519);
    } catch (err) {
      lastRejection = err;
      return null;
    }
  };
  const target = { address, family, port, where, request, clock, accept };
  const waits = Array.from({ length: attempts }, (_, i) => timeoutMs * 1.5 ** i);
  let exchange: Exchange<VerifiedTime & { version: number }> | null = null;
  let used: "udp" | "tcp" = "udp";
  try {
    if (transport !== "tcp") exchange = await exchangeUdp(target, waits);
  } catch (err) {
    if (transport === "udp") throw err;
  }
  if (
    exchange === null &&
    !google &&
    transport !== "udp" &&
    (transport === "tcp" || lastRejection === null)
  ) {
    used = "tcp";
    exchange = await exchangeTcp(target, waits[waits.length - 1]!);
  }
  if (exchange === null) {
    if (lastRejection !== null) throw lastRejection;
    throw new RoughtimeTimeoutError(`no valid response from ${where} (${transport})`);
  }
  const { verified: v, sentNs, receivedNs, response } = exchange;
  return {
    address,
    port,
    transport: used,
    midpointNs: v.midpointNs,
    radiusNs: v.radiusNs,
    rttNs: receivedNs - sentNs,
    offsetNs: v.midpointNs - (sentNs + receivedNs) / 2n,
    authenticated: true,
    version: v.version,
    format: google ? "google" : "ietf",
    request,
    response,
    sentNs,
    receivedNs,
  };
}
