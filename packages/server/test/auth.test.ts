// Sign-in, refresh rotation, lockout, rate limiting, login audit in the signed log, and
// the route × role matrix.
import { ManualClock, NS_PER_S, verifyLogExport } from "@chronosync/core";
import { buildApp, createUser, ensureAdmin } from "@chronosync/server";
import type { FastifyInstance, LightMyRequestResponse } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createExternalDatabase, type TestDatabase } from "./helpers/databases.js";
import { TEST_MASTER_KEY } from "./helpers/tokens.js";

const clock = new ManualClock(BigInt(Date.now()) * 1_000_000n);
let db: TestDatabase;
let app: FastifyInstance;
const tokens: Record<string, string> = {};

function login(username: string, password: string, ip = "10.0.0.1") {
  return app.inject({
    method: "POST",
    url: "/api/auth/login",
    payload: { username, password },
    remoteAddress: ip,
  });
}

function refreshCookie(res: LightMyRequestResponse): string {
  const cookie = res.cookies.find((c) => c.name === "chronosync_refresh");
  if (cookie === undefined) throw new Error("no refresh cookie");
  return cookie.value;
}

beforeAll(async () => {
  db = await createExternalDatabase();
  app = await buildApp({
    dataDir: db.dataDir,
    databaseUrl: db.url,
    masterKey: TEST_MASTER_KEY,
    clock,
    loginsPerMinute: 100,
  });
  const admin = await ensureAdmin(app.database.pool, "admin-pass-1");
  expect(admin).toEqual({ created: true });
  expect(await ensureAdmin(app.database.pool, undefined)).toEqual({ created: false });
  await createUser(app.database.pool, "olga", "operator-pass", "operator");
  await createUser(app.database.pool, "vic", "viewer-pass", "viewer");
  for (const [role, user, pass] of [
    ["admin", "admin", "admin-pass-1"],
    ["operator", "olga", "operator-pass"],
    ["viewer", "vic", "viewer-pass"],
  ] as const) {
    const res = await login(user, pass);
    expect(res.statusCode).toBe(200);
    tokens[role] = res.json().accessToken;
  }
});
afterAll(async () => {
  await app?.close();
  await db?.dispose();
});

describe("login", () => {
  it("answers a bearer token and sets the refresh cookie httpOnly, Secure, SameSite=Strict", async () => {
    const res = await login("admin", "admin-pass-1");
    expect(res.json()).toMatchObject({ expiresIn: 900, tokenType: "Bearer" });
    const cookie = res.cookies.find((c) => c.name === "chronosync_refresh")!;
    expect(cookie).toMatchObject({ httpOnly: true, secure: true, sameSite: "Strict", path: "/api/auth" });
  });

  it("refuses a wrong password or unknown user alike with 401 problem+json", async () => {
    for (const [user, pass] of [
      ["vic", "nope"],
      ["nobody", "viewer-pass"],
    ] as const) {
      const res = await login(user, pass);
      expect(res.statusCode).toBe(401);
      expect(res.json()).toMatchObject({ code: "UNAUTHORIZED", detail: "wrong username or password" });
    }
  });

  it("appends every login to the signed log as audit.login", async () => {
    const exported = await app.ledger.export(0n);
    const audits = exported.entries.filter((e) => e.kind === "audit.login").map((e) => e.payload);
    expect(audits).toEqual(
      expect.arrayContaining([
        { username: "admin", outcome: "success", ip: "10.0.0.1", role: "admin" },
        { username: "nobody", outcome: "failure", ip: "10.0.0.1" },
      ]),
    );
    expect(verifyLogExport(exported, await app.keys.keySet())).toEqual({ valid: true });
  });

  it("locks an account after 5 failures in a row, for 15 minutes", async () => {
    await createUser(app.database.pool, "lou", "right-pass", "viewer");
    for (let i = 0; i < 5; i++) expect((await login("lou", "wrong")).statusCode).toBe(401);
    const locked = await login("lou", "right-pass");
    expect(locked.statusCode).toBe(423);
    expect(Number(locked.headers["retry-after"])).toBeGreaterThan(800);
    clock.advance(15n * 60n * NS_PER_S + NS_PER_S);
    expect((await login("lou", "right-pass")).statusCode).toBe(200);
  });

  it("rate-limits login attempts per client address with 429 and Retry-After", async () => {
    const strict = await buildApp({
      dataDir: db.dataDir,
      databaseUrl: db.url,
      masterKey: TEST_MASTER_KEY,
      clock,
      loginsPerMinute: 2,
    });
    try {
      const attempt = () =>
        strict.inject({
          method: "POST",
          url: "/api/auth/login",
          payload: { username: "x", password: "y" },
          remoteAddress: "10.9.9.9",
        });
      expect((await attempt()).statusCode).toBe(401);
      expect((await attempt()).statusCode).toBe(401);
      const limited = await attempt();
      expect(limited.statusCode).toBe(429);
      expect(Number(limited.headers["retry-after"])).toBeGreaterThan(0);
    } finally {
      await strict.close();
    }
  });
});

