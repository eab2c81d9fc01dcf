// Alerts: a node beyond its policy tolerance, a falseticker source, a silent node → alert
// rows, events and a signed webhook POST (retried after a failure); policy changes are
// appended to the signed log.
import * as http from "node:http";
import { ManualClock } from "@chronosync/core";
import { SIGNATURE_HEADER, verifyWebhookSignature } from "@chronosync/server";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createExternalDatabase, type TestDatabase } from "./helpers/databases.js";
import {
  accessToken,
  type EnrolledNode,
  enrollNode,
  fleetApp,
  postBatch,
  report,
  S,
  T0,
} from "./helpers/fleet.js";
import { bearerFor } from "./helpers/tokens.js";

const SECRET = "webhook-secret-0123456789";
const clock = new ManualClock(T0);
let db: TestDatabase;
let app: FastifyInstance;
let hook: http.Server;
const received: {
  body: string;
  signature: string;
  doc: { event: string; alert: Record<string, unknown> };
}[] = [];
let failNext = 1;
let node: EnrolledNode;
const hookOptions = () => ({
  webhookUrl: `http://127.0.0.1:${(hook.address() as { port: number }).port}/hook`,
  webhookSecret: SECRET,
  webhookBackoffMs: 20,
  webhookPollMs: 20,
});
let token: string;

beforeAll(async () => {
  hook = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => {
      body += c;
    });
    req.on("end", () => {
      if (failNext > 0) {
        failNext -= 1;
        res.writeHead(500).end();
        return;
      }
      received.push({ body, signature: String(req.headers[SIGNATURE_HEADER]), doc: JSON.parse(body) });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => hook.listen(0, "127.0.0.1", r));
  db = await createExternalDatabase();
  app = await fleetApp(db, clock, hookOptions());
  node = await enrollNode(app, "alert-node");
  token = await accessToken(app, node);
});
afterAll(async () => {
  await app?.close();
  await new Promise((r) => hook?.close(r));
  await db?.dispose();
});

