// Issue 4 §8, with nothing in-process: a real `chronyd -x` on loopback, the built
// `chronosync server` process on an external PostgreSQL database, and the built
// `chronosync agent` process synchronized to chronyd and reporting every second. The admin
// signs in and creates an enrollment token over HTTP; the node shows up synchronized with
// |offset| < 1 ms and its reports stream over SSE. Then the server is stopped for ~3 s and
// started again on the same port and database, the agent is restarted on the same data
// dir (no re-enrollment), and the node's raw history holds seqs 1..N exactly once,
// covering the outage. Finally the node's own client credentials (scope timestamps:write)
// normalize a timestamp from the node's offset history. `npx tsc -b` first.
import { randomBytes } from "node:crypto";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ChronydHandle, startChronydServer } from "@chronosync/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createExternalDatabase, type TestDatabase } from "./helpers/databases.js";
import {
  type CliProcess,
  freeTcpPort,
  openSse,
  type SseStream,
  spawnCli,
  startServerProcess,
  until,
} from "./helpers/real-processes.js";

interface NodeRow {
  id: string;
  hostname: string;
  state: string;
  syncStatus: string | null;
  offsetNs: number | null;
  lastSeq: number | null;
  droppedReports: number;
}
interface Point {
  at: string;
  seq?: number;
  status?: string;
  offsetNs: number;
}

