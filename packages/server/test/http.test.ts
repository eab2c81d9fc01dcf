// Operations endpoints, the problem+json error contract and a database outage (503 with
// Retry-After, then recovery without restarting the app).
import { rm } from "node:fs/promises";
import { buildApp, ERROR_REGISTRY, shippedMigrationCount, startEmbeddedDatabase } from "@chronosync/server";
import type { FastifyInstance, InjectOptions } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findFreePort } from "../src/db/embedded.js";
import {
  createExternalDatabase,
  makeDataDir,
  superuserQuery,
  type TestDatabase,
} from "./helpers/databases.js";
import { bearerFor, TEST_MASTER_KEY } from "./helpers/tokens.js";

describe("operations and errors", () => {
  let db: TestDatabase;
  let app: FastifyInstance;
  beforeAll(async () => {
    db = await createExternalDatabase();
    app = await buildApp({ dataDir: db.dataDir, databaseUrl: db.url, masterKey: TEST_MASTER_KEY });
  });
  afterAll(async () => {
    await app?.close();
    await db?.dispose();
  });

  it("answers /healthz and /readyz without authentication", async () => {
    expect((await app.inject("/healthz")).json()).toEqual({ status: "ok" });
    const ready = await app.inject("/readyz");
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: "ready", migrations: shippedMigrationCount() });
  });

  it("answers /readyz 503 while a shipped migration is not applied", async () => {
    const url = await db.scratch();
    const other = await buildApp({ dataDir: db.dataDir, databaseUrl: url, masterKey: TEST_MASTER_KEY });
    try {
      await superuserQuery(
        url,
        "DELETE FROM drizzle.__drizzle_migrations WHERE id = (SELECT max(id) FROM drizzle.__drizzle_migrations)",
      );
      const res = await other.inject("/readyz");
      expect(res.statusCode).toBe(503);
      expect(res.json()).toMatchObject({ code: "DATABASE_UNAVAILABLE" });
    } finally {
      await other.close();
    }
  });

  it("publishes an OpenAPI 3.1 document with the routes' schemas at /docs", async () => {
    const doc = (await app.inject("/docs/json")).json();
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        "/api/ledger/entries/{seq}",
        "/api/auth/login",
        "/.well-known/chronosync/keys",
        "/readyz",
      ]),
    );
    expect(doc.paths["/api/auth/login"].post.requestBody.content["application/json"].schema.required).toEqual(
      ["username", "password"],
    );
    expect((await app.inject("/docs")).statusCode).toBeLessThan(400);
  });

  it("exposes Prometheus metrics to operators: per-route durations, pool, append lag", async () => {
    await app.ledger.append("test.metrics", [{ n: 1 }]);
    await app.inject("/healthz");
    const res = await app.inject({ url: "/metrics", headers: await bearerFor("operator") });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toMatch(/^text\/plain/);
    expect(res.body).toMatch(
      /chronosync_http_request_duration_seconds_count\{method="GET",route="\/healthz",status="200"\} [1-9]/,
    );
    expect(res.body).toMatch(/chronosync_db_pool_connections\{state="total"\} \d/);
    expect(res.body).toMatch(/chronosync_ledger_unsealed_entries 0/);
    expect(res.body).toMatch(/chronosync_ledger_append_seconds_count [1-9]/);
    expect((await app.inject({ url: "/metrics", headers: await bearerFor("viewer") })).statusCode).toBe(403);
  });

  it.each([
    ["unknown route", { method: "GET", url: "/nowhere" }, 404, "NOT_FOUND"],
    [
      "malformed JSON",
      {
        method: "POST",
        url: "/api/auth/login",
        payload: "{",
        headers: { "content-type": "application/json" },
      },
      400,
      "BAD_REQUEST",
    ],
    [
      "wrong types",
      { method: "POST", url: "/api/auth/login", payload: { username: 5, password: [] } },
      400,
      "VALIDATION_FAILED",
    ],
    [
      "missing field",
      { method: "POST", url: "/api/auth/login", payload: { username: "admin" } },
      400,
      "VALIDATION_FAILED",
    ],
    [
      "extra field",
      { method: "POST", url: "/api/auth/login", payload: { username: "a", password: "b", admin: true } },
      400,
      "VALIDATION_FAILED",
    ],
    [
      "deep nesting",
      {
        method: "POST",
        url: "/api/auth/login",
        payload: `${"[".repeat(5000)}${"]".repeat(5000)}`,
        headers: { "content-type": "application/json" },
      },
      400,
      "VALIDATION_FAILED",
    ],
    [
      "10 MB body",
      {
        method: "POST",
        url: "/api/auth/login",
        payload: `{"username":"${"x".repeat(10 * 1024 * 1024)}"}`,
        headers: { "content-type": "application/json" },
      },
      413,
      "PAYLOAD_TOO_LARGE",
    ],
    [
      "wrong media type",
      {
        method: "POST",
        url: "/api/auth/login",
        payload: "username=a",
        headers: { "content-type": "application/x-www-form-urlencoded" },
      },
      415,
      "UNSUPPORTED_MEDIA_TYPE",
    ],
    [
      "huge seq",
      { method: "GET", url: "/api/ledger/entries/99999999999999999999" },
      400,
      "VALIDATION_FAILED",
    ],
    [
      "number for a string",
      { method: "POST", url: "/api/auth/login", payload: { username: 5, password: "x" } },
      400,
      "VALIDATION_FAILED",
    ],
    [
      "limit out of range",
      { method: "GET", url: "/api/ledger/checkpoints?limit=1001" },
      400,
      "VALIDATION_FAILED",
    ],
    [
      "limit not a number",
      { method: "GET", url: "/api/ledger/checkpoints?limit=1e2" },
      400,
      "VALIDATION_FAILED",
    ],
    ["export to before from", { method: "GET", url: "/api/ledger/export?from=5&to=4" }, 400, "BAD_REQUEST"],
  ] as const)("answers %s with problem+json %i %s", async (_name, request, status, code) => {
    const headers = { ...(await bearerFor("viewer")), ...("headers" in request ? request.headers : {}) };
    const res = await app.inject({ ...request, headers } as InjectOptions);
    expect(res.statusCode).toBe(status);
    expect(res.headers["content-type"]).toMatch(/^application\/problem\+json/);
    const body = res.json();
    expect(body).toMatchObject({ status, code, title: ERROR_REGISTRY[code].title });
    expect(typeof body.type).toBe("string");
    expect(typeof body.detail).toBe("string");
    if (code === "VALIDATION_FAILED" && request.method === "POST" && !("headers" in request)) {
      expect(body.errors.length).toBeGreaterThan(0);
      expect(body.errors[0].pointer).toMatch(/^\/body/);
    }
  });
});

