/**
 * `chronosync verify <file.json> [--keys FILE|URL] [--json]`: checks a receipt, a record
 * receipt, a normalize response or a log export offline with core's integrity code (docs/ledger-format.md) against the
 * published key set (`/.well-known/chronosync/keys`, or a saved copy of it).
 */
import { readFile } from "node:fs/promises";
import {
  type KeySet,
  type LogExport,
  type Receipt,
  type RecordBatchResponse,
  type RecordReceipt,
  type VerifyResult,
  verifyLogExport,
  verifyReceipt,
  verifyRecordBatchResponse,
  verifyRecordReceipt,
} from "@chronosync/core";
import { parseCommandArgs } from "../args.js";
import type { CliContext } from "../context.js";
import { CliError, UsageError } from "../errors.js";
import { quote } from "../target.js";

export const VERIFY_HELP = `Usage: chronosync verify <file.json> [options]

Verifies offline, against the server's published keys, one of:
  - a receipt: one log entry, its signed checkpoint and Merkle inclusion proof;
  - a record receipt: one normalized timestamp, its path in its batch entry and that
    entry's receipt (GET /api/ledger/entries/{seq}/records/{index});
  - a normalize response (the JSON POST /api/timestamps/normalize answered): every record
    against its batch entry's receipt;
  - a log export: a range of entries with their checkpoints (hash chain, Merkle roots,
    signatures, checkpoint chain, and each record batch's records).
Prints "valid", or "invalid: <reason>" naming the first bad sequence number (and record).

Options:
  --keys FILE|URL       the key set (GET /.well-known/chronosync/keys, or a saved copy);
                        needed unless the receipt is not sealed yet
  --json                print {"valid":…,"kind":…,"reason":…,"firstBadSeq":…} instead
  -h, --help            show this help

Exit status: 0 valid, 1 invalid, 2 usage (bad arguments, unreadable or unrecognised
file or key set), 4 key set URL timed out, 7 key set URL unreachable.
`;

const FETCH_TIMEOUT_MS = 10_000;

export interface VerifyOptions {
  file: string;
  keys?: string;
  json: boolean;
}

interface VerifyValues {
  keys?: string;
  json?: boolean;
  help?: boolean;
}

/** Parses the arguments after `verify`; null when help was asked for. */
export function parseVerifyArgs(args: readonly string[]): VerifyOptions | null {
  const { values, positionals } = parseCommandArgs<VerifyValues>("verify", args, {
    keys: { type: "string" },
    json: { type: "boolean" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) return null;
  const [file, extra] = positionals;
  if (file === undefined) throw new UsageError("verify needs a receipt or export file (see verify --help)");
  if (extra !== undefined) throw new UsageError(`verify takes one file, got also ${quote(extra)}`);
  return values.keys === undefined
    ? { file, json: values.json ?? false }
    : { file, keys: values.keys, json: values.json ?? false };
}

async function readJson(path: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    throw new UsageError(
      `cannot read ${what} ${quote(path)}: ${(err as NodeJS.ErrnoException).code ?? "error"}`,
    );
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new UsageError(`${what} ${quote(path)} is not JSON`);
  }
}

async function fetchJson(url: string): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(url, {
      signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
      headers: { Accept: "application/json" },
    });
  } catch (err) {
    if ((err as Error).name === "TimeoutError") {
      throw new CliError("CLI_TIMEOUT", `no key set from ${url} within ${FETCH_TIMEOUT_MS} ms`);
    }
    const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
    throw new CliError("CLI_NETWORK", `cannot fetch the key set from ${url}: ${cause}`, { cause: err });
  }
  if (!response.ok) throw new UsageError(`key set URL ${url} answered HTTP ${response.status}`);
  try {
    return (await response.json()) as unknown;
  } catch {
    throw new UsageError(`key set from ${url} is not JSON`);
  }
}

async function loadKeySet(source: string): Promise<KeySet> {
  const doc = /^https?:\/\//i.test(source) ? await fetchJson(source) : await readJson(source, "key set");
  if (typeof doc !== "object" || doc === null || !Array.isArray((doc as { keys?: unknown }).keys)) {
    throw new UsageError(`${quote(source)} is not a key set (expected {"keys":[…]})`);
  }
  return doc as KeySet;
}

type Document =
  | { kind: "receipt"; receipt: Receipt }
  | { kind: "record-receipt"; receipt: RecordReceipt }
  | { kind: "normalize-response"; response: RecordBatchResponse }
  | { kind: "export"; export: LogExport };

