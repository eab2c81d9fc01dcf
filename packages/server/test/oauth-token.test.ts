// Enrollment tokens (one-time, expiring, revocable) and POST /oauth/token, the client
// credentials grant (RFC 6749 §4.4) with §2.3.1 Basic or body credentials and §5.2 errors.
import { ManualClock } from "@chronosync/core";
import { deriveJwtKey, verifyClientToken } from "@chronosync/server";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createExternalDatabase, type TestDatabase } from "./helpers/databases.js";
import { createEnrollmentToken, type EnrolledNode, enrollNode, fleetApp, S, T0 } from "./helpers/fleet.js";
import { bearerFor, TEST_MASTER_KEY } from "./helpers/tokens.js";

const clock = new ManualClock(T0);
let db: TestDatabase;
let app: FastifyInstance;
let node: EnrolledNode;

beforeAll(async () => {
  db = await createExternalDatabase();
  app = await fleetApp(db, clock);
  node = await enrollNode(app, "oauth-node");
});
afterAll(async () => {
  await app?.close();
  await db?.dispose();
});

const enroll = (token: string) =>
  app.inject({
    method: "POST",
    url: "/api/agents/enroll",
    payload: { token, hostname: "h", agentVersion: "0.1.0" },
  });

function tokenRequest(body: string, headers: Record<string, string> = {}) {
  return app.inject({
    method: "POST",
    url: "/oauth/token",
    headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
    payload: body,
  });
}

const basic = (id: string, secret: string) => ({
  authorization: `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString("base64")}`,
});

describe("enrollment tokens", () => {
  it("are one-time: a second use is 410, an unknown token 401", async () => {
    const token = await createEnrollmentToken(app);
    const first = await enroll(token);
    expect(first.statusCode).toBe(201);
    expect(first.json()).toMatchObject({ scopes: ["reports:write", "timestamps:write"] });
    expect(first.json().clientSecret).toMatch(/^css_/);
    const again = await enroll(token);
    expect(again.statusCode).toBe(410);
    expect(again.json().code).toBe("GONE");
    expect((await enroll("cset_nope")).statusCode).toBe(401);
  });

  it("expire and can be revoked; the list never shows the token", async () => {
    const expiring = await createEnrollmentToken(app, 60);
    clock.advance(61n * S);
    expect((await enroll(expiring)).statusCode).toBe(410);
    const revoked = await createEnrollmentToken(app);
    const admin = await bearerFor("admin");
    const list = (await app.inject({ url: "/api/enrollment-tokens", headers: admin })).json().tokens;
    const active = list.find((t: { status: string }) => t.status === "active");
    expect(JSON.stringify(list)).not.toContain(revoked);
    expect(list.map((t: { status: string }) => t.status)).toEqual(
      expect.arrayContaining(["used", "expired", "active"]),
    );
    const del = await app.inject({
      method: "DELETE",
      url: `/api/enrollment-tokens/${active.id}`,
      headers: admin,
    });
    expect(del.statusCode).toBe(204);
    expect((await enroll(revoked)).statusCode).toBe(410);
    const operator = await bearerFor("operator");
    expect((await app.inject({ url: "/api/enrollment-tokens", headers: operator })).statusCode).toBe(403);
  });
});

