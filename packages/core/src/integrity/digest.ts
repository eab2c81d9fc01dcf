/**
 * SHA-256 and hex helpers shared by the integrity modules. node:crypto is the only
 * dependency core's integrity code has (hashing and Ed25519; no sockets, files or timers).
 */
import { createHash, hash } from "node:crypto";

/** 32 zero bytes in hex: the `prevHash` of entry 0 and `prevCheckpointHash` of the first checkpoint. */
export const ZERO_HASH = "0".repeat(64);

const HEX_64 = /^[0-9a-f]{64}$/;

/** True for exactly 64 lowercase hex digits (a SHA-256 digest as we write it). */
export function isHash(value: unknown): value is string {
  return typeof value === "string" && HEX_64.test(value);
}

/** SHA-256 of the concatenation of `parts` (strings are UTF-8 encoded). */
export function sha256(...parts: readonly (Uint8Array | string)[]): Uint8Array {
  if (parts.length === 1) return hash("sha256", parts[0]!, "buffer");
  const h = createHash("sha256");
  for (const part of parts) h.update(part);
  return new Uint8Array(h.digest());
}

/** Lowercase hex of `bytes`. */
export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex");
}

/** Bytes of a hex string; the caller has checked it with {@link isHash} or equivalent. */
export function fromHex(hex: string): Uint8Array {
  return new Uint8Array(Buffer.from(hex, "hex"));
}

/** Constant-length byte comparison (inputs are public hashes; timing is not a concern). */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