describe("database outage", () => {
  it("answers 503 problem+json with Retry-After while the database is down, and recovers without a restart", async () => {
    const dataDir = await makeDataDir();
    const port = await findFreePort();
    let embedded = await startEmbeddedDatabase(dataDir, undefined, { port });
    const app = await buildApp({ dataDir, databaseUrl: embedded.url, masterKey: TEST_MASTER_KEY });
    const auth = await bearerFor("viewer");
    try {
      expect((await app.inject("/readyz")).statusCode).toBe(200);
      await embedded.stop();
      for (const url of ["/readyz", "/api/ledger/checkpoints", "/.well-known/chronosync/keys"]) {
        const down = await app.inject({ url, headers: auth });
        expect(down.statusCode, url).toBe(503);
        expect(down.headers["retry-after"]).toBe("5");
        expect(down.json()).toMatchObject({ code: "DATABASE_UNAVAILABLE", status: 503 });
        expect(down.body).not.toMatch(/ECONNREFUSED|127\.0\.0\.1/);
      }
      expect((await app.inject("/healthz")).statusCode).toBe(200);
      embedded = await startEmbeddedDatabase(dataDir, undefined, { port });
      expect((await app.inject("/readyz")).statusCode).toBe(200);
      expect((await app.inject({ url: "/api/ledger/checkpoints", headers: auth })).statusCode).toBe(200);
    } finally {
      await app.close();
      await embedded.stop();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
