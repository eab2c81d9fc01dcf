// The agent's real reporter (packages/agent/src/report) against this server over HTTP:
// enroll, token, batches; the server is closed and rebuilt on the same database and port
// while the agent keeps reporting → every seq arrives exactly once, none is missing.
import type { FastifyInstance } from "fastify";
import { describe, expect, it } from "vitest";
import { startTestReporter, until, useListeningServer } from "./helpers/reporting-agent.js";
import { bearerFor } from "./helpers/tokens.js";

const server = useListeningServer("chronosync-agent-e2e-");

describe("agent reporter → server", () => {
  it("delivers every report exactly once across a server restart", async () => {
    const created = await server.app.inject({
      method: "POST",
      url: "/api/enrollment-tokens",
      headers: await bearerFor("admin"),
      payload: { expiresInS: 600 },
    });
    let taken = 0;
    const lines: string[] = [];
    const reporter = await startTestReporter({
      port: server.port,
      enrollToken: created.json().token,
      dataDir: server.agentDir,
      hostname: "e2e-agent",
      lines,
      source: {
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
      onSnapshot: (n) => {
        taken = n;
      },
    });
    const count = async (p: FastifyInstance["database"]["pool"]) =>
      Number((await p.query("SELECT count(*) AS n FROM node_reports")).rows[0].n);
    try {
      await until("5 reports", async () => (await count(server.app.database.pool)) >= 5);
      await server.app.close();
      const before = taken;
      await new Promise((r) => setTimeout(r, 800)); // the agent buffers while the server is down
      expect(taken).toBeGreaterThan(before);
      server.app = await server.build();
      await server.app.listen({ host: "127.0.0.1", port: server.port });
      const target = taken + 3; // all taken while down, and some after
      await until(
        "the reports taken while down",
        async () => (await count(server.app.database.pool)) >= target,
      );
    } finally {
      await reporter.stop();
    }
    const seqs = (
      await server.app.database.pool.query("SELECT seq::int FROM node_reports ORDER BY seq")
    ).rows.map((r) => r.seq as number);
    expect(seqs[0]).toBe(1);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
    const nodes = (await server.app.inject({ url: "/api/nodes", headers: await bearerFor("viewer") })).json();
    expect(nodes.nodes[0]).toMatchObject({ hostname: "e2e-agent", lastSeq: seqs.length, droppedReports: 0 });
    expect(lines.join("\n")).not.toMatch(/^error/m);
    expect(lines.join("\n")).toMatch(/reachable again/);
  });
});
