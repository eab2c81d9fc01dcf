/**
 * A small real HTTP(S) server implementing docs/report-protocol.md for the agent's
 * integration tests: enrollment tokens, client credentials (HTTP Basic), Bearer tokens,
 * reports deduplicated by (nodeId, seq) and by Idempotency-Key, the node's last seq. It can be stopped and
 * restarted on the same port, answer 503 with Retry-After, refuse big batches with 413,
 * or store a batch and drop the connection before answering.
 */
import { randomUUID } from "node:crypto";
import * as http from "node:http";
import * as https from "node:https";

export interface StoredReport {
  readonly seq: number;
  readonly body: Record<string, unknown>;
}

type Handler = (req: http.IncomingMessage, body: string, res: http.ServerResponse) => void;

export class ReportContractServer {
  readonly enrollTokens = new Map<string, "fresh" | "used">();
  readonly clients = new Map<string, { secret: string; nodeId: string }>();
  readonly access = new Map<string, string>();
  /** nodeId → seq → report. */
  readonly stored = new Map<string, Map<number, StoredReport>>();
  readonly idempotency = new Map<string, string>();
  /** Every reports request: its Idempotency-Key and number of reports. */
  readonly requests: { key: string; reports: number; status: number | "dropped" }[] = [];
  droppedTotal = 0;
  duplicates = 0;
  /** Answer the next N report requests with 503 + Retry-After: 0. */
  busy = 0;
  /** Store the next N accepted batches, then destroy the connection without answering. */
  dropAfterStore = 0;
  /** Batches above this many reports get 413. */
  maxReports = Number.POSITIVE_INFINITY;
  port = 0;
  #server: http.Server | undefined;
  readonly #tls: { key: string; cert: string } | undefined;

  constructor(tls?: { key: string; cert: string }) {
    this.#tls = tls;
  }

  get url(): string {
    return `${this.#tls ? "https" : "http"}://127.0.0.1:${this.port}/`;
  }

