// The reporter's seq check (docs/report-protocol.md §3, "Seqs after a lost buffer") with a
// scripted client and a real buffer: once per run, before the first batch, it asks the
// server's last seq; a fresh buffer's reports move above it; a 401 gets a new token first;
// a server without the route (404) changes nothing; a failure retries with backoff.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { NetworkFailureError } from "@chronosync/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type AccessToken,
  type Credentials,
  CredentialsStore,
  type LastSeqResult,
  type ReportBatch,
  ReportBuffer,
  Reporter,
} from "../src/index.js";

let root: string;
let n = 0;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "chronosync-reporter-seq-"));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const SERVER = "http://server.test/";
const CREDS: Credentials = {
  server: SERVER,
  nodeId: "node-1",
  clientId: "c1",
  clientSecret: "s1",
  scopes: ["reports:write"],
};

class Client {
  readonly server = SERVER;
  tokens = 0;
  asked: string[] = [];
  posted: number[][] = [];
  answers: (LastSeqResult | Error)[] = [];
  async enroll(): Promise<Credentials> {
    return CREDS;
  }
  async token(_c: Credentials, nowMs: number): Promise<AccessToken> {
    this.tokens++;
    return { value: `tok-${this.tokens}`, refreshAtMs: nowMs + 270_000, scope: "reports:write" };
  }
  async lastSeq(token: AccessToken, nodeId: string): Promise<LastSeqResult> {
    this.asked.push(`${token.value} ${nodeId}`);
    const next = this.answers.shift() ?? { kind: "ok", lastSeq: 0 };
    if (next instanceof Error) throw next;
    return next;
  }
  async postBatch(_t: AccessToken, _node: string, batch: ReportBatch) {
    this.posted.push(batch.lines.map((l) => (JSON.parse(l) as { seq: number }).seq));
    return { kind: "accepted" as const, accepted: batch.lines.length, duplicates: 0 };
  }
}

async function setup(client: Client) {
  const dir = join(root, `r${++n}`);
  const lines: string[] = [];
  const log = (level: string, message: string) => lines.push(`${level}: ${message}`);
  const buffer = await ReportBuffer.open({ dir: join(dir, "report-buffer"), log });
  const timers: { ms: number; fn: () => void }[] = [];
  let now = 0;
  let ids = 0;
  const reporter = new Reporter({
    buffer,
    client,
    credentials: new CredentialsStore(join(dir, "credentials.json")),
    enrollToken: "enroll-me",
    hostname: "h",
    agentVersion: "0.1.0",
    snapshot: () => ({ at: "t" }),
    intervalMs: 30_000,
    backoff: { initialMs: 1000, maxMs: 1000 },
    nowMs: () => now,
    schedule: (fn, ms) => {
      timers.push({ ms, fn });
      return () => {};
    },
    random: () => 0.5,
    newId: () => `id-${++ids}`,
    log,
  });
  const advance = (ms: number) => {
    now += ms;
  };
  return { buffer, reporter, lines, advance };
}

describe("reporter: the seq check before the first batch", () => {
  it("a fresh buffer continues above the server's last seq; asked once per run", async () => {
    const client = new Client();
    client.answers = [{ kind: "ok", lastSeq: 41 }];
    const { buffer, reporter, lines } = await setup(client);
    await buffer.append({ at: "early" }); // taken before the server was reached
    await reporter.tick();
    await reporter.tick();
    expect(client.asked).toEqual(["tok-1 node-1"]);
    expect(client.posted).toEqual([[42, 43], [44]]);
    expect(lines.join("\n")).toMatch(/holds seqs up to 41 for node node-1: buffered reports moved up by 41/);
  });

  it("a 401 on the check: a new token, then the check again", async () => {
    const client = new Client();
    client.answers = [{ kind: "unauthorized" }, { kind: "ok", lastSeq: 7 }];
    const { reporter } = await setup(client);
    await reporter.tick();
    expect(client.asked).toEqual(["tok-1 node-1", "tok-2 node-1"]);
    expect(client.posted).toEqual([[8]]);
  });

  it("a server without the route: seqs unchanged; a failed check retries later, sending nothing before", async () => {
    const old = new Client();
    old.answers = [{ kind: "unsupported" }];
    const a = await setup(old);
    await a.reporter.tick();
    expect(old.posted).toEqual([[1]]);

    const flaky = new Client();
    flaky.answers = [new NetworkFailureError("connection refused"), { kind: "ok", lastSeq: 100 }];
    const b = await setup(flaky);
    await b.reporter.tick();
    expect(flaky.posted).toEqual([]);
    expect(b.lines.some((l) => l.startsWith("warn: cannot report") && l.includes("connection refused"))).toBe(
      true,
    );
    b.advance(1000);
    await b.reporter.flush();
    expect(flaky.posted).toEqual([[101]]);
  });
});