async function until(pred: () => boolean | Promise<boolean>, ms = 5000) {
  const end = Date.now() + ms;
  while (!(await pred())) {
    if (Date.now() > end)
      throw new Error(`timed out; received ${JSON.stringify(received.map((r) => r.doc))}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const alerts = async (open?: boolean) =>
  (
    await app.inject({
      url: `/api/alerts${open === undefined ? "" : `?open=${open}`}`,
      headers: await bearerFor("viewer"),
    })
  ).json().alerts as { kind: string; sourceId: string; resolvedAt: string | null }[];

describe("alerts", () => {
  it("changes the default policy (admin only) and logs it", async () => {
    const body = { toleranceNs: 1_000_000, silentAfterS: 60 };
    const operator = await bearerFor("operator");
    expect(
      (await app.inject({ method: "PUT", url: "/api/policies/default", headers: operator, payload: body }))
        .statusCode,
    ).toBe(403);
    const admin = await bearerFor("admin");
    const res = await app.inject({
      method: "PUT",
      url: "/api/policies/default",
      headers: admin,
      payload: body,
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      id: "default",
      toleranceNs: 1_000_000,
      silentAfterS: 60,
      falsetickerAlerts: true,
    });
    const kinds = (await app.database.pool.query("SELECT kind, payload FROM ledger_entries")).rows;
    expect(kinds).toContainEqual({
      kind: "audit.policy-changed",
      payload: expect.objectContaining({
        policyId: "default",
        before: { toleranceNs: 1_000_000, silentAfterS: 300, falsetickerAlerts: true },
        after: { toleranceNs: 1_000_000, silentAfterS: 60, falsetickerAlerts: true },
      }),
    });
  });

  it("raises an offset alert beyond tolerance and delivers a signed webhook after a retry", async () => {
    const res = await postBatch(app, token, node.nodeId, [report({ seq: 1, atNs: T0, offsetNs: 2_500_000 })]);
    expect(res.statusCode).toBe(202);
    await until(() => received.length >= 1);
    const hit = received[0]!;
    expect(verifyWebhookSignature(SECRET, hit.signature, hit.body)).toBe(true);
    expect(verifyWebhookSignature("another-secret-xxxxxxxx", hit.signature, hit.body)).toBe(false);
    expect(verifyWebhookSignature(SECRET, hit.signature, hit.body.replace("2500000", "2500001"))).toBe(false);
    expect(hit.doc).toMatchObject({
      event: "alert.raised",
      alert: { kind: "offset", hostname: "alert-node" },
    });
    expect(failNext).toBe(0); // the first attempt failed, the retry arrived
    const delivered = async () =>
      (await app.database.pool.query("SELECT 1 FROM webhook_deliveries WHERE delivered_at IS NOT NULL"))
        .rowCount ?? 0;
    const end = Date.now() + 5000;
    while ((await delivered()) === 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
    const row = (
      await app.database.pool.query(
        "SELECT attempts, delivered_at IS NOT NULL AS delivered, last_error FROM webhook_deliveries ORDER BY id LIMIT 1",
      )
    ).rows[0];
    expect(row).toEqual({ attempts: 2, delivered: true, last_error: null });
    const nodeDoc = (
      await app.inject({ url: `/api/nodes/${node.nodeId}`, headers: await bearerFor("viewer") })
    ).json();
    expect(nodeDoc.state).toBe("out-of-tolerance");
    // A second report still beyond tolerance raises nothing new.
    await postBatch(app, token, node.nodeId, [report({ seq: 2, atNs: T0 + S, offsetNs: 3_000_000 })]);
    expect((await alerts(true)).filter((a) => a.kind === "offset")).toHaveLength(1);
  });

  it("raises a falseticker alert and resolves both when the node is back in line", async () => {
    const sources = [
      { id: "ntp://192.0.2.4:123", state: "selected" },
      { id: "ntp://192.0.2.9:123", state: "falseticker", offsetNs: 80_000_000 },
    ];
    await postBatch(app, token, node.nodeId, [report({ seq: 3, atNs: T0 + 2n * S, offsetNs: 100, sources })]);
    await until(() => received.some((r) => r.doc.alert.kind === "falseticker"));
    const open = await alerts(true);
    expect(open.map((a) => [a.kind, a.sourceId])).toEqual([["falseticker", "ntp://192.0.2.9:123"]]);
    await postBatch(app, token, node.nodeId, [report({ seq: 4, atNs: T0 + 3n * S, offsetNs: 100 })]);
    expect(await alerts(true)).toEqual([]);
    await until(() => received.filter((r) => r.doc.event === "alert.resolved").length >= 2);
  });

  it("marks a silent node and resolves it on the next report", async () => {
    clock.advance(61n * S);
    expect(await app.fleet.checkSilence()).toBe(1);
    expect(await app.fleet.checkSilence()).toBe(0);
    await until(() => received.some((r) => r.doc.alert.kind === "silent"));
    const nodeDoc = (
      await app.inject({ url: `/api/nodes/${node.nodeId}`, headers: await bearerFor("viewer") })
    ).json();
    expect(nodeDoc.state).toBe("silent");
    await postBatch(app, token, node.nodeId, [report({ seq: 5, atNs: T0 + 70n * S, offsetNs: 100 })]);
    expect(await alerts(true)).toEqual([]);
    const all = await alerts();
    expect(all.map((a) => a.kind).sort()).toEqual(["falseticker", "offset", "silent"]);
    expect(all.every((a) => a.resolvedAt !== null)).toBe(true);
  });

  it("keeps an undelivered alert across a server restart and delivers it after", async () => {
    // Let the deliveries the previous test queued (alerts resolved) go out first.
    const undelivered = async () =>
      Number(
        (
          await app.database.pool.query<{ n: string }>(
            "SELECT count(*) AS n FROM webhook_deliveries WHERE delivered_at IS NULL",
          )
        ).rows[0]!.n,
      );
    await until(async () => (await undelivered()) === 0);
    failNext = 1_000_000; // the receiver is down
    await postBatch(app, token, node.nodeId, [report({ seq: 6, atNs: T0 + 80n * S, offsetNs: 9_000_000 })]);
    const pending = () =>
      app.database.pool.query<{ n: string }>(
        "SELECT count(*) AS n FROM webhook_deliveries WHERE delivered_at IS NULL AND last_error IS NOT NULL",
      );
    const deadline = Date.now() + 5000;
    while (Number((await pending()).rows[0]!.n) === 0) {
      if (Date.now() > deadline) throw new Error("no failed attempt recorded");
      await new Promise((r) => setTimeout(r, 10));
    }
    await app.close();
    const before = received.length;
    failNext = 0;
    app = await fleetApp(db, clock, hookOptions());
    await until(() => received.length > before);
    const delivered = received.slice(before);
    expect(delivered.map((d) => d.doc)).toEqual([
      expect.objectContaining({ event: "alert.raised", alert: expect.objectContaining({ kind: "offset" }) }),
    ]);
    expect(verifyWebhookSignature(SECRET, delivered[0]!.signature, delivered[0]!.body)).toBe(true);
  });
});
