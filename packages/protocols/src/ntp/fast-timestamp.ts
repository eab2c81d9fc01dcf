/**
 * NTP 64-bit timestamps written with number arithmetic for the responder's hot path:
 * one bigint split per instant, no allocation. Bit-exact with core's `instantToNtp64`
 * (fraction rounded to the nearest 2^-32 s; no ties exist because 10^9 has only nine
 * factors of 2).
 * @see https://www.rfc-editor.org/rfc/rfc5905#section-6
 */
import { NS_PER_S } from "@chronosync/core";

const NTP_UNIX_DELTA = 2_208_988_800;
const TWO32 = 4_294_967_296;

/**
 * Splits an instant into `out[0]` = whole Unix seconds (floored) and `out[1]` =
 * nanoseconds in [0, 10^9).
 */
export function splitInstant(instant: bigint, out: Float64Array): void {
  let seconds = instant / NS_PER_S;
  let rem = instant - seconds * NS_PER_S;
  if (rem < 0n) {
    seconds -= 1n;
    rem += NS_PER_S;
  }
  out[0] = Number(seconds);
  out[1] = Number(rem);
}

/**
 * Writes the NTP timestamp of `unixSeconds` + `nanoseconds` (from {@link splitInstant})
 * big-endian at `target[offset..offset+8)`.
 */
export function writeNtpTimestamp(
  target: Uint8Array,
  offset: number,
  unixSeconds: number,
  nanoseconds: number,
): void {
  let seconds = unixSeconds + NTP_UNIX_DELTA;
  seconds -= Math.floor(seconds / TWO32) * TWO32;
  // fraction = round(ns · 2^32 / 10^9) = round(ns · 2^23 / 5^9); ns · 2^23 < 2^53 is exact.
  const scaled = nanoseconds * 8_388_608 + 976_562;
  let fraction = Math.floor(scaled / 1_953_125);
  if (fraction * 1_953_125 > scaled) fraction -= 1;
  target[offset] = seconds >>> 24;
  target[offset + 1] = (seconds >>> 16) & 0xff;
  target[offset + 2] = (seconds >>> 8) & 0xff;
  target[offset + 3] = seconds & 0xff;
  target[offset + 4] = fraction >>> 24;
  target[offset + 5] = (fraction >>> 16) & 0xff;
  target[offset + 6] = (fraction >>> 8) & 0xff;
  target[offset + 7] = fraction & 0xff;
}
