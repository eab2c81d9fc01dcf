// The reporter loop (issue 4 §5) on a fake clock and timers, with a scripted client and a
// real buffer in a temp dir: enrollment once, token refresh, backoff with jitter,
// Retry-After, 413 splits, parking, disabled reporting. Plus the report document.

import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { NetworkFailureError } from "@chronosync/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type AccessToken,
  type Credentials,
  CredentialsStore,
  type PostBatchResult,
  type ReportBatch,
  ReportBuffer,
  ReportEnrollRejectedError,
  Reporter,
  reportBackoffMs,
  reportRecord,
  resourceSampler,
  retryAfterMs,
  type StatusDocument,
} from "../src/index.js";

let root: string;
let n = 0;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "chronosync-reporter-"));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

class FakeTime {
  now = 0;
  timers: { at: number; ms: number; fn: () => void; live: boolean }[] = [];
  schedule = (fn: () => void, ms: number) => {
    const t = { at: this.now + ms, ms, fn, live: true };
    this.timers.push(t);
    return () => {
      t.live = false;
    };
  };
  /** Live timers' delays, in order of creation. */
  pending(): number[] {
    return this.timers.filter((t) => t.live).map((t) => t.ms);
  }
  /** Moves to the earliest live timer with delay `ms` and fires it. */
  fire(ms: number): void {
    const t = this.timers.find((x) => x.live && x.ms === ms);
    if (t === undefined) throw new Error(`no timer of ${ms} ms; pending ${this.pending().join(", ")}`);
    t.live = false;
    this.now = Math.max(this.now, t.at);
    t.fn();
  }
}

const SERVER = "http://server.test/";
const CREDS: Credentials = {
  server: SERVER,
  nodeId: "node-1",
  clientId: "c1",
  clientSecret: "s1",
  scopes: ["reports:write"],
};

class ScriptedClient {
  readonly server = SERVER;
  enrolls = 0;
  tokens = 0;
  posts: { token: string; batch: ReportBatch }[] = [];
  /** Answers to the next posts; empty: accepted. */
  script: (PostBatchResult | Error)[] = [];
  enrollAnswer: Credentials | Error = CREDS;
  async enroll(): Promise<Credentials> {
    this.enrolls++;
    if (this.enrollAnswer instanceof Error) throw this.enrollAnswer;
    return this.enrollAnswer;
  }
  async token(_c: Credentials, nowMs: number): Promise<AccessToken> {
    this.tokens++;
    return { value: `tok-${this.tokens}`, refreshAtMs: nowMs + 270_000, scope: "reports:write" };
  }
  async postBatch(token: AccessToken, _node: string, batch: ReportBatch): Promise<PostBatchResult> {
    this.posts.push({ token: token.value, batch });
    const next = this.script.shift();
    if (next instanceof Error) throw next;
    return next ?? { kind: "accepted", accepted: batch.lines.length, duplicates: 0 };
  }
}

async function setup(options: { enrollToken?: string; maxBatch?: number; dir?: string } = {}) {
  const dir = options.dir ?? join(root, `r${++n}`);
  const lines: string[] = [];
  const log = (level: string, message: string) => lines.push(`${level}: ${message}`);
  const buffer = await ReportBuffer.open({ dir: join(dir, "report-buffer"), log });
  const time = new FakeTime();
  const client = new ScriptedClient();
  let ids = 0;
  let snaps = 0;
  const reporter = new Reporter({
    buffer,
    client,
    credentials: new CredentialsStore(join(dir, "credentials.json")),
    enrollToken: options.enrollToken ?? "enroll-me",
    hostname: "host-a",
    agentVersion: "0.1.0",
    snapshot: () => ({ at: `t${++snaps}` }),
    intervalMs: 30_000,
    ...(options.maxBatch === undefined ? {} : { maxBatch: options.maxBatch }),
    nowMs: () => time.now,
    schedule: time.schedule,
    random: () => 0.5, // jitter factor 1.0
    newId: () => `id-${++ids}`,
    log,
  });
  return { dir, buffer, time, client, reporter, lines };
}

