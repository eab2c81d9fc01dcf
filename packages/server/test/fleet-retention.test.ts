// Retention settings (GET / PUT /api/settings/retention): the configuration's defaults,
// an admin's stored choice (validated, problem+json on errors, audited in the signed log)
// and the retention job using the stored values.
import { ManualClock } from "@chronosync/core";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { retentionErrors, retentionFromPolicy } from "../src/fleet/retention.js";
import { createExternalDatabase, type TestDatabase } from "./helpers/databases.js";
import { accessToken, enrollNode, fleetApp, postBatch, S, series, T0 } from "./helpers/fleet.js";
import { bearerFor } from "./helpers/tokens.js";

const DAY = 86_400n * S;
const clock = new ManualClock(T0 + 3600n * S);
let db: TestDatabase;
let app: FastifyInstance;

beforeAll(async () => {
  db = await createExternalDatabase();
  app = await fleetApp(db, clock, { retention: { rawDays: 3, rollupDays: 90 } });
});
afterAll(async () => {
  await app?.close();
  await db?.dispose();
});

const VALID = {
  rawDays: 1,
  minuteRollupDays: 2,
  hourRollupDays: 3,
  resolvedAlertDays: 3,
  webhookDeliveryDays: 1,
};

describe("retention rules", () => {
  it("derives the defaults from the configuration", () => {
    expect(retentionFromPolicy({ rawDays: 7, rollupDays: 400 })).toEqual({
      rawDays: 7,
      minuteRollupDays: 30,
      hourRollupDays: 400,
      resolvedAlertDays: 400,
      webhookDeliveryDays: 7,
    });
    expect(retentionFromPolicy({ rawDays: 10, rollupDays: 400 }).minuteRollupDays).toBe(40);
    // Never longer than the hourly rollups, so the defaults pass the rules below.
    const short = retentionFromPolicy({ rawDays: 3, rollupDays: 20 });
    expect(short.minuteRollupDays).toBe(20);
    expect(retentionErrors(short)).toEqual([]);
  });

  it("wants whole days and raw ≤ 1-minute ≤ 1-hour", () => {
    expect(retentionErrors(VALID)).toEqual([]);
    expect(retentionErrors({ ...VALID, rawDays: 0.5 }).map((e) => e.pointer)).toEqual(["/body/rawDays"]);
    expect(retentionErrors({ ...VALID, minuteRollupDays: 0 }).map((e) => e.pointer)).toEqual([
      "/body/minuteRollupDays",
    ]);
    expect(retentionErrors({ ...VALID, rawDays: 5 }).map((e) => e.pointer)).toEqual([
      "/body/minuteRollupDays",
    ]);
    expect(retentionErrors({ ...VALID, hourRollupDays: 1 }).map((e) => e.pointer)).toEqual([
      "/body/hourRollupDays",
    ]);
  });
});

describe("GET / PUT /api/settings/retention", () => {
  it("answers the configuration's values until an admin stores others", async () => {
    const res = await app.inject({ url: "/api/settings/retention", headers: await bearerFor("viewer") });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      rawDays: 3,
      minuteRollupDays: 30,
      hourRollupDays: 90,
      resolvedAlertDays: 90,
      webhookDeliveryDays: 3,
      idempotencyKeyHours: 48,
      source: "configuration",
      updatedAt: null,
      updatedBy: null,
    });
  });

  it("refuses non-admins and invalid values with problem+json", async () => {
    const put = async (role: "operator" | "admin", payload: object) =>
      app.inject({ method: "PUT", url: "/api/settings/retention", headers: await bearerFor(role), payload });
    expect((await put("operator", VALID)).statusCode).toBe(403);
    const holes = await put("admin", { ...VALID, rawDays: 5 });
    expect(holes.statusCode).toBe(400);
    expect(holes.headers["content-type"]).toMatch(/application\/problem\+json/);
    expect(holes.json()).toMatchObject({
      code: "VALIDATION_FAILED",
      errors: [{ pointer: "/body/minuteRollupDays" }],
    });
    for (const body of [
      { ...VALID, rawDays: 0 },
      { ...VALID, rawDays: 1.5 },
      { ...VALID, rawDays: "1" },
      { ...VALID, extra: 1 },
      { rawDays: 1 },
    ]) {
      const res = await put("admin", body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json().code).toBe("VALIDATION_FAILED");
    }
    const still = await app.inject({ url: "/api/settings/retention", headers: await bearerFor("viewer") });
    expect(still.json().source).toBe("configuration");
  });

  it("stores an admin's values and appends the change to the signed log", async () => {
    const res = await app.inject({
      method: "PUT",
      url: "/api/settings/retention",
      headers: await bearerFor("admin"),
      payload: VALID,
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ ...VALID, source: "stored", updatedBy: "test-admin" });
    const got = await app.inject({ url: "/api/settings/retention", headers: await bearerFor("operator") });
    expect(got.json()).toMatchObject({ ...VALID, source: "stored" });
    const audit = await app.database.pool.query(
      "SELECT payload FROM ledger_entries WHERE kind = 'audit.retention-changed'",
    );
    expect(audit.rows).toHaveLength(1);
    expect(audit.rows[0].payload).toMatchObject({
      before: { rawDays: 3, minuteRollupDays: 30, hourRollupDays: 90 },
      after: VALID,
      by: "test-admin",
    });
  });
});

describe("the retention job", () => {
  it("uses the stored values, not the configuration's", async () => {
    const node = await enrollNode(app, "node-r");
    const token = await accessToken(app, node);
    expect((await postBatch(app, token, node.nodeId, series(1, 12))).statusCode).toBe(202);
    const count = async (sql: string) => Number((await app.database.pool.query(sql)).rows[0].n);
    // 1.5 days on: past the stored 1 day of raw reports (the configuration said 3).
    clock.set(T0 + DAY + DAY / 2n);
    expect((await app.fleet.applyRetention()).reports).toBe(12);
    expect(await count("SELECT count(*) AS n FROM node_source_samples")).toBe(0);
    expect(await count("SELECT count(*) AS n FROM report_rollups WHERE resolution = '1m'")).toBeGreaterThan(
      0,
    );
    // 2.5 days: 1-minute rollups (2 days) go, 1-hour rollups (3 days) stay.
    clock.set(T0 + 2n * DAY + DAY / 2n);
    await app.fleet.applyRetention();
    expect(await count("SELECT count(*) AS n FROM report_rollups WHERE resolution = '1m'")).toBe(0);
    expect(await count("SELECT count(*) AS n FROM report_rollups WHERE resolution = '1h'")).toBe(1);
    clock.set(T0 + 3n * DAY + DAY / 2n);
    await app.fleet.applyRetention();
    expect(await count("SELECT count(*) AS n FROM report_rollups")).toBe(0);
  });
});
