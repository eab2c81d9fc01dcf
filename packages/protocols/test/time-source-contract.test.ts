/**
 * One contract, every TimeSource adapter, each against a real peer on loopback:
 * chronyd for ntp and nts, and for local a chronyd client told its server is 50 ms
 * ahead (read over its UDP command port); our Roughtime server; node:http
 * and node:https servers whose Date header runs +2.345 s ahead; our PTP master
 * (servePtp on 127.0.0.1 with unprivileged ports). For each: the sample's shape and
 * units, the offset against the known truth within the sample's own uncertainty, two
 * measurements in a row (state kept), the URL round trip through the registry, a typed
 * error from a dead endpoint, and close(). chronyd cases skip without chronyd and root.
 */
import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import { createServer, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { isChronoSyncError, systemClock } from "@chronosync/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createTimeSource,
  formatHttpDate,
  NtsTimeSource,
  type PtpServerHandle,
  type RoughtimeServerHandle,
  servePtp,
  startRoughtimeServer,
  type TimeSample,
  type TimeSourceOptions,
} from "../src/index.js";
import { type ChronydServer, chronydAvailable, startChronyd } from "./helpers/chronyd.js";
import { freeUdpPort } from "./helpers/udp.js";
import { makeCertificate, ntsTempDir, startChronydNts } from "./nts-helpers.js";

const MS = 1_000_000n;
const abs = (x: bigint) => (x < 0n ? -x : x);
const HTTP_OFFSET_NS = 2_345_000_000n;

interface Peer {
  url: string;
  options?: TimeSourceOptions;
  /** The true offset of the peer, ns, and how far a sample may be from it beyond its uncertainty. */
  truthNs: bigint;
  slackNs: bigint;
  authenticated: boolean;
  protocol: string;
  /** A URL of the same scheme where nothing answers. */
  deadUrl: string;
  deadCodes: string[];
}

interface Case {
  name: string;
  available: () => boolean;
  start: () => Promise<Peer>;
  stop: () => Promise<void>;
}

async function dateServer(tls?: { key: string; cert: string }): Promise<{ server: Server; port: number }> {
  const handler = (_req: unknown, res: ServerResponse) => {
    res.sendDate = false;
    const ns = systemClock.now() + HTTP_OFFSET_NS;
    res.setHeader("Date", formatHttpDate(Number(ns / 1_000_000_000n)));
    res.end();
  };
  const server = tls === undefined ? createServer(handler) : createHttpsServer(tls, handler);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { server, port: (server.address() as AddressInfo).port };
}

const closeServer = (s: Server | undefined) => new Promise<void>((r) => (s ? s.close(() => r()) : r()));

let chronyd: ChronydServer | undefined;
let client: ChronydServer | undefined;
let cmdPort = 0;
let nts: Awaited<ReturnType<typeof startChronydNts>> | undefined;
let roughtime: RoughtimeServerHandle | undefined;
let http: Server | undefined;
let https: Server | undefined;
let tlsDir: string | undefined;
let ptp: PtpServerHandle | undefined;