const sent = (c: ScriptedClient) =>
  c.posts.map((p) => p.batch.lines.map((l) => (JSON.parse(l) as { seq: number }).seq));

describe("Reporter", () => {
  it("enrolls once (credentials 0600), reuses the token until it is due, renews it on 401", async () => {
    const { dir, client, reporter, time, lines } = await setup();
    reporter.start();
    expect(time.pending()).toEqual([30_000]);
    await reporter.tick();
    expect(client.enrolls).toBe(1);
    expect(lines).toContain("info: enrolled with http://server.test/ as node node-1");
    expect((await stat(join(dir, "credentials.json"))).mode & 0o777).toBe(0o600);
    time.now = 200_000;
    await reporter.tick();
    expect(client.tokens).toBe(1);
    time.now = 280_000; // past 90 % of the token's life
    await reporter.tick();
    expect(client.tokens).toBe(2);
    client.script = [{ kind: "unauthorized" }];
    await reporter.tick();
    expect(client.tokens).toBe(3);
    expect(client.posts.at(-1)?.batch.id).toBe(client.posts.at(-2)?.batch.id); // same batch again
    expect(sent(client)).toEqual([[1], [2], [3], [4], [4]]);
    // A restart reads the saved credentials: no second enrollment.
    const again = await setup({ dir });
    await again.reporter.tick();
    expect(again.client.enrolls).toBe(0);
    expect(again.client.posts).toHaveLength(1);
  });

  it("backs off exponentially while the server is down, resends the same batch, honours Retry-After", async () => {
    const { client, reporter, time, lines } = await setup();
    const down = new NetworkFailureError("POST http://server.test/api/agents/reports: ECONNREFUSED");
    client.script = [down, down, down];
    await reporter.tick();
    expect(time.pending()).toContain(1000);
    await reporter.tick(); // inside the backoff: buffered, not sent
    expect(client.posts).toHaveLength(1);
    time.fire(1000);
    await reporter.flush();
    time.fire(2000);
    await reporter.flush();
    client.script = [{ kind: "retry", status: 503, delayMs: 7000 }];
    time.fire(4000);
    await reporter.flush();
    time.fire(7000);
    await reporter.flush();
    // The batch chosen before the outage is resent with its id until accepted; then the next.
    expect(client.posts.slice(0, 5).map((p) => p.batch.id)).toEqual(Array(5).fill("id-1"));
    expect(sent(client)).toEqual([[1], [1], [1], [1], [1], [2]]);
    expect(time.pending()).toEqual([]);
    expect(lines.filter((l) => l.startsWith("warn:"))).toEqual([
      "warn: cannot report to http://server.test/ (NETWORK_FAILURE: POST http://server.test/api/agents/reports: ECONNREFUSED): 1 report(s) buffered, retrying in 1.0 s",
    ]);
    expect(lines).toContain("info: server http://server.test/ reachable again: sending the buffer");
    expect(reportBackoffMs(1, 0.5)).toBe(1000);
    expect(reportBackoffMs(3, 0)).toBe(2000);
    expect(reportBackoffMs(3, 0.999)).toBe(5996);
    expect(reportBackoffMs(20, 0.999)).toBe(300_000);
  });

  it("413 splits the batch until it fits; a lone report too large and other 4xx are parked", async () => {
    const { client, reporter, buffer, lines } = await setup({ maxBatch: 500 });
    for (let i = 0; i < 5; i++) await buffer.append({ i });
    client.script = [{ kind: "tooLarge" }, { kind: "tooLarge" }];
    await reporter.tick();
    expect(sent(client)).toEqual([
      [1, 2, 3, 4, 5, 6],
      [1, 2, 3],
      [1, 2],
      [3, 4, 5, 6],
    ]);
    await buffer.append({ i: 7 });
    client.script = [{ kind: "rejected", status: 422, detail: "bad report" }];
    await reporter.flush();
    expect(
      lines.some((l) =>
        /^warn: report batch id-\d+ \(seq 7\.\.7\) refused by the server \(HTTP 422: bad report\)/.test(l),
      ),
    ).toBe(true);
    await buffer.append({ i: 8 });
    client.script = [{ kind: "tooLarge" }];
    await reporter.flush();
    expect(lines.at(-1)).toMatch(/refused by the server \(HTTP 413 for a single report\)/);
    expect(buffer.stats.pending).toBe(0);
  });

  it("a refused enrollment token: one error line, no more reporting, the agent goes on", async () => {
    const { client, reporter, time, lines } = await setup();
    client.enrollAnswer = new ReportEnrollRejectedError(410, "enrollment token used or expired: Gone");
    reporter.start();
    await reporter.flush();
    expect(reporter.state).toBe("disabled");
    expect(lines).toEqual([
      "error: reporting off: REPORT_ENROLL_REJECTED: enrollment token used or expired: Gone; the agent keeps running",
    ]);
    expect(time.pending()).toEqual([]);
    await reporter.stop();
  });

  it("no credentials and no token: reporting off with a hint", async () => {
    const { reporter, lines } = await setup({ enrollToken: "" });
    await reporter.tick();
    expect(reporter.state).toBe("disabled");
    expect(lines[0]).toContain("no enrollment token (server.enrollToken, $CHRONOSYNC_ENROLL_TOKEN)");
  });
});

