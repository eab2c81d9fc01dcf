/**
 * Automatic detection and `auto://` against real servers of ours on loopback (ports
 * overridden, as 123/4460/443/80 need root or are taken): an NTS server (NTS-KE + its
 * NTP port, which also answers plain NTP), a Roughtime server, an HTTP Date server.
 * Checks each probe's outcome, the preference order, the deadline, and that `auto://`
 * measures with the winner; and a fallback chain over real members.
 */
import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { systemClock } from "@chronosync/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AutoTimeSource,
  asciiReferenceId,
  createTimeSource,
  detectProtocols,
  fallbackSource,
  NtpResponder,
  type NtsServerHandle,
  type ProbeOutcome,
  type RoughtimeServerHandle,
  startNtsServer,
  startRoughtimeServer,
} from "../src/index.js";
import { freeUdpPort } from "./helpers/udp.js";
import { freeTcpPort, makeCertificate, ntsTempDir } from "./nts-helpers.js";

let nts: NtsServerHandle;
let roughtime: RoughtimeServerHandle;
let http: Server;
let httpPort: number;
let cert: string;
let dir: string;
let dead: { udp: number; tcp: number };

beforeAll(async () => {
  dir = ntsTempDir();
  const pair = makeCertificate(dir);
  cert = pair.cert;
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
  nts = await startNtsServer({
    host: "127.0.0.1",
    ntpPort: 0,
    kePort: 0,
    cert: pair.cert,
    key: pair.key,
    ntp,
  });
  roughtime = await startRoughtimeServer({ longTermSecretKey: new Uint8Array(randomBytes(32)), port: 0 });
  http = createServer((_req, res) => res.end());
  await new Promise<void>((r) => http.listen(0, "127.0.0.1", r));
  httpPort = (http.address() as AddressInfo).port;
  dead = { udp: await freeUdpPort(), tcp: await freeTcpPort() };
});

afterAll(async () => {
  await nts?.close();
  await roughtime?.close();
  await new Promise((r) => http?.close(r));
  rmSync(dir, { recursive: true, force: true });
});

const byProtocol = (probes: ProbeOutcome[]): Record<string, ProbeOutcome | undefined> =>
  Object.fromEntries(probes.map((p) => [p.protocol, p]));

describe("detectProtocols", () => {
  it("probes everything in parallel and prefers NTS over Roughtime, HTTPS, NTP and HTTP", async () => {
    const key = roughtime.publicKey;
    const t0 = Date.now();
    const r = await detectProtocols("127.0.0.1", {
      deadlineMs: 2000,
      ca: cert,
      roughtimeKey: key,
      ports: {
        nts: nts.keAddress.port,
        ntp: nts.ntpAddress.port,
        roughtime: roughtime.port,
        http: httpPort,
        https: dead.tcp,
      },
    });
    expect(Date.now() - t0).toBeLessThan(2500);
    expect(r.probes.map((p) => p.protocol)).toEqual(["nts", "roughtime", "https", "ptp", "ntp", "http"]);
    const p = byProtocol(r.probes);
    expect(p.nts).toMatchObject({ status: "answered", usable: true, authenticated: true });
    expect(p.roughtime).toMatchObject({ status: "answered", usable: true, authenticated: true });
    expect(p.https).toMatchObject({ status: "failed", usable: false, error: { code: "NETWORK_FAILURE" } });
    expect(p.ptp).toMatchObject({ status: "skipped" });
    expect(p.ntp).toMatchObject({ status: "answered", usable: true, authenticated: false });
    expect(p.http).toMatchObject({ status: "answered", usable: true });
    expect(r.picked?.protocol).toBe("nts");
    expect(r.picked?.url).toBe(`nts://127.0.0.1:${nts.keAddress.port}`);
  }, 10_000);

  it("without NTS and a Roughtime key: Roughtime answers but is not usable; NTP beats HTTP", async () => {
    const r = await detectProtocols("127.0.0.1", {
      deadlineMs: 1500,
      ports: {
        nts: dead.tcp,
        ntp: nts.ntpAddress.port,
        roughtime: roughtime.port,
        http: httpPort,
        https: dead.tcp,
      },
    });
    const p = byProtocol(r.probes);
    expect(p.nts).toMatchObject({ status: "failed", error: { code: "NTS_KE_FAILED" } });
    expect(p.roughtime).toMatchObject({ status: "answered", usable: false, error: { code: "NO_KEY" } });
    expect(r.picked?.protocol).toBe("ntp");
  }, 10_000);

  it("reports silence as timeouts at the deadline, and picks nothing", async () => {
    const { createSocket } = await import("node:dgram");
    const silent = createSocket("udp4"); // swallows NTP and Roughtime requests
    await new Promise<void>((r) => silent.bind(0, "127.0.0.1", r));
    const port = silent.address().port;
    try {
      const t0 = Date.now();
      const r = await detectProtocols("127.0.0.1", {
        deadlineMs: 600,
        ports: { nts: dead.tcp, ntp: port, roughtime: port, http: dead.tcp, https: dead.tcp },
      });
      const elapsed = Date.now() - t0;
      expect(elapsed).toBeGreaterThanOrEqual(590);
      expect(elapsed).toBeLessThan(1200);
      const p = byProtocol(r.probes);
      expect(p.ntp?.status).toBe("timeout");
      expect(p.roughtime?.status).toBe("timeout");
      expect(p.http?.status).toBe("failed");
      expect(r.picked).toBeNull();
    } finally {
      silent.close();
    }
  }, 10_000);
});

