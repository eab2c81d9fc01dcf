/**
 * Published signing keys: what the server serves at `/.well-known/chronosync/keys`.
 * Ed25519 (RFC 8032, https://www.rfc-editor.org/rfc/rfc8032) public keys as base64 of the
 * raw 32 bytes; a key id is the first 16 hex digits of SHA-256 of those bytes.
 */
import { createPrivateKey, createPublicKey, type KeyObject } from "node:crypto";
import { InvalidArgumentError } from "../errors.js";
import { sha256, toHex } from "./digest.js";

/** One published key. A retired key still verifies checkpoints dated before `retiredAt`. */
export interface KeySetKey {
  readonly keyId: string;
  readonly algorithm: "Ed25519";
  /** base64 (standard alphabet, padded) of the raw 32-byte public key. */
  readonly publicKey: string;
  /** RFC 3339. */
  readonly createdAt: string;
  /** RFC 3339; absent while the key signs new checkpoints. */
  readonly retiredAt?: string;
}

/** The document at `/.well-known/chronosync/keys`. */
export interface KeySet {
  readonly keys: readonly KeySetKey[];
}

/** A private or public key as a KeyObject or PEM text. */
export type KeyInput = KeyObject | string;

/** First 16 hex digits of SHA-256 over the raw 32-byte Ed25519 public key. */
export function keyIdOf(publicKeyRaw: Uint8Array): string {
  return toHex(sha256(publicKeyRaw)).slice(0, 16);
}

/** `key` as a KeyObject (PEM text is parsed as a private or a public key). */
export function toKeyObject(key: KeyInput, kind: "private" | "public"): KeyObject {
  if (typeof key !== "string") return key;
  return kind === "private" ? createPrivateKey(key) : createPublicKey(key);
}

/**
 * The raw 32-byte Ed25519 public key of a private or public key (KeyObject or PEM).
 * @throws {InvalidArgumentError} when the key is not Ed25519.
 */
export function rawPublicKey(key: KeyInput): Uint8Array {
  let object = typeof key === "string" ? undefined : key;
  if (object === undefined) {
    const text = key as string;
    object = text.includes("PRIVATE KEY") ? createPrivateKey(text) : createPublicKey(text);
  }
  const pub = object.type === "private" ? createPublicKey(object) : object;
  if (pub.asymmetricKeyType !== "ed25519") {
    throw new InvalidArgumentError(`expected an Ed25519 key, got ${pub.asymmetricKeyType ?? "a secret key"}`);
  }
  const jwk = pub.export({ format: "jwk" });
  return new Uint8Array(Buffer.from(jwk.x ?? "", "base64url"));
}

/** The key-set entry that publishes `key` (its public half). */
export function keySetEntry(key: KeyInput, createdAt: string, retiredAt?: string): KeySetKey {
  const raw = rawPublicKey(key);
  const entry = {
    keyId: keyIdOf(raw),
    algorithm: "Ed25519" as const,
    publicKey: Buffer.from(raw).toString("base64"),
    createdAt,
  };
  return retiredAt === undefined ? entry : { ...entry, retiredAt };
}

/** Parsed public keys by their base64 text (a verifier sees few keys, many signatures). */
const parsedKeys = new Map<string, KeyObject>();

/** The node:crypto public key of a published key, or a reason it cannot be used. */
export function publicKeyOf(key: KeySetKey): KeyObject | string {
  if (key.algorithm !== "Ed25519") return `key ${key.keyId}: unsupported algorithm ${String(key.algorithm)}`;
  if (typeof key.publicKey !== "string") return `key ${key.keyId}: publicKey is not a string`;
  const raw = Buffer.from(key.publicKey, "base64");
  if (raw.length !== 32 || raw.toString("base64") !== key.publicKey) {
    return `key ${key.keyId}: publicKey is not base64 of 32 bytes`;
  }
  if (keyIdOf(raw) !== key.keyId) return `key ${key.keyId}: keyId does not match its public key`;
  let parsed = parsedKeys.get(key.publicKey);
  if (parsed === undefined) {
    parsed = createPublicKey({
      key: { kty: "OKP", crv: "Ed25519", x: raw.toString("base64url") },
      format: "jwk",
    });
    if (parsedKeys.size >= 256) parsedKeys.clear();
    parsedKeys.set(key.publicKey, parsed);
  }
  return parsed;
}
