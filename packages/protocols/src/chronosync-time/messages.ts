/**
 * ChronoSync time over HTTP(S), version 1: an NTP-like four-timestamp exchange for
 * networks where UDP is blocked (issue 6 §4b). The client POSTs
 * `{ version: 1, nonce, t1 }` to `/api/time`; the server stamps t2 when the request
 * arrives and t3 just before it answers `{ version, nonce, t1, t2, t3, leap, keyId,
 * signature }`, where `signature` is Ed25519 over
 * `"chronosync-time-v1\n" + canonicalJson({version, nonce, t1, t2, t3, leap, keyId})`
 * (RFC 8785) with a key the server publishes at `/.well-known/chronosync/keys`.
 * Instants are decimal strings of ns since the Unix epoch (UTC). Offset and delay are
 * NTP's (RFC 5905 §8): θ = ((t2 − t1) + (t3 − t4)) / 2, δ = (t4 − t1) − (t3 − t2).
 *
 * Pure: no I/O, no clock; signing and verifying are injected.
 * @see https://www.rfc-editor.org/rfc/rfc5905#section-8
 * @see https://www.rfc-editor.org/rfc/rfc8785
 */
import { CryptoVerificationFailedError, canonicalJson, type Duration, type Instant } from "@chronosync/core";
import { ChronosyncTimeDecodeError } from "../errors.js";

export const CHRONOSYNC_TIME_VERSION = 1;
/** Domain separation of the signed bytes. */
export const CHRONOSYNC_TIME_SIGNING_PREFIX = "chronosync-time-v1\n";
/** The server's path. */
export const CHRONOSYNC_TIME_PATH = "/api/time";

export interface TimeRequest {
  readonly version: 1;
  /** base64 of 16–64 random bytes, echoed by the server (binds the answer to this request). */
  readonly nonce: string;
  /** Client transmit time, decimal ns. */
  readonly t1: string;
}

/** The signed part of a response. */
export interface TimeResponseBody {
  readonly version: 1;
  readonly nonce: string;
  readonly t1: string;
  /** Server receive time, decimal ns. */
  readonly t2: string;
  /** Server transmit time, decimal ns. */
  readonly t3: string;
  /** NTP leap indicator of the server's clock (3 = unsynchronized). */
  readonly leap: 0 | 1 | 2 | 3;
  readonly keyId: string;
}

export interface TimeResponse extends TimeResponseBody {
  /** base64 Ed25519 signature. */
  readonly signature: string;
}

export interface ChronosyncTimeSample {
  readonly t1: Instant;
  readonly t2: Instant;
  readonly t3: Instant;
  readonly t4: Instant;
  /** θ = server − local (positive: server ahead). */
  readonly offsetNs: Duration;
  /** δ: round trip minus the server's processing time. */
  readonly delayNs: Duration;
  readonly leap: 0 | 1 | 2 | 3;
  readonly keyId: string;
}

const DECIMAL = /^(0|[1-9][0-9]{0,20})$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const MAX_RESPONSE_CHARS = 4096;

/** A request for client transmit time `t1` with `nonce` (16–64 random bytes). */
export function createTimeRequest(t1: Instant, nonce: Uint8Array): TimeRequest {
  if (nonce.length < 16 || nonce.length > 64) throw new RangeError("nonce must be 16–64 bytes");
  if (t1 < 0n) throw new RangeError("t1 before the Unix epoch");
  return { version: 1, nonce: toBase64(nonce), t1: t1.toString() };
}

/** The bytes the server signs and the client verifies. */
export function timeResponseSigningInput(body: TimeResponseBody): Uint8Array {
  const { version, nonce, t1, t2, t3, leap, keyId } = body;
  return new TextEncoder().encode(
    CHRONOSYNC_TIME_SIGNING_PREFIX + canonicalJson({ version, nonce, t1, t2, t3, leap, keyId }),
  );
}

/**
 * Parses a request body (server side); throws {@link ChronosyncTimeDecodeError} when it is
 * not a version-1 request.
 */
export function parseTimeRequest(value: unknown): TimeRequest {
  const o = object(value, "request");
  if (o.version !== 1)
    throw new ChronosyncTimeDecodeError("bad-version", `unsupported version ${String(o.version)}`);
  const nonce = base64(o.nonce, "nonce");
  const nonceBytes = (nonce.length * 3) / 4 - (nonce.endsWith("==") ? 2 : nonce.endsWith("=") ? 1 : 0);
  if (nonceBytes < 16 || nonceBytes > 64)
    throw new ChronosyncTimeDecodeError("bad-field", "nonce must be 16–64 bytes");
  return { version: 1, nonce, t1: decimal(o.t1, "t1") };
}

