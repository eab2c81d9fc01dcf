// The one-timestamp normalize request's hot path takes shortcuts that must answer exactly
// what the general code did: receipts placed in their checkpoints once per checkpoint
// (receiptsOf), a receipt's JSON with the commit's checkpoint JSON made once (receiptJson),
// field pointers made only for a problem (normalizeBatch), and the timestamps counter
// added to once per run of alike records.
import {
  type LogEntry,
  ManualClock,
  MerkleTree,
  type Receipt,
  type SignedCheckpoint,
} from "@chronosync/core";
import { buildApp } from "@chronosync/server";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { AppendedEntry } from "../src/ledger/append.js";
import { receiptsOf } from "../src/ledger/ledger.js";
import { receiptJson } from "../src/ledger/receipt-json.js";
import type { Sealed } from "../src/ledger/seal.js";
import { normalizeBatch } from "../src/normalize/normalize-batch.js";
import { noOffsetHistory } from "../src/normalize/offset-history-provider.js";
import { DEFAULT_NORMALIZE_SETTINGS } from "../src/normalize/settings.js";
import { createExternalDatabase } from "./helpers/databases.js";
import { bearerFor, TEST_MASTER_KEY } from "./helpers/tokens.js";

const hex = (n: number): string => n.toString(16).padStart(64, "0");

function appendedAt(seqs: readonly bigint[]): AppendedEntry[] {
  return seqs.map((seq) => {
    const entry: LogEntry = {
      seq: seq.toString(),
      kind: "timestamp.batch",
      time: "2025-11-29T07:06:40.123456789Z",
      payload: { records: 1, recordsRoot: hex(Number(seq) + 1) },
      prevHash: hex(Number(seq)),
    };
    return { entry, entryHash: hex(Number(seq) + 1) };
  });
}

function sealedAt(firstSeq: bigint, size: number): Sealed {
  const signed = {
    checkpoint: { firstSeq: firstSeq.toString(), lastSeq: (firstSeq + BigInt(size) - 1n).toString() },
    signature: `sig-${firstSeq}`,
  } as unknown as SignedCheckpoint;
  const tree = MerkleTree.ofLeafData(Array.from({ length: size }, (_, i) => hex(Number(firstSeq) + i + 1)));
  return { signed, tree, firstSeq };
}

/** What Ledger answered before receiptsOf: each entry's checkpoint found per entry. */
function reference(appended: readonly AppendedEntry[], sealed: readonly Sealed[]): Receipt[] {
  return appended.map(({ entry, entryHash }) => {
    const seq = BigInt(entry.seq);
    const base: Receipt = { version: 1, entry, entryHash };
    const cp = sealed.find((s) => seq >= s.firstSeq && seq < s.firstSeq + BigInt(s.tree.size));
    if (cp === undefined) return base;
    const leafIndex = Number(seq - cp.firstSeq);
    return { ...base, checkpoint: cp.signed, leafIndex, proof: cp.tree.inclusionProof(leafIndex) };
  });
}

