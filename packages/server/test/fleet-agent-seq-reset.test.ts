// An agent that loses its report buffer but keeps its credentials (docs/report-protocol.md
// §3, "Seqs after a lost buffer"), against this server over HTTP with the agent's real
// reporter: before the fix its seqs restarted at 1 and the server silently counted its new
// reports as duplicates. Now the reporter asks GET /api/agents/reports/last-seq before its
// first batch and its fresh buffer continues above it: every new report is stored, the seqs
// stay contiguous, and true duplicates are still refused. Real PostgreSQL.
import { randomUUID } from "node:crypto";
import { readdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import type { Reporter } from "@chronosync/agent";
import { describe, expect, it } from "vitest";
import { accessToken, type EnrolledNode, postBatch, report, S, T0 } from "./helpers/fleet.js";
import { startTestReporter, until, useListeningServer } from "./helpers/reporting-agent.js";
import { bearerFor } from "./helpers/tokens.js";

const server = useListeningServer("chronosync-agent-seq-");

const storedSeqs = async (): Promise<number[]> =>
  (await server.app.database.pool.query("SELECT seq::int FROM node_reports ORDER BY seq")).rows.map(
    (r) => r.seq as number,
  );

function reporter(enrollToken: string, lines: string[]): Promise<Reporter> {
  return startTestReporter({
    port: server.port,
    enrollToken,
    dataDir: server.agentDir,
    hostname: "seq-agent",
    lines,
    source: {
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
  });
}

describe("an agent that lost its report buffer", () => {
  it("continues above the server's last seq: every new report stored, true duplicates still refused", async () => {
    const created = await server.app.inject({
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
    await rm(join(server.agentDir, "report-buffer"), { recursive: true, force: true });
    expect(await readdir(server.agentDir)).toEqual(["credentials.json"]);
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
    const creds = JSON.parse(
      await readFile(join(server.agentDir, "credentials.json"), "utf8"),
    ) as EnrolledNode;
    const token = await accessToken(server.app, creds);
    const res = await server.app.inject({
      url: "/api/agents/reports/last-seq",
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ nodeId: creds.nodeId, lastSeq: after.at(-1) });
    // A true duplicate (a stored seq under a new batch id) is still not stored again.
    const dup = await postBatch(
      server.app,
      token,
      creds.nodeId,
      [report({ seq: 3, atNs: T0 + 3n * S })],
      randomUUID(),
    );
    expect(dup.json()).toEqual({ accepted: 0, duplicates: 1 });
    expect(await storedSeqs()).toEqual(after);
  });

  it("a new node's last seq is 0", async () => {
    const created = await server.app.inject({
      method: "POST",
      url: "/api/enrollment-tokens",
      headers: await bearerFor("admin"),
      payload: { expiresInS: 600 },
    });
    const enrolled = await server.app.inject({
      method: "POST",
      url: "/api/agents/enroll",
      payload: { token: created.json().token, hostname: "fresh", agentVersion: "0.1.0" },
    });
    const node = enrolled.json() as EnrolledNode;
    const token = await accessToken(server.app, node);
    const res = await server.app.inject({
      url: "/api/agents/reports/last-seq",
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.json()).toEqual({ nodeId: node.nodeId, lastSeq: 0 });
  });
});
