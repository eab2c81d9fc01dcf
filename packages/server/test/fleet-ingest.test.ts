// Enroll → OAuth token → report batches → nodes, history, sources; duplicates stored
// once; a restart between batches loses nothing. Against external and embedded PostgreSQL.
import { describe, expect, it } from "vitest";
import { BACKENDS } from "./helpers/databases.js";
import {
  accessToken,
  enrollNode,
  fleetApp,
  postBatch,
  report,
  S,
  series,
  T0,
  useEnrolledFleet,
} from "./helpers/fleet.js";
import { bearerFor } from "./helpers/tokens.js";

describe.each(BACKENDS)("fleet ingestion on $name PostgreSQL", ({ create }) => {
  const fleet = useEnrolledFleet(create, "node-a");

  const count = async (sql: string) => Number((await fleet.pool.query(sql)).rows[0].n);

  it("stores a batch and shows the node, its history and its sources", async () => {
    const res = await postBatch(fleet.app, fleet.token, fleet.node.nodeId, series(1, 12));
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({ accepted: 12, duplicates: 0 });
    const viewer = await bearerFor("viewer");
    const list = (
      await fleet.app.inject({ url: "/api/nodes?sort=offset&order=desc", headers: viewer })
    ).json();
    expect(list.total).toBe(1);
    expect(list.nodes[0]).toMatchObject({
      id: fleet.node.nodeId,
      hostname: "node-a",
      state: "ok",
      syncStatus: "synchronized",
      offsetNs: -1500,
      boundNs: 48_000,
      lastSeq: 12,
      agentVersion: "0.1.0",
    });
    const detail = (
      await fleet.app.inject({ url: `/api/nodes/${fleet.node.nodeId}`, headers: viewer })
    ).json();
    expect(detail).toMatchObject({ policyId: "default", toleranceNs: 1_000_000, silentAfterS: 300 });
    expect(detail.sources).toEqual([expect.objectContaining({ id: "ntp://192.0.2.4:123", protocol: "ntp" })]);
    const from = "2026-11-29T12:00:00Z";
    const to = "2026-11-29T12:05:00Z";
    const raw = (
      await fleet.app.inject({
        url: `/api/nodes/${fleet.node.nodeId}/history?from=${from}&to=${to}`,
        headers: viewer,
      })
    ).json();
    expect(raw.points).toHaveLength(12);
    expect(raw.points[0]).toMatchObject({
      seq: 1,
      offsetNs: -1500,
      delayNs: 310_000,
      jitterNs: 4000,
      boundNs: 48_000,
    });
    // Seqs 1-5 fall in 12:00 (at 12:00:10 … 12:00:50), 6-11 in 12:01, 12 in 12:02.
    const minutes = (
      await fleet.app.inject({
        url: `/api/nodes/${fleet.node.nodeId}/history?from=${from}&to=${to}&resolution=1m`,
        headers: viewer,
      })
    ).json();
    expect(minutes.points.map((p: { n: number }) => p.n)).toEqual([5, 6, 1]);
    const hours = (
      await fleet.app.inject({
        url: `/api/nodes/${fleet.node.nodeId}/history?from=${from}&to=${to}&resolution=1h`,
        headers: viewer,
      })
    ).json();
    expect(hours.points).toEqual([expect.objectContaining({ n: 12, offsetNs: -1500, rssBytes: 52_428_800 })]);
    const sources = (await fleet.app.inject({ url: "/api/timestamps/sources", headers: viewer })).json()
      .sources;
    expect(sources).toEqual([
      expect.objectContaining({
        id: "ntp://192.0.2.4:123",
        url: "ntp://pool.ntp.org?pool=1",
        protocol: "ntp",
        stratum: 2,
        lastOffsetNs: -2100,
        delayNs: 310_000,
        jitterNs: 4000,
        reachable: true,
        score: 0.97,
        state: "selected",
        nodes: [expect.objectContaining({ nodeId: fleet.node.nodeId, hostname: "node-a" })],
      }),
    ]);
  });

  it("stores duplicate batches and duplicate seqs once", async () => {
    const batch = series(13, 20);
    const first = await postBatch(fleet.app, fleet.token, fleet.node.nodeId, batch, "batch-13");
    expect(first.json()).toEqual({ accepted: 8, duplicates: 0 });
    // The same batch again (a retry after a lost 202): the original answer, nothing stored.
    const replay = await postBatch(fleet.app, fleet.token, fleet.node.nodeId, batch, "batch-13");
    expect(replay.statusCode).toBe(202);
    expect(replay.json()).toEqual({ accepted: 8, duplicates: 0 });
    // The same key with another body is refused.
    const reused = await postBatch(fleet.app, fleet.token, fleet.node.nodeId, series(21, 22), "batch-13");
    expect(reused.statusCode).toBe(422);
    expect(reused.json().code).toBe("IDEMPOTENCY_KEY_REUSED");
    // Overlapping seqs under a new key, and one seq twice in one batch.
    const overlap = [...series(19, 22), ...series(22, 22)];
    const res = await postBatch(fleet.app, fleet.token, fleet.node.nodeId, overlap, "batch-19");
    expect(res.json()).toEqual({ accepted: 2, duplicates: 3 });
    expect(await count("SELECT count(*) AS n FROM node_reports")).toBe(22);
    expect(await count("SELECT count(DISTINCT seq) AS n FROM node_reports")).toBe(22);
    expect(await count("SELECT count(*) AS n FROM node_source_samples")).toBe(22);
    // Rollups count each report once.
    expect(await count("SELECT sum(n) AS n FROM report_rollups WHERE resolution = '1h'")).toBe(22);
  });

  it("loses nothing across a server restart between batches", async () => {
    expect(
      (await postBatch(fleet.app, fleet.token, fleet.node.nodeId, series(23, 30), "batch-23")).statusCode,
    ).toBe(202);
    await fleet.app.close();
    fleet.app = await fleetApp(fleet.db, fleet.clock);
    // The token survives (keys derive from the master key); the agent resends its last batch.
    expect(
      (await postBatch(fleet.app, fleet.token, fleet.node.nodeId, series(23, 30), "batch-23")).json(),
    ).toEqual({
      accepted: 8,
      duplicates: 0,
    });
    expect(
      (await postBatch(fleet.app, fleet.token, fleet.node.nodeId, series(31, 40), "batch-31")).json(),
    ).toEqual({
      accepted: 10,
      duplicates: 0,
    });
    const seqs = (await fleet.pool.query("SELECT seq::int FROM node_reports ORDER BY seq")).rows.map(
      (r) => r.seq,
    );
    expect(seqs).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(await count("SELECT sum(n) AS n FROM report_rollups WHERE resolution = '1m'")).toBe(40);
  });

  it("refuses a batch for another node, without a token, or from a revoked client", async () => {
    const other = await enrollNode(fleet.app, "node-b");
    const res = await postBatch(fleet.app, fleet.token, other.nodeId, series(1, 1));
    expect(res.statusCode).toBe(403);
    const anonymous = await fleet.app.inject({ method: "POST", url: "/api/agents/reports", payload: {} });
    expect(anonymous.statusCode).toBe(401);
    const user = await postBatch(
      fleet.app,
      (await bearerFor("admin")).authorization.slice(7),
      fleet.node.nodeId,
      series(1, 1),
    );
    expect(user.statusCode).toBe(403);
    const otherToken = await accessToken(fleet.app, other);
    const admin = await bearerFor("admin");
    const clients = (await fleet.app.inject({ url: "/api/clients", headers: admin })).json().clients;
    expect(clients.map((c: { hostname: string }) => c.hostname).sort()).toEqual(["node-a", "node-b"]);
    const revoke = await fleet.app.inject({
      method: "DELETE",
      url: `/api/clients/${other.clientId}`,
      headers: admin,
    });
    expect(revoke.statusCode).toBe(204);
    expect((await postBatch(fleet.app, otherToken, other.nodeId, series(1, 1))).statusCode).toBe(401);
    const kinds = (await fleet.pool.query("SELECT kind FROM ledger_entries ORDER BY seq")).rows.map(
      (r) => r.kind,
    );
    expect(kinds).toEqual(
      expect.arrayContaining([
        "audit.enrollment-token-created",
        "audit.node-enrolled",
        "audit.client-revoked",
      ]),
    );
  });

  it("pages, sorts and filters the node list", async () => {
    const viewer = await bearerFor("viewer");
    const get = async (q: string) =>
      (await fleet.app.inject({ url: `/api/nodes?${q}`, headers: viewer })).json();
    const second = await get("sort=hostname&order=asc&limit=1&offset=1");
    expect(second.total).toBe(2);
    expect(second.nodes.map((n: { hostname: string }) => n.hostname)).toEqual(["node-b"]);
    expect(
      (await get("sort=hostname&order=desc")).nodes.map((n: { hostname: string }) => n.hostname),
    ).toEqual(["node-b", "node-a"]);
    const unknown = await get("state=unknown");
    expect(unknown.nodes.map((n: { hostname: string }) => n.hostname)).toEqual(["node-b"]);
    expect(unknown.nodes[0]).toMatchObject({ offsetNs: null, lastReportAt: null, state: "unknown" });
    expect((await get("limit=5000")).total).toBeUndefined();
  });

  it("decommissions a node with its clients and data", async () => {
    const admin = await bearerFor("admin");
    const spare = await enrollNode(fleet.app, "node-c");
    const spareToken = await accessToken(fleet.app, spare);
    expect((await postBatch(fleet.app, spareToken, spare.nodeId, series(1, 3))).statusCode).toBe(202);
    const del = await fleet.app.inject({
      method: "DELETE",
      url: `/api/nodes/${spare.nodeId}`,
      headers: admin,
    });
    expect(del.statusCode).toBe(204);
    expect((await fleet.app.inject({ url: `/api/nodes/${spare.nodeId}`, headers: admin })).statusCode).toBe(
      404,
    );
    expect((await postBatch(fleet.app, spareToken, spare.nodeId, series(4, 4))).statusCode).toBe(401);
    expect(await count(`SELECT count(*) AS n FROM node_reports WHERE node_id = '${spare.nodeId}'`)).toBe(0);
    expect(await count(`SELECT count(*) AS n FROM report_rollups WHERE node_id = '${spare.nodeId}'`)).toBe(0);
    expect(
      (await fleet.app.inject({ method: "DELETE", url: `/api/nodes/${spare.nodeId}`, headers: admin }))
        .statusCode,
    ).toBe(404);
  });

  it("answers bad reports with 400 problem+json, never 5xx", async () => {
    const bad = report({ seq: 99, atNs: T0 });
    for (const body of [
      { ...bad, seq: -1 },
      { ...bad, at: "2026-13-40T00:00:00Z" },
      { ...bad, tracking: { ...bad.tracking, offsetNs: "1" } },
      { ...bad, tracking: { ...bad.tracking, status: "weird" } },
    ]) {
      const res = await postBatch(fleet.app, fleet.token, fleet.node.nodeId, [body as typeof bad]);
      expect(res.statusCode).toBe(400);
      expect(res.headers["content-type"]).toMatch(/problem\+json/);
    }
  });

  it("retention deletes old raw rows and keeps rollups", async () => {
    fleet.clock.set(T0 + 8n * 86_400n * S);
    const result = await fleet.app.fleet.applyRetention();
    expect(result.reports).toBe(40);
    expect(await count("SELECT count(*) AS n FROM node_reports")).toBe(0);
    expect(await count("SELECT count(*) AS n FROM report_rollups WHERE resolution = '1h'")).toBe(1);
    fleet.clock.set(T0 + 3600n * S);
  });
});