describe("tokens", () => {
  it("rotates the refresh cookie; a reused one is refused and revokes its successor", async () => {
    const first = refreshCookie(await login("vic", "viewer-pass"));
    const refreshed = await app.inject({
      method: "POST",
      url: "/api/auth/refresh",
      cookies: { chronosync_refresh: first },
    });
    expect(refreshed.statusCode).toBe(200);
    const second = refreshCookie(refreshed);
    expect(second).not.toBe(first);
    const reuse = await app.inject({
      method: "POST",
      url: "/api/auth/refresh",
      cookies: { chronosync_refresh: first },
    });
    expect(reuse.statusCode).toBe(401);
    const after = await app.inject({
      method: "POST",
      url: "/api/auth/refresh",
      cookies: { chronosync_refresh: second },
    });
    expect(after.statusCode).toBe(401);
  });

  it("logout revokes the refresh cookie", async () => {
    const cookie = refreshCookie(await login("vic", "viewer-pass"));
    const out = await app.inject({
      method: "POST",
      url: "/api/auth/logout",
      cookies: { chronosync_refresh: cookie },
    });
    expect(out.statusCode).toBe(204);
    expect(
      (
        await app.inject({
          method: "POST",
          url: "/api/auth/refresh",
          cookies: { chronosync_refresh: cookie },
        })
      ).statusCode,
    ).toBe(401);
    expect((await app.inject({ method: "POST", url: "/api/auth/refresh" })).statusCode).toBe(401);
  });

  it("refuses forged, malformed and expired access tokens", async () => {
    const url = "/api/ledger/checkpoints";
    const forged = `${tokens.viewer!.slice(0, -4)}AAAA`;
    for (const authorization of [
      `Bearer ${forged}`,
      "Bearer",
      "Basic YWRtaW46eA==",
      `Bearer ${tokens.viewer} x`,
    ]) {
      const res = await app.inject({ url, headers: { authorization } });
      expect(res.statusCode, authorization).toBe(401);
      expect(res.headers["www-authenticate"]).toMatch(/^Bearer/);
    }
    const fresh = (await login("vic", "viewer-pass")).json().accessToken;
    expect((await app.inject({ url, headers: { authorization: `Bearer ${fresh}` } })).statusCode).toBe(200);
    clock.advance(16n * 60n * NS_PER_S);
    expect((await app.inject({ url, headers: { authorization: `Bearer ${fresh}` } })).statusCode).toBe(401);
  });
});

