/**
 * Malfeasance reports POSTed to a collector (draft-ietf-ntp-roughtime-19 §8.4.1): a chain
 * over our Roughtime servers on loopback, one of them 10 s behind, with
 * `malfeasanceReportUrl` pointing at a node:http collector. The collector gets one POST of
 * `application/roughtime-malfeasance+json` whose body is the chain's report and verifies
 * offline; an honest chain posts nothing; a collector that is down is recorded in the
 * result, and the chain still returns its report.
 */
import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { type Clock, systemClock } from "@chronosync/core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  checkRoughtimeMalfeasanceReport,
  postRoughtimeMalfeasanceReport,
  queryRoughtimeChain,
  ROUGHTIME_MALFEASANCE_MEDIA_TYPE,
  type RoughtimeServerHandle,
  startRoughtimeServer,
} from "../src/index.js";

const servers: RoughtimeServerHandle[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const shifted = (offsetNs: bigint): Clock => ({
  now: () => systemClock.now() + offsetNs,
  precisionLog2: systemClock.precisionLog2,
});

async function server(clock?: Clock) {
  const s = await startRoughtimeServer({
    longTermSecretKey: new Uint8Array(randomBytes(32)),
    port: 0,
    radiusS: 1,
    ...(clock === undefined ? {} : { clock }),
  });
  servers.push(s);
  return { host: "127.0.0.1", port: s.port, publicKey: s.publicKey };
}

let collector: Server;
let collectorUrl: string;
const received: { method: string; type: string | undefined; path: string; body: string }[] = [];

beforeAll(async () => {
  collector = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push({
        method: req.method ?? "",
        type: req.headers["content-type"],
        path: req.url ?? "",
        body: Buffer.concat(chunks).toString("utf8"),
      });
      res.writeHead(202).end();
    });
  });
  await new Promise<void>((r) => collector.listen(0, "127.0.0.1", r));
  collectorUrl = `http://127.0.0.1:${(collector.address() as AddressInfo).port}/roughtime/malfeasance`;
});
afterAll(async () => {
  await new Promise<void>((r) => collector.close(() => r()));
});

describe("malfeasance reports to a collector", () => {
  it("a chain with a server 10 s behind POSTs its report once; the collector can check it", async () => {
    received.length = 0;
    const specs = [await server(), await server(shifted(-10_000_000_000n)), await server()];
    const result = await queryRoughtimeChain(specs, { malfeasanceReportUrl: collectorUrl });
    expect(result.malfeasanceReport).not.toBeNull();
    expect(result.malfeasanceReportPost).toEqual({ url: collectorUrl, status: 202, accepted: true });
    expect(received).toHaveLength(1);
    const post = received[0]!;
    expect(post).toMatchObject({
      method: "POST",
      type: ROUGHTIME_MALFEASANCE_MEDIA_TYPE,
      path: "/roughtime/malfeasance",
    });
    const body = JSON.parse(post.body) as unknown;
    expect(body).toEqual(result.malfeasanceReport);
    expect(checkRoughtimeMalfeasanceReport(body).inconsistencies.length).toBeGreaterThan(0);
  });

  it("an honest chain posts nothing", async () => {
    received.length = 0;
    const result = await queryRoughtimeChain([await server(), await server()], {
      malfeasanceReportUrl: collectorUrl,
    });
    expect(result.malfeasanceReport).toBeNull();
    expect(result.malfeasanceReportPost).toBeNull();
    expect(received).toEqual([]);
  });

  it("a collector that is down: the failure is in the result, the report is still returned", async () => {
    const dead = createServer();
    await new Promise<void>((r) => dead.listen(0, "127.0.0.1", r));
    const deadUrl = `http://127.0.0.1:${(dead.address() as AddressInfo).port}/`;
    await new Promise<void>((r) => dead.close(() => r()));
    const result = await queryRoughtimeChain([await server(), await server(shifted(10_000_000_000n))], {
      rounds: 1,
      malfeasanceReportUrl: deadUrl,
    });
    expect(result.malfeasanceReport).not.toBeNull();
    expect(result.malfeasanceReportPost).toMatchObject({ url: deadUrl, error: { code: "NETWORK_FAILURE" } });
  });

  it("refuses URLs that are not http(s)", () => {
    expect(() => postRoughtimeMalfeasanceReport("ftp://x/", { responses: [] })).toThrow(/http\(s\)/);
    expect(() => postRoughtimeMalfeasanceReport("not a url", { responses: [] })).toThrow(/bad malfeasance/);
  });
});
