// People and access (issue 4 §6): the generated admin password must be changed (reported
// by GET /api/auth/me), admins manage users (create, role, disable, reset, delete — not
// themselves, never the last enabled admin), everyone changes their own password; every
// change is appended to the signed log.
import { ManualClock } from "@chronosync/core";
import { ensureAdmin } from "@chronosync/server";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type {} from "../src/plugins/auth.js"; // FastifyInstance.tokenRevocations
import { deleteUser } from "../src/users/store.js";
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

  it("deletes a user (their sessions end), never oneself nor the last enabled admin", async () => {
    clock.advance(61n * 1_000_000_000n); // a fresh minute of the login rate limit
    const admin = await bearer("admin", "a-new-admin-password");
    const me = (await app.inject({ url: "/api/auth/me", headers: admin })).json();
    const self = await app.inject({ method: "DELETE", url: `/api/users/${me.id}`, headers: admin });
    expect(self.statusCode).toBe(409);
    expect(self.json()).toMatchObject({ code: "CONFLICT" });
    const created = await app.inject({
      method: "POST",
      url: "/api/users",
      headers: admin,
      payload: { username: "dora", password: "dora-password-1", role: "admin", mustChangePassword: false },
    });
    const dora = created.json();
    const doraLogin = await login("dora", "dora-password-1");
    const cookie = doraLogin.cookies.find((c) => c.name === "chronosync_refresh")?.value;
    expect(cookie).toBeDefined();
    const doraAuth = { authorization: `Bearer ${doraLogin.json().accessToken}` };
    // Dora, an admin, deletes the first admin: she is then the last enabled admin and stays.
    const gone = await app.inject({ method: "DELETE", url: `/api/users/${me.id}`, headers: doraAuth });
    expect(gone.statusCode).toBe(204);
    expect((await login("admin", "a-new-admin-password")).statusCode).toBe(401);
    const again = await app.inject({ method: "DELETE", url: `/api/users/${me.id}`, headers: doraAuth });
    expect(again.statusCode).toBe(404);
    // Re-create "admin" as a viewer: viewers may not delete anyone.
    const restored = await app.inject({
      method: "POST",
      url: "/api/users",
      headers: doraAuth,
      payload: {
        username: "admin",
        password: "a-new-admin-password",
        role: "viewer",
        mustChangePassword: false,
      },
    });
    expect(restored.statusCode).toBe(201);
    const viewer = await bearer("admin", "a-new-admin-password");
    expect(
      (await app.inject({ method: "DELETE", url: `/api/users/${dora.id}`, headers: viewer })).statusCode,
    ).toBe(403);
    // Deleting a user ends their sessions: the refresh cookie no longer works.
    const promoted = await app.inject({
      method: "PATCH",
      url: `/api/users/${restored.json().id}`,
      headers: doraAuth,
      payload: { role: "admin" },
    });
    expect(promoted.statusCode).toBe(200);
    const admin2 = await bearer("admin", "a-new-admin-password");
    expect(
      (await app.inject({ method: "DELETE", url: `/api/users/${dora.id}`, headers: admin2 })).statusCode,
    ).toBe(204);
    const refresh = await app.inject({
      method: "POST",
      url: "/api/auth/refresh",
      cookies: { chronosync_refresh: cookie! },
    });
    expect(refresh.statusCode).toBe(401);
    const last = (await app.inject({ url: "/api/auth/me", headers: admin2 })).json();
    const lastDelete = await app.inject({ method: "DELETE", url: `/api/users/${last.id}`, headers: admin2 });
    expect(lastDelete.statusCode).toBe(409);
    // An admin disabled a moment ago still holds a valid access token for a few minutes;
    // the store itself refuses to delete the last enabled admin.
    await expect(deleteUser(app.database.pool, last.id)).rejects.toMatchObject({ code: "CONFLICT" });
    expect((await app.inject({ url: "/api/auth/me", headers: admin2 })).statusCode).toBe(200);
  });

  it("ends a disabled, re-roled, reset or deleted user's access tokens at once, in every process", async () => {
    let address = 0;
    const signIn = async (username: string, password: string) => {
      address += 1; // each from its own address: the login rate limit counts per address
      const res = await app.inject({
        method: "POST",
        url: "/api/auth/login",
        payload: { username, password },
        remoteAddress: `10.7.0.${address}`,
      });
      expect(res.statusCode, res.body).toBe(200);
      return { authorization: `Bearer ${res.json().accessToken}` };
    };
    const admin = await signIn("admin", "a-new-admin-password");
    const other = await fleetApp(db, clock); // a second server process on the same database
    try {
      const create = async (username: string) =>
        (
          await app.inject({
            method: "POST",
            url: "/api/users",
            headers: admin,
            payload: { username, password: "first-password", role: "operator", mustChangePassword: false },
          })
        ).json().id as string;
      const ids = {
        vera: await create("vera"),
        rolf: await create("rolf"),
        rita: await create("rita"),
        dora: await create("dora"),
      };
      const tokens = Object.fromEntries(
        await Promise.all(Object.keys(ids).map(async (u) => [u, await signIn(u, "first-password")] as const)),
      );
      const me = (server: FastifyInstance, headers: { authorization: string }) =>
        server.inject({ url: "/api/auth/me", headers }).then((r) => r.statusCode);
      for (const t of Object.values(tokens)) {
        expect(await me(app, t)).toBe(200);
        expect(await me(other, t)).toBe(200);
      }
      clock.advance(1_000_000n); // the revocations come 1 ms after the tokens
      const patch = (id: string, payload: object) =>
        app.inject({ method: "PATCH", url: `/api/users/${id}`, headers: admin, payload });
      expect((await patch(ids.vera, { disabled: true })).statusCode).toBe(200);
      expect((await patch(ids.rolf, { role: "viewer" })).statusCode).toBe(200);
      const reset = await app.inject({
        method: "POST",
        url: `/api/users/${ids.rita}/password`,
        headers: admin,
        payload: { password: "second-password" },
      });
      expect(reset.statusCode).toBe(204);
      const gone = await app.inject({ method: "DELETE", url: `/api/users/${ids.dora}`, headers: admin });
      expect(gone.statusCode).toBe(204);
      for (const t of Object.values(tokens)) expect(await me(app, t)).toBe(401);
      // The other process hears of it through the event bus.
      const deadline = Date.now() + 5000;
      while (other.tokenRevocations.size < 4 && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 10));
      for (const t of Object.values(tokens)) expect(await me(other, t)).toBe(401);
      // Signing in again gives tokens that work (as viewer for rolf); the admin's are untouched.
      clock.advance(1_000_000n);
      const rolf = await signIn("rolf", "first-password");
      expect((await app.inject({ url: "/api/auth/me", headers: rolf })).json().role).toBe("viewer");
      expect(await me(other, rolf)).toBe(200);
      expect(await me(app, admin)).toBe(200);
      // A process started later refuses the disabled user's earlier tokens too.
      const third = await fleetApp(db, clock);
      try {
        expect(await me(third, tokens.vera!)).toBe(401);
      } finally {
        await third.close();
      }
    } finally {
      await other.close();
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
      "audit.user-deleted",
    ])
      expect(kinds).toContain(kind);
    const text = JSON.stringify(rows);
    for (const secret of [
      "first-password",
      "reset-password-1",
      "a-new-admin-password",
      "dora-password-1",
      adminPassword,
    ])
      expect(text).not.toContain(secret);
  });
});
