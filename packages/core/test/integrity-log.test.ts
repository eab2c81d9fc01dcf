import { createHash, generateKeyPairSync } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  buildCheckpoint,
  buildCheckpointFromHashes,
  checkpointSignatureProblem,
  hashCheckpoint,
  hashEntry,
  keyIdOf,
  keySetEntry,
  type LogEntry,
  rawPublicKey,
  signCheckpoint,
  verifyCheckpoint,
  verifyLogExport,
  ZERO_HASH,
} from "../src/index.js";
import { chain, clone, exportOf, freshKey, keySetOf, seal } from "./integrity-fixtures.js";

const key = freshKey();
const keys = keySetOf({ key });
const signer = () => ({ key, time: "2026-11-29T12:05:00Z" });

describe("entry hash and hash chain", () => {
  it("hashes 'chronosync-log-v1\\n' + RFC 8785 JSON of the five members (golden)", () => {
    const entry: LogEntry = {
      seq: "0",
      kind: "audit.login",
      time: "2026-11-29T12:00:00Z",
      payload: { user: "admin", b: [1, 2.5] },
      prevHash: ZERO_HASH,
    };
    const text = `chronosync-log-v1\n{"kind":"audit.login","payload":{"b":[1,2.5],"user":"admin"},"prevHash":"${ZERO_HASH}","seq":"0","time":"2026-11-29T12:00:00Z"}`;
    const expected = createHash("sha256").update(text, "utf8").digest("hex");
    expect(hashEntry(entry)).toBe(expected);
    expect(hashEntry({ ...entry, extra: 1 } as LogEntry)).toBe(expected);
    expect(hashEntry({ ...entry, payload: { user: "admin", b: [1, 2.5000001] } })).not.toBe(expected);
  });

  it("property: any change to any member changes the hash", () => {
    const [entry] = chain(1) as [LogEntry];
    fc.assert(
      fc.property(
        fc.constantFrom("seq", "kind", "time", "prevHash"),
        fc.string({ minLength: 1 }),
        (field, suffix) => {
          expect(hashEntry({ ...entry, [field]: entry[field as "seq"] + suffix })).not.toBe(hashEntry(entry));
        },
      ),
    );
    fc.assert(
      fc.property(fc.jsonValue(), (payload) => {
        const p = JSON.parse(JSON.stringify(payload)) as unknown;
        if (JSON.stringify(p) === JSON.stringify(entry.payload)) return;
        expect(hashEntry({ ...entry, payload: p })).not.toBe(hashEntry(entry));
      }),
    );
  });
});