function classify(doc: unknown, path: string): Document {
  const d = doc as Record<string, unknown> | null;
  if (typeof d === "object" && d !== null && !Array.isArray(d)) {
    if (Array.isArray(d.entries) && Array.isArray(d.checkpoints))
      return { kind: "export", export: d as unknown as LogExport };
    if ("entry" in d && "entryHash" in d) return { kind: "receipt", receipt: d as unknown as Receipt };
    if (d.version === 2 && "record" in d && "receipt" in d)
      return { kind: "record-receipt", receipt: d as unknown as RecordReceipt };
    if (Array.isArray(d.records) && typeof d.receipt === "object" && d.receipt !== null)
      return { kind: "normalize-response", response: d as unknown as RecordBatchResponse };
  }
  throw new UsageError(
    `${quote(path)} is neither a receipt (entry, entryHash), a record receipt (version 2, record, receipt), a normalize response (receipt, records) nor a log export (entries, checkpoints)`,
  );
}

function isSigned(doc: Document): boolean {
  switch (doc.kind) {
    case "receipt":
      return doc.receipt.checkpoint !== undefined;
    case "record-receipt":
      return doc.receipt.receipt?.checkpoint !== undefined;
    case "normalize-response":
      return doc.response.receipt.checkpoint !== undefined;
    case "export":
      return doc.export.checkpoints.length > 0;
  }
}

/** The outcome for a whole document: a normalize response is valid when every record is. */
function check(doc: Document, keySet: KeySet): VerifyResult & { record?: number } {
  switch (doc.kind) {
    case "receipt":
      return verifyReceipt(doc.receipt, keySet);
    case "record-receipt":
      return verifyRecordReceipt(doc.receipt, keySet);
    case "export":
      return verifyLogExport(doc.export, keySet);
    case "normalize-response": {
      const result = verifyRecordBatchResponse(doc.response, keySet);
      if (!result.receipt.valid) return result.receipt;
      const bad = result.records.findIndex((r) => !r.valid);
      if (bad >= 0) return { ...(result.records[bad] as VerifyResult), record: bad };
      return result.records.length === 0 ? { valid: true } : result.records[0]!;
    }
  }
}

/** Runs `chronosync verify`; resolves with the exit status (0 valid, 1 invalid). */
export async function runVerify(args: readonly string[], ctx: CliContext): Promise<number> {
  const options = parseVerifyArgs(args);
  if (options === null) {
    ctx.out(VERIFY_HELP);
    return 0;
  }
  const doc = classify(await readJson(options.file, "file"), options.file);
  let keySet: KeySet = { keys: [] };
  if (options.keys !== undefined) keySet = await loadKeySet(options.keys);
  else if (isSigned(doc))
    throw new UsageError("--keys FILE|URL is needed to check the checkpoint signatures");
  const result = check(doc, keySet);
  if (options.json) {
    ctx.out(`${JSON.stringify({ kind: doc.kind, ...result })}\n`);
  } else if (result.valid) {
    ctx.out(`valid (${describe(doc)})\n`);
  } else {
    const where = result.firstBadSeq === undefined ? "" : ` (first bad seq ${result.firstBadSeq})`;
    ctx.out(`invalid: ${result.reason}${where}\n`);
  }
  return result.valid ? 0 : 1;
}

function describe(doc: Document): string {
  if (doc.kind === "export") {
    const { entries, checkpoints } = doc.export;
    const range =
      entries.length === 0 ? "no entries" : `entries ${entries[0]!.seq}..${entries[entries.length - 1]!.seq}`;
    return `log export: ${range}, ${checkpoints.length} checkpoint${checkpoints.length === 1 ? "" : "s"}`;
  }
  if (doc.kind === "normalize-response") {
    const n = doc.response.records.length;
    return `normalize response: ${n} record${n === 1 ? "" : "s"} of ${sealedIn(doc.response.receipt)}`;
  }
  if (doc.kind === "record-receipt")
    return `record ${doc.receipt.recordIndex} of ${sealedIn(doc.receipt.receipt)}`;
  return `receipt of ${sealedIn(doc.receipt)}`;
}

function sealedIn(receipt: Receipt): string {
  const { entry, checkpoint } = receipt;
  if (checkpoint === undefined) return `entry ${entry.seq}: entry hash only, not sealed yet`;
  const cp = checkpoint.checkpoint;
  return `entry ${entry.seq}: sealed in checkpoint ${cp.firstSeq}..${cp.lastSeq} signed by key ${cp.keyId}`;
}
