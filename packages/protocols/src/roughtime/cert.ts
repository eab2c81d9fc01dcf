/**
 * CERT: the long-term key's signature (SIG) over DELE, the delegation of an online key
 * (PUBK) for midpoints in [MINT, MAXT] (seconds since the Unix epoch). Pure.
 * @see https://datatracker.ietf.org/doc/html/draft-ietf-ntp-roughtime-19#section-5.2.6
 */
import { fixedValue, requireTag, u64Bytes, u64Value } from "./bytes.js";
import { decodeRoughtimeMessage, encodeRoughtimeMessage } from "./message.js";
import { RoughtimeTag } from "./tag.js";

/** Bytes of an Ed25519 signature. */
export const ED25519_SIGNATURE_LENGTH = 64;
/** Bytes of an Ed25519 public key. */
export const ED25519_PUBLIC_KEY_LENGTH = 32;

/** A decoded DELE. */
export interface RoughtimeDelegation {
  /** PUBK: the online Ed25519 public key. */
  publicKey: Uint8Array;
  /** MINT: first midpoint (seconds) the key may sign. */
  minTime: bigint;
  /** MAXT: last midpoint (seconds) the key may sign. */
  maxTime: bigint;
}

/** A decoded CERT; `dele` keeps DELE's bytes, which the signature covers. */
export interface RoughtimeCertificate {
  signature: Uint8Array;
  dele: Uint8Array;
  delegation: RoughtimeDelegation;
}

/** Encodes a DELE value. */
export function encodeRoughtimeDele(d: RoughtimeDelegation): Uint8Array {
  return encodeRoughtimeMessage([
    [RoughtimeTag.PUBK, d.publicKey],
    [RoughtimeTag.MINT, u64Bytes(d.minTime)],
    [RoughtimeTag.MAXT, u64Bytes(d.maxTime)],
  ]);
}

/** Decodes a DELE value. Throws RoughtimeDecodeError. */
export function decodeRoughtimeDele(bytes: Uint8Array): RoughtimeDelegation {
  const message = decodeRoughtimeMessage(bytes);
  return {
    publicKey: fixedValue(message, RoughtimeTag.PUBK, ED25519_PUBLIC_KEY_LENGTH, "DELE"),
    minTime: u64Value(message, RoughtimeTag.MINT, "DELE"),
    maxTime: u64Value(message, RoughtimeTag.MAXT, "DELE"),
  };
}

/** Encodes a CERT value from DELE's bytes and the long-term key's signature of them. */
export function encodeRoughtimeCert(signature: Uint8Array, dele: Uint8Array): Uint8Array {
  return encodeRoughtimeMessage([
    [RoughtimeTag.SIG, signature],
    [RoughtimeTag.DELE, dele],
  ]);
}

/** Decodes a CERT value. Throws RoughtimeDecodeError. */
export function decodeRoughtimeCert(bytes: Uint8Array): RoughtimeCertificate {
  const message = decodeRoughtimeMessage(bytes);
  const signature = fixedValue(message, RoughtimeTag.SIG, ED25519_SIGNATURE_LENGTH, "CERT");
  const dele = requireTag(message, RoughtimeTag.DELE, "CERT");
  return { signature, dele, delegation: decodeRoughtimeDele(dele) };
}
