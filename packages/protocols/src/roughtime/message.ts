/**
 * The Roughtime message: a map of (tag, value) pairs. The header holds the pair count N,
 * N−1 offsets (the first, 0, is implicit) and N tags, all uint32 little-endian; then the
 * values, in the order of their tags, which ascend strictly. Offsets are multiples of 4.
 *
 * Any byte string decodes to a {@link RoughtimeMessage} or throws a RoughtimeDecodeError;
 * decode → encode gives back the same bytes for every message whose values (the last one
 * included) are multiples of 4 bytes. Pure.
 * @see https://datatracker.ietf.org/doc/html/draft-ietf-ntp-roughtime-19#section-4
 */
import { InvalidArgumentError } from "@chronosync/core";
import { RoughtimeDecodeError } from "../errors.js";
import { readU32 } from "./bytes.js";

/** A decoded message: values by tag, in ascending tag order. Values view the input bytes. */
export type RoughtimeMessage = ReadonlyMap<number, Uint8Array>;

/** Decodes a Roughtime message (without the packet framing). */
export function decodeRoughtimeMessage(bytes: Uint8Array): RoughtimeMessage {
  if (bytes.length < 4) throw new RoughtimeDecodeError("too-short", `${bytes.length} bytes, no tag count`);
  const count = readU32(bytes, 0);
  if (count === 0) throw new RoughtimeDecodeError("bad-header", "zero tags");
  if (count > bytes.length / 8)
    throw new RoughtimeDecodeError("bad-header", `${count} tags do not fit in ${bytes.length} bytes`);
  const headerLength = 8 * count;
  const valuesLength = bytes.length - headerLength;
  const bounds: number[] = [0];
  for (let i = 1; i < count; i++) {
    const offset = readU32(bytes, 4 * i);
    if (offset % 4 !== 0)
      throw new RoughtimeDecodeError("bad-offset", `offset ${offset} is not a multiple of 4`);
    if (offset < bounds[i - 1]! || offset > valuesLength)
      throw new RoughtimeDecodeError("bad-offset", `offset ${offset} out of order or past ${valuesLength}`);
    bounds.push(offset);
  }
  bounds.push(valuesLength);
  const message = new Map<number, Uint8Array>();
  let previousTag = -1;
  for (let i = 0; i < count; i++) {
    const tag = readU32(bytes, 4 * count + 4 * i);
    if (tag <= previousTag)
      throw new RoughtimeDecodeError("unsorted-tags", `tag #${i} not above the one before`);
    previousTag = tag;
    message.set(tag, bytes.subarray(headerLength + bounds[i]!, headerLength + bounds[i + 1]!));
  }
  return message;
}

/**
 * Encodes a message, sorting its tags. Every value but the last must be a multiple of 4
 * bytes (offsets are); throws core's InvalidArgumentError otherwise or for no tags.
 */
export function encodeRoughtimeMessage(entries: Iterable<readonly [number, Uint8Array]>): Uint8Array {
  const sorted = [...entries].sort((a, b) => a[0] - b[0]);
  if (sorted.length === 0) throw new InvalidArgumentError("a Roughtime message needs at least one tag");
  let valuesLength = 0;
  sorted.forEach(([tag, value], i) => {
    if (!Number.isInteger(tag) || tag < 0 || tag > 0xffffffff)
      throw new InvalidArgumentError(`tag ${tag} is not a uint32`);
    if (i > 0 && tag === sorted[i - 1]![0]) throw new InvalidArgumentError(`tag ${tag} appears twice`);
    if (i < sorted.length - 1 && value.length % 4 !== 0)
      throw new InvalidArgumentError(`value of tag ${tag} is ${value.length} bytes, not a multiple of 4`);
    valuesLength += value.length;
  });
  const count = sorted.length;
  const out = new Uint8Array(8 * count + valuesLength);
  const view = new DataView(out.buffer);
  view.setUint32(0, count, true);
  let offset = 0;
  let at = 8 * count;
  sorted.forEach(([tag, value], i) => {
    if (i > 0) view.setUint32(4 * i, offset, true);
    view.setUint32(4 * count + 4 * i, tag, true);
    out.set(value, at);
    at += value.length;
    offset += value.length;
  });
  return out;
}