/**
 * Parses a response (JSON text or value) and checks it answers `request`; the signature
 * is checked separately ({@link verifyTimeResponse}).
 */
export function parseTimeResponse(input: string | unknown, request: TimeRequest): TimeResponse {
  let value = input;
  if (typeof input === "string") {
    if (input.length > MAX_RESPONSE_CHARS)
      throw new ChronosyncTimeDecodeError("too-large", "response too large");
    try {
      value = JSON.parse(input);
    } catch (err) {
      throw new ChronosyncTimeDecodeError("not-json", "response is not JSON", { cause: err });
    }
  }
  const o = object(value, "response");
  if (o.version !== 1)
    throw new ChronosyncTimeDecodeError("bad-version", `unsupported version ${String(o.version)}`);
  const leap = o.leap;
  if (leap !== 0 && leap !== 1 && leap !== 2 && leap !== 3) {
    throw new ChronosyncTimeDecodeError("bad-field", "leap must be 0–3");
  }
  if (typeof o.keyId !== "string" || o.keyId.length === 0 || o.keyId.length > 64) {
    throw new ChronosyncTimeDecodeError("bad-field", "keyId must be a non-empty string");
  }
  const response: TimeResponse = {
    version: 1,
    nonce: base64(o.nonce, "nonce"),
    t1: decimal(o.t1, "t1"),
    t2: decimal(o.t2, "t2"),
    t3: decimal(o.t3, "t3"),
    leap,
    keyId: o.keyId,
    signature: base64(o.signature, "signature"),
  };
  if (response.nonce !== request.nonce || response.t1 !== request.t1) {
    throw new ChronosyncTimeDecodeError(
      "not-ours",
      "response does not answer this request (nonce or t1 differ)",
    );
  }
  if (BigInt(response.t3) < BigInt(response.t2)) {
    throw new ChronosyncTimeDecodeError("bad-field", "t3 is before t2");
  }
  return response;
}

/**
 * Checks the signature with `verify(keyId, message, signature)` (e.g. Ed25519 against the
 * published key set); throws core's `CryptoVerificationFailedError` when it fails.
 */
export function verifyTimeResponse(
  response: TimeResponse,
  verify: (keyId: string, message: Uint8Array, signature: Uint8Array) => boolean,
): void {
  if (!verify(response.keyId, timeResponseSigningInput(response), fromBase64(response.signature))) {
    throw new CryptoVerificationFailedError(
      `ChronoSync time response: signature does not verify with key ${response.keyId}`,
    );
  }
}

/** Offset and delay of a checked response received at local time `t4`. */
export function timeSample(response: TimeResponse, t4: Instant): ChronosyncTimeSample {
  const t1 = BigInt(response.t1);
  const t2 = BigInt(response.t2);
  const t3 = BigInt(response.t3);
  return {
    t1,
    t2,
    t3,
    t4,
    offsetNs: (t2 - t1 + (t3 - t4)) / 2n,
    delayNs: t4 - t1 - (t3 - t2),
    leap: response.leap,
    keyId: response.keyId,
  };
}

function object(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new ChronosyncTimeDecodeError("bad-field", `${what} must be a JSON object`);
  }
  return value as Record<string, unknown>;
}

function decimal(value: unknown, field: string): string {
  if (typeof value !== "string" || !DECIMAL.test(value)) {
    throw new ChronosyncTimeDecodeError("bad-field", `${field} must be a decimal string of ns`);
  }
  return value;
}

function base64(value: unknown, field: string): string {
  if (
    typeof value !== "string" ||
    value.length === 0 ||
    value.length > 256 ||
    value.length % 4 !== 0 ||
    !BASE64.test(value)
  ) {
    throw new ChronosyncTimeDecodeError("bad-field", `${field} must be base64`);
  }
  return value;
}

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

function toBase64(bytes: Uint8Array): string {
  let out = "";
  for (let i = 0; i < bytes.length; i += 3) {
    const n = ((bytes[i] ?? 0) << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    out += ALPHABET[(n >> 18) & 63];
    out += ALPHABET[(n >> 12) & 63];
    out += i + 1 < bytes.length ? ALPHABET[(n >> 6) & 63] : "=";
    out += i + 2 < bytes.length ? ALPHABET[n & 63] : "=";
  }
  return out;
}

function fromBase64(text: string): Uint8Array {
  const clean = text.replace(/=+$/, "");
  const out = new Uint8Array(Math.floor((clean.length * 3) / 4));
  let bits = 0;
  let acc = 0;
  let j = 0;
  for (const ch of clean) {
    acc = (acc << 6) | ALPHABET.indexOf(ch);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[j++] = (acc >> bits) & 0xff;
    }
  }
  return out;
}