describe("auto:// time source", () => {
  it("detects, then measures with the winner (NTS), keeping it for the next measurement", async () => {
    const url = `auto://127.0.0.1?nts=${nts.keAddress.port}&ntp=${nts.ntpAddress.port}&http=${httpPort}&https=${dead.tcp}&roughtime=${dead.udp}&deadline=1500`;
    const source = createTimeSource(url, { ca: cert });
    expect(source).toBeInstanceOf(AutoTimeSource);
    const auto = source as AutoTimeSource;
    const a = await auto.measure();
    expect(a.protocol).toBe("nts");
    expect(a.authenticated).toBe(true);
    // Our own clock served: the true offset is 0, off by at most half the round trip.
    const offset = a.offsetNs < 0n ? -a.offsetNs : a.offsetNs;
    expect(offset).toBeLessThanOrEqual(a.delayNs / 2n + 20_000n);
    expect(offset).toBeLessThan(10_000_000n);
    const current = auto.current();
    expect(current?.protocol).toBe("nts");
    await auto.measure();
    expect(auto.current()).toBe(current);
    expect(auto.detection()?.picked?.protocol).toBe("nts");
    await auto.close();
  }, 10_000);

  it("rejects with TIME_SOURCE_UNAVAILABLE when nothing usable answers", async () => {
    const source = createTimeSource(
      `auto://127.0.0.1?nts=${dead.tcp}&ntp=${dead.udp}&http=${dead.tcp}&https=${dead.tcp}&roughtime=${dead.udp}&deadline=500`,
    );
    await expect(source.measure()).rejects.toMatchObject({ code: "TIME_SOURCE_UNAVAILABLE" });
    await source.close();
  });

  it.each([
    ["auto://host:123", /per-protocol ports/],
    ["auto://host?ntp=0", /bad ntp port/],
    ["auto://host?bogus=1", /unknown parameter/],
    ["auto://host?key=short", /key must be/],
  ])("refuses %s", (url, message) => {
    expect(() => createTimeSource(url)).toThrow(message);
  });
});

describe("fallbackSource with real members", () => {
  it("NTS (down) → NTP (our server) → HTTP: measures with NTP, logs the switch, shows it in state()", async () => {
    const warnings: Record<string, unknown>[] = [];
    const logger = { info() {}, warn: (_m: string, f?: Record<string, unknown>) => warnings.push(f ?? {}) };
    const chain = fallbackSource(
      [
        createTimeSource(`nts://127.0.0.1:${dead.tcp}`),
        createTimeSource(`ntp://127.0.0.1:${nts.ntpAddress.port}`),
        createTimeSource(`http://127.0.0.1:${httpPort}/`),
      ],
      { logger },
    );
    const s = await chain.measure({ timeoutMs: 1000 });
    expect(s.protocol).toBe("ntp");
    expect(chain.state()).toMatchObject({ current: 1, currentUrl: `ntp://127.0.0.1:${nts.ntpAddress.port}` });
    expect(chain.state().members[0]?.lastError?.code).toBe("NTS_KE_FAILED");
    expect(warnings.at(-1)).toEqual({
      from: `nts://127.0.0.1:${dead.tcp}`,
      to: `ntp://127.0.0.1:${nts.ntpAddress.port}`,
    });
    await chain.close();
  });
});
