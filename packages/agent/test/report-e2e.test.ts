// Agent → server reporting end to end (issue 4 §5) against a real HTTP(S) server that
// implements docs/report-protocol.md (helpers/report-contract-server.ts): the real
// client, buffer files, credentials file and timers. Every report arrives exactly once
// across a server outage, 503s and an agent restart between a stored batch and its answer.

import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CredentialsStore,
  ReportBuffer,
  ReportClient,
  Reporter,
  reportRecord,
  type StatusDocument,
} from "../src/index.js";
import { ReportContractServer } from "./helpers/report-contract-server.js";

let root: string;
let n = 0;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "chronosync-report-e2e-"));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const STATUS: StatusDocument = {
  tracking: {
    offsetNs: -1500,
    frequencyPpm: -12.5,
    boundNs: 40_000,
    status: "synchronized",
    lastUpdate: null,
    systemPeer: null,
    stratum: 3,
  },
  sources: [
    {
      id: "ntp://127.0.0.1:123",
      state: "selected",
      reach: "377",
      protocol: "ntp",
      authenticated: false,
      lastOffsetNs: -2000,
      delayNs: 300_000,
      jitterNs: 4000,
      stratum: 2,
      poll: 6,
      falsetickers: 0,
      score: 0.9,
    },
  ],
};

interface AgentSide {
  reporter: Reporter;
  buffer: ReportBuffer;
  lines: string[];
}

/** The agent's reporting side on `dir`, with real timers but a long interval: tests call tick(). */
async function agent(
  server: ReportContractServer,
  dir: string,
  token: string,
  options: { maxBytes?: number; ca?: string; maxBatch?: number } = {},
): Promise<AgentSide> {
  const lines: string[] = [];
  const log = (level: string, message: string) => lines.push(`${level}: ${message}`);
  const buffer = await ReportBuffer.open({
    dir: join(dir, "report-buffer"),
    log,
    ...(options.maxBytes === undefined ? {} : { maxBytes: options.maxBytes, segmentBytes: 1024 }),
  });
  let at = 1_764_437_400_000_000_000n;
  const reporter = new Reporter({
    buffer,
    client: new ReportClient({
      server: server.url,
      timeoutMs: 2000,
      ...(options.ca === undefined ? {} : { ca: options.ca }),
    }),
    credentials: new CredentialsStore(join(dir, "credentials.json")),
    enrollToken: token,
    hostname: "e2e-host",
    agentVersion: "0.1.0",
    snapshot: () => {
      at += 30_000_000_000n;
      return reportRecord(
        STATUS,
        at,
        { cpuPercent: 0.1, rssBytes: 50_000_000 },
        "0.1.0",
      ) as unknown as Record<string, unknown>;
    },
    intervalMs: 3_600_000,
    ...(options.maxBatch === undefined ? {} : { maxBatch: options.maxBatch }),
    backoff: { initialMs: 20, maxMs: 100 },
    nowMs: () => performance.now(),
    schedule: (fn, ms) => {
      const t = setTimeout(fn, ms);
      return () => clearTimeout(t);
    },
    random: Math.random,
    newId: randomUUID,
    log,
  });
  return { reporter, buffer, lines };
}

async function until(what: string, check: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);

