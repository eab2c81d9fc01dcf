/**
 * Serves the built dashboard (packages/dashboard, `vite build` → `dist/`) at `/`, same
 * origin as the API: hashed `/assets/*` with a year-long immutable cache, `index.html`
 * with `no-cache`, and every other GET that accepts HTML (a client-side route such as
 * `/nodes/abc`) answered with `index.html`. API, docs, health and key routes are never
 * shadowed: they are registered routes and win; this only answers what no route matched
 * (the not-found fallback). Without a built dashboard, `/` says how to build it.
 */
import { createReadStream } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { extname, join, normalize, sep } from "node:path";
import { fileURLToPath } from "node:url";
import type { NotFoundFallback } from "./error-handler.js";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".json": "application/json",
  ".woff2": "font/woff2",
  ".txt": "text/plain; charset=utf-8",
};

/** Prefixes that belong to the API: a miss there is a 404 problem, never the app. */
const API_PREFIXES = ["/api/", "/oauth/", "/.well-known/", "/docs", "/healthz", "/readyz", "/metrics"];

/** The dashboard's build in this repository (packages/dashboard/dist), from src or dist. */
export function defaultDashboardDir(): string {
  return fileURLToPath(new URL("../../../dashboard/dist/", import.meta.url));
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

const NOT_BUILT = `<!doctype html><html lang="en"><meta charset="utf-8"><title>ChronoSync</title>
<main><h1>ChronoSync server</h1><p>The dashboard is not built. Run <code>npm run build</code>
in the repository (or set CHRONOSYNC_DASHBOARD_DIR to a built dashboard). The API is at
<a href="/docs">/docs</a>.</p></main></html>\n`;

/**
 * The dashboard as the not-found fallback (see registerErrorHandler): `dir` is the built
 * dashboard (default {@link defaultDashboardDir}); what is not the dashboard's goes to
 * `miss`, the API's 404 problem.
 */
export async function dashboardFallback(dir: string | undefined): Promise<NotFoundFallback> {
  const root = normalize(dir ?? defaultDashboardDir());
  const inside = root.endsWith(sep) ? root : root + sep;
  const index = join(root, "index.html");
  const built = await isFile(index);
  return async (request, reply, miss) => {
    const path = new URL(request.url, "http://localhost").pathname;
    if (
      (request.method !== "GET" && request.method !== "HEAD") ||
      API_PREFIXES.some((p) => path.startsWith(p))
    ) {
      return miss();
    }
    if (!built) {
      if (path !== "/") return miss();
      return reply.type(TYPES[".html"]!).header("cache-control", "no-cache").send(NOT_BUILT);
    }
    let decoded: string;
    try {
      decoded = decodeURIComponent(path);
    } catch {
      return miss();
    }
    const file = normalize(join(root, decoded));
    if (file.startsWith(inside) && file !== index && (await isFile(file))) {
      const hashed = path.startsWith("/assets/");
      return reply
        .type(TYPES[extname(file)] ?? "application/octet-stream")
        .header("cache-control", hashed ? "public, max-age=31536000, immutable" : "no-cache")
        .send(createReadStream(file));
    }
    if (path.startsWith("/assets/") || !(request.headers.accept ?? "").includes("text/html")) return miss();
    return reply
      .type(TYPES[".html"]!)
      .header("cache-control", "no-cache")
      .send(await readFile(index));
  };
}
