// In-browser receipt verification (WebCrypto SHA-256 + Ed25519), checked here on Node's
// WebCrypto against the ledger's golden vector (docs/ledger-format.md §8) and tampered
// copies of it.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { canonicalJson, verifyInclusion } from "../src/features/timestamps/receipt-crypto.js";
import { type PublishedKey, verifyReceiptLocally } from "../src/features/timestamps/verify-receipt.js";

interface Vector {
  keySet: { keys: PublishedKey[] };
  entries: unknown[];
  entryCanonicalJson: string[];
  leafHashes: string[];
  checkpoint: { checkpoint: { rootHash: string } };
  receipt: Record<string, unknown> & { entry: { payload: unknown }; proof: string[] };
}

const vector = JSON.parse(
  readFileSync(new URL("../../core/test/vectors/ledger-v1-example.json", import.meta.url), "utf8"),
) as Vector;
const keys = vector.keySet.keys;
const copy = <T>(v: T): T => structuredClone(v);

describe("receipt verification in the browser", () => {
  it("canonicalizes entries byte for byte like the vector (RFC 8785)", () => {
    expect(vector.entries.map((e) => canonicalJson(e))).toEqual(vector.entryCanonicalJson);
    expect(canonicalJson({ b: [1.5, -0, 1e30], a: "é\u0001" })).toBe('{"a":"é\\u0001","b":[1.5,0,1e+30]}');
  });

  it("accepts the vector's receipt", async () => {
    expect(await verifyReceiptLocally(vector.receipt, keys)).toEqual({
      valid: true,
      seq: "1",
      keyId: "65b60673d6ed884b",
    });
  });

  it("verifies RFC 9162 inclusion for every leaf of the 3-leaf tree, and nothing else", async () => {
    const hex = (s: string) => Uint8Array.from(s.match(/../g) ?? [], (b) => Number.parseInt(b, 16));
    const [l0, l1, l2] = vector.leafHashes.map(hex);
    const root = vector.checkpoint.checkpoint.rootHash;
    const n01 = vector.receipt.proof;
    expect(await verifyInclusion(l1!, 1, 3, n01, root)).toBe(true);
    expect(await verifyInclusion(l0!, 1, 3, n01, root)).toBe(false);
    expect(await verifyInclusion(l1!, 3, 3, n01, root)).toBe(false);
    expect(await verifyInclusion(l2!, 2, 3, [], root)).toBe(false);
  });

  it("rejects a changed payload, signature, proof, key or leaf index", async () => {
    const payload = copy(vector.receipt);
    (payload.entry as { payload: unknown }).payload = { user: "mallory", outcome: "success" };
    expect(await verifyReceiptLocally(payload, keys)).toMatchObject({ valid: false, reason: /was changed/ });

    const sig = copy(vector.receipt) as unknown as { checkpoint: { signature: string } };
    sig.checkpoint.signature = `A${sig.checkpoint.signature.slice(1)}`;
    expect(await verifyReceiptLocally(sig, keys)).toMatchObject({ valid: false, reason: /signature/ });

    const proof = copy(vector.receipt);
    proof.proof = proof.proof.map((p) => p.replace(/^./, (c) => (c === "0" ? "1" : "0")));
    expect(await verifyReceiptLocally(proof, keys)).toMatchObject({ valid: false, reason: /inclusion/ });

    const otherKey = [{ ...keys[0]!, publicKey: btoa("x".repeat(32)) }];
    expect(await verifyReceiptLocally(vector.receipt, otherKey)).toMatchObject({
      valid: false,
      reason: /match its id/,
    });
    const badBase64 = [{ ...keys[0]!, publicKey: "%%%" }];
    expect(await verifyReceiptLocally(vector.receipt, badBase64)).toMatchObject({
      valid: false,
      reason: /malformed/,
    });

    const retired = [{ ...keys[0]!, retiredAt: "2026-11-29T12:00:00Z" }];
    expect(await verifyReceiptLocally(vector.receipt, retired)).toMatchObject({
      valid: false,
      reason: /retired/,
    });

    const index = copy(vector.receipt);
    index.leafIndex = 0;
    expect(await verifyReceiptLocally(index, keys)).toMatchObject({ valid: false, reason: /range/ });
  });

  it("says an unsealed receipt is not valid yet, and a non-receipt is not a receipt", async () => {
    const { checkpoint: _c, leafIndex: _l, proof: _p, ...unsealed } = vector.receipt;
    expect(await verifyReceiptLocally(unsealed, keys)).toMatchObject({ valid: false, sealed: false });
    expect(await verifyReceiptLocally({ hello: 1 }, keys)).toMatchObject({
      valid: false,
      reason: /not a receipt/,
    });
  });
});

