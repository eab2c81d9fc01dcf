// GET /api/events: an SSE client on one server process receives the report, node-state and
// alert events of a batch posted to another process on the same database (LISTEN/NOTIFY).
import * as http from "node:http";
import { ManualClock } from "@chronosync/core";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKENDS, type TestDatabase } from "./helpers/databases.js";
import { accessToken, enrollNode, fleetApp, postBatch, S, series, T0 } from "./helpers/fleet.js";
import { bearerFor } from "./helpers/tokens.js";

interface SseClient {
  readonly frames: { event: string; data: Record<string, unknown> }[];
  readonly comments: string[];
  waitFor(pred: (f: { event: string; data: Record<string, unknown> }) => boolean, ms?: number): Promise<void>;
  close(): void;
}

async function openSse(url: string, authorization: string, lastEventId?: string): Promise<SseClient> {
  const frames: SseClient["frames"] = [];
  const comments: string[] = [];
  const waiters = new Set<() => void>();
  const headers: Record<string, string> = { authorization, accept: "text/event-stream" };
  if (lastEventId !== undefined) headers["last-event-id"] = lastEventId;
  const req = http.get(url, { headers });
  const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
    req.on("response", resolve);
    req.on("error", reject);
  });
  expect(res.statusCode).toBe(200);
  expect(res.headers["content-type"]).toMatch(/^text\/event-stream/);
  let buffer = "";
  res.setEncoding("utf8");
  res.on("data", (chunk: string) => {
    buffer += chunk;
    let end = buffer.indexOf("\n\n");
    while (end >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let event = "message";
      let data = "";
      for (const line of block.split("\n")) {
        if (line.startsWith(":")) comments.push(line.slice(1).trim());
        else if (line.startsWith("event: ")) event = line.slice(7);
        else if (line.startsWith("data: ")) data += line.slice(6);
      }
      if (data !== "") frames.push({ event, data: JSON.parse(data) });
      for (const w of [...waiters]) w();
      end = buffer.indexOf("\n\n");
    }
  });
  res.on("error", () => {});
  return {
    frames,
    comments,
    waitFor(pred, ms = 5000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (frames.some(pred)) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve();
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no matching event in ${ms} ms: ${JSON.stringify(frames)}`));
        }, ms);
        waiters.add(check);
        check();
      });
    },
    close: () => req.destroy(),
  };
}

describe.each(BACKENDS)("live events on $name PostgreSQL", ({ create }) => {
  const clock = new ManualClock(T0 + 3600n * S);
  let db: TestDatabase;
  let a: FastifyInstance;
  let b: FastifyInstance;
  let baseB: string;

  beforeAll(async () => {
    db = await create();
    a = await fleetApp(db, clock);
    b = await fleetApp(db, clock, { heartbeatMs: 100 });
    baseB = await b.listen({ host: "127.0.0.1", port: 0 });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await db?.dispose();
  });

  it("delivers another process's report events, with heartbeats", async () => {
    const sse = await openSse(`${baseB}/api/events`, (await bearerFor("viewer")).authorization);
    try {
      const node = await enrollNode(a, "sse-node");
      const token = await accessToken(a, node);
      expect((await postBatch(a, token, node.nodeId, series(1, 3))).statusCode).toBe(202);
      await sse.waitFor((f) => f.event === "report" && f.data.nodeId === node.nodeId);
      await sse.waitFor((f) => f.event === "node-state" && f.data.to === "ok");
      const reportEvent = sse.frames.find((f) => f.event === "report")!;
      expect(reportEvent.data).toMatchObject({
        hostname: "sse-node",
        accepted: 3,
        lastSeq: 3,
        offsetNs: -1500,
      });
      await new Promise((r) => setTimeout(r, 250));
      expect(sse.comments).toContain("heartbeat");
    } finally {
      sse.close();
    }
  });

  it("keeps delivering after the listeners' connections are killed (reconnect)", async () => {
    const killed = await a.database.pool.query(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query ILIKE 'LISTEN chronosync_events%' AND pid <> pg_backend_pid()",
    );
    expect(killed.rowCount).toBeGreaterThanOrEqual(2);
    // The clients notice the loss asynchronously; the bus waits 1 s before reconnecting.
    await new Promise((r) => setTimeout(r, 300));
    expect(a.fleet.events.listening || b.fleet.events.listening).toBe(false);
    const deadline = Date.now() + 10_000;
    while (!(a.fleet.events.listening && b.fleet.events.listening)) {
      if (Date.now() > deadline) throw new Error("listeners did not reconnect");
      await new Promise((r) => setTimeout(r, 50));
    }
    const sse = await openSse(`${baseB}/api/events`, (await bearerFor("viewer")).authorization);
    try {
      const node = await enrollNode(a, "after-kill");
      const token = await accessToken(a, node);
      await postBatch(a, token, node.nodeId, series(1, 1));
      await sse.waitFor((f) => f.event === "report" && f.data.nodeId === node.nodeId);
    } finally {
      sse.close();
    }
  });

  it("replays the events after Last-Event-ID", async () => {
    const viewer = (await bearerFor("viewer")).authorization;
    const first = await openSse(`${baseB}/api/events?types=report`, viewer);
    const node = await enrollNode(a, "replay-node");
    const token = await accessToken(a, node);
    let lastId: string;
    try {
      await postBatch(a, token, node.nodeId, series(1, 1));
      await first.waitFor((f) => f.data.nodeId === node.nodeId);
      lastId = String(first.frames.find((f) => f.data.nodeId === node.nodeId)!.data.id);
    } finally {
      first.close();
    }
    // Missed while disconnected:
    await postBatch(a, token, node.nodeId, series(2, 2));
    await postBatch(a, token, node.nodeId, series(3, 3));
    await new Promise((r) => setTimeout(r, 200));
    const again = await openSse(`${baseB}/api/events?types=report`, viewer, lastId);
    try {
      await again.waitFor((f) => f.data.nodeId === node.nodeId && f.data.lastSeq === 3);
      const seqs = again.frames.filter((f) => f.data.nodeId === node.nodeId).map((f) => f.data.lastSeq);
      expect(seqs).toEqual([2, 3]);
    } finally {
      again.close();
    }
  });

  it("filters by type and refuses anonymous clients", async () => {
    const res = await b.inject({ url: "/api/events" });
    expect(res.statusCode).toBe(401);
    const sse = await openSse(`${baseB}/api/events?types=alert`, (await bearerFor("viewer")).authorization);
    try {
      const node = await enrollNode(a, "far-node");
      const token = await accessToken(a, node);
      await postBatch(a, token, node.nodeId, series(1, 1, 9_000_000));
      await sse.waitFor((f) => f.event === "alert" && f.data.nodeId === node.nodeId);
      expect(sse.frames.every((f) => f.event === "alert")).toBe(true);
    } finally {
      sse.close();
    }
  });
});
