/**
 * Google's original Roughtime, before the IETF draft ("classic" Roughtime, still served
 * by some public servers): no `ROUGHTIM` framing, no VER, TYPE or SRV; the request is a
 * message with a 64-byte NONC padded by `PAD\xff` to 1024 bytes; the response is SIG,
 * PATH, SREP, CERT, INDX, with no NONC (the nonce is the Merkle leaf itself). Hashes are
 * the whole SHA-512 (64 bytes): leaf H(0x00 || nonce), node H(0x01 || left || right). MIDP,
 * RADI, MINT and MAXT count microseconds, and the delegation context ends in `--\0`.
 * Decoding, verification and the responder's signing are pure.
 * @see https://roughtime.googlesource.com/roughtime/+/HEAD/PROTOCOL.md
 */
import { type Instant, InvalidArgumentError } from "@chronosync/core";
import { sha512 } from "@noble/hashes/sha2.js";
import { RoughtimeDecodeError, RoughtimeVerificationError } from "../errors.js";
import {
  bytesEqual,
  concatBytes,
  fixedValue,
  requireTag,
  u32Bytes,
  u32Value,
  u64Bytes,
  u64Value,
} from "./bytes.js";
import { decodeRoughtimeCert, ED25519_SIGNATURE_LENGTH, encodeRoughtimeCert } from "./cert.js";
import { type Ed25519, nobleEd25519 } from "./crypto.js";
import { decodeRoughtimeMessage, encodeRoughtimeMessage } from "./message.js";
import { RoughtimeTag } from "./tag.js";

/** Bytes of a nonce and of every hash value in Google's Roughtime. */
export const GOOGLE_ROUGHTIME_HASH_LENGTH = 64;

/** The padding tag of Google's requests, `PAD\xff`. */
export const GOOGLE_ROUGHTIME_PAD_TAG = 0xff444150;

/** Most hash values a PATH may hold (trees of at most 2^32 leaves). */
const MAX_PATH = 32;

const ascii = (s: string) => new TextEncoder().encode(s);

/** Context of CERT's SIG over DELE in Google's Roughtime (note the `--`). */
export const GOOGLE_ROUGHTIME_DELEGATION_CONTEXT: Uint8Array = ascii("RoughTime v1 delegation signature--\0");

/** Context of the response's SIG over SREP. */
export const GOOGLE_ROUGHTIME_RESPONSE_CONTEXT: Uint8Array = ascii("RoughTime v1 response signature\0");

/** The tags of Google's DELE (the same names as the draft's). */
const PUBK = RoughtimeTag.PUBK;
const MINT = RoughtimeTag.MINT;
const MAXT = RoughtimeTag.MAXT;

/** H(x): the whole SHA-512. */
function hash(...parts: Uint8Array[]): Uint8Array {
  return sha512(concatBytes(...parts));
}

/** A leaf: H(0x00 || nonce). */
export function googleRoughtimeLeaf(nonce: Uint8Array): Uint8Array {
  return hash(Uint8Array.of(0x00), nonce);
}

/** An inner node: H(0x01 || left || right). */
export function googleRoughtimeNode(left: Uint8Array, right: Uint8Array): Uint8Array {
  return hash(Uint8Array.of(0x01), left, right);
}

/** Encodes a request: NONC (64 bytes) and `PAD\xff` up to `minLength` bytes (default 1024). */
export function encodeGoogleRoughtimeRequest(nonce: Uint8Array, minLength = 1024): Uint8Array {
  if (nonce.length !== GOOGLE_ROUGHTIME_HASH_LENGTH)
    throw new InvalidArgumentError("a Google Roughtime nonce is 64 bytes");
  const header = 4 + 4 + 8;
  const padding = Math.max(0, minLength - header - nonce.length);
  return encodeRoughtimeMessage([
    [RoughtimeTag.NONC, nonce],
    [GOOGLE_ROUGHTIME_PAD_TAG, new Uint8Array(padding + ((4 - (padding % 4)) % 4))],
  ]);
}

/** The nonce of a request. Throws RoughtimeDecodeError. */
export function decodeGoogleRoughtimeRequest(bytes: Uint8Array): Uint8Array {
  const message = decodeRoughtimeMessage(bytes);
  return fixedValue(message, RoughtimeTag.NONC, GOOGLE_ROUGHTIME_HASH_LENGTH, "request");
}

/** A decoded response; times in microseconds since the Unix epoch (UTC, smeared leap seconds). */
export interface GoogleRoughtimeResponse {
  signature: Uint8Array;
  path: Uint8Array[];
  index: number;
  srepBytes: Uint8Array;
  root: Uint8Array;
  midpointUs: bigint;
  radiusUs: number;
  cert: {
    signature: Uint8Array;
    dele: Uint8Array;
    publicKey: Uint8Array;
    minTimeUs: bigint;
    maxTimeUs: bigint;
  };
}