describe("POST /oauth/token", () => {
  it("issues a short-lived JWT with scopes for Basic and for body credentials", async () => {
    for (const res of [
      await tokenRequest(
        "grant_type=client_credentials&scope=reports%3Awrite",
        basic(node.clientId, node.clientSecret),
      ),
      await tokenRequest(
        `grant_type=client_credentials&client_id=${node.clientId}&client_secret=${node.clientSecret}`,
      ),
    ]) {
      expect(res.statusCode).toBe(200);
      expect(res.headers["cache-control"]).toBe("no-store");
      const body = res.json();
      expect(body).toMatchObject({ token_type: "Bearer", expires_in: 300 });
      const claims = await verifyClientToken(
        deriveJwtKey(Buffer.from(TEST_MASTER_KEY, "base64")),
        body.access_token,
        new Date(Number(clock.now() / 1_000_000n)),
      );
      expect(claims).toEqual({ clientId: node.clientId, nodeId: node.nodeId, scopes: body.scope.split(" ") });
    }
  });

  it("answers §5.2 errors as application/json", async () => {
    const cases: [string, Record<string, string>, number, string][] = [
      ["grant_type=client_credentials", basic(node.clientId, "wrong"), 401, "invalid_client"],
      ["grant_type=client_credentials", {}, 401, "invalid_client"],
      ["grant_type=password", basic(node.clientId, node.clientSecret), 400, "unsupported_grant_type"],
      ["scope=reports%3Awrite", basic(node.clientId, node.clientSecret), 400, "invalid_request"],
      [
        "grant_type=client_credentials&scope=admin",
        basic(node.clientId, node.clientSecret),
        400,
        "invalid_scope",
      ],
      [
        "grant_type=client_credentials&grant_type=client_credentials",
        basic(node.clientId, node.clientSecret),
        400,
        "invalid_request",
      ],
      [
        `grant_type=client_credentials&client_id=${node.clientId}&client_secret=${node.clientSecret}`,
        basic(node.clientId, node.clientSecret),
        400,
        "invalid_request",
      ],
    ];
    for (const [body, headers, status, error] of cases) {
      const res = await tokenRequest(body, headers);
      expect(res.statusCode, body).toBe(status);
      expect(res.headers["content-type"]).toMatch(/^application\/json/);
      expect(res.json().error).toBe(error);
    }
    const wrong = await tokenRequest("grant_type=client_credentials", basic(node.clientId, "wrong"));
    expect(wrong.headers["www-authenticate"]).toMatch(/^Basic/);
  });

  it("refuses a revoked client; machine tokens do not open user routes", async () => {
    const other = await enrollNode(app, "to-revoke");
    const ok = await tokenRequest("grant_type=client_credentials", basic(other.clientId, other.clientSecret));
    const machine = { authorization: `Bearer ${ok.json().access_token}` };
    expect((await app.inject({ url: "/api/nodes", headers: machine })).statusCode).toBe(401);
    const admin = await bearerFor("admin");
    await app.inject({ method: "DELETE", url: `/api/clients/${other.clientId}`, headers: admin });
    const res = await tokenRequest(
      "grant_type=client_credentials",
      basic(other.clientId, other.clientSecret),
    );
    expect(res.statusCode).toBe(401);
    expect(res.json().error).toBe("invalid_client");
  });
});

describe("failed attempts are rate limited per address", () => {
  const from = (remoteAddress: string) => ({ remoteAddress });

  it("POST /oauth/token: 30 failures a minute, then 429 with Retry-After; successes never count", async () => {
    const good = () =>
      app.inject({
        method: "POST",
        url: "/oauth/token",
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          ...basic(node.clientId, node.clientSecret),
        },
        payload: "grant_type=client_credentials",
        ...from("10.9.9.1"),
      });
    for (let i = 0; i < 50; i++) expect((await good()).statusCode).toBe(200);
    const bad = () =>
      app.inject({
        method: "POST",
        url: "/oauth/token",
        headers: { "content-type": "application/x-www-form-urlencoded", ...basic(node.clientId, "wrong") },
        payload: "grant_type=client_credentials",
        ...from("10.9.9.1"),
      });
    for (let i = 0; i < 30; i++) expect((await bad()).statusCode).toBe(401);
    const limited = await bad();
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers["retry-after"])).toBeGreaterThan(0);
    expect(limited.json()).toMatchObject({ error: "invalid_client" });
    // The right secret from that address waits too; another address does not.
    expect((await good()).statusCode).toBe(429);
    const elsewhere = await app.inject({
      method: "POST",
      url: "/oauth/token",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        ...basic(node.clientId, node.clientSecret),
      },
      payload: "grant_type=client_credentials",
      ...from("10.9.9.2"),
    });
    expect(elsewhere.statusCode).toBe(200);
  });

  it("POST /api/agents/enroll: 10 failed tokens a minute, then 429 problem+json", async () => {
    const attempt = (token: string) =>
      app.inject({
        method: "POST",
        url: "/api/agents/enroll",
        payload: { token, hostname: "h", agentVersion: "0.1.0" },
        ...from("10.9.9.3"),
      });
    for (let i = 0; i < 10; i++) expect((await attempt(`cset_guess${i}`)).statusCode).toBe(401);
    const limited = await attempt("cset_guess-more");
    expect(limited.statusCode).toBe(429);
    expect(limited.headers["content-type"]).toMatch(/problem\+json/);
    expect(limited.headers["retry-after"]).toBeDefined();
    expect(limited.json().code).toBe("TOO_MANY_REQUESTS");
  });
});
