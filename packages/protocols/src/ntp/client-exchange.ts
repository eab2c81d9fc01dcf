/**
 * One client/server exchange of RFC 5905 (mode 3 → mode 4), as pure functions: build a
 * request, then judge each reply and turn a good one into a sample. No I/O, no clock:
 * the caller reads T1 just before sending and T4 on receipt.
 *
 * The request follows draft-ietf-ntp-data-minimization: every field zero but the first
 * byte and a random transmit timestamp, which doubles as a nonce; a reply must echo it
 * as its origin timestamp (RFC 5905 §8, test 2), so off-path forgeries are dropped.
 *
 * @see https://www.rfc-editor.org/rfc/rfc5905#section-8
 * @see https://datatracker.ietf.org/doc/draft-ietf-ntp-data-minimization/
 */
import {
  exchangeDelay,
  exchangeOffset,
  type FourTimestamps,
  type Instant,
  InvalidArgumentError,
  NS_PER_S,
  NTP_UNIX_EPOCH_DELTA_S,
  ntp64ToInstant,
  ntpShortToNs,
  precisionLog2ToNs,
  sampleDispersion,
} from "@chronosync/core";
import { NtpDecodeError } from "../errors.js";
import { NTP_HEADER_LENGTH, NTP_LEAP_UNSYNCHRONIZED, NtpMode } from "./header.js";
import { kissActionOf, kissCodeOf, type NtpKissAction } from "./kiss-code.js";
import { decodeNtpPacket, type NtpPacket } from "./packet.js";
import { formatReferenceId } from "./reference-id.js";

/** A request ready to send; `nonce` is its random transmit timestamp. */
export interface NtpRequest {
  bytes: Uint8Array;
  nonce: bigint;
}

/** One good exchange: the four timestamps, the measurement and the server's state. */
export interface NtpSample {
  t1: Instant;
  t2: Instant;
  t3: Instant;
  t4: Instant;
  /** θ = server − local, positive when the server is ahead (RFC 5905 §8). */
  offsetNs: bigint;
  /** δ, the round trip minus the server's processing time. */
  delayNs: bigint;
  /** ε = ρ(client) + ρ(server) + φ·(T4 − T1). */
  dispersionNs: bigint;
  leap: 0 | 1 | 2 | 3;
  version: number;
  stratum: number;
  poll: number;
  precision: number;
  referenceId: number;
  /** The reference id formatted by {@link formatReferenceId}. */
  refId: string;
  /** When the server's clock was last set; the NTP epoch (1900) when it never was. */
  referenceTime: Instant;
  rootDelayNs: bigint;
  rootDispersionNs: bigint;
}

/** Why a reply is dropped. The exchange goes on: a good reply may still come. */
export type NtpBogusReason =
  | "malformed"
  | "wrong-mode"
  | "wrong-version"
  | "origin-mismatch"
  | "zero-timestamp"
  | "unsynchronized"
  | "bad-stratum"
  | "bad-delay";

/** The verdict on one reply. */
export type NtpReplyResult =
  | { kind: "sample"; sample: NtpSample }
  | { kind: "kiss"; code: string; action: NtpKissAction }
  | { kind: "bogus"; reason: NtpBogusReason };

/** Default bound on a sample's delay, chrony's `maxdelay` default: 3 s. */
export const NTP_DEFAULT_MAX_DELAY_NS = 3n * NS_PER_S;
/** Default precision of the client clock, log2 s: about 1 µs. */
export const NTP_DEFAULT_CLIENT_PRECISION_LOG2 = -20;

const NTP_EPOCH_INSTANT: Instant = -NTP_UNIX_EPOCH_DELTA_S * NS_PER_S;

/**
 * Builds a mode-3 request with a random transmit timestamp taken from `random(8)` (never
 * zero). Defaults: version 4, poll 0.
 * @see https://www.rfc-editor.org/rfc/rfc5905#section-7.3
 */
