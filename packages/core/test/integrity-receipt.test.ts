import { describe, expect, it } from "vitest";
import {
  buildReceipt,
  hashEntry,
  leafHash,
  MerkleTree,
  type Receipt,
  verifyReceipt,
  ZERO_HASH,
} from "../src/index.js";
import { chain, clone, type DeepMutable, freshKey, keySetOf, seal } from "./integrity-fixtures.js";

const key = freshKey();
const keys = keySetOf({ key });
const entries = chain(23);
const checkpoints = seal(entries, 5, () => ({ key, time: "2026-11-29T12:05:00Z" }));
const sealedReceipt = (seq: number): Receipt => {
  const b = Math.floor(seq / 5);
  return buildReceipt(entries[seq]!, { checkpoint: checkpoints[b]!, batch: entries.slice(b * 5, b * 5 + 5) });
};

describe("receipts", () => {
  it("every entry's sealed receipt verifies; an unsealed one is reported as not sealed", () => {
    for (let seq = 0; seq < entries.length; seq++) {
      const r = sealedReceipt(seq);
      expect(r.leafIndex).toBe(seq % 5);
      expect(verifyReceipt(r, keys), `seq ${seq}`).toEqual({ valid: true });
    }
    const unsealed = buildReceipt(entries[22]!);
    expect(unsealed).toEqual({ version: 1, entry: entries[22], entryHash: hashEntry(entries[22]!) });
    expect(verifyReceipt(unsealed, keys)).toEqual({
      valid: false,
      code: "CRYPTO_VERIFICATION_FAILED",
      reason: "not sealed: entry 22 has no signed checkpoint yet (only its hash was checked)",
      sealed: false,
    });
  });

  it("checks an unsealed receipt's hash before calling it not sealed (a forged one is tampering)", () => {
    const forged = clone(buildReceipt(entries[4]!));
    (forged.entry as { payload: unknown }).payload = { forged: true };
    const result = verifyReceipt(forged as Receipt, keys);
    expect(result).toMatchObject({ valid: false, firstBadSeq: "4" });
    expect(result.valid ? "" : result.reason).toMatch(/does not hash to entryHash/);
    expect("sealed" in result).toBe(false);
    const stripped = clone(sealedReceipt(7));
    delete stripped.checkpoint;
    expect(verifyReceipt(stripped as Receipt, keys)).toMatchObject({ valid: false, sealed: false });
  });

  it("accepts a prebuilt MerkleTree for the batch (one tree, many receipts)", () => {
    const tree = new MerkleTree(entries.slice(10, 15).map((e) => leafHash(hashEntry(e))));
    const r = buildReceipt(entries[12]!, { checkpoint: checkpoints[2]!, batch: tree });
    expect(r).toEqual(sealedReceipt(12));
  });

  const tampers: [string, (r: DeepMutable<Receipt>) => void, RegExp][] = [
    [
      "edited payload",
      (r) => {
        (r.entry as { payload: unknown }).payload = { forged: true };
      },
      /does not hash to entryHash/,
    ],
    [
      "edited payload and entryHash",
      (r) => {
        (r.entry as { payload: unknown }).payload = { forged: true };
        r.entryHash = hashEntry(r.entry);
      },
      /inclusion proof/,
    ],
    [
      "changed signature",
      (r) => {
        const sig = Buffer.from(r.checkpoint!.signature, "base64");
        sig[0] = (sig[0] ?? 0) ^ 0x80;
        (r.checkpoint as { signature: string }).signature = sig.toString("base64");
      },
      /signature does not verify/,
    ],
    [
      "another batch's checkpoint",
      (r) => {
        r.checkpoint = clone(checkpoints[0]!);
      },
      /outside the checkpoint's range/,
    ],
    [
      "wrong leafIndex",
      (r) => {
        r.leafIndex = 1;
      },
      /leafIndex 1/,
    ],
    [
      "edited proof",
      (r) => {
        (r.proof as string[])[0] = ZERO_HASH;
      },
      /inclusion proof/,
    ],
    [
      "missing proof",
      (r) => {
        delete r.proof;
      },
      /without an inclusion proof/,
    ],
    [
      "bad version",
      (r) => {
        (r as { version: number }).version = 2;
      },
      /version 2/,
    ],
    [
      "malformed entry",
      (r) => {
        (r.entry as { prevHash: string }).prevHash = "00";
      },
      /prevHash/,
    ],
  ];
  for (const [title, tamper, reason] of tampers) {
    it(`rejects a receipt with ${title}`, () => {
      const r = clone(sealedReceipt(13));
      tamper(r);
      const result = verifyReceipt(r as Receipt, keys);
      expect(result).toMatchObject({ valid: false, code: "CRYPTO_VERIFICATION_FAILED" });
      expect(result.valid ? "" : result.reason).toMatch(reason);
    });
  }

  it("with a checkpoint cache, verifies each checkpoint's signature once and still catches an edited one", () => {
    const cache = new Map<string, string | undefined>();
    for (let seq = 0; seq < 20; seq++)
      expect(verifyReceipt(sealedReceipt(seq), keys, { checkpointCache: cache })).toEqual({ valid: true });
    expect(cache.size).toBe(4);
    // Same signature, edited checkpoint: another cache key, so the signature is checked (and fails).
    const edited = clone(sealedReceipt(12));
    edited.checkpoint!.checkpoint.time = "2026-11-29T12:06:00Z";
    const result = verifyReceipt(edited as Receipt, keys, { checkpointCache: cache });
    expect(result.valid ? "" : result.reason).toMatch(/signature does not verify/);
    expect(cache.size).toBe(5);
    // A forged signature on a cached checkpoint is a different key too.
    const forged = clone(sealedReceipt(13));
    const sig = Buffer.from(forged.checkpoint!.signature, "base64");
    sig[5] = (sig[5] ?? 0) ^ 1;
    forged.checkpoint!.signature = sig.toString("base64");
    expect(verifyReceipt(forged as Receipt, keys, { checkpointCache: cache }).valid).toBe(false);
    expect(
      verifyReceipt({ ...sealedReceipt(1), checkpoint: null } as never, keys, { checkpointCache: cache })
        .valid,
    ).toBe(false);
  });

  it("rejects a receipt checked against the wrong key set, and junk, without throwing", () => {
    expect(verifyReceipt(sealedReceipt(3), keySetOf({ key: freshKey() }))).toMatchObject({
      valid: false,
      firstBadSeq: "3",
    });
    for (const junk of [null, 1, {}, { version: 1, entry: null }])
      expect(verifyReceipt(junk as never, keys).valid).toBe(false);
    expect(verifyReceipt(sealedReceipt(3), { keys: null } as never).valid).toBe(false);
  });
});