const CASES: Case[] = [
  {
    name: "ntp (chronyd)",
    available: chronydAvailable,
    async start() {
      chronyd = await startChronyd();
      return {
        url: `ntp://127.0.0.1:${chronyd.port}`,
        truthNs: 0n,
        slackNs: 1n * MS,
        authenticated: false,
        protocol: "ntp",
        deadUrl: `ntp://127.0.0.1:${await freeUdpPort()}`,
        deadCodes: ["NTP_REFUSED", "NTP_TIMEOUT"],
      };
    },
    async stop() {},
  },
  {
    name: "local (a chronyd client told its server is 50 ms ahead; tracking over UDP)",
    available: chronydAvailable,
    async start() {
      chronyd ??= await startChronyd();
      // chronyd -x never touches the clock: it keeps estimating true time − system time,
      // here +50 ms (the server's time plus the `offset` option), as "System time".
      cmdPort = await freeUdpPort();
      client = await startChronyd([
        `server 127.0.0.1 port ${chronyd.port} iburst minpoll -2 maxpoll -2 offset 0.050`,
        `cmdport ${cmdPort}`,
        "bindcmdaddress 127.0.0.1",
        "cmdallow 127.0.0.1",
      ]);
      const url = `local://127.0.0.1:${cmdPort}`;
      const probe = createTimeSource(url);
      const deadline = Date.now() + 30_000;
      for (;;) {
        const s = await probe.measure().catch(() => null);
        if (s !== null && s.stratum === 2 && abs(s.offsetNs - 50n * MS) < MS) break;
        if (Date.now() > deadline) throw new Error(`client chronyd never synchronized\n${client.log()}`);
        await new Promise((r) => setTimeout(r, 250));
      }
      await probe.close();
      return {
        url,
        truthNs: 50n * MS,
        slackNs: 1n * MS,
        authenticated: false,
        protocol: "local",
        deadUrl: `local://127.0.0.1:${await freeUdpPort()}`,
        deadCodes: ["NETWORK_FAILURE", "CHRONY_CMD_TIMEOUT"],
      };
    },
    async stop() {
      await client?.stop();
      await chronyd?.stop();
    },
  },
  {
    name: "nts (chronyd NTS-KE + NTP)",
    available: chronydAvailable,
    async start() {
      nts = await startChronydNts();
      return {
        url: `nts://127.0.0.1:${nts.kePort}`,
        options: { ca: nts.cert },
        truthNs: 0n,
        slackNs: 1n * MS,
        authenticated: true,
        protocol: "nts",
        deadUrl: `nts://127.0.0.1:${await freeUdpPort()}`,
        deadCodes: ["NTS_KE_FAILED"],
      };
    },
    async stop() {
      await nts?.cleanup();
    },
  },
  {
    name: "roughtime (our server)",
    available: () => true,
    async start() {
      roughtime = await startRoughtimeServer({
        longTermSecretKey: new Uint8Array(randomBytes(32)),
        port: 0,
        radiusS: 1,
      });
      const key = Buffer.from(roughtime.publicKey).toString("base64");
      return {
        url: `roughtime://127.0.0.1:${roughtime.port}?key=${key}`,
        truthNs: 0n,
        slackNs: 0n,
        authenticated: true,
        protocol: "roughtime",
        deadUrl: `roughtime://127.0.0.1:${await freeUdpPort()}?key=${key}`,
        deadCodes: ["NETWORK_FAILURE", "ROUGHTIME_TIMEOUT"],
      };
    },
    async stop() {
      await roughtime?.close();
    },
  },
  {
    name: "http (Date header, +2.345 s)",
    available: () => true,
    async start() {
      const s = await dateServer();
      http = s.server;
      return {
        url: `http://127.0.0.1:${s.port}/`,
        truthNs: HTTP_OFFSET_NS,
        slackNs: 3n * MS,
        authenticated: false,
        protocol: "http",
        deadUrl: `http://127.0.0.1:${await freeUdpPort()}/`,
        deadCodes: ["NETWORK_FAILURE"],
      };
    },
    async stop() {
      await closeServer(http);
    },
  },
  {
    name: "https (Date header over TLS, +2.345 s)",
    available: () => true,
    async start() {
      tlsDir = ntsTempDir();
      const { key, cert } = makeCertificate(tlsDir);
      const s = await dateServer({ key, cert });
      https = s.server;
      return {
        url: `https://127.0.0.1:${s.port}/`,
        options: { ca: cert },
        truthNs: HTTP_OFFSET_NS,
        slackNs: 3n * MS,
        authenticated: true,
        protocol: "https",
        deadUrl: `https://127.0.0.1:${await freeUdpPort()}/`,
        deadCodes: ["NETWORK_FAILURE"],
      };
    },
    async stop() {
      await closeServer(https);
      if (tlsDir) rmSync(tlsDir, { recursive: true, force: true });
    },
  },
  {
    name: "ptp (our master, servePtp on 127.0.0.1)",
    available: () => true,
    async start() {
      const eventPort = await freeUdpPort();
      const generalPort = await freeUdpPort();
      ptp = await servePtp({ address: "127.0.0.1", eventPort, generalPort });
      return {
        url: `ptp://127.0.0.1?event=${eventPort}&general=${generalPort}`,
        options: { timeoutMs: 12_000 },
        truthNs: 0n,
        slackNs: 1n * MS,
        authenticated: false,
        protocol: "ptp",
        deadUrl: "ptp://no-such-interface0",
        deadCodes: ["PTP_INTERFACE_NOT_FOUND"],
      };
    },
    async stop() {
      await ptp?.close();
    },
  },
];