describe("checkpoints and keys", () => {
  it("keyIdOf is the first 16 hex digits of SHA-256 of the raw key, published as base64", () => {
    const raw = rawPublicKey(key.privateKey);
    expect(raw.length).toBe(32);
    expect(keyIdOf(raw)).toBe(createHash("sha256").update(raw).digest("hex").slice(0, 16));
    expect(keys.keys[0]).toMatchObject({
      keyId: key.keyId,
      algorithm: "Ed25519",
      publicKey: Buffer.from(raw).toString("base64"),
    });
    const pem = key.privateKey.export({ format: "pem", type: "pkcs8" }).toString();
    expect(rawPublicKey(pem)).toEqual(raw);
    expect(() => rawPublicKey(generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey)).toThrow(
      /Ed25519/,
    );
  });

  it("signs 'chronosync-checkpoint-v1\\n' + canonical JSON with Ed25519 (KeyObject or PEM)", () => {
    const entries = chain(5);
    const cp = buildCheckpoint(entries, undefined, {
      logId: "l",
      time: "2026-11-29T12:05:00Z",
      keyId: key.keyId,
    });
    expect(cp).toMatchObject({ firstSeq: "0", lastSeq: "4", treeSize: 5, prevCheckpointHash: ZERO_HASH });
    const signed = signCheckpoint(cp, key.privateKey);
    expect(Buffer.from(signed.signature, "base64").length).toBe(64);
    expect(verifyCheckpoint(signed, keys)).toBe(true);
    const pem = key.privateKey.export({ format: "pem", type: "pkcs8" }).toString();
    expect(verifyCheckpoint(signCheckpoint(cp, pem), keys)).toBe(true);
    expect(hashCheckpoint(cp)).toBe(
      createHash("sha256")
        .update(`chronosync-checkpoint-v1\n${JSON.stringify(Object.fromEntries(Object.entries(cp).sort()))}`)
        .digest("hex"),
    );
    const next = buildCheckpoint(chain(2, 5, hashEntry(entries[4]!)), cp, {
      logId: "l",
      time: "2026-11-29T12:06:00Z",
      keyId: key.keyId,
    });
    expect(next.prevCheckpointHash).toBe(hashCheckpoint(cp));
    const meta = { logId: "l", time: "2026-11-29T12:05:00Z", keyId: key.keyId };
    expect(buildCheckpointFromHashes("0", entries.map(hashEntry), undefined, meta)).toEqual(cp);
    expect(() => buildCheckpointFromHashes("0", [], undefined, meta)).toThrow(RangeError);
    expect(() => buildCheckpointFromHashes("01", ["00"], undefined, meta)).toThrow(RangeError);
  });

  it("refuses a changed checkpoint, a changed signature, a wrong or unknown key, a forged key id", () => {
    const [signed] = seal(chain(4), 4, signer) as [ReturnType<typeof seal>[0]];
    const other = freshKey();
    expect(
      checkpointSignatureProblem(
        { ...signed, checkpoint: { ...signed.checkpoint, rootHash: ZERO_HASH } },
        keys,
      ),
    ).toMatch(/does not verify/);
    const sig = Buffer.from(signed.signature, "base64");
    sig[10] = (sig[10] ?? 0) ^ 1;
    expect(checkpointSignatureProblem({ ...signed, signature: sig.toString("base64") }, keys)).toMatch(
      /does not verify/,
    );
    expect(checkpointSignatureProblem(signed, keySetOf({ key: other }))).toMatch(/unknown key/);
    const forged = { keys: [{ ...keySetEntry(other.privateKey, "2026-01-01T00:00:00Z"), keyId: key.keyId }] };
    expect(checkpointSignatureProblem(signed, forged)).toMatch(/keyId does not match/);
    expect(checkpointSignatureProblem({ ...signed, signature: "AAAA" }, keys)).toMatch(/64 bytes/);
    expect(
      checkpointSignatureProblem({ ...signed, checkpoint: { ...signed.checkpoint, treeSize: 3 } }, keys),
    ).toMatch(/treeSize/);
    expect(checkpointSignatureProblem(null as never, keys)).toMatch(/not an object/);
  });

  it("a retired key still verifies checkpoints from before its retirement, not after", () => {
    const old = freshKey();
    const current = freshKey();
    const rotated = keySetOf(
      { key: old, retiredAt: "2026-06-01T00:00:00Z" },
      { key: current, createdAt: "2026-06-01T00:00:00Z" },
    );
    const [before] = seal(chain(2), 2, () => ({ key: old, time: "2026-05-31T23:59:59.999999999Z" }));
    const [after] = seal(chain(2), 2, () => ({ key: old, time: "2026-06-01T00:00:00Z" }));
    const [withNew] = seal(chain(2), 2, () => ({ key: current, time: "2026-06-02T00:00:00Z" }));
    expect(verifyCheckpoint(before!, rotated)).toBe(true);
    expect(checkpointSignatureProblem(after!, rotated)).toMatch(/retired/);
    expect(verifyCheckpoint(withNew!, rotated)).toBe(true);
  });
});

