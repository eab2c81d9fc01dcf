/**
 * A large, deterministic fleet for the dashboard's scale checks: the fleet routes of issue
 * 4 §5 (`/api/nodes` paged, `/api/nodes/:id`, `/api/nodes/:id/history`, `/api/policies`,
 * `/api/alerts`, `/api/events`, `/api/auth/me`, `/api/timestamps/sources` and a source's
 * falseticker history) answering the shapes of
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
  /** Every history request so far: node index, `from` and `to` (live refresh checks). */
  readonly historyRequests: readonly { node: number; from: string; to: string }[];
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

const FIXTURE_SOURCES = [
  {
    id: "ntp-pool",
    url: "ntp://pool.ntp.org",
    protocol: "ntp",
    state: "selected",
    stratum: 2,
    falsetickers: 0,
    score: 0.98,
  },
  {
    id: "nts-example",
    url: "nts://time.example",
    protocol: "nts",
    state: "falseticker",
    stratum: 1,
    falsetickers: 12,
    score: 0.2,
  },
] as const;

/**
 * The falseticker history the server would answer: 120 buckets over the range; nodes 1–3
 * flag `nts-example` in buckets 30–39 and node 1 again from bucket 100 on (still flagged).
 */
function falsetickerHistory(query: URLSearchParams, nowMs: number) {
  const sourceId = query.get("sourceId") ?? "";
  const to = Date.parse(query.get("to") ?? "") || nowMs;
  const from = Date.parse(query.get("from") ?? "") || to - 86_400_000;
  const width = Math.max(10, Math.ceil((to - from) / 1000 / 120));
  const flagged = sourceId === "nts-example";
  const count = Math.floor((to - from) / 1000 / width) + 1;
  const at = (i: number) => new Date(from + i * width * 1000).toISOString();
  return {
    sourceId,
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    bucketSeconds: width,
    buckets: Array.from({ length: count }, (_, i) => ({
      at: at(i),
      nodes: 4,
      falsetickerNodes: !flagged ? 0 : i >= 30 && i < 40 ? 3 : i >= 100 ? 1 : 0,
    })),
    periods: !flagged
      ? []
      : [
          ...[1, 2, 3].map((n) => ({
            nodeId: nodeAt(n, nowMs).id,
            hostname: nodeAt(n, nowMs).hostname,
            from: at(30),
            to: at(39),
            endedAt: at(40),
            reports: (10 * width) / 10,
          })),
          {
            nodeId: nodeAt(1, nowMs).id,
            hostname: nodeAt(1, nowMs).hostname,
            from: at(100),
            to: at(count - 1),
            endedAt: null,
            reports: 5,
          },
        ],
    truncated: false,
  };
}

function send(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { "Content-Type": "application/json" }).end(JSON.stringify(body));
}

export async function startFixtureApi(nodeCount: number): Promise<FixtureApi> {
  const streams = new Set<ServerResponse>();
  const historyRequests: { node: number; from: string; to: string }[] = [];
  // Report events, every 500 ms, for the last node (the first after sorting by name, descending).
  const liveNode = nodeAt(nodeCount - 1, 0).id;
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
      const timer = setInterval(
        () => res.write(`event: report\ndata: {"type":"report","nodeId":"${liveNode}"}\n\n`),
        500,
      );
      res.on("close", () => {
        clearInterval(timer);
        streams.delete(res);
      });
      return;
    }
    if (path === "/api/timestamps/sources")
      return send(res, 200, {
        sources: FIXTURE_SOURCES.map((src, k) => ({
          ...src,
          reach: "377",
          reachable: true,
          lastOffsetNs: 1200 * (k + 1),
          delayNs: 90_000,
          jitterNs: 800,
          poll: 6,
          at: new Date(now).toISOString(),
          nodes: [0, 1, 2, 3].map((i) => ({
            nodeId: nodeAt(i, now).id,
            hostname: nodeAt(i, now).hostname,
            state: src.state,
            lastOffsetNs: 1200,
            score: src.score,
          })),
        })),
      });
    if (path === "/api/timestamps/sources/falseticker-history")
      return send(res, 200, falsetickerHistory(url.searchParams, now));
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
    historyRequests.push({
      node: index,
      from: url.searchParams.get("from") ?? "",
      to: url.searchParams.get("to") ?? "",
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
    historyRequests,
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
