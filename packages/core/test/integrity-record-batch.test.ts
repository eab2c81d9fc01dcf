// Record batches: record hashes, record receipts, whole normalize responses and exports
// carrying records — valid ones verify, every kind of edit is caught and named.
import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  buildCheckpoint,
  buildReceipt,
  canonicalJson,
  hashEntry,
  hashRecord,
  type LogEntry,
  type LogExport,
  RECORD_BATCH_KIND,
  type RecordReceipt,
  recordBatch,
  recordsProblem,
  signCheckpoint,
  verifyLogExport,
  verifyRecordBatchResponse,
  verifyRecordReceipt,
  ZERO_HASH,
} from "../src/index.js";
import { freshKey, keySetOf } from "./integrity-fixtures.js";

const key = freshKey();
const keys = keySetOf({ key });
const records = Array.from({ length: 7 }, (_, i) => ({
  sourceId: "app-1",
  normalized: `2026-11-29T12:00:0${i}.000000000Z`,
  offsetNs: String(1000 * i),
  flags: i === 3 ? ["TIMESTAMP_DIVERGENCE"] : [],
}));
const batch = recordBatch(records.map(hashRecord));
const audit: LogEntry = {
  seq: "0",
  kind: "audit.login",
  time: "2026-11-29T12:00:00Z",
  payload: {},
  prevHash: ZERO_HASH,
};
const entry: LogEntry = {
  seq: "1",
  kind: RECORD_BATCH_KIND,
  time: "2026-11-29T12:00:08Z",
  payload: batch.payload,
  prevHash: hashEntry(audit),
};
const checkpoint = signCheckpoint(
  buildCheckpoint([audit, entry], undefined, { logId: "t", time: "2026-11-29T12:00:09Z", keyId: key.keyId }),
  key.privateKey,
);
const receipt = buildReceipt(entry, { checkpoint, batch: [audit, entry] });
const recordReceipt = (i: number): RecordReceipt => ({
  version: 2,
  record: records[i],
  recordIndex: i,
  recordProof: batch.tree.inclusionProof(i),
  receipt,
});
const response = () => ({
  receipt,
  records: records.map((r, i) => ({ ...r, integrityHash: hashRecord(r), recordIndex: i })),
});

