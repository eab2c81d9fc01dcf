/**
 * A Roughtime server on UDP and TCP (the draft's two transports, on one port number).
 * Requests from both are collected into a batch for up to `batchWindowMs` or
 * `batchMaxSize` requests, then answered by one {@link RoughtimeResponder} call — one
 * Merkle tree and one signature per batch. TCP connections carry framed packets back to
 * back (stream.ts); a connection that sends anything else is closed.
 * @see https://datatracker.ietf.org/doc/html/draft-ietf-ntp-roughtime-19#section-5
 */
import { randomBytes } from "node:crypto";
import { createServer, type Server, type Socket as TcpSocket } from "node:net";
import { type Clock, InvalidArgumentError, systemClock } from "@chronosync/core";
import { createUdpSocket, resolveHost, socketCall } from "../ntp/udp-socket.js";
import { nodeEd25519 } from "./node-ed25519.js";
import { RoughtimeResponder, type RoughtimeResponderStats } from "./responder.js";
import { RoughtimeStreamDecoder } from "./stream.js";

/** The port Roughtime servers commonly use (draft-ietf-ntp-roughtime-19 Appendix A). */
export const ROUGHTIME_DEFAULT_PORT = 2002;

/** Options of {@link startRoughtimeServer}. */
export interface RoughtimeServerOptions {
  /** The long-term Ed25519 secret key, a 32-byte seed. */
  longTermSecretKey: Uint8Array;
  /** Address to bind (default 127.0.0.1). */
  host?: string;
  /** Port for UDP and TCP (default 2002; 0 picks a free UDP port, TCP takes the same number). */
  port?: number;
  /** Also serve TCP (default true). */
  tcp?: boolean;
  /** The server's clock (default core's systemClock). */
  clock?: Clock;
  /** RADI in seconds (default 3). */
  radiusS?: number;
  /** Online key lifetime, seconds (default 86 400). */
  delegationLifetimeS?: number;
  /** Longest wait to fill a batch, ms (default 2). */
  batchWindowMs?: number;
  /** Largest batch (default 64). */
  batchMaxSize?: number;
  /** Idle TCP connections are closed after this, ms (default 10 000). */
  tcpIdleMs?: number;
}

/** A running server. */
export interface RoughtimeServerHandle {
  address: string;
  /** The UDP port, and the TCP port when TCP is served. */
  port: number;
  /** The long-term public key to give clients. */
  publicKey: Uint8Array;
  stats: RoughtimeResponderStats;
  close(): Promise<void>;
}

interface Queued {
  packet: Uint8Array;
  reply: (response: Uint8Array) => void;
}

/** Starts a Roughtime server. Resolves once its sockets are bound. */
export async function startRoughtimeServer(options: RoughtimeServerOptions): Promise<RoughtimeServerHandle> {
  // Port 0: UDP picks a free port and TCP takes the same number, which another program may
  // hold; then try again on a new one (startOnce closed its UDP socket).
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(options);
    } catch (err) {
      const inUse = (err as { code?: unknown } | null)?.code === "EADDRINUSE";
      if (!(options.port === 0 && options.tcp !== false && inUse && attempt < 5)) throw err;
    }
  }
}

async function startOnce(options: RoughtimeServerOptions): Promise<RoughtimeServerHandle> {
  const { host = "127.0.0.1", port = ROUGHTIME_DEFAULT_PORT, clock = systemClock, tcp = true } = options;
  const { batchWindowMs = 2, batchMaxSize = 64, tcpIdleMs = 10_000 } = options;
  if (!(batchWindowMs >= 0)) throw new InvalidArgumentError("batchWindowMs must be ≥ 0");
  if (!Number.isInteger(batchMaxSize) || batchMaxSize < 1)
    throw new InvalidArgumentError("batchMaxSize must be ≥ 1");
  const responder = new RoughtimeResponder({
    longTermSecretKey: options.longTermSecretKey,
    randomBytes: (n) => new Uint8Array(randomBytes(n)),
    ed25519: nodeEd25519,
    ...(options.radiusS === undefined ? {} : { radiusS: options.radiusS }),
    ...(options.delegationLifetimeS === undefined
      ? {}
      : { delegationLifetimeS: options.delegationLifetimeS }),
  });
  let queue: Queued[] = [];
  let timer: NodeJS.Timeout | null = null;
  const flush = () => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    const batch = queue;
    queue = [];
    if (batch.length === 0) return;
    const responses = responder.respond(
      batch.map((q) => q.packet),
      clock.now(),
    );
    responses.forEach((response, i) => {
      if (response !== null) batch[i]!.reply(response);
    });
  };
  const enqueue = (q: Queued) => {
    queue.push(q);
    if (queue.length >= batchMaxSize) flush();
    else if (timer === null) timer = setTimeout(flush, batchWindowMs);
  };

  const { address, family } = await resolveHost(host);
  const udp = createUdpSocket(family);
  udp.on("message", (msg, rinfo) => {
    enqueue({
      packet: new Uint8Array(msg.buffer, msg.byteOffset, msg.length),
      reply: (response) => udp.send(response, rinfo.port, rinfo.address),
    });
  });
  // A send error (e.g. ICMP from a vanished client) must not stop the server.
  udp.on("error", () => {});
  await socketCall(udp, (done) => udp.bind(port, address, done));
  const boundPort = udp.address().port;

  let tcpServer: Server | null = null;
  const connections = new Set<TcpSocket>();
  if (tcp) {
    const server = createServer((conn) => {
      connections.add(conn);
      const decoder = new RoughtimeStreamDecoder();
      conn.setTimeout(tcpIdleMs, () => conn.destroy());
      conn.on("close", () => connections.delete(conn));
      conn.on("error", () => conn.destroy());
      conn.on("data", (chunk: Buffer) => {
        try {
          for (const packet of decoder.push(chunk))
            enqueue({ packet, reply: (r) => conn.writable && conn.write(r) });
        } catch {
          conn.destroy();
        }
      });
    });
    tcpServer = server;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(boundPort, address, () => {
        server.off("error", reject);
        resolve();
      });
    }).catch((err: unknown) => {
      udp.close();
      throw err;
    });
  }
  return {
    address: udp.address().address,
    port: boundPort,
    publicKey: responder.publicKey,
    stats: responder.stats,
    close: async () => {
      if (timer !== null) clearTimeout(timer);
      for (const c of connections) c.destroy();
      await Promise.all([
        new Promise<void>((resolve) => udp.close(() => resolve())),
        tcpServer === null
          ? Promise.resolve()
          : new Promise<void>((resolve) => tcpServer!.close(() => resolve())),
      ]);
    },
  };
}