describe("reporting to a real server", () => {
  it("every report arrives exactly once across an outage, 503s and an agent restart mid-batch", async () => {
    const server = new ReportContractServer();
    server.enrollTokens.set("tok-1", "fresh");
    await server.start();
    const dir = join(root, `a${++n}`);
    let a = await agent(server, dir, "tok-1");
    a.reporter.start();
    for (let i = 0; i < 3; i++) await a.reporter.tick();
    const creds = JSON.parse(await readFile(join(dir, "credentials.json"), "utf8")) as { nodeId: string };
    expect((await stat(join(dir, "credentials.json"))).mode & 0o777).toBe(0o600);
    expect(server.seqs(creds.nodeId)).toEqual([1, 2, 3]);

    // Outage: connection refused; reports are buffered on disk.
    await server.stop();
    for (let i = 0; i < 5; i++) await a.reporter.tick();
    expect(a.buffer.stats.pending).toBe(5);
    expect(a.lines.some((l) => /^warn: cannot report to .*NETWORK_FAILURE.*ECONNREFUSED/.test(l))).toBe(true);

    // Back, but busy twice, then it stores the batch and drops the connection before answering.
    server.busy = 2;
    server.dropAfterStore = 1;
    await server.start();
    await until("the batch stored without an answer", () =>
      server.requests.some((r) => r.status === "dropped"),
    );
    const storedKey = server.requests.find((r) => r.status === "dropped")?.key;
    // The agent "crashes" before it learns the answer: a new process on the same directory.
    await a.reporter.stop(0);
    await a.buffer.close();
    a = await agent(server, dir, "tok-1");
    a.reporter.start();
    for (let i = 0; i < 2; i++) await a.reporter.tick();
    await until(
      "all 10 reports",
      () => server.seqs(creds.nodeId).length === 10 && a.buffer.stats.pending === 0,
    );
    await a.reporter.stop();

    expect(server.seqs(creds.nodeId)).toEqual(range(1, 10));
    const statuses = server.requests.map((r) => r.status);
    expect(statuses.filter((s) => s === 503)).toHaveLength(2);
    // The replay after the restart used the same Idempotency-Key and was answered from it.
    expect(server.requests.filter((r) => r.key === storedKey).map((r) => r.status)).toEqual([
      503,
      503,
      "dropped",
      202,
    ]);
    expect(server.duplicates).toBe(0); // answered by key, not stored again
    expect(server.enrollTokens.get("tok-1")).toBe("used");
    expect(a.lines.some((l) => l.startsWith("info: enrolled"))).toBe(false); // credentials reused
    await server.stop();
  });

  it("a full buffer during an outage: the oldest are dropped, and stored + dropped = taken", async () => {
    const server = new ReportContractServer();
    server.enrollTokens.set("tok-2", "fresh");
    await server.start();
    const dir = join(root, `a${++n}`);
    const a = await agent(server, dir, "tok-2", { maxBytes: 8192 });
    await a.reporter.tick();
    await server.stop();
    for (let i = 0; i < 60; i++) await a.reporter.tick();
    expect(a.buffer.stats.dropped).toBeGreaterThan(0);
    await server.start();
    await a.reporter.tick();
    await until("the buffer empty", () => a.buffer.stats.pending === 0).catch((e) => {
      console.log(a.lines, server.requests, a.buffer.stats);
      throw e;
    });
    await a.reporter.stop();
    const nodeId = [...server.stored.keys()][0] ?? "";
    const seqs = server.seqs(nodeId);
    expect(seqs.length + server.droppedTotal).toBe(62);
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(seqs.at(-1)).toBe(62);
    expect(a.lines.filter((l) => l.includes("report buffer full"))).toHaveLength(1);
    await server.stop();
  });

  it("413 splits batches until they fit; a second agent with a used token is refused and keeps running", async () => {
    const server = new ReportContractServer();
    server.enrollTokens.set("tok-3", "fresh");
    server.maxReports = 3;
    await server.start();
    const a = await agent(server, join(root, `a${++n}`), "tok-3");
    await a.reporter.tick();
    await server.stop();
    for (let i = 0; i < 9; i++) await a.reporter.tick();
    await server.start();
    await a.reporter.tick();
    await until("11 reports", () => a.buffer.stats.pending === 0);
    await a.reporter.stop();
    const nodeId = [...server.stored.keys()][0] ?? "";
    expect(server.seqs(nodeId)).toEqual(range(1, 11));
    expect(server.requests.filter((r) => r.status === 413).length).toBeGreaterThan(0);

    const b = await agent(server, join(root, `a${++n}`), "tok-3");
    await b.reporter.tick();
    expect(b.reporter.state).toBe("disabled");
    expect(b.lines.filter((l) => l.startsWith("error:"))).toEqual([
      "error: reporting off: REPORT_ENROLL_REJECTED: enrollment token used or expired: Enrollment token already used; the agent keeps running",
    ]);
    await b.reporter.stop();
    await server.stop();
  });

  it("revoked credentials: a REPORT_AUTH_FAILED warning, reports stay buffered, the agent runs on", async () => {
    const server = new ReportContractServer();
    server.enrollTokens.set("tok-5", "fresh");
    await server.start();
    const a = await agent(server, join(root, `a${++n}`), "tok-5");
    await a.reporter.tick();
    server.clients.clear();
    server.access.clear();
    await a.reporter.tick();
    expect(a.lines.filter((l) => l.startsWith("warn:"))).toEqual([
      "warn: cannot report to " +
        server.url +
        " (REPORT_AUTH_FAILED: token request refused (invalid_client)): 1 report(s) buffered, retrying in 0.1 s",
    ]);
    expect(a.buffer.stats.pending).toBe(1);
    expect(a.reporter.state).toBe("running");
    await a.reporter.stop();
    await server.stop();
  });

  it("HTTPS with a self-signed certificate: trusted with server.ca, refused without", async () => {
    const dir = join(root, `tls${++n}`);
    execFileSync("mkdir", ["-p", dir]);
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-days",
        "1",
        "-subj",
        "/CN=127.0.0.1",
        "-addext",
        "subjectAltName=IP:127.0.0.1",
        "-keyout",
        join(dir, "key.pem"),
        "-out",
        join(dir, "cert.pem"),
      ],
      { stdio: "ignore" },
    );
    const cert = await readFile(join(dir, "cert.pem"), "utf8");
    const server = new ReportContractServer({ key: await readFile(join(dir, "key.pem"), "utf8"), cert });
    server.enrollTokens.set("tok-4", "fresh");
    await server.start();
    const untrusted = await agent(server, join(dir, "no-ca"), "tok-4");
    await untrusted.reporter.tick();
    expect(untrusted.lines.join("\n")).toMatch(/NETWORK_FAILURE: .*(self[- ]signed|SELF_SIGNED)/i);
    await untrusted.reporter.stop();
    const a = await agent(server, join(dir, "ca"), "tok-4", { ca: cert });
    await a.reporter.tick();
    await until("stored over TLS", () => a.buffer.stats.pending === 0);
    await a.reporter.stop();
    expect(server.seqs([...server.stored.keys()][0] ?? "")).toEqual([1]);
    await server.stop();
  });
});
