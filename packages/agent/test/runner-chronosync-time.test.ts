// A `chronosync+http://` source (issue 6 §5) against the real ChronoSync server: buildApp
// from @chronosync/server on the external PostgreSQL (127.0.0.1:5432, a scratch database
// dropped after), its signed four-timestamp exchange `POST /api/time` measured by the
// agent's runner through the TimeSource, every answer verified against the published key.
import { randomBytes } from "node:crypto";
import { type AgentRunner, loadAgentConfig, startAgent } from "@chronosync/agent";
import { systemClock } from "@chronosync/core";
import { buildApp } from "@chronosync/server";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createExternalDatabase, type TestDatabase } from "../../server/test/helpers/databases.js";

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

describe("agent runner: chronosync+http:// against the real server", () => {
  let db: TestDatabase;
  let app: FastifyInstance;
  let port = 0;
  let runner: AgentRunner | undefined;

  beforeAll(async () => {
    db = await createExternalDatabase();
    app = await buildApp({
      dataDir: db.dataDir,
      databaseUrl: db.url,
      masterKey: randomBytes(32).toString("base64"),
    });
    port = Number(new URL(await app.listen({ host: "127.0.0.1", port: 0 })).port);
  });
  afterAll(async () => {
    await runner?.stop();
    await app?.close();
    await db?.dispose();
  });

  it("measures signed time, authenticated, and synchronizes on it", async () => {
    const url = `chronosync+http://127.0.0.1:${port}`;
    const logs: string[] = [];
    runner = await startAgent(
      loadAgentConfig({
        env: {},
        flags: { source: [`${url}?samples=2&minpoll=-1&maxpoll=-1`], "state-file": "" },
        detectSources: () => {
          throw new Error("no system detection in tests");
        },
      }),
      { log: (level, m) => logs.push(`${level}: ${m}`) },
    );
    const start = performance.now();
    while (runner.status().tracking.status !== "synchronized" && performance.now() - start < 15_000)
      await sleep(50);
    // iburst, then 0.5 s polls: four samples in ~2 s on a quiet machine, more under load.
    while ((runner.status().sources[0]?.samples ?? 0) < 4 && performance.now() - start < 30_000)
      await sleep(50);
    const status = runner.status();
    const source = status.sources[0]!;
    expect(source).toMatchObject({
      id: url,
      protocol: "chronosync",
      authenticated: true,
      selection: "selected",
    });
    expect(status.tracking.status).toBe("synchronized");
    expect(source.samples).toBeGreaterThanOrEqual(4);
    const local = systemClock.now();
    const now = runner.now();
    console.log(
      `chronosync+http loopback: bound ±${(Number(now.halfWidthNs) / 1e3).toFixed(1)} µs, correction ${(Number(status.tracking.offsetNs) / 1e3).toFixed(1)} µs, delay ${(Number(source.lastDelayNs) / 1e3).toFixed(1)} µs, ${source.samples} samples`,
    );
    // Same clock on both ends: true time (the system clock) within the bound, with slack
    // for the HTTP stack's asymmetry.
    expect(now.earliestNs - 500_000n <= local && local <= now.latestNs + 500_000n).toBe(true);
    expect(logs.filter((l) => l.startsWith("warn") || l.startsWith("error"))).toEqual([]);
  });
});
