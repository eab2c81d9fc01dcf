// The built dashboard served at `/` by the server: SPA fallback, cache headers, and the
// API's own 404 problems never shadowed.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildApp } from "@chronosync/server";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createExternalDatabase, type TestDatabase } from "./helpers/databases.js";
import { TEST_MASTER_KEY } from "./helpers/tokens.js";

describe("the dashboard at /", () => {
  let db: TestDatabase;
  let dir: string;
  let app: FastifyInstance;
  let bare: FastifyInstance;
  beforeAll(async () => {
    db = await createExternalDatabase();
    dir = await mkdtemp(join(tmpdir(), "chronosync-dashboard-"));
    await mkdir(join(dir, "dist", "assets"), { recursive: true });
    await writeFile(join(dir, "dist", "index.html"), "<!doctype html><title>ChronoSync</title>");
    await writeFile(join(dir, "dist", "assets", "app-1a2b.js"), "console.log(1)");
    await writeFile(join(dir, "secret.txt"), "outside");
    const common = { dataDir: db.dataDir, databaseUrl: db.url, masterKey: TEST_MASTER_KEY };
    app = await buildApp({ ...common, dashboardDir: join(dir, "dist") });
    bare = await buildApp({ ...common, dashboardDir: join(dir, "nothing-built-here") });
  });
  afterAll(async () => {
    await app?.close();
    await bare?.close();
    await db?.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  const html = { accept: "text/html,application/xhtml+xml" };

  it("answers / and client routes with index.html, not cached", async () => {
    for (const url of ["/", "/nodes/abc", "/settings?tab=users"]) {
      const res = await app.inject({ url, headers: html });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers["content-type"]).toMatch(/^text\/html/);
      expect(res.headers["cache-control"]).toBe("no-cache");
      expect(res.body).toContain("<title>ChronoSync</title>");
    }
  });

  it("serves hashed assets with a year-long immutable cache", async () => {
    const res = await app.inject("/assets/app-1a2b.js");
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toMatch(/^text\/javascript/);
    expect(res.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
    expect(res.body).toBe("console.log(1)");
  });

  it("leaves API misses, missing assets, other methods and escapes to the 404 problem", async () => {
    for (const [method, url] of [
      ["GET", "/api/no-such-route"],
      ["GET", "/assets/missing.js"],
      ["POST", "/"],
    ] as const) {
      const res = await app.inject({ method, url, headers: html });
      expect(res.statusCode, `${method} ${url}`).toBe(404);
      expect(res.headers["content-type"]).toMatch(/^application\/problem\+json/);
    }
    const malformed = await app.inject({ url: "/%E0%A4%A", headers: html });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.headers["content-type"]).toMatch(/^application\/problem\+json/);
    // A path that climbs out of the dashboard's folder never reads the file there: the
    // browser gets the app (a client route) or, asking for anything but HTML, the 404.
    for (const url of ["/..%2fsecret.txt", "/%2e%2e/secret.txt", "/assets/..%2f..%2fsecret.txt"]) {
      const page = await app.inject({ url, headers: html });
      expect(page.body, url).not.toContain("outside");
      const raw = await app.inject({ url, headers: { accept: "*/*" } });
      expect(raw.statusCode, url).toBe(404);
      expect(raw.body, url).not.toContain("outside");
    }
    // Registered routes still win.
    expect((await app.inject("/healthz")).json()).toEqual({ status: "ok" });
  });

  it("says how to build the dashboard when it is not built", async () => {
    const res = await bare.inject({ url: "/", headers: html });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain("npm run build");
    expect((await bare.inject({ url: "/nodes", headers: html })).statusCode).toBe(404);
  });
});
