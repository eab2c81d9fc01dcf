/**
 * Multi-server chaining and malfeasance reports (draft-ietf-ntp-roughtime-19 §8.2,
 * §8.4.1). The first nonce is random; each next one is H(previous response packet ||
 * rand) with a fresh 32-byte rand, so the chain proves the order in which responses
 * were received. Pure.
 * @see https://datatracker.ietf.org/doc/html/draft-ietf-ntp-roughtime-19#section-8.2
 */
import { InvalidArgumentError } from "@chronosync/core";
import { ROUGHTIME_HASH_LENGTH, roughtimeHash } from "./crypto.js";

/** The nonce of the next request in a chain: H(previousResponse || rand). */
export function chainedRoughtimeNonce(previousResponse: Uint8Array, rand: Uint8Array): Uint8Array {
  if (rand.length !== ROUGHTIME_HASH_LENGTH) throw new InvalidArgumentError("rand must be 32 bytes");
  return roughtimeHash(previousResponse, rand);
}

/** One link of a chain, in the order received. Times in ns since the Unix epoch. */
export interface RoughtimeChainLink {
  publicKey: Uint8Array;
  /** The 32 bytes that made this nonce from the previous response; null for the first. */
  rand: Uint8Array | null;
  request: Uint8Array;
  response: Uint8Array;
  midpointNs: bigint;
  radiusNs: bigint;
  /** Local clock when the request was sent and the response received. */
  sentNs: bigint;
  receivedNs: bigint;
}

/**
 * Two links that cannot both be right:
 * - `causal` (the draft's check, a proof): i was received before j, yet MIDP_i − RADI_i >
 *   MIDP_j + RADI_j — j claims a time before i's earliest;
 * - `elapsed` (ours, needs the local clock's rate): j's earliest time MIDP_j − RADI_j is
 *   after i's latest MIDP_i + RADI_i plus the local time from sending i to receiving j.
 */
export interface RoughtimeInconsistency {
  kind: "causal" | "elapsed";
  earlier: number;
  later: number;
  /** By how much the intervals miss each other, ns. */
  gapNs: bigint;
}

/** Every pair of links (i before j) whose times are inconsistent. */
export function findRoughtimeInconsistencies(chain: readonly RoughtimeChainLink[]): RoughtimeInconsistency[] {
  const found: RoughtimeInconsistency[] = [];
  chain.forEach((a, i) => {
    for (let j = i + 1; j < chain.length; j++) {
      const b = chain[j]!;
      const causalGap = a.midpointNs - a.radiusNs - (b.midpointNs + b.radiusNs);
      if (causalGap > 0n) found.push({ kind: "causal", earlier: i, later: j, gapNs: causalGap });
      const elapsedGap = b.midpointNs - b.radiusNs - (a.midpointNs + a.radiusNs + (b.receivedNs - a.sentNs));
      if (elapsedGap > 0n) found.push({ kind: "elapsed", earlier: i, later: j, gapNs: elapsedGap });
    }
  });
  return found;
}
