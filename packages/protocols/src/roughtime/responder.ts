/**
 * The Roughtime server's logic, without I/O: answers a batch of request packets with one
 * Merkle tree and one signature per version (draft-ietf-ntp-roughtime-19 §5.2, §5.3).
 * The long-term key signs a delegation (CERT) to an online key, which is replaced
 * before its window [MINT, MAXT] ends. Requests under 1024 bytes, malformed, with TYPE
 * ≠ 0, an SRV naming another key, or no version in common are dropped; no response is
 * ever longer than its request (§9.7). Time and randomness are injected. Pure.
 * @see https://datatracker.ietf.org/doc/html/draft-ietf-ntp-roughtime-19#section-5.2
 */
import { type Instant, InvalidArgumentError, NS_PER_S } from "@chronosync/core";
import { bytesEqual, concatBytes } from "./bytes.js";
import { encodeRoughtimeCert, encodeRoughtimeDele } from "./cert.js";
import {
  type Ed25519,
  nobleEd25519,
  ROUGHTIME_DELEGATION_CONTEXT,
  ROUGHTIME_RESPONSE_CONTEXT,
  roughtimeSrv,
} from "./crypto.js";
import { buildRoughtimeMerkleTree, roughtimeLeaf } from "./merkle.js";
import { ROUGHTIME_FRAMING_LENGTH } from "./packet.js";
import { decodeRoughtimeRequest, ROUGHTIME_MIN_REQUEST_LENGTH, type RoughtimeRequest } from "./request.js";
import { encodeRoughtimeResponse } from "./response.js";
import { encodeRoughtimeSrep } from "./srep.js";
import { ROUGHTIME_VERSIONS } from "./version.js";

/** Options of {@link RoughtimeResponder}. */
export interface RoughtimeResponderOptions {
  /** The long-term Ed25519 secret key (32-byte seed, RFC 8032 §5.1.5). */
  longTermSecretKey: Uint8Array;
  /** Source of random bytes for online keys (e.g. node:crypto's randomBytes). */
  randomBytes: (length: number) => Uint8Array;
  /** RADI, whole seconds ≥ 1 (default 3, the draft's advice without leap-second data). */
  radiusS?: number;
  /** How long an online key is delegated for, seconds (default 86 400). */
  delegationLifetimeS?: number;
  /** Versions served, ascending; the first one a client offers is used (default {@link ROUGHTIME_VERSIONS}). */
  versions?: readonly number[];
  ed25519?: Ed25519;
}

/** Counters of a responder. */
export interface RoughtimeResponderStats {
  received: number;
  answered: number;
  /** Dropped: too short, malformed, wrong SRV, no common version, or would amplify. */
  dropped: number;
  /** Batches signed (one signature per version per batch). */
  signatures: number;
  /** Online keys made (the first one included). */
  delegations: number;
}

interface OnlineKey {
  secretKey: Uint8Array;
  minTime: bigint;
  maxTime: bigint;
  cert: Uint8Array;
}

/** Answers Roughtime requests in batches. */
export class RoughtimeResponder {
  /** The long-term public key clients must know. */
  readonly publicKey: Uint8Array;
  readonly stats: RoughtimeResponderStats = {
    received: 0,
    answered: 0,
    dropped: 0,
    signatures: 0,
    delegations: 0,
  };
  private readonly srv: Uint8Array;
  private readonly radiusS: number;
  private readonly lifetimeS: bigint;
  private readonly versions: readonly number[];
  private readonly ed25519: Ed25519;
  private online: OnlineKey | null = null;

