/**
 * What the NTS-KE record codecs share: the codec shape and 16-bit body helpers. Pure.
 * @see https://www.rfc-editor.org/rfc/rfc8915#section-4
 */
import { InvalidArgumentError } from "@chronosync/core";
import { NtsKeDecodeError } from "../../errors.js";

/** The body codec of one record type (one file per type in this folder). */
export interface NtsKeBodyCodec<R extends { type: string }> {
  /** The record's `type` in our union. */
  name: R["type"];
  recordType: number;
  /** RFC 8915 §4.1: the critical bit is required for this type. */
  mustBeCritical: boolean;
  /** Throws NtsKeDecodeError `bad-body` when the body does not fit the type. */
  decode(body: Uint8Array, critical: boolean): R;
  /** Throws core's InvalidArgumentError for values that do not fit the wire. */
  encode(record: R): Uint8Array;
}

/** Big-endian u16 at `i`. */
export const readU16 = (b: Uint8Array, i: number): number => ((b[i] ?? 0) << 8) | (b[i + 1] ?? 0);

/** A body that is a list of u16 (Next Protocol, AEAD Algorithm). */
export function decodeU16List(body: Uint8Array, what: string): number[] {
  if (body.length % 2 !== 0)
    throw new NtsKeDecodeError("bad-body", `${what} body of odd length ${body.length}`);
  const list: number[] = [];
  for (let i = 0; i < body.length; i += 2) list.push(readU16(body, i));
  return list;
}

/** A body that is exactly one u16 (Error, Warning, Port). */
export function decodeOneU16(body: Uint8Array, what: string): number {
  if (body.length !== 2)
    throw new NtsKeDecodeError("bad-body", `${what} body must be 2 bytes, got ${body.length}`);
  return readU16(body, 0);
}

/** Encodes u16 values; throws InvalidArgumentError for one out of range. */
export function encodeU16List(values: readonly number[], what: string): Uint8Array {
  const out = new Uint8Array(values.length * 2);
  values.forEach((v, i) => {
    if (!Number.isInteger(v) || v < 0 || v > 0xffff)
      throw new InvalidArgumentError(`${what} must be a u16, got ${v}`);
    out[2 * i] = v >>> 8;
    out[2 * i + 1] = v & 0xff;
  });
  return out;
}
