// The normalize engine's OffsetHistoryProvider over agent reports: the node's reports
// around a local instant, as core OffsetReports (atNs = the node's local clock = at − offset).
import { ManualClock } from "@chronosync/core";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createExternalDatabase, type TestDatabase } from "./helpers/databases.js";
import {
  accessToken,
  type EnrolledNode,
  enrollNode,
  fleetApp,
  postBatch,
  report,
  S,
  T0,
} from "./helpers/fleet.js";

const clock = new ManualClock(T0 + 3600n * S);
let db: TestDatabase;
let app: FastifyInstance;
let node: EnrolledNode;

beforeAll(async () => {
  db = await createExternalDatabase();
  app = await fleetApp(db, clock);
  node = await enrollNode(app, "history-node");
  const token = await accessToken(app, node);
  // 20 reports 10 s apart, the offset growing 1 µs per report.
  const reports = Array.from({ length: 20 }, (_, i) =>
    report({ seq: i + 1, atNs: T0 + BigInt(i) * 10n * S, offsetNs: 1000 * (i + 1), boundNs: 500 }),
  );
  expect((await postBatch(app, token, node.nodeId, reports)).statusCode).toBe(202);
});
afterAll(async () => {
  await app?.close();
  await db?.dispose();
});

describe("offsetHistory provider", () => {
  it("answers the reports around an instant, by node id or hostname, strictly increasing", async () => {
    const at = T0 + 95n * S; // between report 10 (T0 + 90 s) and 11 (T0 + 100 s)
    for (const id of [node.nodeId, "history-node"]) {
      const history = await app.offsetHistory.historyAround(id, at);
      expect(history).not.toBeNull();
      expect(history).toHaveLength(16);
      const before = history!.filter((r) => r.atNs <= at);
      expect(before.at(-1)).toEqual({
        atNs: T0 + 90n * S - 10_000n,
        offsetNs: 10_000n,
        boundNs: 500n,
        frequencyPpm: -12.5,
      });
      expect(history!.find((r) => r.atNs > at)?.offsetNs).toBe(11_000n);
      for (let i = 1; i < history!.length; i += 1)
        expect(history![i]!.atNs > history![i - 1]!.atNs).toBe(true);
    }
  });

  it("answers the last reports after the end and null for unknown nodes", async () => {
    const late = await app.offsetHistory.historyAround(node.nodeId, T0 + 3600n * S);
    expect(late?.map((r) => r.offsetNs).at(-1)).toBe(20_000n);
    expect(late).toHaveLength(8);
    expect(await app.offsetHistory.historyAround("no-such-node", T0)).toBeNull();
    expect(await app.offsetHistory.historyAround("00000000-0000-4000-8000-000000000000", T0)).toBeNull();
  });
});
