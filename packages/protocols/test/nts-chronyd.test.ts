/**
 * Interop with a real chronyd 4.3 (PEERS.md), both ways, on loopback; chronyd runs with
 * -x / -Q and never touches the clock:
 * - our queryNts against a chronyd NTS server → authenticated samples, |offset| < 1 ms;
 * - a tampered cookie sent to chronyd → NTS NAK (kiss NTSN) with our Unique Identifier;
 * - `chronyd -Q` with `nts` against our startNtsServer → "System clock wrong by X
 *   seconds" with |X| < 1 ms, i.e. it authenticated and accepted our responses.
 * Skipped where chronyd, root or the `_chrony` user is missing.
 */
import { randomBytes } from "node:crypto";
import { createSocket } from "node:dgram";
import { rmSync } from "node:fs";
import { systemClock } from "@chronosync/core";
import { describe, expect, it } from "vitest";
import { asciiReferenceId, NtpResponder } from "../src/ntp/index.js";
import {
  createNtsRequest,
  handleNtsReply,
  performNtsKe,
  queryNts,
  startNtsServer,
} from "../src/nts/index.js";
import {
  chronydAvailable,
  makeCertificate,
  measureNtsWithChronyd,
  ntsTempDir,
  startChronydNts,
} from "./nts-helpers.js";

const abs = (x: bigint) => (x < 0n ? -x : x);

function udpExchange(
  port: number,
  bytes: Uint8Array,
): Promise<{ reply: Uint8Array; t1: bigint; t4: bigint } | null> {
  const socket = createSocket("udp4");
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      socket.close();
      resolve(null);
    }, 2000);
    let t1 = 0n;
    socket.on("message", (m) => {
      const t4 = systemClock.now();
      clearTimeout(timer);
      socket.close();
      resolve({ reply: new Uint8Array(m), t1, t4 });
    });
    t1 = systemClock.now();
    socket.send(bytes, port, "127.0.0.1");
  });
}

describe.skipIf(!chronydAvailable())("NTS interop with chronyd", () => {
  it("our client against a chronyd NTS server: authenticated, |offset| < 1 ms; tampered cookie → NTSN", async () => {
    const chronyd = await startChronydNts();
    try {
      const result = await queryNts(
        { host: "127.0.0.1", port: chronyd.kePort },
        { ca: chronyd.cert, samples: 4, intervalMs: 50 },
      );
      expect(result.samples).toHaveLength(4);
      expect(result.best.authenticated).toBe(true);
      expect(result.port).toBe(chronyd.server.port);
      expect(result.best.stratum).toBe(1);
      expect(abs(result.best.offsetNs)).toBeLessThan(1_000_000n);

      const times: number[] = [];
      for (let i = 0; i < 10; i++) {
        const t0 = process.hrtime.bigint();
        await performNtsKe("127.0.0.1", { port: chronyd.kePort, ca: chronyd.cert });
        times.push(Number(process.hrtime.bigint() - t0) / 1e6);
      }
      times.sort((a, b) => a - b);
      console.log("NTS-KE handshake with chronyd, median ms", times[5], "offset ns", result.best.offsetNs);
      const ke = await performNtsKe("127.0.0.1", { port: chronyd.kePort, ca: chronyd.cert });
      const good = createNtsRequest({
        random: randomBytes,
        c2s: ke.c2s,
        cookie: ke.cookies[0]!,
        placeholders: 2,
      });
      const answer = await udpExchange(ke.ntpPort, good.bytes);
      const verdict = handleNtsReply(good, ke.s2c, answer!.t1, answer!.reply, answer!.t4);
      expect(verdict.kind).toBe("sample");
      if (verdict.kind === "sample") expect(verdict.cookies).toHaveLength(3);

      const bad = new Uint8Array(ke.cookies[1]!);
      bad[20] = bad[20]! ^ 0x01;
      const tampered = createNtsRequest({ random: randomBytes, c2s: ke.c2s, cookie: bad, placeholders: 0 });
      const nak = await udpExchange(ke.ntpPort, tampered.bytes);
      expect(handleNtsReply(tampered, ke.s2c, nak!.t1, nak!.reply, nak!.t4)).toEqual({ kind: "nak" });
    } finally {
      await chronyd.cleanup();
    }
  });

  it("chronyd -Q with nts against our server: it authenticates and measures |offset| < 1 ms", async () => {
    const dir = ntsTempDir();
    const { cert, key, certPath } = makeCertificate(dir);
    const ntp = new NtpResponder({
      clock: systemClock,
      reference: {
        leap: 0,
        stratum: 1,
        referenceId: asciiReferenceId("GPS"),
        referenceTime: systemClock.now(),
        rootDelayNs: 0n,
        rootDispersionNs: 1000n,
        precision: -20,
      },
      rateLimit: false,
    });
    const server = await startNtsServer({ host: "127.0.0.1", ntpPort: 0, kePort: 0, cert, key, ntp });
    try {
      const { offsetS, output } = await measureNtsWithChronyd(server.keAddress.port, certPath, 20);
      expect(offsetS, output).not.toBeNull();
      console.log("chronyd -Q with nts against our server: System clock wrong by", offsetS, "s");
      expect(Math.abs(offsetS!)).toBeLessThan(0.001);
      expect(server.ke.stats.agreed).toBeGreaterThanOrEqual(1);
      expect(server.responder.stats.authenticated).toBeGreaterThanOrEqual(1);
      expect(server.responder.stats.naks).toBe(0);
    } finally {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