describe("verifyLogExport", () => {
  const entries = chain(23);
  const checkpoints = seal(entries, 5, signer);
  const good = exportOf(entries, checkpoints);

  it("accepts an intact log, a sub-range of whole batches, and an unsealed tail", () => {
    expect(verifyLogExport(good, keys)).toEqual({ valid: true });
    expect(verifyLogExport(exportOf(entries.slice(5, 15), checkpoints.slice(1, 3)), keys)).toEqual({
      valid: true,
    });
    expect(verifyLogExport(exportOf(entries, seal(entries, 5, signer, false)), keys)).toEqual({
      valid: true,
    });
    expect(verifyLogExport(exportOf([], []), keys)).toEqual({ valid: true });
  });

  const cases: [string, (e: ReturnType<typeof clone<typeof good>>) => void, string, RegExp][] = [
    [
      "edit a payload",
      (x) => {
        (x.entries[7]!.payload as { ok: boolean }).ok = false;
      },
      "7",
      /entry 7 was altered/,
    ],
    [
      "edit the last entry (only its checkpoint notices)",
      (x) => {
        (x.entries[22] as { kind: string }).kind = "x";
      },
      "20",
      /root/,
    ],
    [
      "edit a prevHash",
      (x) => {
        (x.entries[9] as { prevHash: string }).prevHash = ZERO_HASH;
      },
      "9",
      /does not chain/,
    ],
    [
      "delete an entry",
      (x) => {
        x.entries.splice(12, 1);
      },
      "12",
      /expected seq 12/,
    ],
    [
      "reorder two entries",
      (x) => {
        const [a] = x.entries.splice(3, 1);
        x.entries.splice(4, 0, a!);
      },
      "3",
      /expected seq 3/,
    ],
    [
      "duplicate an entry",
      (x) => {
        x.entries.splice(4, 0, clone(x.entries[3]!));
      },
      "4",
      /expected seq 4/,
    ],
    [
      "delete and renumber the rest",
      (x) => {
        x.entries.splice(12, 1);
        for (const [i, e] of x.entries.entries()) (e as { seq: string }).seq = String(i);
      },
      "12",
      /does not chain/,
    ],
    [
      "truncate and refill with a valid chain",
      (x) => {
        const refill = chain(13, 10, hashEntry(x.entries[9]!), "forged");
        x.entries.splice(10, 13, ...refill);
      },
      "10",
      /checkpoint 2: root/,
    ],
    [
      "change a signature",
      (x) => {
        (x.checkpoints[3] as { signature: string }).signature = x.checkpoints[2]!.signature;
      },
      "15",
      /checkpoint 3: checkpoint signature does not verify/,
    ],
    [
      "drop a checkpoint",
      (x) => {
        x.checkpoints.splice(1, 1);
      },
      "10",
      /starts at 10, not after 4/,
    ],
    [
      "a checkpoint re-signed over a forged root",
      (x) => {
        const cp = { ...x.checkpoints[1]!.checkpoint, rootHash: ZERO_HASH };
        x.checkpoints[1] = signCheckpoint(cp, key.privateKey);
      },
      "5",
      /checkpoint 1: root/,
    ],
    [
      "a forged checkpoint chain",
      (x) => {
        const cp = { ...x.checkpoints[2]!.checkpoint, prevCheckpointHash: ZERO_HASH };
        x.checkpoints[2] = signCheckpoint(cp, key.privateKey);
      },
      "10",
      /does not chain to checkpoint 1/,
    ],
    [
      "a checkpoint beyond the export",
      (x) => {
        x.entries.splice(20);
      },
      "20",
      /not all in the export/,
    ],
    [
      "a malformed entry",
      (x) => {
        (x.entries[6] as { seq: unknown }).seq = 6;
      },
      "",
      /entry 6: seq/,
    ],
    [
      "a payload with no canonical form",
      (x) => {
        (x.entries[2] as { payload: unknown }).payload = { n: Number.POSITIVE_INFINITY };
      },
      "2",
      /not finite|altered/,
    ],
  ];
  for (const [title, tamper, firstBadSeq, reason] of cases) {
    it(`names the first bad seq: ${title}`, () => {
      const x = clone(good);
      tamper(x);
      const r = verifyLogExport(x, keys);
      expect(r.valid).toBe(false);
      if (r.valid) return;
      expect(r.code).toBe("CRYPTO_VERIFICATION_FAILED");
      expect(r.reason).toMatch(reason);
      expect(r.firstBadSeq ?? "").toBe(firstBadSeq);
    });
  }

  it("with the wrong key set: names the first checkpoint", () => {
    const r = verifyLogExport(good, keySetOf({ key: freshKey() }));
    expect(r).toMatchObject({
      valid: false,
      firstBadSeq: "0",
      detail: { check: "checkpoint", checkpointIndex: 0 },
    });
  });

  it("an earlier checkpoint failure wins over a later chain break", () => {
    const x = clone(good);
    (x.checkpoints[0] as { signature: string }).signature = x.checkpoints[1]!.signature;
    (x.entries[17]!.payload as { ok: boolean }).ok = false;
    expect(verifyLogExport(x, keys)).toMatchObject({ valid: false, firstBadSeq: "0" });
  });

  it("property: editing any one entry's payload is caught at exactly that seq", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 22 }), fc.jsonValue(), (i, value) => {
        const x = clone(good);
        const payload = JSON.parse(JSON.stringify({ v: value })) as unknown;
        (x.entries[i] as { payload: unknown }).payload = payload;
        const r = verifyLogExport(x, keys);
        expect(r.valid).toBe(false);
        // The last entry has no successor to vouch for it: its batch's checkpoint names it.
        expect(r.valid ? "" : r.firstBadSeq).toBe(i === 22 ? "20" : String(i));
        expect(r.valid ? "" : r.reason).toMatch(i === 22 ? /checkpoint 4: root/ : /altered/);
      }),
      { numRuns: 60 },
    );
  });

  it("never throws on junk", () => {
    for (const junk of [
      null,
      1,
      "x",
      {},
      { version: 1 },
      { version: 1, entries: [null], checkpoints: [] },
      { version: 1, entries: [], checkpoints: [null] },
    ]) {
      expect(verifyLogExport(junk as never, keys).valid).toBe(false);
    }
  });
});