describe("record receipts and normalize responses in the browser", async () => {
  // Built with core's own integrity code (the server's), verified with the browser's.
  const core = await import("@chronosync/core");
  const { generateKeyPairSync } = await import("node:crypto");
  const { privateKey } = generateKeyPairSync("ed25519");
  const published = core.keySetEntry(privateKey, "2026-01-01T00:00:00Z");
  const batchKeys = [published as unknown as PublishedKey];
  const records = [0, 1, 2, 3, 4].map((i) => ({
    sourceId: "e2e-client",
    normalized: `2026-11-29T12:00:0${i}.000000000Z`,
    precision: 0.001,
    flags: [],
  }));
  const batch = core.recordBatch(records.map(core.hashRecord));
  const entry = {
    seq: "0",
    kind: core.RECORD_BATCH_KIND,
    time: "2026-11-29T12:00:05Z",
    payload: batch.payload,
    prevHash: core.ZERO_HASH,
  };
  const checkpoint = core.signCheckpoint(
    core.buildCheckpoint([entry], undefined, {
      logId: "t",
      time: "2026-11-29T12:00:06Z",
      keyId: published.keyId,
    }),
    privateKey,
  );
  const receipt = core.buildReceipt(entry, { checkpoint, batch: [entry] });
  const response = {
    receivedAt: "2026-11-29T12:00:05Z",
    receipt,
    records: records.map((r, i) => ({ ...r, integrityHash: core.hashRecord(r), recordIndex: i })),
  };
  const recordReceipt = {
    version: 2,
    record: records[3],
    recordIndex: 3,
    recordProof: batch.tree.inclusionProof(3),
    receipt,
  };

  it("accepts a whole response and one record's receipt", async () => {
    expect(await verifyReceiptLocally(response, batchKeys)).toEqual({
      valid: true,
      seq: "0",
      keyId: published.keyId,
      records: 5,
    });
    expect(await verifyReceiptLocally(recordReceipt, batchKeys)).toMatchObject({ valid: true, records: 1 });
  });

  it("refuses an edited, forged, dropped or moved record", async () => {
    const edited = copy(response);
    edited.records[2]!.normalized = "2000-01-01T00:00:00.000000000Z";
    expect(await verifyReceiptLocally(edited, batchKeys)).toMatchObject({
      valid: false,
      reason: /record 2 was changed/,
    });
    const forged = copy(edited);
    const { integrityHash: _h, recordIndex: _i, ...fields } = forged.records[2]!;
    forged.records[2]!.integrityHash = core.hashRecord(fields);
    expect(await verifyReceiptLocally(forged, batchKeys)).toMatchObject({
      valid: false,
      reason: /recordsRoot/,
    });
    const dropped = { ...response, records: response.records.slice(1) };
    expect(await verifyReceiptLocally(dropped, batchKeys)).toMatchObject({ valid: false, reason: /seals 5/ });
    const moved = { ...recordReceipt, record: records[2] };
    expect(await verifyReceiptLocally(moved, batchKeys)).toMatchObject({
      valid: false,
      reason: /was changed/,
    });
    const otherKeys = [core.keySetEntry(generateKeyPairSync("ed25519").privateKey, "2026-01-01T00:00:00Z")];
    expect(await verifyReceiptLocally(response, otherKeys as unknown as PublishedKey[])).toMatchObject({
      valid: false,
    });
  });
});
