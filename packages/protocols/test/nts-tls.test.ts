/**
 * NTS over real sockets on loopback, ours on both ends: NTS-KE over TLS 1.3 (ALPN,
 * certificate trust, version floor, bad requests), `queryNts` against `startNtsServer`
 * (authenticated samples, plain NTP on the same port), and NAK handling (a KE server
 * whose cookies the NTP side cannot open: one fresh KE, then NtsNakError).
 */
import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import { connect } from "node:tls";
import { systemClock } from "@chronosync/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NtsKeError, NtsNakError } from "../src/errors.js";
import { asciiReferenceId, NtpResponder, queryNtp } from "../src/ntp/index.js";
import {
  decodeNtsKeMessage,
  NtsCookieKeys,
  type NtsServerHandle,
  performNtsKe,
  queryNts,
  startNtsKeServer,
  startNtsServer,
} from "../src/nts/index.js";
import { makeCertificate, ntsTempDir } from "./nts-helpers.js";

const reference = () => ({
  leap: 0 as const,
  stratum: 1,
  referenceId: asciiReferenceId("GPS"),
  referenceTime: systemClock.now(),
  rootDelayNs: 0n,
  rootDispersionNs: 1000n,
  precision: -20,
});
const newResponder = () => new NtpResponder({ clock: systemClock, reference: reference(), rateLimit: false });

let dir: string;
let cert: string;
let key: string;
let server: NtsServerHandle;

beforeAll(async () => {
  dir = ntsTempDir();
  ({ cert, key } = makeCertificate(dir));
  server = await startNtsServer({ host: "127.0.0.1", ntpPort: 0, kePort: 0, cert, key, ntp: newResponder() });
});
afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Raw TLS to the KE port: what the server writes back before closing. */
function rawKe(options: {
  alpn?: string[];
  maxVersion?: "TLSv1.2";
  send?: Uint8Array;
}): Promise<Buffer | Error> {
  return new Promise((resolve) => {
    const socket = connect({
      host: "127.0.0.1",
      port: server.keAddress.port,
      ca: cert,
      ALPNProtocols: options.alpn ?? ["ntske/1"],
      ...(options.maxVersion === undefined
        ? {}
        : { maxVersion: options.maxVersion, minVersion: "TLSv1.2" as const }),
    });
    const chunks: Buffer[] = [];
    socket.on("secureConnect", () => {
      if (options.send !== undefined) socket.write(options.send);
    });
    socket.on("data", (d: Buffer) => chunks.push(d));
    socket.on("error", (err) => resolve(err));
    socket.on("close", () => resolve(Buffer.concat(chunks)));
  });
}

describe("NTS-KE over TLS 1.3", () => {
  it("gives 8 cookies, the UDP port, and 32-byte C2S/S2C keys that differ", async () => {
    const ke = await performNtsKe("127.0.0.1", { port: server.keAddress.port, ca: cert });
    expect(ke.cookies).toHaveLength(8);
    expect(ke.ntpPort).toBe(server.ntpAddress.port);
    expect(ke.ntpHost).toBe("127.0.0.1");
    expect(ke.c2s.length).toBe(32);
    expect(Buffer.from(ke.c2s).equals(Buffer.from(ke.s2c))).toBe(false);
    expect(server.keys.open(ke.cookies[0]!)).toEqual({ aeadAlgorithm: 15, c2s: ke.c2s, s2c: ke.s2c });
  });
  it("checks the certificate by name: localhost passes, an untrusted certificate fails as `tls`", async () => {
    await expect(performNtsKe("localhost", { port: server.keAddress.port, ca: cert })).resolves.toBeDefined();
    const otherDir = ntsTempDir();
    const other = makeCertificate(otherDir);
    rmSync(otherDir, { recursive: true, force: true });
    const err = await performNtsKe("127.0.0.1", { port: server.keAddress.port, ca: other.cert }).catch(
      (e) => e,
    );
    expect(err).toBeInstanceOf(NtsKeError);
    expect((err as NtsKeError).reason).toBe("tls");
  });
  it("refuses TLS 1.2 and clients without ALPN ntske/1", async () => {
    expect(await rawKe({ maxVersion: "TLSv1.2" })).toBeInstanceOf(Error);
    const noAlpn = await rawKe({ alpn: ["http/1.1"] });
    expect(noAlpn instanceof Error || noAlpn.length === 0).toBe(true);
  });
  it("answers a malformed request with Error 1 (bad request)", async () => {
    const reply = await rawKe({
      send: new Uint8Array([0x80, 0x01, 0x00, 0x01, 0x00, 0x80, 0x00, 0x00, 0x00]),
    });
    expect(reply).toBeInstanceOf(Buffer);
    expect(decodeNtsKeMessage(new Uint8Array(reply as Buffer))[0]).toEqual({
      type: "error",
      critical: true,
      errorCode: 1,
    });
  });
  it("fails as `tls` when nothing listens", async () => {
    const err = await performNtsKe("127.0.0.1", { port: 1, ca: cert }).catch((e) => e);
    expect((err as NtsKeError).reason).toBe("tls");
  });
});