describe("Retry-After", () => {
  it("reads delta-seconds and HTTP-dates (RFC 9110 §10.2.3)", () => {
    const now = Date.parse("2026-11-29T17:00:00Z");
    expect(retryAfterMs("7", now)).toBe(7000);
    expect(retryAfterMs(["0"], now)).toBe(0);
    expect(retryAfterMs("Sun, 29 Nov 2026 17:00:30 GMT", now)).toBe(30_000);
    expect(retryAfterMs("Sun, 29 Nov 2026 16:00:00 GMT", now)).toBe(0);
    expect(retryAfterMs("soon", now)).toBeUndefined();
    expect(retryAfterMs(undefined, now)).toBeUndefined();
  });
});

const withoutProtocol = ({ protocol: _p, authenticated: _a, ...rest }: StatusDocument["sources"][number]) =>
  rest;

describe("report document", () => {
  const status: StatusDocument = {
    tracking: {
      offsetNs: -1500,
      frequencyPpm: -12.5,
      boundNs: 40_000,
      status: "synchronized",
      lastUpdate: null,
      systemPeer: "a",
      stratum: 3,
    },
    sources: [
      {
        id: "ntp://192.0.2.4:123",
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

  it("carries exactly the contract's fields, from the status document", () => {
    const r = reportRecord(
      status,
      1_764_437_400_123_456_789n,
      { cpuPercent: 0.5, rssBytes: 1 },
      "0.1.0",
      () => "ntp://pool.ntp.org?pool=1",
    );
    expect(r).toEqual({
      at: "2025-11-29T17:30:00.123456789Z",
      tracking: { offsetNs: -1500, frequencyPpm: -12.5, boundNs: 40_000, status: "synchronized" },
      // The report contract's fields only: the status document's protocol (issue 6) but
      // not its `authenticated`, `lastError` or `fallback`.
      sources: [
        { ...withoutProtocol(status.sources[0]!), url: "ntp://pool.ntp.org?pool=1", protocol: "ntp" },
      ],
      resources: { cpuPercent: 0.5, rssBytes: 1 },
      agentVersion: "0.1.0",
    });
  });

  it("CPU percent is CPU time over wall time since the previous sample", () => {
    let cpu = 0;
    let now = 0;
    const sample = resourceSampler({ cpuMicros: () => cpu, nowMs: () => now, rssBytes: () => 4096 });
    cpu = 300_000; // 0.3 s of CPU
    now = 30_000; // in 30 s
    expect(sample()).toEqual({ cpuPercent: 1, rssBytes: 4096 });
    expect(sample()).toEqual({ cpuPercent: 0, rssBytes: 4096 });
  });
});
