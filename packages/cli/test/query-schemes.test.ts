// `chronosync query` for every scheme of issue 6, spawning the built CLI (`npx tsc -b`
// first) against real peers on loopback: our NTS server (NTS-KE + authenticated NTP),
// our Roughtime server, node:http/https servers whose Date runs +2.345 s ahead, chronyd's
// tracking over its UDP command port (`local://`), our PTP master (servePtp on
// 127.0.0.1, unprivileged ports), and automatic detection (`auto://` with ports).

import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { systemClock } from "@chronosync/core";
import {
  asciiReferenceId,
  formatHttpDate,
  NtpResponder,
  type NtsServerHandle,
  type PtpServerHandle,
  type RoughtimeServerHandle,
  servePtp,
  startNtsServer,
  startRoughtimeServer,
} from "@chronosync/protocols";
import { type ChronydHandle, startChronydServer } from "@chronosync/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freeTcpPort, oneErrorLine, runCli, unusedUdpPort } from "./helpers/run-cli.js";

const HTTP_OFFSET_NS = 2_345_000_000;
const ISSUE2_KEYS = [
  "protocol",
  "target",
  "address",
  "offsetNs",
  "delayNs",
  "stratum",
  "refId",
  "leap",
  "precision",
  "rootDelayNs",
  "rootDispersionNs",
  "samples",
  "authenticated",
  "uncertaintyNs",
];

let dir: string;
let cert: string;
let nts: NtsServerHandle;
let roughtime: RoughtimeServerHandle;
let roughtimeKey: string;
let http: Server;
let https: Server;
let httpPort: number;
let httpsPort: number;

function dateHandler(_req: unknown, res: ServerResponse): void {
  res.sendDate = false;
  const ns = systemClock.now() + BigInt(HTTP_OFFSET_NS);
  res.setHeader("Date", formatHttpDate(Number(ns / 1_000_000_000n)));
  res.end();
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return (server.address() as AddressInfo).port;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "chronosync-cli-schemes-"));
  const keyPath = join(dir, "server.key");
  const certPath = join(dir, "server.crt");
  execFileSync(
    "openssl",
    [
      ...["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"],
      ...["-keyout", keyPath, "-out", certPath, "-days", "2", "-subj", "/CN=localhost"],
      ...["-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
    ],
    { stdio: "ignore" },
  );
  cert = readFileSync(certPath, "utf8");
  const key = readFileSync(keyPath, "utf8");
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
  nts = await startNtsServer({ host: "127.0.0.1", ntpPort: 0, kePort: 0, cert, key, ntp });
  roughtime = await startRoughtimeServer({
    longTermSecretKey: new Uint8Array(randomBytes(32)),
    port: 0,
    radiusS: 1,
  });
  roughtimeKey = Buffer.from(roughtime.publicKey).toString("base64");
  http = createServer(dateHandler);
  httpPort = await listen(http);
  https = createHttpsServer({ cert, key }, dateHandler);
  httpsPort = await listen(https);
});

afterAll(async () => {
  await nts?.close();
  await roughtime?.close();
  await new Promise((r) => http?.close(r));
  await new Promise((r) => https?.close(r));
  rmSync(dir, { recursive: true, force: true });
});

async function queryJson(
  args: string[],
): Promise<Record<string, unknown> & { samples: Record<string, unknown>[] }> {
  const run = await runCli(["query", ...args, "--json"], 40_000);
  expect(run.stderr).toBe("");
  expect(run.code).toBe(0);
  expect(run.stdout.trimEnd().split("\n")).toHaveLength(1);
  const doc = JSON.parse(run.stdout);
  expect(Object.keys(doc).slice(0, ISSUE2_KEYS.length)).toEqual(ISSUE2_KEYS);
  return doc;
}