  /** Listens (on the previous port after a stop). */
  async start(): Promise<void> {
    const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => this.#route(req, Buffer.concat(chunks).toString("utf8"), res));
    };
    const server = this.#tls ? https.createServer(this.#tls, handler) : http.createServer(handler);
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.port, "127.0.0.1", () => resolve());
    });
    this.port = (server.address() as { port: number }).port;
    this.#server = server;
  }

  /** Stops listening and closes every connection: clients get ECONNREFUSED until `start`. */
  async stop(): Promise<void> {
    const s = this.#server;
    this.#server = undefined;
    if (s === undefined) return;
    s.closeAllConnections();
    await new Promise<void>((r) => s.close(() => r()));
  }

  /** Seqs stored for a node, sorted. */
  seqs(nodeId: string): number[] {
    return [...(this.stored.get(nodeId)?.keys() ?? [])].sort((a, b) => a - b);
  }

  #route: Handler = (req, body, res) => {
    const send = (
      status: number,
      doc: unknown,
      type = "application/json",
      headers: Record<string, string> = {},
    ) => {
      res.writeHead(status, { "content-type": type, ...headers });
      res.end(JSON.stringify(doc));
    };
    const problem = (status: number, title: string) =>
      send(status, { type: "about:blank", title, status }, "application/problem+json");
    if (req.method === "GET" && req.url === "/api/agents/reports/last-seq") {
      const nodeId = this.access.get(/^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1] ?? "");
      if (nodeId === undefined) return problem(401, "Invalid token");
      return send(200, { nodeId, lastSeq: this.seqs(nodeId).at(-1) ?? 0 });
    }
    if (req.method !== "POST") return problem(405, "Method Not Allowed");
    switch (req.url) {
      case "/api/agents/enroll": {
        const b = JSON.parse(body) as { token?: string; hostname?: string; agentVersion?: string };
        const state = this.enrollTokens.get(b.token ?? "");
        if (state === undefined) return problem(401, "Unknown enrollment token");
        if (state === "used") return problem(410, "Enrollment token already used");
        if (typeof b.hostname !== "string" || typeof b.agentVersion !== "string")
          return problem(400, "Bad body");
        this.enrollTokens.set(b.token ?? "", "used");
        const creds = { nodeId: randomUUID(), clientId: randomUUID(), clientSecret: randomUUID() };
        this.clients.set(creds.clientId, { secret: creds.clientSecret, nodeId: creds.nodeId });
        return send(201, { ...creds, scopes: ["reports:write"] });
      }
      case "/oauth/token": {
        const form = new URLSearchParams(body);
        const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? "")?.[1];
        const [id, secret] = Buffer.from(basic ?? "", "base64")
          .toString()
          .split(":")
          .map(decodeURIComponent);
        const client = this.clients.get(id ?? "");
        if (!req.headers["content-type"]?.startsWith("application/x-www-form-urlencoded"))
          return send(400, { error: "invalid_request" });
        if (client === undefined || client.secret !== secret)
          return send(401, { error: "invalid_client" }, "application/json", { "www-authenticate": "Basic" });
        if (form.get("grant_type") !== "client_credentials")
          return send(400, { error: "unsupported_grant_type" });
        if (form.get("scope") !== "reports:write") return send(400, { error: "invalid_scope" });
        const token = randomUUID();
        this.access.set(token, client.nodeId);
        return send(200, {
          access_token: token,
          token_type: "Bearer",
          expires_in: 300,
          scope: "reports:write",
        });
      }
      case "/api/agents/reports":
        return this.#reports(req, body, res, send, problem);
      default:
        return problem(404, "Not Found");
    }
  };

  #reports(
    req: http.IncomingMessage,
    body: string,
    res: http.ServerResponse,
    send: (s: number, d: unknown, t?: string, h?: Record<string, string>) => void,
    problem: (s: number, t: string) => void,
  ): void {
    const key = String(req.headers["idempotency-key"] ?? "");
    const b = JSON.parse(body) as {
      nodeId?: string;
      batchId?: string;
      reports?: Record<string, unknown>[];
      dropped?: number;
    };
    const reports = b.reports ?? [];
    const log = (status: number | "dropped") => {
      this.requests.push({ key, reports: reports.length, status });
    };
    const refuse = (status: number, title: string) => {
      log(status);
      problem(status, title);
    };
    const nodeId = this.access.get(/^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1] ?? "");
    if (nodeId === undefined) {
      refuse(401, "Invalid token");
      return;
    }
    if (b.nodeId !== nodeId) {
      refuse(403, "Not your node");
      return;
    }
    if (key === "" || b.batchId !== key) {
      refuse(400, "Idempotency-Key must be the batchId");
      return;
    }
    const shapeOk = reports.every(
      (r) =>
        Number.isSafeInteger(r.seq) &&
        typeof r.at === "string" &&
        /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/.test(r.at) &&
        typeof (r.tracking as { status?: unknown })?.status === "string" &&
        Array.isArray(r.sources) &&
        typeof (r.resources as { rssBytes?: unknown })?.rssBytes === "number" &&
        typeof r.agentVersion === "string",
    );
    if (!shapeOk || reports.length === 0 || typeof b.dropped !== "number") {
      refuse(400, "Bad body");
      return;
    }
    const replay = this.idempotency.get(`${nodeId}/${key}`);
    if (replay !== undefined) {
      log(202);
      send(202, JSON.parse(replay));
      return;
    }
    if (reports.length > this.maxReports) {
      refuse(413, "Batch too large");
      return;
    }
    if (this.busy > 0) {
      this.busy--;
      log(503);
      send(503, { title: "Busy" }, "application/problem+json", { "retry-after": "0" });
      return;
    }
    const node = this.stored.get(nodeId) ?? new Map<number, StoredReport>();
    this.stored.set(nodeId, node);
    let accepted = 0;
    let duplicates = 0;
    for (const r of reports) {
      const seq = r.seq as number;
      if (node.has(seq)) duplicates++;
      else {
        node.set(seq, { seq, body: r });
        accepted++;
      }
    }
    this.duplicates += duplicates;
    this.droppedTotal += b.dropped;
    const answer = JSON.stringify({ accepted, duplicates });
    this.idempotency.set(`${nodeId}/${key}`, answer);
    if (this.dropAfterStore > 0) {
      this.dropAfterStore--;
      log("dropped");
      res.socket?.destroy();
      return;
    }
    log(202);
    send(202, JSON.parse(answer));
  }
}
