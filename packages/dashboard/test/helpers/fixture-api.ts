/**
 * A large, deterministic fleet for the dashboard's scale checks: the fleet routes of issue
 * 4 §5 (`/api/nodes` paged, `/api/nodes/:id`, `/api/nodes/:id/history`, `/api/policies`,
 * `/api/alerts`, `/api/events`, `/api/auth/me`) answering the shapes of
 * packages/server/src/schemas/nodes.ts, with `nodeCount` nodes and 10 000-point
 * histories — what a seeded real server would give, without enrolling thousands of agents.
 * Sign-in accepts any password (the real sign-in is tested against the real server).
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface FixtureApi {
  readonly url: string;
  /** Ends every open event stream (the dashboard must show it is reconnecting). */
  dropStreams(): void;
  close(): Promise<void>;
}

const STATES = ["ok", "ok", "ok", "out-of-tolerance", "unknown", "silent"] as const;
const b64url = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
const TOKEN = `${b64url({ alg: "none" })}.${b64url({ sub: "u1", username: "admin", role: "admin" })}.x`;

function nodeAt(i: number, nowMs: number) {
  const n = String(i).padStart(4, "0");
  return {
    id: `00000000-0000-4000-8000-00000000${n}`,
    hostname: `node-${n}.lab`,
    agentVersion: i % 10 === 0 ? "0.2.0" : "0.1.0",
    policyId: i % 2 === 0 ? "mifid-100us" : "default",
    state: STATES[i % STATES.length],
    syncStatus: "synchronized",
    offsetNs: Math.round(Math.sin(i) * 10 ** (2 + (i % 6))),
    boundNs: 50_000 + (i % 7) * 1000,
    frequencyPpm: 1.5,
    cpuPercent: 0.4,
    rssBytes: 48 << 20,
    lastReportAt: new Date(nowMs - (i % 60) * 1000).toISOString(),
    lastSeq: 100,
    enrolledAt: new Date(nowMs - 86_400_000).toISOString(),
    droppedReports: 0,
  };
}

function send(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { "Content-Type": "application/json" }).end(JSON.stringify(body));
}

export async function startFixtureApi(nodeCount: number): Promise<FixtureApi> {
  const streams = new Set<ServerResponse>();
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://x");
    const now = Date.now();
    const path = url.pathname;
    if (path === "/api/auth/login" || path === "/api/auth/refresh")
      return send(res, 200, { accessToken: TOKEN, expiresIn: 900, tokenType: "Bearer" });
    if (req.headers.authorization !== `Bearer ${TOKEN}`)
      return send(res, 401, { title: "Unauthorized", detail: "missing token", code: "UNAUTHORIZED" });
    if (path === "/api/auth/me")
      return send(res, 200, { id: "u1", username: "admin", role: "admin", mustChangePassword: false });
    if (path === "/api/nodes") {
      const limit = Number(url.searchParams.get("limit") ?? 100);
      const offset = Number(url.searchParams.get("offset") ?? 0);
      const count = Math.max(0, Math.min(limit, nodeCount - offset));
      const nodes = Array.from({ length: count }, (_, i) => nodeAt(offset + i, now));
      return send(res, 200, { total: nodeCount, nodes });
    }
    if (path === "/api/policies")
      return send(res, 200, {
        policies: [
          {
            id: "default",
            toleranceNs: 1_000_000,
            silentAfterS: 120,
            falsetickerAlerts: true,
            updatedAt: new Date(now).toISOString(),
          },
          {
            id: "mifid-100us",
            toleranceNs: 100_000,
            silentAfterS: 60,
            falsetickerAlerts: true,
            updatedAt: new Date(now).toISOString(),
          },
        ],
      });
    if (path === "/api/alerts")
      return send(res, 200, {
        alerts: [
          {
            id: "a1",
            nodeId: nodeAt(4, now).id,
            hostname: "node-0004.lab",
            kind: "out-of-tolerance",
            sourceId: "",
            message: "node-0004.lab is 2.1 ms off, beyond its 100 µs tolerance",
            detail: null,
            raisedAt: new Date(now).toISOString(),
            resolvedAt: null,
          },
        ],
      });
    if (path === "/api/events") {
      res.writeHead(200, { "Content-Type": "text/event-stream", "Cache-Control": "no-cache" });
      res.write(": open\n\n");
      streams.add(res);
      const timer = setInterval(() => res.write(`event: report\ndata: {"nodeId":"n-0001"}\n\n`), 500);
      res.on("close", () => {
        clearInterval(timer);
        streams.delete(res);
      });
      return;
    }
    const m = /^\/api\/nodes\/([^/]+)(\/history)?$/.exec(path);
    const index = m === null ? -1 : Number(m[1]?.slice(-4));
    if (m === null || !(index >= 0 && index < nodeCount))
      return send(res, 404, { title: "Not Found", detail: `no node ${m?.[1] ?? path}`, code: "NOT_FOUND" });
    if (m[2] === undefined)
      return send(res, 200, {
        ...nodeAt(index, now),
        cpuPercent: 0.4,
        rssBytes: 48 << 20,
        toleranceNs: index % 2 === 0 ? 100_000 : 1_000_000,
        silentAfterS: 60,
        sources: [
          {
            id: "s1",
            url: "ntp://127.0.0.1:11123",
            protocol: "ntp",
            state: "selected",
            reach: "377",
            reachable: true,
            lastOffsetNs: 1200,
            delayNs: 90_000,
            jitterNs: 800,
            stratum: 2,
            poll: 4,
            falsetickers: 0,
            score: 0.98,
            at: new Date(now).toISOString(),
          },
          {
            id: "s2",
            url: "nts://time.example",
            protocol: "nts",
            state: "falseticker",
            reach: "377",
            reachable: true,
            lastOffsetNs: 9_000_000,
            delayNs: 20_000_000,
            jitterNs: 50_000,
            stratum: 1,
            poll: 6,
            falsetickers: 12,
            score: 0.2,
            at: new Date(now).toISOString(),
          },
        ],
      });
    const from = Date.parse(url.searchParams.get("from") ?? "");
    const to = Date.parse(url.searchParams.get("to") ?? "");
    const n = 10_000;
    const step = (to - from) / n;
    const points = Array.from({ length: n }, (_, i) => {
      const offsetNs = Math.round(Math.sin(i / 300) * 200_000 + Math.sin(from / 1e9 + i) * 5000);
      return {
        at: new Date(from + i * step).toISOString(),
        n: 1,
        offsetNs,
        offsetMinNs: offsetNs,
        offsetMaxNs: offsetNs,
        boundNs: 60_000,
        delayNs: 90_000 + (i % 50) * 100,
        jitterNs: 800 + (i % 13) * 10,
        cpuPercent: 0.4,
        rssBytes: 48 << 20,
      };
    });
    return send(res, 200, {
      resolution: url.searchParams.get("resolution") ?? "raw",
      truncated: false,
      points,
    });
  };
  const server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    dropStreams: () => {
      for (const s of streams) s.destroy();
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
