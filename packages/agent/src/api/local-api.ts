/**
 * The agent's local HTTP API (issue 3 §5), on `node:http` (no framework: the agent stays
 * small). Read-only: `GET`/`HEAD` of `/v1/now`, `/v1/status` and `/metrics`; request
 * bodies are never read. Errors are RFC 9457 `application/problem+json`: 404 for an
 * unknown path, 405 (with `Allow: GET, HEAD`) for another method, 500 if the provider
 * throws. See docs/agent-api.md.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { isIPv6 } from "node:net";
import { type Clock, NetworkFailureError } from "@chronosync/core";
import type { ChronydView } from "./chronyd.js";
import { type LocalApiProvider, nowDocument, statusDocument } from "./documents.js";
import { metricsText, PROMETHEUS_CONTENT_TYPE } from "./metrics.js";

export interface LocalApiOptions {
  /** `host:port` (IPv6 as `[::1]:8123`); port 0 picks a free port. Default `127.0.0.1:8123`. */
  readonly listen?: string;
  readonly provider: LocalApiProvider;
  /** The local (system) clock whose readings are passed to the provider. */
  readonly clock: Clock;
  /** The local chronyd, shown in `/v1/status` and `/metrics` (absent: no `chronyd` section). */
  readonly chronyd?: ChronydView;
}

export interface LocalApi {
  /** Where it listens (the actual port when 0 was asked for). */
  readonly address: { readonly host: string; readonly port: number };
  /** Stops listening and drops open connections. */
  close(): Promise<void>;
}

export const LOCAL_API_DEFAULT_LISTEN = "127.0.0.1:8123";
const ALLOW = "GET, HEAD";
const JSON_TYPE = "application/json; charset=utf-8";
const PROBLEM_TYPE = "application/problem+json; charset=utf-8";

/** Splits `host:port` / `[v6]:port`; throws NetworkFailureError when malformed. */
export function parseApiListen(text: string): { host: string; port: number } {
  const m = /^\[([^\]]+)\]:(\d{1,5})$/.exec(text) ?? /^([^:[\]]+):(\d{1,5})$/.exec(text);
  const port = m ? Number(m[2]) : Number.NaN;
  if (m === null || !(port >= 0 && port <= 65535) || (text.startsWith("[") && !isIPv6(m[1] ?? ""))) {
    throw new NetworkFailureError(
      `cannot listen on "${text}" for the local API: expected host:port (IPv6 as [::1]:8123)`,
    );
  }
  return { host: m[1] ?? "", port };
}

function formatAddress(host: string, port: number): string {
  return isIPv6(host) ? `[${host}]:${port}` : `${host}:${port}`;
}

interface Reply {
  readonly status: number;
  readonly type: string;
  readonly body: string;
  readonly headers?: Readonly<Record<string, string>>;
}

const TITLES: Readonly<Record<number, string>> = {
  404: "Not Found",
  405: "Method Not Allowed",
  500: "Internal Server Error",
};

function problem(status: number, detail: string, instance: string, headers?: Record<string, string>): Reply {
  const body = { type: "about:blank", title: TITLES[status] ?? "Error", status, detail, instance };
  return {
    status,
    type: PROBLEM_TYPE,
    body: `${JSON.stringify(body)}\n`,
    ...(headers === undefined ? {} : { headers }),
  };
}

const json = (doc: unknown): Reply => ({ status: 200, type: JSON_TYPE, body: `${JSON.stringify(doc)}\n` });

type Handler = (provider: LocalApiProvider, localNs: bigint, chronyd?: ChronydView) => Promise<Reply>;

const ROUTES: Readonly<Record<string, Handler>> = {
  "/v1/now": async (p, t) => json(nowDocument(p.now(t))),
  // The engine's report is taken at the request's instant, before chronyd is awaited.
  "/v1/status": async (p, t, c) => {
    const report = p.status(t);
    return json(statusDocument(report, await c?.read()));
  },
  "/metrics": async (p, t, c) => {
    const report = p.status(t);
    return { status: 200, type: PROMETHEUS_CONTENT_TYPE, body: metricsText(report, t, await c?.read()) };
  },
};

/** Answers one request (exported for tests of the routing alone). */
export async function route(
  method: string,
  url: string,
  provider: LocalApiProvider,
  clock: Clock,
  chronyd?: ChronydView,
): Promise<Reply> {
  const q = url.indexOf("?");
  const path = q < 0 ? url : url.slice(0, q);
  const handler = Object.hasOwn(ROUTES, path) ? ROUTES[path] : undefined;
  if (handler === undefined) return problem(404, `no resource at ${path}`, path);
  if (method !== "GET" && method !== "HEAD") {
    return problem(405, `${method} is not allowed on ${path} (allowed: ${ALLOW})`, path, { Allow: ALLOW });
  }
  try {
    return await handler(provider, clock.now(), chronyd);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return problem(500, message.split("\n")[0] ?? "", path);
  }
}

async function handle(req: IncomingMessage, res: ServerResponse, options: LocalApiOptions): Promise<void> {
  req.resume(); // never parse a body; just drain it
  const method = req.method ?? "GET";
  const reply = await route(method, req.url ?? "/", options.provider, options.clock, options.chronyd);
  if (res.destroyed) return;
  const body = Buffer.from(reply.body, "utf8");
  res.writeHead(reply.status, {
    "Content-Type": reply.type,
    "Content-Length": String(body.length),
    "Cache-Control": "no-store",
    ...reply.headers,
  });
  if (method === "HEAD") res.end();
  else res.end(body);
}

/**
 * Starts the local API. Rejects with {@link NetworkFailureError} when it cannot listen
 * (address in use, not available, permission denied), naming the address.
 */
export async function startLocalApi(options: LocalApiOptions): Promise<LocalApi> {
  const listen = options.listen ?? LOCAL_API_DEFAULT_LISTEN;
  const { host, port } = parseApiListen(listen);
  const server: Server = createServer((req, res) => void handle(req, res, options));
  server.requestTimeout = 10_000;
  server.headersTimeout = 5_000;
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      const why =
        err.code === "EADDRINUSE"
          ? "address already in use"
          : err.code === "EADDRNOTAVAIL"
            ? "address not available on this machine"
            : err.code === "EACCES"
              ? "permission denied"
              : err.message;
      reject(
        new NetworkFailureError(
          `cannot listen on ${formatAddress(host, port)} for the local API: ${why}${err.code ? ` (${err.code})` : ""}`,
          { cause: err },
        ),
      );
    };
    server.once("error", onError);
    server.listen({ host, port, exclusive: true }, () => {
      server.off("error", onError);
      resolve();
    });
  });
  const bound = server.address();
  const actualPort = typeof bound === "object" && bound !== null ? bound.port : port;
  let closed: Promise<void> | undefined;
  return {
    address: { host, port: actualPort },
    close: () => {
      closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closed;
    },
  };
}