describe("queryNts against startNtsServer", () => {
  it("gives authenticated samples with |offset| < 1 ms on loopback", async () => {
    const result = await queryNts(
      { host: "127.0.0.1", port: server.keAddress.port },
      { ca: cert, samples: 4, intervalMs: 20 },
    );
    expect(result.samples).toHaveLength(4);
    expect(result.best.authenticated).toBe(true);
    expect(result.port).toBe(server.ntpAddress.port);
    expect(result.keRuns).toBe(1);
    const offset = result.best.offsetNs < 0n ? -result.best.offsetNs : result.best.offsetNs;
    expect(offset).toBeLessThan(1_000_000n);
  });
  it("serves plain NTP on the same UDP port", async () => {
    const plain = await queryNtp(
      { host: "127.0.0.1", port: server.ntpAddress.port },
      { samples: 1, native: false },
    );
    expect(plain.best.stratum).toBe(1);
  });
  it("honours Server and Port Negotiation: NTP goes where the KE server says", async () => {
    const other = await startNtsServer({
      host: "127.0.0.2",
      ntpPort: 0,
      kePort: 0,
      cert,
      key,
      ntp: newResponder(),
      keys: server.keys,
    });
    const ke = await startNtsKeServer({
      host: "127.0.0.1",
      port: 0,
      cert,
      key,
      keys: server.keys,
      ntpServer: "127.0.0.2",
      ntpPort: other.ntpAddress.port,
    });
    try {
      const result = await queryNts({ host: "127.0.0.1", port: ke.address.port }, { ca: cert, samples: 1 });
      expect(result.address).toBe("127.0.0.2");
      expect(result.port).toBe(other.ntpAddress.port);
      expect(other.responder.stats.authenticated).toBe(1);
    } finally {
      await Promise.all([ke.close(), other.close()]);
    }
  });
  it("on a NAK runs NTS-KE again, and a second NAK is an NtsNakError", async () => {
    const naksBefore = server.responder.stats.naks;
    const foreign = await startNtsKeServer({
      host: "127.0.0.1",
      port: 0,
      cert,
      key,
      keys: new NtsCookieKeys({ random: randomBytes }),
      ntpPort: server.ntpAddress.port,
    });
    try {
      const err = await queryNts(
        { host: "127.0.0.1", port: foreign.address.port },
        { ca: cert, samples: 1 },
      ).catch((e) => e);
      expect(err).toBeInstanceOf(NtsNakError);
      expect(foreign.stats.agreed).toBe(2);
      expect(server.responder.stats.naks).toBe(naksBefore + 2);
    } finally {
      await foreign.close();
    }
  });
});
