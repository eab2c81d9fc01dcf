/**
 * Roughtime's cryptography, pure: H (SHA-512 truncated to 32 bytes), the SRV value, the
 * signature context strings, and an {@link Ed25519} interface with a pure default
 * (@noble/curves). Transports pass a faster node:crypto one (node-ed25519.ts).
 * @see https://datatracker.ietf.org/doc/html/draft-ietf-ntp-roughtime-19#section-5.2.1
 * @see https://datatracker.ietf.org/doc/html/draft-ietf-ntp-roughtime-19#section-5.3.1
 */
import { ed25519 } from "@noble/curves/ed25519.js";
import { sha512 } from "@noble/hashes/sha2.js";
import { concatBytes } from "./bytes.js";

/** Bytes of every hash value in Roughtime (nonces, tree nodes, SRV). */
export const ROUGHTIME_HASH_LENGTH = 32;

/** H(x): the first 32 bytes of SHA-512(x). */
export function roughtimeHash(...parts: Uint8Array[]): Uint8Array {
  return sha512(parts.length === 1 ? parts[0]! : concatBytes(...parts)).subarray(0, ROUGHTIME_HASH_LENGTH);
}

/** The SRV value naming a long-term key: H(0xff || publicKey) (§5.1.4). */
export function roughtimeSrv(publicKey: Uint8Array): Uint8Array {
  return roughtimeHash(Uint8Array.of(0xff), publicKey);
}

const ascii = (s: string) => new TextEncoder().encode(s);

/** Context of CERT's SIG over DELE: "RoughTime v1 delegation signature" and a zero byte. */
export const ROUGHTIME_DELEGATION_CONTEXT: Uint8Array = ascii("RoughTime v1 delegation signature\0");

/** Context of the response's SIG over SREP: "RoughTime v1 response signature" and a zero byte. */
export const ROUGHTIME_RESPONSE_CONTEXT: Uint8Array = ascii("RoughTime v1 response signature\0");

/** Ed25519 (RFC 8032) as Roughtime uses it; secret keys are 32-byte seeds. */
export interface Ed25519 {
  sign(message: Uint8Array, secretKey: Uint8Array): Uint8Array;
  verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean;
  publicKeyOf(secretKey: Uint8Array): Uint8Array;
}

/** The pure Ed25519 of @noble/curves (strict RFC 8032 verification). */
export const nobleEd25519: Ed25519 = {
  sign: (message, secretKey) => ed25519.sign(message, secretKey),
  verify: (signature, message, publicKey) => {
    try {
      return ed25519.verify(signature, message, publicKey, { zip215: false });
    } catch {
      return false;
    }
  },
  publicKeyOf: (secretKey) => ed25519.getPublicKey(secretKey),
};
