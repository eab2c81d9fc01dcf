// `chronosync verify` through the CLI entry (main) with fixtures signed by a fresh key:
// receipts and exports, key sets from a file and from a URL, tampering, usage errors.
import { generateKeyPairSync } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  buildCheckpoint,
  buildReceipt,
  type Checkpoint,
  hashEntry,
  hashRecord,
  type KeySet,
  keySetEntry,
  type LogEntry,
  RECORD_BATCH_KIND,
  recordBatch,
  type SignedCheckpoint,
  signCheckpoint,
  ZERO_HASH,
} from "@chronosync/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CliContext } from "../src/context.js";
import { main } from "../src/main.js";
import { runCli } from "./helpers/run-cli.js";

const { privateKey } = generateKeyPairSync("ed25519");
const keySet: KeySet = { keys: [keySetEntry(privateKey, "2026-11-01T00:00:00Z")] };
const keyId = keySet.keys[0]!.keyId;

const entries: LogEntry[] = [];
for (let i = 0; i < 12; i++) {
  entries.push({
    seq: String(i),
    kind: "timestamp.normalized",
    time: `2026-11-29T12:00:0${i % 10}Z`,
    payload: { sourceId: "node-1", normalized: `2026-11-29T12:00:0${i % 10}.5Z`, uncertaintyNs: 1000 + i },
    prevHash: i === 0 ? ZERO_HASH : hashEntry(entries[i - 1]!),
  });
}
const checkpoints: SignedCheckpoint[] = [];
let previous: Checkpoint | undefined;
for (let from = 0; from < 12; from += 4) {
  const cp = buildCheckpoint(entries.slice(from, from + 4), previous, {
    logId: "cli-test",
    time: "2026-11-29T12:01:00Z",
    keyId,
  });
  checkpoints.push(signCheckpoint(cp, privateKey));
  previous = cp;
}
const exportDoc = { version: 1, entries, checkpoints };
const receipt = buildReceipt(entries[6]!, { checkpoint: checkpoints[1]!, batch: entries.slice(4, 8) });

// A normalize response: one record batch entry (its own log) with three records.
const batchRecords = [0, 1, 2].map((i) => ({
  sourceId: "app-1",
  normalized: `2026-11-29T12:00:0${i}Z`,
  flags: [],
}));
const batch = recordBatch(batchRecords.map(hashRecord));
const batchEntry: LogEntry = {
  seq: "0",
  kind: RECORD_BATCH_KIND,
  time: "2026-11-29T12:00:05Z",
  payload: batch.payload,
  prevHash: ZERO_HASH,
};
const batchCheckpoint = signCheckpoint(
  buildCheckpoint([batchEntry], undefined, { logId: "cli-batch", time: "2026-11-29T12:00:05Z", keyId }),
  privateKey,
);
const batchReceipt = buildReceipt(batchEntry, { checkpoint: batchCheckpoint, batch: [batchEntry] });
const response = {
  receivedAt: "2026-11-29T12:00:05Z",
  receipt: batchReceipt,
  records: batchRecords.map((r, i) => ({ ...r, integrityHash: hashRecord(r), recordIndex: i })),
};
const recordReceipt = {
  version: 2,
  record: batchRecords[1],
  recordIndex: 1,
  recordProof: batch.tree.inclusionProof(1),
  receipt: batchReceipt,
};

let dir: string;
let server: Server;
let keysUrl: string;
const file = (name: string) => join(dir, name);

