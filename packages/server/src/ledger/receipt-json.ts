/**
 * A receipt's JSON, fast: the hot path of every normalize answer (routes/timestamps.ts)
 * and of the append thread's replies.
 */
import type { Receipt, SignedCheckpoint } from "@chronosync/core";

/**
 * The JSON of each signed checkpoint, made once: every receipt of one group commit shares
 * the same checkpoint object (a third of a receipt's serialization cost, per request).
 */
const checkpointJsonCache = new WeakMap<SignedCheckpoint, string>();

function checkpointJson(signed: SignedCheckpoint): string {
  let json = checkpointJsonCache.get(signed);
  if (json === undefined) {
    json = JSON.stringify(signed);
    checkpointJsonCache.set(signed, json);
  }
  return json;
}

/** Printable ASCII but `"` and `\\`: JSON.stringify writes such a string as `"${text}"`. */
const PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

/**
 * JSON.stringify(text), without its per-character escape scan for the hex, decimal and
 * RFC 3339 strings receipts hold (a regular expression test is a third of its cost).
 */
function str(text: string): string {
  return PLAIN.test(text) ? `"${text}"` : JSON.stringify(text);
}

/** JSON.stringify(payload), written directly for a record batch's `{records, recordsRoot}`. */
function payloadJson(payload: unknown): string {
  if (
    typeof payload === "object" &&
    payload !== null &&
    Object.getPrototypeOf(payload) === Object.prototype
  ) {
    const { records, recordsRoot } = payload as { records?: unknown; recordsRoot?: unknown };
    const keys = Object.keys(payload);
    if (
      keys.length === 2 &&
      keys[0] === "records" &&
      keys[1] === "recordsRoot" &&
      Number.isSafeInteger(records) &&
      typeof recordsRoot === "string"
    )
      return `{"records":${JSON.stringify(records)},"recordsRoot":${str(recordsRoot)}}`;
  }
  return JSON.stringify(payload);
}

/**
 * `JSON.stringify(receipt)` for the receipts the ledger answers appends with — members in
 * the order Ledger builds them (version, entry {seq, kind, time, payload, prevHash},
 * entryHash, then checkpoint, leafIndex and proof once sealed) — with the shared
 * checkpoint's JSON made once per commit. A test checks both agree on sealed and unsealed
 * receipts; a receipt with only part of the sealed members goes through JSON.stringify.
 */
export function receiptJson(receipt: Receipt): string {
  const { entry, checkpoint, leafIndex, proof } = receipt;
  const sealed = checkpoint !== undefined && leafIndex !== undefined && proof !== undefined;
  if (!sealed && (checkpoint !== undefined || leafIndex !== undefined || proof !== undefined))
    return JSON.stringify(receipt);
  const head =
    `{"version":${JSON.stringify(receipt.version)},"entry":{"seq":${str(entry.seq)},` +
    `"kind":${str(entry.kind)},"time":${str(entry.time)},` +
    `"payload":${payloadJson(entry.payload)},"prevHash":${str(entry.prevHash)}},` +
    `"entryHash":${str(receipt.entryHash)}`;
  if (!sealed) return `${head}}`;
  let proofJson = "[";
  for (let i = 0; i < proof.length; i++) proofJson += `${i === 0 ? "" : ","}${str(proof[i]!)}`;
  return `${head},"checkpoint":${checkpointJson(checkpoint)},"leafIndex":${JSON.stringify(leafIndex)},"proof":${proofJson}]}`;
}