const PASSWORD = `e2e-${randomBytes(12).toString("hex")}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let chronyd: ChronydHandle;
let db: TestDatabase;
let agentDir: string;
const processes: CliProcess[] = [];
const streams: SseStream[] = [];

beforeAll(async () => {
  [chronyd, db, agentDir] = await Promise.all([
    startChronydServer(),
    createExternalDatabase(),
    mkdtemp(join(tmpdir(), "chronosync-real-agent-")),
  ]);
});
afterAll(async () => {
  for (const s of streams) s.close();
  for (const p of processes) await p.stop("SIGKILL"); // no-op for those already stopped
  await chronyd?.stop();
  await db?.dispose(); // drops the database, removes the server's data dir
  if (agentDir !== undefined) await rm(agentDir, { recursive: true, force: true });
});

/** Seqs of the reports still in the agent's buffer segments (docs/report-protocol.md §4). */
async function bufferedSeqs(dir: string): Promise<number[]> {
  const seqs: number[] = [];
  for (const name of await readdir(dir)) {
    if (!/^seg-\d+\.jsonl$/.test(name)) continue;
    for (const line of (await readFile(join(dir, name), "utf8")).split("\n"))
      if (line.trim() !== "") seqs.push((JSON.parse(line) as { seq: number }).seq);
  }
  return seqs.sort((a, b) => a - b);
}

describe("real chronyd → real agent process → real server process", () => {
  it("reports synchronized, streams events, and loses or duplicates nothing across restarts", async () => {
    const serverArgs = (port: number) => [
      "--port",
      String(port),
      "--data-dir",
      db.dataDir,
      "--database-url",
      db.url,
    ];
    const serverEnv = { CHRONOSYNC_ADMIN_PASSWORD: PASSWORD };
    let server = await startServerProcess(serverArgs(0), serverEnv);
    processes.push(server.proc);
    const base = server.url;
    const port = Number(new URL(base).port);

    const api = async (path: string, token: string, init: RequestInit = {}) => {
      const res = await fetch(`${base}${path}`, {
        ...init,
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json", ...init.headers },
      });
      const body = (await res.json()) as Record<string, unknown>;
      if (!res.ok)
        throw new Error(`${init.method ?? "GET"} ${path}: HTTP ${res.status} ${JSON.stringify(body)}`);
      return body;
    };
    const login = await fetch(`${base}/api/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: "admin", password: PASSWORD }),
    });
    expect(login.status).toBe(200);
    const admin = ((await login.json()) as { accessToken: string }).accessToken;
    const enrollment = await api("/api/enrollment-tokens", admin, {
      method: "POST",
      body: JSON.stringify({ expiresInS: 600, label: "real-processes e2e" }),
    });
    expect(enrollment.token).toMatch(/^cset_/);
    const sse = await openSse(`${base}/api/events?types=report`, admin);
    streams.push(sse);

    const source = `ntp://127.0.0.1:${chronyd.port}?minpoll=-2&maxpoll=-2`;
    const startAgent = async (env: Record<string, string>) => {
      const agent = spawnCli(
        [
          "agent",
          "--source",
          source,
          "--server-url",
          base,
          "--report-interval-s",
          "1", // the schema's minimum
          "--data-dir",
          agentDir,
          "--state-file",
          "",
          "--api-listen",
          `127.0.0.1:${await freeTcpPort()}`,
          "--chronyd",
          "off",
          "--log-level",
          "debug",
        ],
        env,
      );
      processes.push(agent);
      return agent;
    };
    const nodes = async () => (await api("/api/nodes", admin)).nodes as NodeRow[];
    const node = async () => (await nodes())[0];

    // 1–2. Enrolls, reports synchronized with |offset| < 1 ms, keeps reporting, streams SSE.
    let agent = await startAgent({ CHRONOSYNC_ENROLL_TOKEN: enrollment.token as string });
    await until(
      "a synchronized node with 3 reports",
      async () => {
        const n = await node();
        return n?.syncStatus === "synchronized" && (n.lastSeq ?? 0) >= 3;
      },
      25_000,
      agent.stderr,
    );
    const first = (await node()) as NodeRow;
    expect(first).toMatchObject({ state: "ok", syncStatus: "synchronized", droppedReports: 0 });
    expect(Math.abs(first.offsetNs ?? Number.NaN)).toBeLessThan(1_000_000);
    const credentials = JSON.parse(await readFile(join(agentDir, "credentials.json"), "utf8"));
    expect(credentials.nodeId).toBe(first.id);
    await until(
      "two more reports",
      async () => ((await node())?.lastSeq ?? 0) >= (first.lastSeq ?? 0) + 2,
      10_000,
    );
    const event = await sse.waitFor((f) => f.event === "report" && f.data.nodeId === first.id);
    expect(event.data).toMatchObject({ hostname: first.hostname, status: expect.any(String) });
    expect(event.data.accepted).toBeGreaterThanOrEqual(1);
    sse.close();

    // 3. Server down ~3 s (the agent buffers on disk), back on the same port and database.
    const downAt = Date.now();
    expect(await server.proc.stop("SIGTERM")).toBe(0);
    await sleep(3000);
    expect(agent.stderr()).toMatch(/warn: cannot report to .*report\(s\) buffered/);
    server = await startServerProcess(serverArgs(port), serverEnv);
    processes.push(server.proc);
    const upAt = Date.now();
    expect(server.url).toBe(base);
    // The admin's token survives the restart (same master key); so does LISTEN for SSE.
    const sse2 = await openSse(`${base}/api/events?types=report`, admin);
    streams.push(sse2);
    expect(await agent.stop("SIGTERM")).toBe(0);
    const firstAgent = agent;
    const agent2At = Date.now();
    agent = await startAgent({}); // no token: the saved credentials must do
    await sse2.waitFor(
      (f) => f.data.nodeId === first.id && Date.parse(f.data.at as string) > agent2At,
      25_000,
    );
    await until(
      "3 synchronized reports from the restarted agent",
      async () => {
        const since = new Date(agent2At).toISOString();
        const recent = await api(`/api/nodes/${first.id}/history?resolution=raw&from=${since}`, admin);
        return (recent.points as Point[]).filter((p) => p.status === "synchronized").length >= 3;
      },
      25_000,
      agent.stderr,
    );

    // 4. The node's own machine client normalizes a timestamp from its offset history.
    const basic = Buffer.from(
      `${encodeURIComponent(credentials.clientId)}:${encodeURIComponent(credentials.clientSecret)}`,
    ).toString("base64");
    const tokenRes = await fetch(`${base}/oauth/token`, {
      method: "POST",
      headers: { authorization: `Basic ${basic}`, "content-type": "application/x-www-form-urlencoded" },
      body: "grant_type=client_credentials&scope=timestamps%3Awrite",
    });
    expect(tokenRes.status).toBe(200);
    const machine = (await tokenRes.json()) as { access_token: string; scope: string };
    expect(machine.scope).toBe("timestamps:write");
    const normalized = await api("/api/timestamps/normalize", machine.access_token, {
      method: "POST",
      body: JSON.stringify({
        sourceId: first.id,
        timestamps: [{ value: Date.now() - 2000, precision: 0.001 }],
      }),
    });
    const record = (normalized.records as Record<string, unknown>[])[0];
    expect(record).toMatchObject({ sourceId: first.id, method: "agent-history", flags: [] });
    expect(Math.abs(Number(record?.offsetNs))).toBeLessThan(1_000_000);

    expect(await agent.stop("SIGTERM")).toBe(0);
    const stoppedAt = Date.now();
    expect(agent.stderr()).not.toMatch(/enrolled with/); // the restart did not re-enroll
    expect(agent.stderr()).not.toMatch(/^error/m);
    // Whatever the first agent had not delivered by its SIGTERM, the second one found on disk.
    const pendingAtRestart = Number(/every 1 s \(buffer .*, (\d+) pending\)/.exec(agent.stderr())?.[1]);
    expect(pendingAtRestart).toBeGreaterThanOrEqual(0);

    // Raw history over the whole run: seqs 1..N, each once, and the outage is covered.
    const from = new Date(downAt - 120_000).toISOString();
    const to = new Date(stoppedAt + 5_000).toISOString();
    const history = await api(`/api/nodes/${first.id}/history?resolution=raw&from=${from}&to=${to}`, admin);
    expect(history.truncated).toBe(false);
    const points = history.points as Point[];
    const seqs = points.map((p) => p.seq as number).sort((a, b) => a - b);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    const n = seqs.length;
    const last = (await node()) as NodeRow;
    expect(last).toMatchObject({ lastSeq: n, droppedReports: 0 });
    expect((await nodes()).length).toBe(1);
    const inOutage = points.filter((p) => Date.parse(p.at) > downAt && Date.parse(p.at) < upAt);
    expect(inOutage.length).toBeGreaterThanOrEqual(Math.floor((upAt - downAt) / 1000) - 1);
    // Usually the first agent is still backing off when stopped: the outage's reports then
    // crossed its restart on disk.
    if (!/reachable again/.test(firstAgent.stderr()))
      expect(pendingAtRestart).toBeGreaterThanOrEqual(inOutage.length);

    // The agent's own bookkeeping agrees: everything it acknowledged is stored, nothing was
    // dropped, and whatever it still buffers continues right after N.
    const bufferDir = join(agentDir, "report-buffer");
    const cursor = JSON.parse(await readFile(join(bufferDir, "cursor.json"), "utf8"));
    expect(cursor).toMatchObject({ version: 1, dropped: 0, droppedThroughSeq: 0 });
    // N is the last acknowledged seq, or the end of a batch stored just as the agent stopped.
    expect([cursor.ackedSeq, cursor.batch?.toSeq]).toContain(n);
    const unsent = (await bufferedSeqs(bufferDir)).filter((s) => s > n);
    expect(unsent).toEqual(unsent.map((_, i) => n + 1 + i));

    expect(await server.proc.stop("SIGTERM")).toBe(0);
    console.info(
      `real processes: N=${n} reports, ${inOutage.length} made during a ${upAt - downAt} ms outage, ` +
        `first |offset| ${Math.abs(first.offsetNs ?? 0)} ns, normalize offset ${record?.offsetNs} ns, ` +
        `${unsent.length} left unsent at stop; ${pendingAtRestart} pending at the agent's restart, ` +
        `first agent ${/reachable again/.test(firstAgent.stderr()) ? "did" : "did not"} reach the restarted server`,
    );
  }, 90_000);
});
