/**
 * NTS cost figures on this machine (printed, loosely bounded): CPU time per
 * authenticated exchange on the client side (createNtsRequest + handleNtsReply, AES-SIV
 * included) and the server side (NtsResponder.respond: open the cookie, verify the
 * request, seal 1 + placeholders fresh cookies and the reply), with 0 and 7
 * placeholders, and the NTS-KE handshake time on loopback (TLS 1.3, P-256 certificate,
 * our client and server).
 */
import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import { ManualClock, systemClock } from "@chronosync/core";
import { describe, expect, it } from "vitest";
import { asciiReferenceId, NtpResponder } from "../src/ntp/index.js";
import {
  createNtsRequest,
  handleNtsReply,
  NtsCookieKeys,
  NtsResponder,
  performNtsKe,
  startNtsServer,
} from "../src/nts/index.js";
import { makeCertificate, ntsTempDir } from "./nts-helpers.js";

const reference = (t: bigint) => ({
  leap: 0 as const,
  stratum: 1,
  referenceId: asciiReferenceId("GPS"),
  referenceTime: t,
  rootDelayNs: 0n,
  rootDispersionNs: 0n,
  precision: -20,
});

/** CPU µs per call of `f` over `n` calls after a warm-up. */
function cpuMicros(n: number, f: () => void): number {
  for (let i = 0; i < 500; i++) f();
  const start = process.cpuUsage();
  for (let i = 0; i < n; i++) f();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / n;
}

describe("NTS cost", () => {
  it("CPU per authenticated exchange, client and server side", () => {
    const clock = new ManualClock(1_800_000_000_000_000_000n);
    const keys = new NtsCookieKeys({ random: randomBytes });
    const ntp = new NtpResponder({ clock, reference: reference(clock.now()), rateLimit: false });
    const responder = new NtsResponder({ ntp, keys, random: randomBytes });
    const session = { aeadAlgorithm: 15, c2s: randomBytes(32), s2c: randomBytes(32) };
    const figures: Record<string, number> = {};
    for (const placeholders of [0, 7]) {
      const cookie = keys.seal(session);
      const request = createNtsRequest({ random: randomBytes, c2s: session.c2s, cookie, placeholders });
      const reply = responder.respond(request.bytes, clock.now(), "127.0.0.1")!;
      expect(handleNtsReply(request, session.s2c, clock.now(), reply, clock.now()).kind).toBe("sample");
      figures[`server µs (1+${placeholders} cookies)`] = cpuMicros(2000, () => {
        responder.respond(request.bytes, clock.now(), "127.0.0.1");
      });
      figures[`client µs (1+${placeholders} cookies)`] = cpuMicros(2000, () => {
        const r = createNtsRequest({ random: randomBytes, c2s: session.c2s, cookie, placeholders });
        handleNtsReply(r, session.s2c, clock.now(), reply, clock.now());
      });
    }
    console.log("NTS CPU per exchange", JSON.stringify(figures));
    for (const v of Object.values(figures)) expect(v).toBeLessThan(5000);
  });

  it("NTS-KE handshake time on loopback", async () => {
    const dir = ntsTempDir();
    const { cert, key } = makeCertificate(dir);
    const ntp = new NtpResponder({
      clock: systemClock,
      reference: reference(systemClock.now()),
      rateLimit: false,
    });
    const server = await startNtsServer({ host: "127.0.0.1", ntpPort: 0, kePort: 0, cert, key, ntp });
    try {
      const times: number[] = [];
      const cpuStart = process.cpuUsage();
      for (let i = 0; i < 30; i++) {
        const t0 = process.hrtime.bigint();
        await performNtsKe("127.0.0.1", { port: server.keAddress.port, ca: cert });
        times.push(Number(process.hrtime.bigint() - t0) / 1e6);
      }
      const cpu = process.cpuUsage(cpuStart);
      times.sort((a, b) => a - b);
      const median = times[15]!;
      console.log(
        "NTS-KE handshake ms",
        JSON.stringify({
          median,
          min: times[0],
          max: times[29],
          cpuMsPerKeBothSides: (cpu.user + cpu.system) / 30 / 1000,
        }),
      );
      expect(median).toBeLessThan(500);
    } finally {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
