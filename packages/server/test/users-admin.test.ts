// People and access (issue 4 §6): the generated admin password must be changed (reported
// by GET /api/auth/me), admins manage users (create, role, disable, reset), everyone
// changes their own password; every change is appended to the signed log.
import { ManualClock } from "@chronosync/core";
import { ensureAdmin } from "@chronosync/server";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createExternalDatabase, type TestDatabase } from "./helpers/databases.js";
import { fleetApp, T0 } from "./helpers/fleet.js";

const clock = new ManualClock(T0);
let db: TestDatabase;
let app: FastifyInstance;
let adminPassword: string;

function login(username: string, password: string) {
  return app.inject({ method: "POST", url: "/api/auth/login", payload: { username, password } });
}
async function bearer(username: string, password: string) {
  const res = await login(username, password);
  expect(res.statusCode).toBe(200);
  return { authorization: `Bearer ${res.json().accessToken}` };
}

beforeAll(async () => {
  db = await createExternalDatabase();
  app = await fleetApp(db, clock);
  const admin = await ensureAdmin(app.database.pool, undefined);
  adminPassword = admin.generatedPassword!;
});
afterAll(async () => {
  await app?.close();
  await db?.dispose();
});

describe("users", () => {
  it("flags the generated admin password until it is changed", async () => {
    const auth = await bearer("admin", adminPassword);
    const me = await app.inject({ url: "/api/auth/me", headers: auth });
    expect(me.json()).toMatchObject({ username: "admin", role: "admin", mustChangePassword: true });
    const wrong = await app.inject({
      method: "POST",
      url: "/api/auth/password",
      headers: auth,
      payload: { currentPassword: "nope", newPassword: "a-new-admin-password" },
    });
    expect(wrong.statusCode).toBe(403);
    const res = await app.inject({
      method: "POST",
      url: "/api/auth/password",
      headers: auth,
      payload: { currentPassword: adminPassword, newPassword: "a-new-admin-password" },
    });
    expect(res.statusCode).toBe(204);
    expect((await login("admin", adminPassword)).statusCode).toBe(401);
    const fresh = await bearer("admin", "a-new-admin-password");
    expect((await app.inject({ url: "/api/auth/me", headers: fresh })).json().mustChangePassword).toBe(false);
  });

  it("lets an admin create, change, reset and disable users", async () => {
    const admin = await bearer("admin", "a-new-admin-password");
    const created = await app.inject({
      method: "POST",
      url: "/api/users",
      headers: admin,
      payload: { username: "olga", password: "first-password", role: "operator" },
    });
    expect(created.statusCode).toBe(201);
    const olga = created.json();
    expect(olga).toMatchObject({
      username: "olga",
      role: "operator",
      disabled: false,
      mustChangePassword: true,
    });
    const taken = await app.inject({
      method: "POST",
      url: "/api/users",
      headers: admin,
      payload: { username: "olga", password: "first-password", role: "viewer" },
    });
    expect(taken.statusCode).toBe(409);
    const weak = await app.inject({
      method: "POST",
      url: "/api/users",
      headers: admin,
      payload: { username: "weak", password: "short", role: "viewer" },
    });
    expect(weak.statusCode).toBe(400);
    const olgaAuth = await bearer("olga", "first-password");
    expect((await app.inject({ url: "/api/users", headers: olgaAuth })).statusCode).toBe(403);
    const patched = await app.inject({
      method: "PATCH",
      url: `/api/users/${olga.id}`,
      headers: admin,
      payload: { role: "viewer" },
    });
    expect(patched.json()).toMatchObject({ role: "viewer" });
    const reset = await app.inject({
      method: "POST",
      url: `/api/users/${olga.id}/password`,
      headers: admin,
      payload: { password: "reset-password-1" },
    });
    expect(reset.statusCode).toBe(204);
    const again = await bearer("olga", "reset-password-1");
    expect((await app.inject({ url: "/api/auth/me", headers: again })).json()).toMatchObject({
      role: "viewer",
      mustChangePassword: true,
    });
    const disabled = await app.inject({
      method: "PATCH",
      url: `/api/users/${olga.id}`,
      headers: admin,
      payload: { disabled: true },
    });
    expect(disabled.json().disabled).toBe(true);
    expect((await login("olga", "reset-password-1")).statusCode).toBe(401);
    const list = (await app.inject({ url: "/api/users", headers: admin })).json().users;
    expect(list.map((u: { username: string }) => u.username)).toEqual(["admin", "olga"]);
  });

  it("never disables or demotes the last enabled admin", async () => {
    const admin = await bearer("admin", "a-new-admin-password");
    const me = (await app.inject({ url: "/api/auth/me", headers: admin })).json();
    for (const payload of [{ disabled: true }, { role: "viewer" }]) {
      const res = await app.inject({ method: "PATCH", url: `/api/users/${me.id}`, headers: admin, payload });
      expect(res.statusCode).toBe(409);
      expect(res.json().code).toBe("CONFLICT");
    }
  });

  it("appends every user change to the signed log, never a password", async () => {
    const rows = (await app.database.pool.query("SELECT kind, payload FROM ledger_entries ORDER BY seq"))
      .rows;
    const kinds = rows.map((r) => r.kind);
    for (const kind of [
      "audit.password-changed",
      "audit.user-created",
      "audit.user-updated",
      "audit.password-reset",
    ])
      expect(kinds).toContain(kind);
    const text = JSON.stringify(rows);
    for (const secret of ["first-password", "reset-password-1", "a-new-admin-password", adminPassword])
      expect(text).not.toContain(secret);
  });
});