/** Decodes a response. Throws RoughtimeDecodeError. */
export function decodeGoogleRoughtimeResponse(bytes: Uint8Array): GoogleRoughtimeResponse {
  const message = decodeRoughtimeMessage(bytes);
  const where = "response";
  const pathBytes = requireTag(message, RoughtimeTag.PATH, where);
  if (
    pathBytes.length % GOOGLE_ROUGHTIME_HASH_LENGTH !== 0 ||
    pathBytes.length > GOOGLE_ROUGHTIME_HASH_LENGTH * MAX_PATH
  )
    throw new RoughtimeDecodeError("bad-value", `PATH of ${pathBytes.length} bytes, not a multiple of 64`);
  const path: Uint8Array[] = [];
  for (let i = 0; i < pathBytes.length; i += GOOGLE_ROUGHTIME_HASH_LENGTH)
    path.push(pathBytes.subarray(i, i + GOOGLE_ROUGHTIME_HASH_LENGTH));
  const srepBytes = requireTag(message, RoughtimeTag.SREP, where);
  const srep = decodeRoughtimeMessage(srepBytes);
  const cert = decodeRoughtimeCert(requireTag(message, RoughtimeTag.CERT, where));
  const dele = decodeRoughtimeMessage(cert.dele);
  return {
    signature: fixedValue(message, RoughtimeTag.SIG, ED25519_SIGNATURE_LENGTH, where),
    path,
    index: u32Value(message, RoughtimeTag.INDX, where),
    srepBytes,
    root: fixedValue(srep, RoughtimeTag.ROOT, GOOGLE_ROUGHTIME_HASH_LENGTH, "SREP"),
    midpointUs: u64Value(srep, RoughtimeTag.MIDP, "SREP"),
    radiusUs: u32Value(srep, RoughtimeTag.RADI, "SREP"),
    cert: {
      signature: cert.signature,
      dele: cert.dele,
      publicKey: fixedValue(dele, PUBK, 32, "DELE"),
      minTimeUs: u64Value(dele, MINT, "DELE"),
      maxTimeUs: u64Value(dele, MAXT, "DELE"),
    },
  };
}

/** A verified response: MIDP and RADI in ns (µs × 1000). */
export interface GoogleRoughtimeVerified {
  midpointNs: Instant;
  radiusNs: bigint;
  response: GoogleRoughtimeResponse;
}

/**
 * Verifies `responseBytes` as the answer to our `nonce` from the server whose long-term
 * key is `publicKey`: CERT signed by it, MIDP within [MINT, MAXT], the Merkle path from
 * H(0x00 || nonce) to ROOT (which proves the nonce), SREP signed by the delegated key,
 * RADI not zero. Throws RoughtimeDecodeError or RoughtimeVerificationError.
 */
export function verifyGoogleRoughtimeResponse(
  nonce: Uint8Array,
  responseBytes: Uint8Array,
  publicKey: Uint8Array,
  ed25519: Ed25519 = nobleEd25519,
): GoogleRoughtimeVerified {
  const r = decodeGoogleRoughtimeResponse(responseBytes);
  if (
    !ed25519.verify(
      r.cert.signature,
      concatBytes(GOOGLE_ROUGHTIME_DELEGATION_CONTEXT, r.cert.dele),
      publicKey,
    )
  )
    throw new RoughtimeVerificationError("delegation-signature", "CERT is not signed by the long-term key");
  if (r.midpointUs < r.cert.minTimeUs || r.midpointUs > r.cert.maxTimeUs)
    throw new RoughtimeVerificationError(
      "delegation-window",
      `MIDP ${r.midpointUs} µs outside the delegation [${r.cert.minTimeUs}, ${r.cert.maxTimeUs}]`,
    );
  let h = googleRoughtimeLeaf(nonce);
  let bits = r.index;
  for (const node of r.path) {
    h = (bits & 1) === 0 ? googleRoughtimeNode(h, node) : googleRoughtimeNode(node, h);
    bits = Math.floor(bits / 2);
  }
  if (bits !== 0 || !bytesEqual(h, r.root))
    throw new RoughtimeVerificationError(
      "merkle-path",
      `PATH and INDX ${r.index} do not lead from our nonce to ROOT`,
    );
  if (
    !ed25519.verify(
      r.signature,
      concatBytes(GOOGLE_ROUGHTIME_RESPONSE_CONTEXT, r.srepBytes),
      r.cert.publicKey,
    )
  )
    throw new RoughtimeVerificationError("response-signature", "SREP is not signed by the delegated key");
  if (r.radiusUs === 0) throw new RoughtimeVerificationError("radius", "RADI is zero");
  return { midpointNs: r.midpointUs * 1000n, radiusNs: BigInt(r.radiusUs) * 1000n, response: r };
}