describe("record batches", () => {
  it("hashes a record as SHA-256 of the prefix and its canonical JSON", () => {
    const expected = createHash("sha256")
      .update(`chronosync-record-v1\n${canonicalJson(records[0])}`)
      .digest("hex");
    expect(hashRecord(records[0])).toBe(expected);
    expect(hashRecord({ b: 1, a: 2 })).toBe(hashRecord({ a: 2, b: 1 }));
    expect(() => hashRecord({ n: Number.NaN })).toThrow();
  });

  it("every record receipt verifies; a wrong record, index or proof does not", () => {
    for (let i = 0; i < records.length; i++)
      expect(verifyRecordReceipt(recordReceipt(i), keys), `record ${i}`).toEqual({ valid: true });
    const wrongRecord = { ...recordReceipt(2), record: records[3] };
    const wrongIndex = { ...recordReceipt(2), recordIndex: 3 };
    const outside = { ...recordReceipt(2), recordIndex: 7 };
    const noProof = { ...recordReceipt(2), recordProof: [] };
    const notBatch = {
      ...recordReceipt(2),
      receipt: buildReceipt(audit, { checkpoint, batch: [audit, entry] }),
    };
    for (const [bad, reason] of [
      [wrongRecord, /inclusion proof does not lead/],
      [wrongIndex, /inclusion proof does not lead/],
      [outside, /outside the batch of 7/],
      [noProof, /inclusion proof does not lead/],
      [notBatch, /is a audit.login, not a timestamp.batch/],
    ] as const) {
      const result = verifyRecordReceipt(bad as RecordReceipt, keys);
      expect(result).toMatchObject({ valid: false, code: "CRYPTO_VERIFICATION_FAILED" });
      expect((result as { reason: string }).reason).toMatch(reason);
    }
    expect(verifyRecordReceipt({ ...recordReceipt(0), version: 1 } as never, keys)).toMatchObject({
      valid: false,
    });
    expect(verifyRecordReceipt(null as never, keys)).toMatchObject({ valid: false });
  });

  it("a whole response verifies; edits, drops, reorders and forged hashes are named", () => {
    expect(verifyRecordBatchResponse(response(), keys)).toMatchObject({ valid: true });
    const edited = response();
    edited.records[4]!.normalized = "2000-01-01T00:00:00.000000000Z";
    const e = verifyRecordBatchResponse(edited, keys);
    expect(e.valid).toBe(false);
    expect(e.records.map((r) => r.valid)).toEqual([true, true, true, true, false, true, true]);
    const forged = response();
    forged.records[4]!.normalized = "2000-01-01T00:00:00.000000000Z";
    const { integrityHash: _h, recordIndex: _i, ...fields } = forged.records[4]!;
    forged.records[4]!.integrityHash = hashRecord(fields);
    const f = verifyRecordBatchResponse(forged, keys);
    expect(f.records.every((r) => !r.valid)).toBe(true);
    expect(f.records[0]).toMatchObject({ reason: expect.stringMatching(/recordsRoot/) });
    const swapped = response();
    [swapped.records[1], swapped.records[2]] = [swapped.records[2]!, swapped.records[1]!];
    expect(verifyRecordBatchResponse(swapped, keys).valid).toBe(false);
    const dropped = { ...response(), records: response().records.slice(0, 6) };
    expect(verifyRecordBatchResponse(dropped, keys).records[0]).toMatchObject({
      reason: expect.stringMatching(/seals 7 records, the response holds 6/),
    });
    expect(verifyRecordBatchResponse(null as never, keys).valid).toBe(false);
  });

  it("an export's records must hash to their entry's recordsRoot", () => {
    const exp: LogExport = { version: 1, entries: [audit, { ...entry, records }], checkpoints: [checkpoint] };
    expect(verifyLogExport(exp, keys)).toEqual({ valid: true });
    const edited = structuredClone(exp);
    ((edited.entries[1]!.records as { offsetNs: string }[])[5] as { offsetNs: string }).offsetNs = "1";
    expect(verifyLogExport(edited, keys)).toMatchObject({
      valid: false,
      firstBadSeq: "1",
      detail: { check: "records", entryIndex: 1 },
    });
    expect(recordsProblem(entry, records.slice(1))).toMatch(/seals 7 records, the export holds 6/);
    const notArray = { ...exp, entries: [audit, { ...entry, records: "[" as never }] };
    expect(verifyLogExport(notArray, keys)).toMatchObject({ valid: false, firstBadSeq: "1" });
  });

  it("hashes a record batch entry exactly as the general canonical path does", () => {
    const general = (e: LogEntry) =>
      createHash("sha256")
        .update(
          `chronosync-log-v1\n${canonicalJson({ seq: e.seq, kind: e.kind, time: e.time, payload: e.payload, prevHash: e.prevHash })}`,
        )
        .digest("hex");
    fc.assert(
      fc.property(
        fc.string({ unit: "grapheme-ascii" }),
        fc.string(),
        fc.oneof(fc.integer(), fc.constant(-0), fc.double()),
        fc.oneof(fc.string({ unit: "grapheme-ascii" }), fc.string({ unit: "grapheme" })),
        fc.boolean(),
        (seq, time, records, recordsRoot, extra) => {
          const payload: Record<string, unknown> = { records, recordsRoot };
          if (extra) payload.more = 1;
          const e: LogEntry = { seq, kind: RECORD_BATCH_KIND, time, payload, prevHash: ZERO_HASH };
          let expected: string | Error;
          try {
            expected = general(e);
          } catch (err) {
            expected = err as Error;
          }
          if (expected instanceof Error) expect(() => hashEntry(e)).toThrow();
          else expect(hashEntry(e)).toBe(expected);
        },
      ),
      { numRuns: 2000 },
    );
    expect(hashEntry(entry)).toBe(general(entry));
  });

  it("never throws on random record receipts (fuzz)", () => {
    fc.assert(
      fc.property(fc.anything(), fc.anything(), fc.anything(), (record, recordIndex, recordProof) => {
        const r = verifyRecordReceipt(
          { ...recordReceipt(0), record, recordIndex, recordProof } as never,
          keys,
        );
        expect(typeof r.valid).toBe("boolean");
      }),
      { numRuns: 500 },
    );
  });
});
