/**
 * Fleet test helpers: build an app on a test database with a manual clock, enroll a node,
 * get its OAuth token, build and post report batches as the agent does
 * (docs/report-protocol.md).
 */
import { randomUUID } from "node:crypto";
import { formatRfc3339, ManualClock } from "@chronosync/core";
import { buildApp, type FleetOptions } from "@chronosync/server";
import type { FastifyInstance } from "fastify";
import pg from "pg";
import { afterAll, beforeAll, expect } from "vitest";
import type { TestDatabase } from "./databases.js";
import { bearerFor, TEST_MASTER_KEY } from "./tokens.js";

/** 2026-11-29T12:00:00Z. */
export const T0 = 1_795_953_600_000_000_000n;
export const S = 1_000_000_000n;

export function fleetApp(
  db: TestDatabase,
  clock: ManualClock,
  fleet: FleetOptions = {},
): Promise<FastifyInstance> {
  return buildApp({
    dataDir: db.dataDir,
    databaseUrl: db.url,
    masterKey: TEST_MASTER_KEY,
    clock,
    fleet: { silenceCheckMs: 0, retentionIntervalMs: 0, ...fleet },
  });
}

export interface EnrolledNode {
  readonly nodeId: string;
  readonly clientId: string;
  readonly clientSecret: string;
}

export async function createEnrollmentToken(app: FastifyInstance, expiresInS = 3600): Promise<string> {
  const res = await app.inject({
    method: "POST",
    url: "/api/enrollment-tokens",
    headers: await bearerFor("admin"),
    payload: { expiresInS, label: "test" },
  });
  expect(res.statusCode).toBe(201);
  return res.json().token as string;
}

export async function enrollNode(app: FastifyInstance, hostname: string): Promise<EnrolledNode> {
  const token = await createEnrollmentToken(app);
  const res = await app.inject({
    method: "POST",
    url: "/api/agents/enroll",
    payload: { token, hostname, agentVersion: "0.1.0" },
  });
  expect(res.statusCode).toBe(201);
  return res.json() as EnrolledNode;
}

export async function accessToken(app: FastifyInstance, node: EnrolledNode): Promise<string> {
  const basic = Buffer.from(`${node.clientId}:${node.clientSecret}`).toString("base64");
  const res = await app.inject({
    method: "POST",
    url: "/oauth/token",
    headers: { authorization: `Basic ${basic}`, "content-type": "application/x-www-form-urlencoded" },
    payload: "grant_type=client_credentials&scope=reports%3Awrite",
  });
  expect(res.statusCode).toBe(200);
  return res.json().access_token as string;
}

export interface ReportInput {
  readonly seq: number;
  readonly atNs: bigint;
  readonly offsetNs?: number;
  readonly boundNs?: number;
  readonly sources?: readonly { id: string; state: string; offsetNs?: number }[];
}

export function report(r: ReportInput) {
  const sources = r.sources ?? [{ id: "ntp://192.0.2.4:123", state: "selected" }];
  return {
    seq: r.seq,
    at: formatRfc3339(r.atNs, 9),
    tracking: {
      offsetNs: r.offsetNs ?? -1500,
      frequencyPpm: -12.5,
      boundNs: r.boundNs ?? 48_000,
      status: "synchronized" as const,
    },
    sources: sources.map((s) => ({
      id: s.id,
      url: s.id.startsWith("ntp") ? "ntp://pool.ntp.org?pool=1" : s.id,
      state: s.state,
      reach: "377",
      lastOffsetNs: s.offsetNs ?? -2100,
      delayNs: 310_000,
      jitterNs: 4000,
      stratum: 2,
      poll: 6,
      falsetickers: s.state === "falseticker" ? 1 : 0,
      score: 0.97,
    })),
    resources: { cpuPercent: 0.12, rssBytes: 52_428_800 },
    agentVersion: "0.1.0",
  };
}

export async function postBatch(
  app: FastifyInstance,
  token: string,
  nodeId: string,
  reports: readonly ReturnType<typeof report>[],
  batchId: string = randomUUID(),
  dropped = 0,
) {
  return app.inject({
    method: "POST",
    url: "/api/agents/reports",
    headers: { authorization: `Bearer ${token}`, "idempotency-key": batchId },
    payload: { nodeId, batchId, reports, dropped },
  });
}

/** Reports `from..to` (inclusive) every 10 s from T0 + seq × 10 s. */
export function series(from: number, to: number, offsetNs = -1500) {
  const out: ReturnType<typeof report>[] = [];
  for (let seq = from; seq <= to; seq += 1)
    out.push(report({ seq, atNs: T0 + BigInt(seq) * 10n * S, offsetNs }));
  return out;
}

/** A fleet app with one enrolled node, as {@link useEnrolledFleet} sets it up. */
export interface EnrolledFleet {
  /** The app's clock, at T0 + 1 h. */
  readonly clock: ManualClock;
  readonly db: TestDatabase;
  /** A test that restarts the server assigns the new app here; afterAll closes this one. */
  app: FastifyInstance;
  readonly node: EnrolledNode;
  /** The node's access token (reports:write). */
  readonly token: string;
  /** A small pool of its own on the test database, for checking stored rows. */
  readonly pool: pg.Pool;
}

/**
 * Registers beforeAll/afterAll for the current suite: a database from `create`, a
 * {@link fleetApp} on it, a node enrolled as `hostname` and its token. The fields are set
 * once beforeAll has run; afterAll closes the app and the pool, then disposes of the database.
 */
export function useEnrolledFleet(create: () => Promise<TestDatabase>, hostname: string): EnrolledFleet {
  const fleet = { clock: new ManualClock(T0 + 3600n * S) } as EnrolledFleet;
  const set = fleet as { -readonly [K in keyof EnrolledFleet]: EnrolledFleet[K] };
  beforeAll(async () => {
    set.db = await create();
    set.app = await fleetApp(fleet.db, fleet.clock);
    set.pool = new pg.Pool({ connectionString: fleet.db.url, max: 2 });
    set.node = await enrollNode(fleet.app, hostname);
    set.token = await accessToken(fleet.app, fleet.node);
  });
  afterAll(async () => {
    await fleet.app?.close();
    await fleet.pool?.end();
    await fleet.db?.dispose();
  });
  return fleet;
}
