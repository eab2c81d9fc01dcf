/**
 * The UDP transports on loopback: queryNtp against startNtpServer (IPv4 and IPv6), and
 * each typed failure of queryNtp: timeout, refused, name not resolved, kiss-o'-death.
 */
import { lookup } from "node:dns/promises";
import { ManualClock, systemClock } from "@chronosync/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  asciiReferenceId,
  NameNotResolvedError,
  NtpKissOfDeathError,
  NtpRefusedError,
  NtpResponder,
  type NtpServerHandle,
  NtpTimeoutError,
  queryNtp,
  startNtpServer,
} from "../src/index.js";
import { freeUdpPort, silentListener } from "./helpers/udp.js";

const reference = () => ({
  leap: 0 as const,
  stratum: 1,
  referenceId: asciiReferenceId("LOCL"),
  referenceTime: systemClock.now(),
  rootDelayNs: 0n,
  rootDispersionNs: 0n,
  precision: systemClock.precisionLog2,
});

describe("queryNtp ↔ startNtpServer on loopback", () => {
  const servers: NtpServerHandle[] = [];
  beforeAll(async () => {
    const ref = reference();
    for (const host of ["127.0.0.1", "::1"]) {
      const responder = new NtpResponder({ clock: systemClock, reference: ref });
      servers.push(await startNtpServer({ host, port: 0, responder }));
    }
  });
  afterAll(async () => {
    for (const server of servers) await server.close();
  });

  it.each([
    ["IPv4", 0],
    ["IPv6", 1],
  ])("measures |offset| < 1 ms over %s", async (_family, index) => {
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
      `loopback ${_family}: best offset ${Number(best.offsetNs) / 1000} µs, delay ${Number(best.delayNs) / 1000} µs;` +
        ` offsets ${result.samples.map((s) => Number(s.offsetNs) / 1000).join(", ")} µs`,
    );
    expect(server.stats.answered).toBeGreaterThanOrEqual(8);
  });

  it("resolves host names with dns.lookup (localhost)", async () => {
    const { address } = await lookup("localhost");
    const responder = new NtpResponder({ clock: systemClock, reference: reference() });
    const server = await startNtpServer({ host: "localhost", port: 0, responder });
    try {
      expect(server.address.address).toBe(address);
      const result = await queryNtp({ host: "localhost", port: server.address.port }, { samples: 1 });
      expect(result.address).toBe(address);
      expect(result.samples).toHaveLength(1);
    } finally {
      await server.close();
    }
  });

  it("gets a RATE kiss from a rate-limited server: NtpKissOfDeathError", async () => {
    const responder = new NtpResponder({
      clock: systemClock,
      reference: reference(),
      rateLimit: { burst: 1, minIntervalMs: 60_000 },
    });
    const server = await startNtpServer({ host: "127.0.0.1", port: 0, responder });
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

  it("refuses to bind a port in use: NetworkFailureError with EADDRINUSE as cause", async () => {
    const server = servers[0]!;
    const responder = new NtpResponder({ clock: systemClock, reference: reference() });
    const err = await startNtpServer({ host: "127.0.0.1", port: server.address.port, responder }).catch(
      (e) => e,
    );
    expect(err).toMatchObject({ code: "NETWORK_FAILURE", cause: { code: "EADDRINUSE" } });
  });
});

describe("queryNtp failures", () => {
  it("times out against a silent port: NtpTimeoutError", async () => {
    const silent = await silentListener();
    try {
      const started = performance.now();
      const err = await queryNtp(
        { host: "127.0.0.1", port: silent.port },
        { samples: 2, intervalMs: 10, timeoutMs: 150 },
      ).catch((e: unknown) => e);
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
    const err = await queryNtp({ host: "127.0.0.1", port }, { samples: 3, timeoutMs: 2000 }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(NtpRefusedError);
    expect(err).toMatchObject({ code: "NTP_REFUSED" });
  });

  it("is refused by a closed IPv6 port too", async () => {
    const port = await freeUdpPort("udp6");
    const err = await queryNtp({ host: "::1", port }, { samples: 1, timeoutMs: 2000 }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(NtpRefusedError);
  });

  it("does not resolve nonexistent.invalid: NameNotResolvedError", async () => {
    const err = await queryNtp({ host: "nonexistent.invalid", port: 123 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NameNotResolvedError);
    expect(err).toMatchObject({ code: "NAME_NOT_RESOLVED", host: "nonexistent.invalid" });
  });

  it("validates its arguments", async () => {
    const clock = new ManualClock();
    await expect(queryNtp({ host: "127.0.0.1", port: 0 }, { clock })).rejects.toThrow(/port/);
    await expect(queryNtp({ host: "127.0.0.1", port: 123 }, { samples: 0 })).rejects.toThrow(/samples/);
    await expect(queryNtp({ host: "127.0.0.1", port: 123 }, { timeoutMs: 0 })).rejects.toThrow(/timeoutMs/);
  });
});
