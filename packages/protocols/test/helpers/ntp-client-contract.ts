/**
 * The contract of `queryNtp`, run against each client transport (ntp-client-dgram.test.ts,
 * ntp-client-native.test.ts): measuring our server over IPv4 and IPv6, host names, the
 * injected clock, and every typed failure — timeout, refused (IPv4 and IPv6), kiss-o'-death,
 * name not resolved, bad arguments.
 */
import { ManualClock, NS_PER_S, systemClock } from "@chronosync/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  NameNotResolvedError,
  NtpKissOfDeathError,
  NtpRefusedError,
  NtpResponder,
  type NtpServerHandle,
  NtpTimeoutError,
  queryNtp,
  startNtpServer,
} from "../../src/index.js";
import type { NtpClientTransport } from "../../src/ntp/udp-client-socket.js";
import { reference, ShiftedClock } from "./ntp-server-contract.js";
import { freeUdpPort, silentListener } from "./udp.js";

export function ntpClientContract(transport: NtpClientTransport): void {
  const native = transport === "native";
  const query = (host: string, port: number, options: Parameters<typeof queryNtp>[1] = {}) =>
    queryNtp({ host, port }, { ...options, native });
  const serve = (host: string, options: Partial<ConstructorParameters<typeof NtpResponder>[0]> = {}) =>
    startNtpServer({
      host,
      port: 0,
      native: false, // the client is under test: the same server for both
      responder: new NtpResponder({ clock: systemClock, reference: reference(), ...options }),
    });

  describe(`queryNtp over ${transport}`, () => {
    const servers: NtpServerHandle[] = [];
    beforeAll(async () => {
      for (const host of ["127.0.0.1", "::1"]) servers.push(await serve(host, { rateLimit: false }));
    });
    afterAll(async () => {
      for (const server of servers) await server.close();
    });

    it.each([
      ["IPv4", 0],
      ["IPv6", 1],
    ])(
      "measures our server with |offset| < 1 ms over %s; best is the lowest delay",
      async (family, index) => {
        const server = servers[index]!;
        const result = await query(server.address.address, server.address.port, {
          samples: 8,
          intervalMs: 10,
          timeoutMs: 1000,
        });
        expect(result.samples).toHaveLength(8);
        expect(result.address).toBe(server.address.address);
        expect(result.port).toBe(server.address.port);
        const best = result.best;
        expect(result.samples.every((s) => s.delayNs >= best.delayNs)).toBe(true);
        for (const s of result.samples) {
          expect(s.t1 <= s.t4).toBe(true);
          expect(s.delayNs).toBeGreaterThanOrEqual(0n);
        }
        expect(Math.abs(Number(best.offsetNs))).toBeLessThan(1_000_000);
        expect(best).toMatchObject({ stratum: 1, refId: "LOCL", leap: 0, version: 4 });
        console.log(
          `client ${transport} ${family}: best offset ${Number(best.offsetNs) / 1000} µs, delay ${Number(best.delayNs) / 1000} µs`,
        );
      },
    );

    it("resolves host names with dns.lookup (localhost)", async () => {
      const server = await serve("localhost");
      try {
        const result = await query("localhost", server.address.port, { samples: 1 });
        expect(result.address).toBe(server.address.address);
        expect(result.samples).toHaveLength(1);
      } finally {
        await server.close();
      }
    });

    it("reads T1 and T4 from the injected clock (a clock 5 s ahead measures −5 s)", async () => {
      const server = servers[0]!;
      const result = await query("127.0.0.1", server.address.port, {
        samples: 4,
        intervalMs: 5,
        clock: new ShiftedClock(5n * NS_PER_S),
      });
      expect(Math.abs(Number(result.best.offsetNs + 5n * NS_PER_S))).toBeLessThan(1_000_000);
      expect(Number(result.best.delayNs)).toBeLessThan(1_000_000);
    });

    it("gets a RATE kiss once the burst is spent: NtpKissOfDeathError", async () => {
      const server = await serve("127.0.0.1", { rateLimit: { burst: 1, minIntervalMs: 60_000 } });
      try {
        const err = await query("127.0.0.1", server.address.port, { samples: 3, intervalMs: 1 }).catch(
          (e: unknown) => e,
        );
        expect(err).toBeInstanceOf(NtpKissOfDeathError);
        expect(err).toMatchObject({ code: "NTP_KISS_OF_DEATH", kissCode: "RATE" });
        expect(server.stats).toMatchObject({ answered: 1, rateLimited: 1 });
      } finally {
        await server.close();
      }
    });

    it("times out against a silent port: NtpTimeoutError", async () => {
      const silent = await silentListener();
      try {
        const started = performance.now();
        const err = await query("127.0.0.1", silent.port, {
          samples: 2,
          intervalMs: 10,
          timeoutMs: 150,
        }).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(NtpTimeoutError);
        expect(err).toMatchObject({ code: "NTP_TIMEOUT" });
        expect(silent.received()).toBe(2);
        expect(performance.now() - started).toBeGreaterThanOrEqual(290);
      } finally {
        silent.socket.close();
      }
    });

    it("is refused by a closed port: NtpRefusedError", async () => {
      const port = await freeUdpPort();
      const started = performance.now();
      const err = await query("127.0.0.1", port, { samples: 3, timeoutMs: 2000 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(NtpRefusedError);
      expect(err).toMatchObject({ code: "NTP_REFUSED", cause: { code: "ECONNREFUSED" } });
      expect(performance.now() - started).toBeLessThan(1000); // at once, not after a timeout
    });

    it("is refused by a closed IPv6 port too", async () => {
      const port = await freeUdpPort("udp6");
      const err = await query("::1", port, { samples: 1, timeoutMs: 2000 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(NtpRefusedError);
    });

    it("does not resolve nonexistent.invalid: NameNotResolvedError", async () => {
      const err = await query("nonexistent.invalid", 123).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(NameNotResolvedError);
      expect(err).toMatchObject({ code: "NAME_NOT_RESOLVED", host: "nonexistent.invalid" });
    });

    it("validates its arguments", async () => {
      const clock = new ManualClock();
      await expect(query("127.0.0.1", 0, { clock })).rejects.toThrow(/port/);
      await expect(query("127.0.0.1", 123, { samples: 0 })).rejects.toThrow(/samples/);
      await expect(query("127.0.0.1", 123, { timeoutMs: 0 })).rejects.toThrow(/timeoutMs/);
    });
  });
}
