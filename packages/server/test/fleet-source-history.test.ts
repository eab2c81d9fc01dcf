// A source's falseticker history (GET /api/timestamps/sources/falseticker-history): periods
// per node when the source was rejected, counts per bucket, range checks as problem+json.
import { formatRfc3339, ManualClock } from "@chronosync/core";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bucketSeconds } from "../src/fleet/source-history.js";
import { createExternalDatabase, type TestDatabase } from "./helpers/databases.js";
import { accessToken, enrollNode, fleetApp, postBatch, report, S, T0 } from "./helpers/fleet.js";
import { bearerFor } from "./helpers/tokens.js";

const SOURCE = "ntp://192.0.2.9:123";
const OTHER = "ntp://192.0.2.4:123";
const clock = new ManualClock(T0 + 3600n * S);
let db: TestDatabase;
let app: FastifyInstance;

/** Reports every 10 s from T0; the source is a falseticker at the listed seqs, absent at `missing`. */
function reports(seqs: number, flagged: readonly number[], missing: readonly number[] = []) {
  return Array.from({ length: seqs }, (_, i) => {
    const seq = i + 1;
    return report({
      seq,
      atNs: T0 + BigInt(seq) * 10n * S,
      sources: [
        { id: OTHER, state: "selected" },
        ...(missing.includes(seq)
          ? []
          : [{ id: SOURCE, state: flagged.includes(seq) ? "falseticker" : "candidate" }]),
      ],
    });
  });
}

const at = (seq: number) => formatRfc3339(T0 + BigInt(seq) * 10n * S, 3);

beforeAll(async () => {
  db = await createExternalDatabase();
  app = await fleetApp(db, clock);
  const a = await enrollNode(app, "node-a");
  const b = await enrollNode(app, "node-b");
  expect(
    (await postBatch(app, await accessToken(app, a), a.nodeId, reports(12, [3, 4, 5, 9, 10]))).statusCode,
  ).toBe(202);
  expect((await postBatch(app, await accessToken(app, b), b.nodeId, reports(6, [5, 6]))).statusCode).toBe(
    202,
  );
  // node-c: flagged at 14 and 16, its report 15 without the source: one period.
  const c = await enrollNode(app, "node-c");
  expect(
    (await postBatch(app, await accessToken(app, c), c.nodeId, reports(18, [14, 16], [15]))).statusCode,
  ).toBe(202);
});
afterAll(async () => {
  await app?.close();
  await db?.dispose();
});

async function history(query: Record<string, string>) {
  return app.inject({
    url: `/api/timestamps/sources/falseticker-history?${new URLSearchParams(query)}`,
    headers: await bearerFor("viewer"),
  });
}

describe("falseticker history", () => {
  it("sizes buckets in whole seconds, at least 10 s", () => {
    expect(bucketSeconds(0, 86_400_000, 120)).toBe(720);
    expect(bucketSeconds(0, 60_000, 120)).toBe(10);
    expect(bucketSeconds(0, 86_400_000, 10_000)).toBe(173); // at most 500 buckets
  });

  it("answers each node's periods as a falseticker, with when it ended", async () => {
    const res = await history({ sourceId: SOURCE, from: at(0), to: at(20) });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.periods).toEqual([
      { nodeId: expect.any(String), hostname: "node-a", from: at(3), to: at(5), endedAt: at(6), reports: 3 },
      { nodeId: expect.any(String), hostname: "node-b", from: at(5), to: at(6), endedAt: null, reports: 2 },
      {
        nodeId: expect.any(String),
        hostname: "node-a",
        from: at(9),
        to: at(10),
        endedAt: at(11),
        reports: 2,
      },
      {
        nodeId: expect.any(String),
        hostname: "node-c",
        from: at(14),
        to: at(16),
        endedAt: at(17),
        reports: 2,
      },
    ]);
    expect(body.truncated).toBe(false);
  });

  it("counts nodes reporting and flagging the source per bucket", async () => {
    // 200 s in 20 buckets of 10 s: one report per node per bucket.
    const body = (await history({ sourceId: SOURCE, from: at(0), to: at(20), buckets: "20" })).json();
    expect(body.bucketSeconds).toBe(10);
    expect(body.buckets).toHaveLength(21);
    const flagged = body.buckets.map((b: { falsetickerNodes: number }) => b.falsetickerNodes);
    expect(flagged.slice(0, 19)).toEqual([0, 0, 0, 1, 1, 2, 1, 0, 0, 1, 1, 0, 0, 0, 1, 0, 1, 0, 0]);
    const nodes = body.buckets.map((b: { nodes: number }) => b.nodes);
    expect(nodes.slice(0, 20)).toEqual([0, 3, 3, 3, 3, 3, 3, 2, 2, 2, 2, 2, 2, 1, 1, 0, 1, 1, 1, 0]);
    // A narrower range cuts the periods at its edges.
    const cut = (await history({ sourceId: SOURCE, from: at(4), to: at(5) })).json();
    expect(cut.periods.map((p: { from: string; to: string }) => [p.from, p.to])).toEqual([
      [at(4), at(5)],
      [at(5), at(5)],
    ]);
  });

  it("answers an empty history for a source never flagged or never seen", async () => {
    const other = (await history({ sourceId: OTHER, from: at(0), to: at(20) })).json();
    expect(other.periods).toEqual([]);
    expect(other.buckets.some((b: { nodes: number }) => b.nodes === 3)).toBe(true);
    const unknown = (await history({ sourceId: "ntp://unknown", from: at(0), to: at(20) })).json();
    expect(unknown.periods).toEqual([]);
    expect(unknown.buckets.every((b: { nodes: number }) => b.nodes === 0)).toBe(true);
  });

  it("refuses bad ranges with problem+json", async () => {
    const bad: Record<string, string>[] = [
      { sourceId: SOURCE, from: "yesterday", to: at(20) },
      { sourceId: SOURCE, from: at(20), to: at(0) },
      { sourceId: SOURCE, from: at(0) },
      { sourceId: SOURCE, from: at(0), to: at(20), buckets: "0" },
      { sourceId: SOURCE, from: at(0), to: at(20), buckets: "501" },
    ];
    for (const query of bad) {
      const res = await history(query);
      expect(res.statusCode, JSON.stringify(query)).toBe(400);
      expect(res.headers["content-type"]).toMatch(/application\/problem\+json/);
    }
    const anonymous = await app.inject({
      url: `/api/timestamps/sources/falseticker-history?sourceId=x&from=${at(0)}&to=${at(1)}`,
    });
    expect(anonymous.statusCode).toBe(401);
  });
});