  constructor(private readonly options: RoughtimeResponderOptions) {
    const { radiusS = 3, delegationLifetimeS = 86_400, versions = ROUGHTIME_VERSIONS } = options;
    if (!Number.isInteger(radiusS) || radiusS < 1 || radiusS > 0xffffffff)
      throw new InvalidArgumentError("radiusS must be a whole number of seconds ≥ 1");
    if (!Number.isInteger(delegationLifetimeS) || delegationLifetimeS < 120)
      throw new InvalidArgumentError("delegationLifetimeS must be ≥ 120");
    if (options.longTermSecretKey.length !== 32)
      throw new InvalidArgumentError("the long-term key must be 32 bytes");
    this.ed25519 = options.ed25519 ?? nobleEd25519;
    this.publicKey = this.ed25519.publicKeyOf(options.longTermSecretKey);
    this.srv = roughtimeSrv(this.publicKey);
    this.radiusS = radiusS;
    this.lifetimeS = BigInt(delegationLifetimeS);
    this.versions = versions;
  }

  /**
   * Answers `packets` (one batch, received around `now` on the server's clock): for each
   * packet its response, or null when dropped.
   */
  respond(packets: readonly Uint8Array[], now: Instant): (Uint8Array | null)[] {
    this.stats.received += packets.length;
    const out: (Uint8Array | null)[] = packets.map(() => null);
    const byVersion = new Map<number, number[]>();
    const nonces: Uint8Array[] = [];
    packets.forEach((packet, i) => {
      const accepted = this.acceptable(packet);
      if (accepted === null) return;
      nonces[i] = accepted.nonce;
      const list = byVersion.get(accepted.version);
      if (list === undefined) byVersion.set(accepted.version, [i]);
      else list.push(i);
    });
    const midpoint = (now + NS_PER_S / 2n) / NS_PER_S;
    const key = this.onlineKey(midpoint);
    for (const [version, indexes] of byVersion) {
      const tree = buildRoughtimeMerkleTree(indexes.map((i) => roughtimeLeaf(packets[i]!)));
      const srep = encodeRoughtimeSrep({
        version,
        radius: this.radiusS,
        midpoint,
        versions: [...this.versions],
        root: tree.root,
      });
      const signature = this.ed25519.sign(concatBytes(ROUGHTIME_RESPONSE_CONTEXT, srep), key.secretKey);
      this.stats.signatures++;
      indexes.forEach((packetIndex, leaf) => {
        const request = packets[packetIndex]!;
        const response = encodeRoughtimeResponse({
          signature,
          nonce: nonces[packetIndex]!,
          path: tree.paths[leaf]!,
          srep,
          cert: key.cert,
          index: leaf,
        });
        if (response.length <= request.length) out[packetIndex] = response;
      });
    }
    for (const r of out) r === null ? this.stats.dropped++ : this.stats.answered++;
    return out;
  }

  /** The version to answer `packet` with and its nonce, or null to drop it. */
  private acceptable(packet: Uint8Array): { version: number; nonce: Uint8Array } | null {
    if (packet.length - ROUGHTIME_FRAMING_LENGTH < ROUGHTIME_MIN_REQUEST_LENGTH) return null;
    let request: RoughtimeRequest;
    try {
      request = decodeRoughtimeRequest(packet);
    } catch {
      return null;
    }
    if (request.srv !== null && !bytesEqual(request.srv, this.srv)) return null;
    // The first of our versions (in our order of preference) that the client offered.
    const version = this.versions.find((v) => request.versions.includes(v));
    return version === undefined ? null : { version, nonce: request.nonce };
  }

  /** The online key for `midpoint` (seconds), made anew when the current one ends within a minute. */
  private onlineKey(midpoint: bigint): OnlineKey {
    const current = this.online;
    if (current !== null && midpoint >= current.minTime && midpoint + 60n <= current.maxTime) return current;
    const secretKey = this.options.randomBytes(32);
    const minTime = midpoint - 60n;
    const maxTime = midpoint + this.lifetimeS;
    const dele = encodeRoughtimeDele({ publicKey: this.ed25519.publicKeyOf(secretKey), minTime, maxTime });
    const sig = this.ed25519.sign(
      concatBytes(ROUGHTIME_DELEGATION_CONTEXT, dele),
      this.options.longTermSecretKey,
    );
    this.online = { secretKey, minTime, maxTime, cert: encodeRoughtimeCert(sig, dele) };
    this.stats.delegations++;
    return this.online;
  }
}