/** Options of {@link GoogleRoughtimeResponder}. */
export interface GoogleRoughtimeResponderOptions {
  /** The long-term Ed25519 secret key (32-byte seed). */
  longTermSecretKey: Uint8Array;
  /** Random bytes for the online key. */
  randomBytes: (length: number) => Uint8Array;
  /** RADI, µs (default 1 000 000, as Google's servers). */
  radiusUs?: number;
  ed25519?: Ed25519;
}

/**
 * Answers Google-format requests in batches: one Merkle tree and one signature per batch,
 * one online key delegated for a day. Requests under 1024 bytes or malformed get null.
 */
export class GoogleRoughtimeResponder {
  readonly publicKey: Uint8Array;
  readonly #o: GoogleRoughtimeResponderOptions;
  readonly #ed: Ed25519;
  #online: { secretKey: Uint8Array; minTimeUs: bigint; maxTimeUs: bigint; cert: Uint8Array } | null = null;

  constructor(options: GoogleRoughtimeResponderOptions) {
    if (options.longTermSecretKey.length !== 32)
      throw new InvalidArgumentError("the long-term key must be 32 bytes");
    const radius = options.radiusUs ?? 1_000_000;
    if (!Number.isInteger(radius) || radius < 1 || radius > 0xffffffff)
      throw new InvalidArgumentError("radiusUs must be a whole number of µs ≥ 1");
    this.#o = options;
    this.#ed = options.ed25519 ?? nobleEd25519;
    this.publicKey = this.#ed.publicKeyOf(options.longTermSecretKey);
  }

  /** The responses to `requests` received around `nowNs`: each a response, or null when dropped. */
  respond(requests: readonly Uint8Array[], nowNs: Instant): (Uint8Array | null)[] {
    const nonces = requests.map((q) => {
      if (q.length < 1024) return null;
      try {
        return decodeGoogleRoughtimeRequest(q);
      } catch {
        return null;
      }
    });
    const taken = nonces.flatMap((n, i) => (n === null ? [] : [i]));
    const out: (Uint8Array | null)[] = requests.map(() => null);
    if (taken.length === 0) return out;
    let width = 1;
    while (width < taken.length) width *= 2;
    let level = taken.map((i) => googleRoughtimeLeaf(nonces[i]!));
    while (level.length < width) level.push(new Uint8Array(GOOGLE_ROUGHTIME_HASH_LENGTH));
    const paths: Uint8Array[][] = taken.map(() => []);
    let positions = taken.map((_, k) => k);
    while (level.length > 1) {
      const current = level;
      positions.forEach((p, k) => {
        paths[k]!.push(current[p ^ 1]!);
      });
      const next: Uint8Array[] = [];
      for (let i = 0; i < current.length; i += 2)
        next.push(googleRoughtimeNode(current[i]!, current[i + 1]!));
      level = next;
      positions = positions.map((p) => p >> 1);
    }
    const midpointUs = nowNs / 1000n;
    const key = this.#key(midpointUs);
    const srep = encodeRoughtimeMessage([
      [RoughtimeTag.RADI, u32Bytes(this.#o.radiusUs ?? 1_000_000)],
      [RoughtimeTag.MIDP, u64Bytes(midpointUs)],
      [RoughtimeTag.ROOT, level[0]!],
    ]);
    const signature = this.#ed.sign(concatBytes(GOOGLE_ROUGHTIME_RESPONSE_CONTEXT, srep), key.secretKey);
    taken.forEach((requestIndex, k) => {
      out[requestIndex] = encodeRoughtimeMessage([
        [RoughtimeTag.SIG, signature],
        [RoughtimeTag.PATH, concatBytes(...paths[k]!)],
        [RoughtimeTag.SREP, srep],
        [RoughtimeTag.CERT, key.cert],
        [RoughtimeTag.INDX, u32Bytes(k)],
      ]);
    });
    return out;
  }

  #key(midpointUs: bigint) {
    const k = this.#online;
    if (k !== null && midpointUs >= k.minTimeUs && midpointUs + 60_000_000n <= k.maxTimeUs) return k;
    const secretKey = this.#o.randomBytes(32);
    const minTimeUs = midpointUs - 60_000_000n;
    const maxTimeUs = midpointUs + 86_400_000_000n;
    const dele = encodeRoughtimeMessage([
      [PUBK, this.#ed.publicKeyOf(secretKey)],
      [MINT, u64Bytes(minTimeUs)],
      [MAXT, u64Bytes(maxTimeUs)],
    ]);
    const sig = this.#ed.sign(
      concatBytes(GOOGLE_ROUGHTIME_DELEGATION_CONTEXT, dele),
      this.#o.longTermSecretKey,
    );
    this.#online = { secretKey, minTimeUs, maxTimeUs, cert: encodeRoughtimeCert(sig, dele) };
    return this.#online;
  }
}
