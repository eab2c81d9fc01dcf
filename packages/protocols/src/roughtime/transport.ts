/**
 * The two Roughtime transports of the client: UDP (one datagram each way, retried) and
 * TCP (framed packets on a connection). Each returns the first response that `accept`
 * verifies, with the local send and receive times, or null when none came in time.
 * @see https://datatracker.ietf.org/doc/html/draft-ietf-ntp-roughtime-19#section-5
 */
import { connect } from "node:net";
import type { Clock, Instant } from "@chronosync/core";
import { NetworkFailureError } from "@chronosync/core";
import { createUdpSocket, socketCall } from "../ntp/udp-socket.js";
import { RoughtimeStreamDecoder } from "./stream.js";

/** A socket error as core's NetworkFailureError (ICMP port unreachable included). */
function socketFailure(err: unknown, where: string): NetworkFailureError {
  const code = (err as { code?: unknown } | null)?.code;
  const message =
    code === "ECONNREFUSED" ? "refused (port unreachable)" : err instanceof Error ? err.message : String(err);
  return new NetworkFailureError(`${where}: ${message}`, { cause: err });
}

/** Where and what to send, and how to judge a response (null: ignore it). */
/** What a verified response must tell the client (the draft's and Google's both do). */
export interface VerifiedTime {
  midpointNs: Instant;
  radiusNs: bigint;
}

export interface ExchangeTarget<V extends VerifiedTime = VerifiedTime> {
  address: string;
  family: 4 | 6;
  port: number;
  where: string;
  request: Uint8Array;
  clock: Clock;
  accept: (response: Uint8Array) => V | null;
}

/** A verified exchange. */
export interface Exchange<V extends VerifiedTime = VerifiedTime> {
  verified: V;
  response: Uint8Array;
  sentNs: Instant;
  receivedNs: Instant;
}

/** UDP: one request per wait in `waitsMs`, until a response is accepted. */
export async function exchangeUdp<V extends VerifiedTime>(
  t: ExchangeTarget<V>,
  waitsMs: readonly number[],
): Promise<Exchange<V> | null> {
  const socket = createUdpSocket(t.family);
  try {
    await socketCall(socket, (done) => socket.connect(t.port, t.address, done)).catch((err: unknown) => {
      throw socketFailure(err, t.where);
    });
    for (const waitMs of waitsMs) {
      const outcome = await new Promise<Exchange<V> | Error | null>((resolve) => {
        let sentNs: Instant = 0n;
        const finish = (value: Exchange<V> | Error | null) => {
          clearTimeout(timer);
          socket.off("message", onMessage);
          socket.off("error", onError);
          resolve(value);
        };
        const onMessage = (msg: Buffer) => {
          const receivedNs = t.clock.now();
          const response = new Uint8Array(msg);
          const verified = t.accept(response);
          if (verified !== null) finish({ verified, response, sentNs, receivedNs });
        };
        const onError = (err: Error) => finish(socketFailure(err, t.where));
        const timer = setTimeout(() => finish(null), waitMs);
        socket.on("message", onMessage);
        socket.on("error", onError);
        sentNs = t.clock.now();
        socket.send(t.request, (err) => {
          if (err) finish(socketFailure(err, t.where));
        });
      });
      if (outcome instanceof Error) throw outcome;
      if (outcome !== null) return outcome;
    }
    return null;
  } finally {
    socket.close();
  }
}

/** TCP: connect, send the request, read framed packets until one is accepted or `waitMs` passes. */
export function exchangeTcp<V extends VerifiedTime>(
  t: ExchangeTarget<V>,
  waitMs: number,
): Promise<Exchange<V> | null> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: t.address, port: t.port, family: t.family });
    const decoder = new RoughtimeStreamDecoder();
    let sentNs: Instant = 0n;
    let settled = false;
    const finish = (value: Exchange<V> | null, error?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (error !== undefined) reject(error);
      else resolve(value);
    };
    const timer = setTimeout(() => finish(null), waitMs);
    socket.on("connect", () => {
      sentNs = t.clock.now();
      socket.write(t.request);
    });
    socket.on("data", (chunk: Buffer) => {
      const receivedNs = t.clock.now();
      let packets: Uint8Array[];
      try {
        packets = decoder.push(new Uint8Array(chunk));
      } catch {
        finish(null);
        return;
      }
      for (const response of packets) {
        const verified = t.accept(response);
        if (verified !== null) finish({ verified, response, sentNs, receivedNs });
      }
    });
    socket.on("error", (err) =>
      finish(null, new NetworkFailureError(`${t.where} (tcp): ${err.message}`, { cause: err })),
    );
    socket.on("close", () => finish(null));
  });
}