export function createNtpRequest(options: {
  random: (n: number) => Uint8Array;
  version?: 3 | 4;
  poll?: number;
}): NtpRequest {
  const version = options.version ?? 4;
  const poll = options.poll ?? 0;
  if (version !== 3 && version !== 4) throw new InvalidArgumentError(`NTP request version must be 3 or 4`);
  if (!Number.isInteger(poll) || poll < -128 || poll > 127) {
    throw new InvalidArgumentError(`NTP poll must be an integer in [-128, 127], got ${poll}`);
  }
  const random = options.random(8);
  if (random.length < 8) throw new InvalidArgumentError(`random(8) returned ${random.length} bytes`);
  const bytes = new Uint8Array(NTP_HEADER_LENGTH);
  const view = new DataView(bytes.buffer);
  view.setUint8(0, (version << 3) | NtpMode.client);
  view.setInt8(2, poll);
  bytes.set(random.subarray(0, 8), 40);
  let nonce = view.getBigUint64(40);
  if (nonce === 0n) {
    bytes[47] = 1;
    nonce = 1n;
  }
  return { bytes, nonce };
}

/**
 * Judges a reply to `request` (RFC 5905 §8 packet tests, chrony's order): malformed,
 * not mode 4, version outside 1–4, origin ≠ nonce → bogus; stratum 0 with an ASCII
 * reference id → kiss (RATE → backoff, DENY/RSTR → stop, others ignore); leap 3 →
 * unsynchronized; stratum 0 (without a kiss code) or > 15 → bad stratum;
 * zero receive/transmit timestamp; delay below −(ρ client + ρ server) or above
 * `maxDelayNs` (default 3 s). T2, T3 and the reference time are read in the NTP era
 * nearest T1.
 * @see https://www.rfc-editor.org/rfc/rfc5905#section-8
 */
export function handleNtpReply(
  request: NtpRequest,
  t1: Instant,
  reply: Uint8Array,
  t4: Instant,
  options?: { clientPrecisionLog2?: number; maxDelayNs?: bigint },
): NtpReplyResult {
  let packet: NtpPacket;
  try {
    packet = decodeNtpPacket(reply);
  } catch (err) {
    if (err instanceof NtpDecodeError) return { kind: "bogus", reason: "malformed" };
    throw err;
  }
  if (packet.mode !== NtpMode.server) return { kind: "bogus", reason: "wrong-mode" };
  if (packet.version < 1 || packet.version > 4) return { kind: "bogus", reason: "wrong-version" };
  if (packet.originTimestamp !== request.nonce) return { kind: "bogus", reason: "origin-mismatch" };
  const code = kissCodeOf(packet);
  if (code !== null) return { kind: "kiss", code, action: kissActionOf(code) };
  if (packet.leap === NTP_LEAP_UNSYNCHRONIZED) return { kind: "bogus", reason: "unsynchronized" };
  if (packet.stratum === 0 || packet.stratum > 15) return { kind: "bogus", reason: "bad-stratum" };
  if (packet.receiveTimestamp === 0n || packet.transmitTimestamp === 0n) {
    return { kind: "bogus", reason: "zero-timestamp" };
  }
  const clientPrecisionLog2 = options?.clientPrecisionLog2 ?? NTP_DEFAULT_CLIENT_PRECISION_LOG2;
  const maxDelayNs = options?.maxDelayNs ?? NTP_DEFAULT_MAX_DELAY_NS;
  const t2 = ntp64ToInstant(packet.receiveTimestamp, t1);
  const t3 = ntp64ToInstant(packet.transmitTimestamp, t1);
  const times: FourTimestamps = { t1, t2, t3, t4 };
  const delayNs = exchangeDelay(times);
  const precisionNs = precisionLog2ToNs(clientPrecisionLog2) + precisionLog2ToNs(packet.precision);
  if (delayNs < -precisionNs || delayNs > maxDelayNs) return { kind: "bogus", reason: "bad-delay" };
  return {
    kind: "sample",
    sample: {
      t1,
      t2,
      t3,
      t4,
      offsetNs: exchangeOffset(times),
      delayNs,
      dispersionNs: sampleDispersion(clientPrecisionLog2, packet.precision, t1, t4),
      leap: packet.leap,
      version: packet.version,
      stratum: packet.stratum,
      poll: packet.poll,
      precision: packet.precision,
      referenceId: packet.referenceId,
      refId: formatReferenceId(packet.stratum, packet.referenceId),
      referenceTime:
        packet.referenceTimestamp === 0n ? NTP_EPOCH_INSTANT : ntp64ToInstant(packet.referenceTimestamp, t1),
      rootDelayNs: ntpShortToNs(packet.rootDelay),
      rootDispersionNs: ntpShortToNs(packet.rootDispersion),
    },
  };
}
