// The agent's real reporter (packages/agent/src/report) against this server over HTTP:
// enroll, token, batches; the server is closed and rebuilt on the same database and port
// while the agent keeps reporting → every seq arrives exactly once, none is missing.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startReporter } from "@chronosync/agent";
import { formatRfc3339 } from "@chronosync/core";
import { buildApp } from "@chronosync/server";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createExternalDatabase, type TestDatabase } from "./helpers/databases.js";
import { bearerFor, TEST_MASTER_KEY } from "./helpers/tokens.js";

let db: TestDatabase;
let app: FastifyInstance;
let agentDir: string;
let port: number;

const build = () =>
  buildApp({
    dataDir: db.dataDir,
    databaseUrl: db.url,
    masterKey: TEST_MASTER_KEY,
    fleet: { silenceCheckMs: 0 },
  });

beforeAll(async () => {
  db = await createExternalDatabase();
  agentDir = await mkdtemp(join(tmpdir(), "chronosync-agent-e2e-"));
  app = await build();
  await app.listen({ host: "127.0.0.1", port: 0 });
  port = (app.server.address() as { port: number }).port;
});
afterAll(async () => {
  await app?.close();
  await db?.dispose();
  await rm(agentDir, { recursive: true, force: true });
});

async function until(pred: () => Promise<boolean>, ms = 15_000) {
  const end = Date.now() + ms;
  while (!(await pred())) {
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("agent reporter → server", () => {
  it("delivers every report exactly once across a server restart", async () => {
    const created = await app.inject({
      method: "POST",
      url: "/api/enrollment-tokens",
      headers: await bearerFor("admin"),
      payload: { expiresInS: 600 },
    });
    let taken = 0;
    const lines: string[] = [];
    const reporter = await startReporter({
      server: {
        url: `http://127.0.0.1:${port}`,
        enrollToken: created.json().token,
        reportIntervalS: 0.1,
        bufferMaxBytes: 4 * 1024 * 1024,
        dataDir: agentDir,
      },
      stateFile: "",
      hostname: "e2e-agent",
      backoff: { initialMs: 50, maxMs: 200 },
      log: (level, message) => lines.push(`${level}: ${message}`),
      snapshot: () => {
        taken += 1;
        return {
          at: formatRfc3339(BigInt(Date.now()) * 1_000_000n, 9),
          tracking: { offsetNs: -1000 - taken, frequencyPpm: 1.5, boundNs: 20_000, status: "synchronized" },
          sources: [
            {
              id: "ntp://127.0.0.1:123",
              url: "ntp://127.0.0.1",
              state: "selected",
              reach: "377",
              lastOffsetNs: -900,
              delayNs: 100_000,
              jitterNs: 2000,
              stratum: 3,
              poll: 4,
              falsetickers: 0,
              score: 0.9,
            },
          ],
          resources: { cpuPercent: 0.5, rssBytes: 40_000_000 },
          agentVersion: "0.1.0",
        };
      },
    });
    const count = async (p: FastifyInstance["database"]["pool"]) =>
      Number((await p.query("SELECT count(*) AS n FROM node_reports")).rows[0].n);
    try {
      await until(async () => (await count(app.database.pool)) >= 5);
      await app.close();
      const before = taken;
      await new Promise((r) => setTimeout(r, 800)); // the agent buffers while the server is down
      expect(taken).toBeGreaterThan(before);
      app = await build();
      await app.listen({ host: "127.0.0.1", port });
      const target = taken + 3; // all taken while down, and some after
      await until(async () => (await count(app.database.pool)) >= target);
    } finally {
      await reporter.stop();
    }
    const seqs = (await app.database.pool.query("SELECT seq::int FROM node_reports ORDER BY seq")).rows.map(
      (r) => r.seq as number,
    );
    expect(seqs[0]).toBe(1);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
    const nodes = (await app.inject({ url: "/api/nodes", headers: await bearerFor("viewer") })).json();
    expect(nodes.nodes[0]).toMatchObject({ hostname: "e2e-agent", lastSeq: seqs.length, droppedReports: 0 });
    expect(lines.join("\n")).not.toMatch(/^error/m);
    expect(lines.join("\n")).toMatch(/reachable again/);
  });
});
