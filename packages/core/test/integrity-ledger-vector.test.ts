// The worked example of docs/ledger-format.md, checked byte for byte (and independently
// with Python + openssl when the document was written).
import { createPrivateKey } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  buildCheckpoint,
  buildReceipt,
  canonicalJson,
  hashCheckpoint,
  hashEntry,
  keySetEntry,
  type LogEntry,
  leafHash,
  signCheckpoint,
  verifyLogExport,
  verifyReceipt,
} from "../src/index.js";
import v from "./vectors/ledger-v1-example.json" with { type: "json" };

const PKCS8_ED25519_PREFIX = "302e020100300506032b657004220420";
const key = createPrivateKey({
  key: Buffer.from(PKCS8_ED25519_PREFIX + v.privateKeySeedHex, "hex"),
  format: "der",
  type: "pkcs8",
});
const entries = v.entries as LogEntry[];

describe(v.title, () => {
  it("reproduces the key set, entry encodings, entry and leaf hashes", () => {
    expect({ keys: [keySetEntry(key, "2026-01-01T00:00:00Z")] }).toEqual(v.keySet);
    expect(entries.map((e) => canonicalJson(e))).toEqual(v.entryCanonicalJson);
    expect(entries.map(hashEntry)).toEqual(v.entryHashes);
    expect(v.entryHashes.map((h) => leafHash(h))).toEqual(v.leafHashes);
  });

  it("reproduces the checkpoint, its signing input, hash and (deterministic) signature, and the receipt", () => {
    const cp = buildCheckpoint(entries, undefined, {
      logId: "chronosync-example",
      time: "2026-11-29T12:00:05Z",
      keyId: v.keySet.keys[0]!.keyId,
    });
    expect(`chronosync-checkpoint-v1\n${canonicalJson(cp)}`).toBe(v.checkpointSigningInput);
    expect(hashCheckpoint(cp)).toBe(v.checkpointHash);
    const signed = signCheckpoint(cp, key);
    expect(signed).toEqual(v.checkpoint);
    expect(buildReceipt(entries[1]!, { checkpoint: signed, batch: entries })).toEqual(v.receipt);
  });

  it("verifies as a receipt and as an export", () => {
    expect(verifyReceipt(v.receipt as never, v.keySet as never)).toEqual({ valid: true });
    expect(
      verifyLogExport({ version: 1, entries, checkpoints: [v.checkpoint as never] }, v.keySet as never),
    ).toEqual({ valid: true });
  });
});