async function run(argv: string[]) {
  let stdout = "";
  let stderr = "";
  const ctx: CliContext = {
    out: (t) => {
      stdout += t;
    },
    err: (t) => {
      stderr += t;
    },
    waitForStop: () => new Promise<string>(() => {}),
  };
  const code = await main(argv, ctx);
  return { code, stdout, stderr };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "chronosync-verify-"));
  const tampered = structuredClone(exportDoc);
  (tampered.entries[5]!.payload as { uncertaintyNs: number }).uncertaintyNs = 1;
  const badReceipt = structuredClone(receipt) as unknown as { proof: string[] };
  badReceipt.proof[0] = ZERO_HASH;
  const files: Record<string, unknown> = {
    "keys.json": keySet,
    "other-keys.json": {
      keys: [keySetEntry(generateKeyPairSync("ed25519").privateKey, "2026-11-01T00:00:00Z")],
    },
    "export.json": exportDoc,
    "tampered.json": tampered,
    "receipt.json": receipt,
    "bad-receipt.json": badReceipt,
    "unsealed.json": buildReceipt(entries[11]!),
    "other.json": { hello: "world" },
    "response.json": response,
    "edited-response.json": {
      ...response,
      records: response.records.map((r, i) => (i === 2 ? { ...r, normalized: "2000-01-01T00:00:00Z" } : r)),
    },
    "record-receipt.json": recordReceipt,
    "bad-record-receipt.json": { ...recordReceipt, record: batchRecords[2] },
  };
  for (const [name, doc] of Object.entries(files)) await writeFile(file(name), JSON.stringify(doc));
  await writeFile(file("broken.json"), "{not json");
  server = createServer((req, res) => {
    if (req.url === "/.well-known/chronosync/keys") {
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify(keySet));
    } else {
      res.statusCode = 404;
      res.end();
    }
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  keysUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/chronosync/keys`;
});

afterAll(async () => {
  await new Promise<void>((done) => server.close(() => done()));
  await rm(dir, { recursive: true, force: true });
});

describe("chronosync verify", () => {
  it("says valid for an intact export and receipt (key set from a file), exit 0", async () => {
    const a = await run(["verify", file("export.json"), "--keys", file("keys.json")]);
    expect(a).toEqual({ code: 0, stdout: "valid (log export: entries 0..11, 3 checkpoints)\n", stderr: "" });
    const b = await run(["verify", file("receipt.json"), "--keys", file("keys.json")]);
    expect(b.code).toBe(0);
    expect(b.stdout).toBe(`valid (receipt of entry 6: sealed in checkpoint 4..7 signed by key ${keyId})\n`);
  });

  it("checks a normalize response and a record receipt, naming an edited record", async () => {
    const a = await run(["verify", file("response.json"), "--keys", file("keys.json")]);
    expect(a.code).toBe(0);
    expect(a.stdout).toBe(
      `valid (normalize response: 3 records of entry 0: sealed in checkpoint 0..0 signed by key ${keyId})\n`,
    );
    const b = await run(["verify", file("record-receipt.json"), "--keys", file("keys.json")]);
    expect(b.code).toBe(0);
    expect(b.stdout).toMatch(/^valid \(record 1 of entry 0: sealed/);
    const c = await run(["verify", file("edited-response.json"), "--keys", file("keys.json"), "--json"]);
    expect(c.code).toBe(1);
    expect(JSON.parse(c.stdout)).toMatchObject({ kind: "normalize-response", valid: false, record: 2 });
    expect(JSON.parse(c.stdout).reason).toMatch(/record 2 was altered/);
    const d = await run(["verify", file("bad-record-receipt.json"), "--keys", file("keys.json")]);
    expect(d.code).toBe(1);
    expect(d.stdout).toMatch(/^invalid: the record's inclusion proof does not lead to entry 0's recordsRoot/);
  });

  it("fetches the key set from a URL", async () => {
    const r = await run(["verify", file("receipt.json"), "--keys", keysUrl, "--json"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ kind: "receipt", valid: true });
  });

  it("refuses an unsealed receipt: only its hash can be checked, anyone could have written it", async () => {
    const r = await run(["verify", file("unsealed.json")]);
    expect(r).toEqual({
      code: 1,
      stdout: "invalid: not sealed: entry 11 has no signed checkpoint yet (only its hash was checked)\n",
      stderr: "",
    });
  });

  it("names the first bad seq of a tampered export, exit 1", async () => {
    const r = await run(["verify", file("tampered.json"), "--keys", file("keys.json")]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^invalid: entry 5 was altered.*\(first bad seq 5\)\n$/);
    const j = await run(["verify", file("tampered.json"), "--keys", file("keys.json"), "--json"]);
    expect(JSON.parse(j.stdout)).toMatchObject({
      kind: "export",
      valid: false,
      code: "CRYPTO_VERIFICATION_FAILED",
      firstBadSeq: "5",
      detail: { check: "chain", entryIndex: 5 },
    });
  });

  it("rejects a receipt with a bad proof, and signatures under the wrong keys, exit 1", async () => {
    const a = await run(["verify", file("bad-receipt.json"), "--keys", file("keys.json")]);
    expect(a.code).toBe(1);
    expect(a.stdout).toMatch(/inclusion proof of entry 6 .*first bad seq 6/);
    const b = await run(["verify", file("export.json"), "--keys", file("other-keys.json")]);
    expect(b.code).toBe(1);
    expect(b.stdout).toMatch(
      /^invalid: checkpoint 0: checkpoint signed by unknown key .*\(first bad seq 0\)/,
    );
  });

  it.each([
    [["verify"], /needs a receipt or export file/],
    [["verify", "a.json", "b.json"], /takes one file/],
    [["verify", "/nonexistent/x.json"], /cannot read file .*ENOENT/],
    [["verify", "BROKEN"], /is not JSON/],
    [["verify", "OTHER"], /neither a receipt .* nor a log export/],
    [["verify", "EXPORT"], /--keys FILE\|URL is needed/],
    [["verify", "EXPORT", "--keys", "EXPORT"], /is not a key set/],
    [["verify", "EXPORT", "--frob"], /unknown option "--frob"/],
  ])("usage error %j, one line, exit 2", async (argv, message) => {
    const args = argv.map((a) =>
      a === "BROKEN"
        ? file("broken.json")
        : a === "OTHER"
          ? file("other.json")
          : a === "EXPORT"
            ? file("export.json")
            : a,
    );
    const r = await run(args);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
  });

  it("reports an unreachable or failing key set URL", async () => {
    const missing = await run(["verify", file("export.json"), "--keys", keysUrl.replace("keys", "nope")]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/answered HTTP 404/);
    const closed = createServer();
    await new Promise<void>((done) => closed.listen(0, "127.0.0.1", done));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((done) => closed.close(() => done()));
    const refused = await run(["verify", file("export.json"), "--keys", `http://127.0.0.1:${port}/keys`]);
    expect(refused.code).toBe(7);
    expect(refused.stderr).toMatch(/cannot fetch the key set .*ECONNREFUSED/);
  });

  it("has help, listed in the main help", async () => {
    const r = await run(["verify", "--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: chronosync verify <file.json>/);
    expect((await run(["--help"])).stdout).toMatch(/verify <file> +check a log receipt or export/);
  });

  it("works the same through the built binary (npx tsc -b first)", async () => {
    const ok = await runCli(["verify", file("export.json"), "--keys", keysUrl]);
    expect([ok.code, ok.stdout, ok.stderr]).toEqual([
      0,
      "valid (log export: entries 0..11, 3 checkpoints)\n",
      "",
    ]);
    const bad = await runCli(["verify", file("tampered.json"), "--keys", file("keys.json")]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/first bad seq 5/);
  });
});
