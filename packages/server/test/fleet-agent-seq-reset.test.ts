// An agent that loses its report buffer but keeps its credentials (docs/report-protocol.md
// §3, "Seqs after a lost buffer"), against this server over HTTP with the agent's real
// reporter: before the fix its seqs restarted at 1 and the server silently counted its new
// reports as duplicates. Now the reporter asks GET /api/agents/reports/last-seq before its
// first batch and its fresh buffer continues above it: every new report is stored, the seqs
// stay contiguous, and true duplicates are still refused. Real PostgreSQL.
import { randomUUID } from "node:crypto";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Reporter, startReporter } from "@chronosync/agent";
import { formatRfc3339 } from "@chronosync/core";
import { buildApp } from "@chronosync/server";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createExternalDatabase, type TestDatabase } from "./helpers/databases.js";
import { accessToken, type EnrolledNode, postBatch, report, S, T0 } from "./helpers/fleet.js";
import { bearerFor, TEST_MASTER_KEY } from "./helpers/tokens.js";

let db: TestDatabase;
let app: FastifyInstance;
let agentDir: string;
let port: number;

beforeAll(async () => {
  db = await createExternalDatabase();
  agentDir = await mkdtemp(join(tmpdir(), "chronosync-agent-seq-"));
  app = await buildApp({
    dataDir: db.dataDir,
    databaseUrl: db.url,
    masterKey: TEST_MASTER_KEY,
    fleet: { silenceCheckMs: 0 },
  });
  await app.listen({ host: "127.0.0.1", port: 0 });
  port = (app.server.address() as { port: number }).port;
});
afterAll(async () => {
  await app?.close();
  await db?.dispose();
  await rm(agentDir, { recursive: true, force: true });
});

async function until(what: string, pred: () => Promise<boolean>, ms = 15_000) {
  const end = Date.now() + ms;
  while (!(await pred())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const storedSeqs = async (): Promise<number[]> =>
  (await app.database.pool.query("SELECT seq::int FROM node_reports ORDER BY seq")).rows.map(
    (r) => r.seq as number,
  );

function reporter(enrollToken: string, lines: string[]): Promise<Reporter> {
  let taken = 0;
  return startReporter({
    server: {
      url: `http://127.0.0.1:${port}`,
      enrollToken,
      reportIntervalS: 0.1,
      bufferMaxBytes: 4 * 1024 * 1024,
      dataDir: agentDir,
    },
    stateFile: "",
    hostname: "seq-agent",
    backoff: { initialMs: 50, maxMs: 200 },
    log: (level, message) => lines.push(`${level}: ${message}`),
    snapshot: () => {
      taken += 1;
      return {
        at: formatRfc3339(BigInt(Date.now()) * 1_000_000n, 9),
        tracking: { offsetNs: -1000 - taken, frequencyPpm: 1.5, boundNs: 20_000, status: "synchronized" },
        sources: [
          {
            id: "system",
            url: "system",
            protocol: "system",
            state: "unusable",
            reach: "377",
            lastOffsetNs: 0,
            delayNs: 0,
            jitterNs: 0,
            stratum: 16,
            poll: 4,
            falsetickers: 0,
            score: 0,
          },
        ],
        resources: { cpuPercent: 0.5, rssBytes: 40_000_000 },
        agentVersion: "0.1.0",
      };
    },
  });
}

describe("an agent that lost its report buffer", () => {
  it("continues above the server's last seq: every new report stored, true duplicates still refused", async () => {
    const created = await app.inject({
      method: "POST",
      url: "/api/enrollment-tokens",
      headers: await bearerFor("admin"),
      payload: { expiresInS: 600 },
    });
    const lines: string[] = [];
    const first = await reporter(created.json().token, lines);
    try {
      await until("5 reports", async () => (await storedSeqs()).length >= 5);
    } finally {
      await first.stop();
    }
    const before = await storedSeqs();
    const last = before.at(-1)!;
    expect(before).toEqual(Array.from({ length: last }, (_, i) => i + 1));

    // The buffer is lost; credentials.json stays (no new enrollment token either).
    await rm(join(agentDir, "report-buffer"), { recursive: true, force: true });
    expect(await readdir(agentDir)).toEqual(["credentials.json"]);
    const again: string[] = [];
    const second = await reporter("", again);
    try {
      await until("5 more reports", async () => (await storedSeqs()).length >= before.length + 5);
    } finally {
      await second.stop();
    }
    const after = await storedSeqs();
    // Contiguous: the fresh buffer's first report became last + 1.
    expect(after).toEqual(Array.from({ length: after.length }, (_, i) => i + 1));
    expect(second.sent).toBe(after.length - before.length);
    expect(again.join("\n")).toMatch(
      new RegExp(
        `report buffer started afresh while the server holds seqs up to ${last} .*moved up by ${last}`,
      ),
    );
    expect(again.join("\n")).not.toMatch(/^(warn|error)/m);

    // What the agent asked, as any client with the node's token sees it.
    const creds = JSON.parse(await readFile(join(agentDir, "credentials.json"), "utf8")) as EnrolledNode;
    const token = await accessToken(app, creds);
    const res = await app.inject({
      url: "/api/agents/reports/last-seq",
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ nodeId: creds.nodeId, lastSeq: after.at(-1) });
    // A true duplicate (a stored seq under a new batch id) is still not stored again.
    const dup = await postBatch(
      app,
      token,
      creds.nodeId,
      [report({ seq: 3, atNs: T0 + 3n * S })],
      randomUUID(),
    );
    expect(dup.json()).toEqual({ accepted: 0, duplicates: 1 });
    expect(await storedSeqs()).toEqual(after);
  });

  it("a new node's last seq is 0", async () => {
    const created = await app.inject({
      method: "POST",
      url: "/api/enrollment-tokens",
      headers: await bearerFor("admin"),
      payload: { expiresInS: 600 },
    });
    const enrolled = await app.inject({
      method: "POST",
      url: "/api/agents/enroll",
      payload: { token: created.json().token, hostname: "fresh", agentVersion: "0.1.0" },
    });
    const node = enrolled.json() as EnrolledNode;
    const token = await accessToken(app, node);
    const res = await app.inject({
      url: "/api/agents/reports/last-seq",
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.json()).toEqual({ nodeId: node.nodeId, lastSeq: 0 });
  });
});