function checkShape(s: TimeSample, peer: Peer, before: bigint, after: bigint): void {
  expect(s.protocol).toBe(peer.protocol);
  expect(s.authenticated).toBe(peer.authenticated);
  for (const k of ["offsetNs", "delayNs", "dispersionNs", "uncertaintyNs", "at"] as const)
    expect(typeof s[k], k).toBe("bigint");
  expect(s.delayNs).toBeGreaterThanOrEqual(0n);
  expect(s.delayNs).toBeLessThan(500n * MS);
  expect(s.uncertaintyNs).toBeGreaterThanOrEqual(0n);
  expect(s.at).toBeGreaterThanOrEqual(before);
  expect(s.at).toBeLessThanOrEqual(after);
  for (const k of ["stratum", "leap", "referenceId", "refId", "rootDelayNs", "rootDispersionNs"] as const)
    expect(k in s, k).toBe(true);
  // The truth lies within the sample's own bound (plus the peer's known slack).
  expect(abs(s.offsetNs - peer.truthNs)).toBeLessThanOrEqual(s.uncertaintyNs + peer.slackNs);
}

describe.each(CASES)("TimeSource contract: $name", (c) => {
  let peer: Peer;
  beforeAll(async () => {
    if (c.available()) peer = await c.start();
  }, 40_000);
  afterAll(() => c.stop(), 20_000);

  it.skipIf(!c.available())(
    "measures a sample with the common fields, twice, then closes",
    async () => {
      const source = createTimeSource(peer.url, peer.options);
      expect(source.protocol).toBe(peer.protocol);
      expect(createTimeSource(source.url, peer.options).url).toBe(source.url);
      const samples: TimeSample[] = [];
      for (let i = 0; i < 2; i++) {
        const before = systemClock.now();
        const s = await source.measure();
        checkShape(s, peer, before, systemClock.now());
        samples.push(s);
      }
      expect(samples[1]!.at).toBeGreaterThan(samples[0]!.at);
      console.log(
        `${c.name}: offset ${samples.map((s) => `${Number(s.offsetNs - peer.truthNs) / 1e6} ms`).join(", ")} from truth; delay ${Number(samples[0]!.delayNs) / 1e6} ms; ±${Number(samples[0]!.uncertaintyNs) / 1e6} ms`,
      );
      if (source instanceof NtsTimeSource) {
        // Keys and cookies are kept: one NTS-KE for both, and the jar refilled.
        expect(source.state()).toMatchObject({ keRuns: 1, naks: 0, cookies: 8 });
      }
      await source.close();
      await source.close();
      await expect(source.measure()).rejects.toBeDefined();
    },
    40_000,
  );

  it.skipIf(!c.available())(
    "rejects with a typed error when nothing answers",
    async () => {
      const source = createTimeSource(peer.deadUrl, { ...peer.options, timeoutMs: 500 });
      const err = await source.measure({ timeoutMs: 500 }).then(
        () => null,
        (e: unknown) => e,
      );
      await source.close();
      expect(isChronoSyncError(err), String(err)).toBe(true);
      expect(peer.deadCodes).toContain((err as { code: string }).code);
    },
    20_000,
  );
});