describe("receiptsOf", () => {
  it("places consecutive entries in consecutive checkpoints as the per-entry search does", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 50 }), // first checkpoint's first seq
        fc.array(fc.integer({ min: 1, max: 9 }), { maxLength: 4 }), // checkpoint sizes
        fc.integer({ min: 0, max: 80 }), // first appended seq
        fc.integer({ min: 0, max: 20 }), // appended entries
        (cpFirst, sizes, first, n) => {
          const sealed: Sealed[] = [];
          let at = cpFirst;
          for (const size of sizes) {
            sealed.push(sealedAt(BigInt(at), size));
            at += size;
          }
          const appended = appendedAt(Array.from({ length: n }, (_, i) => BigInt(first + i)));
          const got = receiptsOf(appended, sealed);
          expect(got).toEqual(reference(appended, sealed));
          // Same member order too (receiptJson writes them in this order).
          expect(got.map((r) => JSON.stringify(r))).toEqual(
            reference(appended, sealed).map((r) => JSON.stringify(r)),
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it("falls back to the per-entry search for entries that are not consecutive", () => {
    const appended = appendedAt([3n, 4n, 9n, 10n]);
    const sealed = [sealedAt(0n, 5), sealedAt(5n, 5)];
    expect(receiptsOf(appended, sealed)).toEqual(reference(appended, sealed));
  });
});

describe("receiptJson", () => {
  it("writes JSON.stringify's text for sealed, bare and partial receipts, whatever the strings hold", () => {
    const text = fc.string({ unit: "binary", maxLength: 12 });
    fc.assert(
      fc.property(
        text,
        text,
        fc.oneof(
          fc.jsonValue(),
          fc.record({ records: fc.integer(), recordsRoot: text }),
          fc.record({ recordsRoot: text, records: fc.integer() }),
          fc.record({ records: fc.double(), recordsRoot: text }),
        ),
        fc.boolean(),
        fc.array(text, { maxLength: 3 }),
        (kind, time, payload, sealed, proof) => {
          const entry: LogEntry = { seq: "7", kind, time, payload, prevHash: hex(1) };
          const bare: Receipt = { version: 1, entry, entryHash: hex(2) };
          const signed = {
            checkpoint: { logId: time, treeSize: 3 },
            signature: kind,
          } as unknown as SignedCheckpoint;
          const receipt: Receipt = sealed ? { ...bare, checkpoint: signed, leafIndex: 2, proof } : bare;
          expect(receiptJson(receipt)).toBe(JSON.stringify(receipt));
          const partial: Receipt = { ...bare, checkpoint: signed };
          expect(receiptJson(partial)).toBe(JSON.stringify(partial));
        },
      ),
      { numRuns: 300 },
    );
  });

  it("matches JSON.stringify on the receipts a real log answers, sealed and unsealed", async () => {
    const db = await createExternalDatabase();
    const clock = new ManualClock(1_764_400_000_123_456_789n);
    const sealing = await buildApp({
      dataDir: db.dataDir,
      databaseUrl: db.url,
      clock,
      masterKey: TEST_MASTER_KEY,
    });
    const unsealed = await buildApp({
      dataDir: db.dataDir,
      database: sealing.database,
      clock,
      masterKey: TEST_MASTER_KEY,
      sealOnAppend: false,
    });
    try {
      const batch = (n: number) =>
        Array.from({ length: n }, (_, i) => ({ json: `{"i":${i}}`, hash: hex(i + 1) }));
      const bare = await unsealed.ledger.appendBatches([batch(1), batch(2)]);
      expect(bare[0]!.receipt.checkpoint).toBeUndefined();
      const appended = await sealing.ledger.appendBatches([batch(1), batch(3), batch(1)]);
      expect(appended[2]!.receipt.checkpoint).toBeDefined();
      for (const { receipt } of [...bare, ...appended])
        expect(receiptJson(receipt)).toBe(JSON.stringify(receipt));
    } finally {
      await unsealed.close();
      await sealing.close();
      await db.dispose();
    }
  });
});

describe("normalizeBatch field problems", () => {
  const receivedNs = 1_764_400_000_000_000_000n;

  it("names every bad source and value, a repeated bad source at each place", async () => {
    const body = {
      sourceId: "cluster-01",
      timestamps: [
        { value: 1703054123456, source: "ok" },
        { value: 1703054123456, source: "bad\u0000" },
        { value: 1703054123456, source: "bad\u0000" },
        { value: "not a time", source: "ok" },
        { value: 1703054123456, source: "\ud800" },
      ],
    };
    const err = await normalizeBatch(body, receivedNs, DEFAULT_NORMALIZE_SETTINGS, noOffsetHistory).then(
      () => undefined,
      (e: unknown) => e as { code?: string; errors?: { pointer: string }[] },
    );
    expect(err?.code).toBe("VALIDATION_FAILED");
    expect(err?.errors?.map((e) => e.pointer)).toEqual([
      "/body/timestamps/1/source",
      "/body/timestamps/2/source",
      "/body/timestamps/4/source",
      "/body/timestamps/3/value",
    ]);
  });

  it("takes the receive time's text from the caller or makes the same one", async () => {
    const body = { sourceId: "s", timestamps: [{ value: 1703054123456 }, { value: 1703054123457 }] };
    const made = await normalizeBatch(body, receivedNs, DEFAULT_NORMALIZE_SETTINGS, noOffsetHistory);
    const given = await normalizeBatch(
      body,
      receivedNs,
      DEFAULT_NORMALIZE_SETTINGS,
      noOffsetHistory,
      "2025-11-29T07:06:40.000000000Z",
    );
    expect(given).toEqual(made);
  });
});

describe("normalize timestamps counter", () => {
  it("counts records of one request by method and flag when alike ones are not adjacent", async () => {
    const db = await createExternalDatabase();
    const app = await buildApp({ dataDir: db.dataDir, databaseUrl: db.url, masterKey: TEST_MASTER_KEY });
    try {
      const headers = await bearerFor("operator");
      const res = await app.inject({
        method: "POST",
        url: "/api/timestamps/normalize",
        headers,
        payload: {
          sourceId: "x",
          timestamps: [
            { value: 1 },
            { value: 2, precision: 5 },
            { value: 3 },
            { value: 4 },
            { value: 5, precision: 5 },
          ],
        },
      });
      expect(res.statusCode).toBe(200);
      const text = (await app.inject({ url: "/metrics", headers })).body;
      expect(text).toMatch(/chronosync_normalize_timestamps_total\{method="none",flagged="false"\} 3\n/);
      expect(text).toMatch(/chronosync_normalize_timestamps_total\{method="none",flagged="true"\} 2\n/);
    } finally {
      await app.close();
      await db.dispose();
    }
  });
});
