/**
 * Little-endian integer fields of Roughtime values (draft-ietf-ntp-roughtime-19 §4.1)
 * and small byte helpers. Pure.
 */
import { RoughtimeDecodeError } from "../errors.js";
import type { RoughtimeMessage } from "./message.js";
import { roughtimeTagName } from "./tag.js";

/** Reads the uint32 at `offset` (least significant byte first). */
export function readU32(bytes: Uint8Array, offset: number): number {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(offset, true);
}

/** Four bytes of a uint32, least significant first. */
export function u32Bytes(value: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, value, true);
  return out;
}

/** Eight bytes of a uint64, least significant first. */
export function u64Bytes(value: bigint): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, value, true);
  return out;
}

/** Concatenates byte arrays. */
export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let length = 0;
  for (const p of parts) length += p.length;
  const out = new Uint8Array(length);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Whether two byte arrays hold the same bytes. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

/** Lowercase hex of bytes. */
export function toHex(bytes: Uint8Array): string {
  let out = "";
  for (const b of bytes) out += b.toString(16).padStart(2, "0");
  return out;
}

/** The value of a tag the message must have, else RoughtimeDecodeError `missing-tag`. */
export function requireTag(message: RoughtimeMessage, tag: number, where: string): Uint8Array {
  const value = message.get(tag);
  if (value === undefined)
    throw new RoughtimeDecodeError("missing-tag", `${where} lacks ${roughtimeTagName(tag)}`);
  return value;
}

/** A value of exactly `length` bytes, else RoughtimeDecodeError `bad-value`. */
export function fixedValue(
  message: RoughtimeMessage,
  tag: number,
  length: number,
  where: string,
): Uint8Array {
  const value = requireTag(message, tag, where);
  if (value.length !== length)
    throw new RoughtimeDecodeError(
      "bad-value",
      `${where} ${roughtimeTagName(tag)} has ${value.length} bytes, not ${length}`,
    );
  return value;
}

/** A uint32 value. */
export function u32Value(message: RoughtimeMessage, tag: number, where: string): number {
  return readU32(fixedValue(message, tag, 4, where), 0);
}

/** A uint64 value. */
export function u64Value(message: RoughtimeMessage, tag: number, where: string): bigint {
  const v = fixedValue(message, tag, 8, where);
  return new DataView(v.buffer, v.byteOffset, 8).getBigUint64(0, true);
}

/** A list of uint32 (VER of a request, VERS): 1 to 32 entries, strictly ascending. */
export function versionList(message: RoughtimeMessage, tag: number, where: string): number[] {
  const v = requireTag(message, tag, where);
  const name = roughtimeTagName(tag);
  if (v.length === 0 || v.length % 4 !== 0 || v.length > 128)
    throw new RoughtimeDecodeError(
      "bad-value",
      `${where} ${name} must hold 1 to 32 uint32, has ${v.length} bytes`,
    );
  const out: number[] = [];
  for (let i = 0; i < v.length; i += 4) {
    const version = readU32(v, i);
    const last = out[out.length - 1];
    if (last !== undefined && version <= last)
      throw new RoughtimeDecodeError("bad-value", `${where} ${name} is not strictly ascending`);
    out.push(version);
  }
  return out;
}
