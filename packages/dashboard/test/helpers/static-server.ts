/**
 * A small static server for the built dashboard, doing what the ChronoSync server must do
 * at `/`: hashed assets with a year-long immutable cache, `index.html` with `no-cache`,
 * and every other GET that accepts HTML answered with `index.html` (client routes).
 * `/api/*` and `/.well-known/*` go to `backend` when given; without one the connection is
 * dropped, as if no server were there (the dashboard must show a network error).
 */
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join, normalize, sep } from "node:path";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".json": "application/json",
  ".woff2": "font/woff2",
};

export interface StaticServer {
  readonly url: string;
  close(): Promise<void>;
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

export async function serveDashboard(root: string, backend?: string): Promise<StaticServer> {
  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (url.pathname.startsWith("/api/") || url.pathname.startsWith("/.well-known/")) {
      if (backend === undefined) return void req.socket.destroy();
      const target = new URL(url.pathname + url.search, backend);
      const upstream = httpRequest(target, { method: req.method, headers: req.headers }, (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
        // An upstream that drops mid-answer (an event stream ending) drops the client too.
        up.on("close", () => {
          if (!up.complete) res.destroy();
        });
      });
      upstream.on("error", () => req.socket.destroy());
      return void req.pipe(upstream);
    }
    const path = normalize(join(root, decodeURIComponent(url.pathname)));
    const inside = path.startsWith(root + sep);
    if (inside && (await isFile(path))) {
      const hashed = url.pathname.startsWith("/assets/");
      res.writeHead(200, {
        "Content-Type": TYPES[extname(path)] ?? "application/octet-stream",
        "Cache-Control": hashed ? "public, max-age=31536000, immutable" : "no-cache",
      });
      return void createReadStream(path).pipe(res);
    }
    if (req.method === "GET" && (req.headers.accept ?? "").includes("text/html")) {
      res.writeHead(200, { "Content-Type": TYPES[".html"], "Cache-Control": "no-cache" });
      return void createReadStream(join(root, "index.html")).pipe(res);
    }
    res.writeHead(404, { "Content-Type": "text/plain" }).end("not found");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