describe("route × role matrix", () => {
  type Who = "none" | "viewer" | "operator" | "admin";
  const ALL = { none: 200, viewer: 200, operator: 200, admin: 200 };
  const SIGNED_IN = { none: 401, viewer: 200, operator: 200, admin: 200 };
  const ADMIN_ONLY = { none: 401, viewer: 403, operator: 403, admin: 200 };
  const MATRIX: Record<string, Record<Who, number>> = {
    "GET /healthz": ALL,
    "GET /readyz": ALL,
    "GET /.well-known/chronosync/keys": ALL,
    "GET /docs/json": ALL,
    "GET /api/ledger/checkpoints": SIGNED_IN,
    "GET /api/ledger/entries/{seq}": SIGNED_IN,
    // Entry 0 is no record batch: past authentication, 404.
    "GET /api/ledger/entries/{seq}/records/{index}": { none: 401, viewer: 404, operator: 404, admin: 404 },
    "GET /api/ledger/export": SIGNED_IN,
    "GET /metrics": { none: 401, viewer: 403, operator: 200, admin: 200 },
    "POST /api/keys/rotate": { none: 401, viewer: 403, operator: 403, admin: 200 },
    "POST /api/auth/login": { none: 401, viewer: 401, operator: 401, admin: 401 },
    "POST /api/auth/refresh": { none: 401, viewer: 401, operator: 401, admin: 401 },
    "POST /api/auth/logout": { none: 204, viewer: 204, operator: 204, admin: 204 },
    "POST /api/timestamps/normalize": { none: 401, viewer: 403, operator: 200, admin: 200 },
    "POST /api/timestamps/verify": SIGNED_IN,
    "POST /api/time": ALL,
    // Fleet, OAuth and user administration (fleet engineer). Ids that do not exist: 404 once allowed.
    "POST /api/enrollment-tokens": { none: 401, viewer: 403, operator: 403, admin: 201 },
    "GET /api/enrollment-tokens": ADMIN_ONLY,
    "DELETE /api/enrollment-tokens/{id}": { ...ADMIN_ONLY, admin: 404 },
    "GET /api/clients": ADMIN_ONLY,
    "DELETE /api/clients/{clientId}": { ...ADMIN_ONLY, admin: 404 },
    "POST /api/agents/enroll": { none: 401, viewer: 401, operator: 401, admin: 401 },
    "POST /api/agents/reports": { none: 401, viewer: 403, operator: 403, admin: 403 },
    "GET /api/agents/reports/last-seq": { none: 401, viewer: 403, operator: 403, admin: 403 },
    "POST /oauth/token": { none: 400, viewer: 400, operator: 400, admin: 400 },
    "GET /api/nodes": SIGNED_IN,
    "GET /api/nodes/{id}": { none: 401, viewer: 404, operator: 404, admin: 404 },
    "GET /api/nodes/{id}/history": { none: 401, viewer: 404, operator: 404, admin: 404 },
    "PUT /api/nodes/{id}/policy": { ...ADMIN_ONLY, admin: 404 },
    "DELETE /api/nodes/{id}": { ...ADMIN_ONLY, admin: 404 },
    "GET /api/alerts": SIGNED_IN,
    "GET /api/timestamps/sources": SIGNED_IN,
    // Signed in, but the required sourceId/from/to are missing: 400 once allowed.
    "GET /api/timestamps/sources/falseticker-history": { none: 401, viewer: 400, operator: 400, admin: 400 },
    "GET /api/events": SIGNED_IN,
    "GET /api/policies": SIGNED_IN,
    "PUT /api/policies/{id}": ADMIN_ONLY,
    "GET /api/auth/me": SIGNED_IN,
    "POST /api/auth/password": { none: 401, viewer: 403, operator: 403, admin: 403 },
    "GET /api/users": ADMIN_ONLY,
    "POST /api/users": { none: 401, viewer: 403, operator: 403, admin: 201 },
    "PATCH /api/users/{id}": { ...ADMIN_ONLY, admin: 404 },
    "POST /api/users/{id}/password": { ...ADMIN_ONLY, admin: 404 },
    "DELETE /api/users/{id}": { ...ADMIN_ONLY, admin: 404 },
    "GET /api/settings/retention": SIGNED_IN,
    "PUT /api/settings/retention": ADMIN_ONLY,
  };
  /** Valid bodies of POST routes (so an allowed role gets 2xx, not a validation 400). */
  const BODIES: Record<string, object> = {
    "/api/timestamps/normalize": { sourceId: "matrix", timestamps: [{ value: 1703054123456 }] },
    "/api/timestamps/verify": { range: { from: "0", to: "0" } },
    "/api/time": { version: 1, nonce: "AAAAAAAAAAAAAAAAAAAAAA==", t1: "1" },
    "POST /api/enrollment-tokens": { expiresInS: 3600 },
    "POST /api/agents/enroll": { token: "cset_unknown", hostname: "h", agentVersion: "0.1.0" },
    "PUT /api/nodes/{id}/policy": { policyId: "default" },
    "PUT /api/policies/{id}": { toleranceNs: 1_000_000, silentAfterS: 300 },
    "PUT /api/settings/retention": {
      rawDays: 7,
      minuteRollupDays: 30,
      hourRollupDays: 400,
      resolvedAlertDays: 400,
      webhookDeliveryDays: 7,
    },
    "POST /api/auth/password": { currentPassword: "wrong", newPassword: "matrix-password-1" },
    "POST /api/users": { username: "matrix-user", password: "matrix-password-1", role: "viewer" },
    "PATCH /api/users/{id}": { role: "viewer" },
    "POST /api/users/{id}/password": { password: "matrix-password-1" },
  };

  it("covers every route of the OpenAPI document", async () => {
    const doc = (await app.inject("/docs/json")).json() as { paths: Record<string, Record<string, unknown>> };
    const routes = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
    );
    expect(routes.filter((r) => !r.startsWith("GET /docs")).sort()).toEqual(
      Object.keys(MATRIX)
        .filter((r) => r !== "GET /docs/json")
        .sort(),
    );
  });

  // Tokens issued before the clock moved in the expiry test have expired: sign in again.
  const fresh: Record<string, string> = {};
  beforeAll(async () => {
    const creds = {
      admin: ["admin", "admin-pass-1"],
      operator: ["olga", "operator-pass"],
      viewer: ["vic", "viewer-pass"],
    };
    for (const [role, [user, pass]] of Object.entries(creds)) {
      fresh[role] = (await login(user!, pass!, "10.0.0.2")).json().accessToken;
    }
  });

  const cases = Object.entries(MATRIX).flatMap(([route, byRole]) =>
    (Object.entries(byRole) as [Who, number][]).map(([who, status]) => ({ route, who, status })),
  );
  it.each(cases)("$route as $who → $status", async ({ route, who, status }) => {
    const [method, path] = route.split(" ") as ["GET" | "POST" | "PUT" | "PATCH" | "DELETE", string];
    const url = path
      .replace("{seq}", "0")
      .replace("{index}", "0")
      .replace("{id}", "00000000-0000-4000-8000-000000000000")
      .replace("{clientId}", "node-0000000000000000");
    const headers = who === "none" ? {} : { authorization: `Bearer ${fresh[who]}` };
    const payload =
      method === "POST" && path.endsWith("login")
        ? { username: "x", password: "y" }
        : (BODIES[route] ?? BODIES[path]);
    // The event stream never ends: read its status, then drop it.
    const stream = path === "/api/events" ? { payloadAsStream: true } : {};
    const res = await app.inject({
      method,
      url,
      headers,
      ...stream,
      ...(payload === undefined ? {} : { payload }),
    });
    if (path === "/api/events") res.stream().destroy();
    expect(res.statusCode).toBe(status);
  });
});
