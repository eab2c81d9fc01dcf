/**
 * Real peer: chronyd 4.3 on loopback (`chronyd -x`, never touching the clock). Our
 * request → its reply, decoded and re-encoded byte for byte; queryNtp against it; and
 * chronyd as the client of our server (`chronyd -Q`).
 */
import { randomBytes } from "node:crypto";
import { systemClock } from "@chronosync/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  asciiReferenceId,
  createNtpRequest,
  decodeNtpPacket,
  encodeNtpPacket,
  formatReferenceId,
  handleNtpReply,
  NtpResponder,
  queryNtp,
  startNtpServer,
} from "../src/index.js";
import { type ChronydServer, chronydAvailable, measureWithChronyd, startChronyd } from "./helpers/chronyd.js";
import { exchangeOnce } from "./helpers/udp.js";

const random = (n: number) => new Uint8Array(randomBytes(n));

describe.skipIf(!chronydAvailable())("chronyd 4.3 as a real peer", () => {
  let chronyd: ChronydServer;
  beforeAll(async () => {
    chronyd = await startChronyd();
  });
  afterAll(async () => {
    await chronyd?.stop();
  });

  it("answers our request; the reply decodes, judges as a sample and round-trips exactly", async () => {
    const request = createNtpRequest({ random });
    const t1 = systemClock.now();
    const reply = await exchangeOnce(chronyd.port, request.bytes);
    const t4 = systemClock.now();
    expect(reply).not.toBeNull();
    const bytes = reply!;
    const packet = decodeNtpPacket(bytes);
    expect(packet).toMatchObject({
      leap: 0,
      version: 4,
      mode: 4,
      stratum: 1, // `local stratum 1`
      poll: 0, // ours, copied
      originTimestamp: request.nonce,
      extensionFields: [],
      mac: null,
    });
    expect(formatReferenceId(packet.stratum, packet.referenceId)).toBe("127.127.1.1"); // chrony's local refid
    expect(packet.precision).toBeLessThan(-15);
    expect(Buffer.from(encodeNtpPacket(packet)).toString("hex")).toBe(Buffer.from(bytes).toString("hex"));
    const result = handleNtpReply(request, t1, bytes, t4);
    expect(result.kind).toBe("sample");
  });

  it("answers a version-3 request with version 3", async () => {
    const request = createNtpRequest({ random, version: 3 });
    const packet = decodeNtpPacket((await exchangeOnce(chronyd.port, request.bytes))!);
    expect([packet.version, packet.mode]).toEqual([3, 4]);
  });

  it("queryNtp measures it within 1 ms", async () => {
    const result = await queryNtp({ host: "127.0.0.1", port: chronyd.port }, { samples: 8, intervalMs: 20 });
    const { offsetNs, delayNs } = result.best;
    console.log(
      `queryNtp → chronyd: best offset ${Number(offsetNs) / 1000} µs, delay ${Number(delayNs) / 1000} µs; ` +
        `offsets ${result.samples.map((s) => Number(s.offsetNs) / 1000).join(", ")} µs`,
    );
    expect(Math.abs(Number(offsetNs))).toBeLessThan(1_000_000);
    expect(result.best).toMatchObject({ stratum: 1, refId: "127.127.1.1", leap: 0 });
  });

  it("chronyd -Q measures our server within 1 ms", async () => {
    const responder = new NtpResponder({
      clock: systemClock,
      reference: {
        leap: 0,
        stratum: 1,
        referenceId: asciiReferenceId("LOCL"),
        referenceTime: systemClock.now(),
        rootDelayNs: 0n,
        rootDispersionNs: 10_000n,
        precision: systemClock.precisionLog2,
      },
    });
    const server = await startNtpServer({ host: "127.0.0.1", port: 0, responder });
    try {
      const offsetS = await measureWithChronyd(server.address.port);
      console.log(`chronyd -Q → our server: offset ${offsetS * 1e6} µs (answered ${server.stats.answered})`);
      expect(Math.abs(offsetS)).toBeLessThan(0.001);
      expect(server.stats.answered).toBeGreaterThanOrEqual(3); // iburst: chronyd -Q takes 3–4 samples
      expect(server.stats.rateLimited).toBe(0);
    } finally {
      await server.close();
    }
  });
});