describe("chronosync query: every scheme against a real local peer", () => {
  it("nts:// — authenticated, |offset| ≤ delay / 2, 4 samples with t1..t4 from one NTS-KE", async () => {
    const agreed = nts.ke.stats.agreed;
    const doc = await queryJson([`nts://127.0.0.1:${nts.keAddress.port}`, "--ca", join(dir, "server.crt")]);
    expect(doc).toMatchObject({
      protocol: "nts",
      authenticated: true,
      stratum: 1,
      refId: "GPS",
      address: "127.0.0.1",
    });
    expect(doc.target).toBe(`nts://127.0.0.1:${nts.keAddress.port}`);
    expect(doc.samples).toHaveLength(4);
    expect(Object.keys(doc.samples[0]!)).toEqual(["offsetNs", "delayNs", "t1", "t2", "t3", "t4"]);
    // The served clock is ours, so the true offset is 0 and an NTP offset can be off by at
    // most half its round trip (a loaded machine delays one leg more than the other).
    const offset = Math.abs(doc.offsetNs as number);
    expect(offset).toBeLessThanOrEqual((doc.delayNs as number) / 2 + 20_000);
    expect(offset).toBeLessThan(10_000_000);
    expect(nts.ke.stats.agreed - agreed).toBe(1); // keys and cookies kept across the 4 measurements
  });

  it("nts:// without the CA: exit 7, one line naming the TLS failure", async () => {
    const run = await runCli(["query", `nts://127.0.0.1:${nts.keAddress.port}`]);
    expect(run.code, run.stderr).toBe(7);
    expect(oneErrorLine(run)).toMatch(/NTS-KE failed \(tls\)/);
  });

  it("roughtime:// — authenticated, radiusNs, offset within radius; --key works too", async () => {
    const doc = await queryJson([
      `roughtime://127.0.0.1:${roughtime.port}?key=${roughtimeKey}`,
      "--samples",
      "2",
    ]);
    expect(doc).toMatchObject({
      protocol: "roughtime",
      authenticated: true,
      radiusNs: 1_000_000_000,
      stratum: null,
    });
    expect(doc.samples).toHaveLength(2);
    expect(Object.keys(doc.samples[0]!)).toEqual(["offsetNs", "delayNs", "at"]);
    expect(Math.abs(doc.offsetNs as number)).toBeLessThanOrEqual(1_000_000_000);
    const viaOption = await queryJson([
      `roughtime://127.0.0.1:${roughtime.port}`,
      "--key",
      roughtimeKey,
      "--samples",
      "1",
    ]);
    expect(viaOption.target).toBe(`roughtime://127.0.0.1:${roughtime.port}?key=${roughtimeKey}`);
    // The server ignores a request whose SRV names another key: no reply, exit 4.
    const wrong = await runCli([
      "query",
      `roughtime://127.0.0.1:${roughtime.port}`,
      "--key",
      Buffer.alloc(32, 9).toString("base64"),
      "--timeout",
      "600",
    ]);
    expect(wrong.code).toBe(4);
    expect(oneErrorLine(wrong)).toMatch(/no reply from roughtime:\/\/127\.0\.0\.1:\d+ within 600 ms/);
  });

  it("https:// (JSON) and http:// (table) — the +2.345 s Date offset within its uncertainty; https is authenticated", async () => {
    const secure = await queryJson([`https://127.0.0.1:${httpsPort}/`, "--ca", join(dir, "server.crt")]);
    expect(secure).toMatchObject({ protocol: "https", authenticated: true });
    // Within the measurement's own bound (the Date interval's half-width), plus 1 ms.
    expect(secure.uncertaintyNs as number).toBeLessThan(20_000_000);
    expect(Math.abs((secure.offsetNs as number) - HTTP_OFFSET_NS)).toBeLessThanOrEqual(
      (secure.uncertaintyNs as number) + 1_000_000,
    );
    const table = await runCli(["query", `http://127.0.0.1:${httpPort}/`]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^uncertainty +±\d+\.\d{3} ms$/m);
    expect(table.stdout).toMatch(/^offset +\+234\d\.\d{3} ms \(server ahead;/m);
    expect(table.stdout).toMatch(/^protocol +http$/m);
  });

  it("ptp:// — our master on 127.0.0.1: |offset| ≤ delay / 2, t1..t4", async () => {
    const eventPort = await unusedUdpPort();
    const generalPort = await unusedUdpPort();
    const master: PtpServerHandle = await servePtp({ address: "127.0.0.1", eventPort, generalPort });
    try {
      const doc = await queryJson([
        `ptp://127.0.0.1?event=${eventPort}&general=${generalPort}`,
        "--samples",
        "2",
        "--timeout",
        "15000",
      ]);
      expect(doc).toMatchObject({ protocol: "ptp", authenticated: false, refId: master.clockIdentity });
      expect(doc.samples).toHaveLength(2);
      expect(Object.keys(doc.samples[0]!)).toEqual(["offsetNs", "delayNs", "t1", "t2", "t3", "t4"]);
      // Our own clock served: off by at most half the round trip.
      expect(Math.abs(doc.offsetNs as number)).toBeLessThanOrEqual((doc.delayNs as number) / 2 + 20_000);
      expect(Math.abs(doc.offsetNs as number)).toBeLessThan(10_000_000);
    } finally {
      await master.close();
    }
  }, 40_000);

  it("auto:// — probes in parallel, prints what answered, picks NTS (authenticated first)", async () => {
    const dead = await freeTcpPort();
    const url =
      `auto://127.0.0.1?nts=${nts.keAddress.port}&ntp=${nts.ntpAddress.port}&http=${httpPort}` +
      `&https=${httpsPort}&roughtime=${roughtime.port}`;
    const doc = await queryJson([url, "--ca", join(dir, "server.crt"), "--samples", "1"]);
    expect(doc).toMatchObject({ protocol: "nts", authenticated: true, target: url });
    const detection = doc.detection as {
      picked: string;
      probes: { protocol: string; status: string; usable: boolean }[];
    };
    expect(detection.picked).toBe("nts");
    expect(Object.fromEntries(detection.probes.map((p) => [p.protocol, [p.status, p.usable]]))).toEqual({
      nts: ["answered", true],
      roughtime: ["answered", false], // no key given
      https: ["answered", true],
      ptp: ["skipped", false],
      ntp: ["answered", true],
      http: ["answered", true],
    });
    // Without NTS and HTTPS, NTP wins over HTTP; the table shows the probes.
    const table = await runCli([
      "query",
      `auto://127.0.0.1?nts=${dead}&https=${dead}&ntp=${nts.ntpAddress.port}&http=${httpPort}&roughtime=${roughtime.port}`,
      "--samples",
      "1",
    ]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^detection on 127\.0\.0\.1: picked ntp$/m);
    expect(table.stdout).toMatch(/^\* +ntp +answered +\d+ +ntp:\/\/127\.0\.0\.1:\d+/m);
    expect(table.stdout).toMatch(/^ +nts +failed .*NTS_KE_FAILED/m);
    expect(table.stdout).toMatch(/^protocol +ntp$/m);
  });

  it("auto:// with nothing answering: exit 4, one line listing each probe", async () => {
    const dead = await freeTcpPort();
    const udp = await unusedUdpPort();
    const run = await runCli([
      "query",
      `auto://127.0.0.1?nts=${dead}&https=${dead}&http=${dead}&ntp=${udp}&roughtime=${udp}`,
      "--deadline",
      "800",
    ]);
    expect(run.code).toBe(4);
    expect(oneErrorLine(run)).toMatch(
      /no usable time protocol on 127\.0\.0\.1 \(nts: failed, roughtime: \w+, https: failed, ptp: skipped, ntp: \w+, http: failed\)/,
    );
  });
});

describe("chronosync query local (chronyd's tracking over its UDP command port)", () => {
  let chronyd: ChronydHandle;
  let cmdPort: number;
  beforeAll(async () => {
    cmdPort = await unusedUdpPort();
    chronyd = await startChronydServer({
      extraConfig: [`cmdport ${cmdPort}`, "bindcmdaddress 127.0.0.1", "cmdallow 127.0.0.1"],
    });
  });
  afterAll(async () => {
    await chronyd?.stop();
  });

  it("reports chronyd's estimate: stratum 1, local reference, offset 0", async () => {
    const doc = await queryJson([`local://127.0.0.1:${cmdPort}`, "--samples", "1"]);
    expect(doc).toMatchObject({ protocol: "local", authenticated: false, stratum: 1, delayNs: 0, leap: 0 });
    expect(doc.target).toBe(`local://127.0.0.1:${cmdPort}`);
    expect(Math.abs(doc.offsetNs as number)).toBeLessThan(1_000_000);
  });
});
