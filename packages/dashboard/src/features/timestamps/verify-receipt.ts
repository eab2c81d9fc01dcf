/**
 * Verifies a receipt in the browser, with nothing but the published public keys
 * (`GET /.well-known/chronosync/keys`) and WebCrypto (SHA-256, Ed25519): the steps of
 * docs/ledger-format.md §6 — entry hash, checkpoint signature and key (§4, §5), range and
 * leaf index, RFC 9162 inclusion proof. An unsealed receipt is not valid (`sealed: false`).
 */
import {
  base64ToBytes,
  bytesToHex,
  checkpointSigningInput,
  entryHash,
  leafHash,
  merkleRoot,
  recordHash,
  sha256,
  verifyInclusion,
} from "./receipt-crypto.js";

export interface PublishedKey {
  readonly keyId: string;
  readonly algorithm: string;
  readonly publicKey: string;
  readonly createdAt?: string;
  readonly retiredAt?: string | null;
}

export type ReceiptVerdict =
  | {
      readonly valid: true;
      readonly seq: string;
      readonly keyId: string;
      /** For a record receipt or a normalize response: how many records were checked. */
      readonly records?: number;
    }
  | { readonly valid: false; readonly reason: string; readonly sealed?: false };

interface Receipt {
  entry: { seq: string; kind: string; time: string; payload: unknown; prevHash: string };
  entryHash: string;
  checkpoint?: {
    checkpoint: Record<string, unknown> & {
      firstSeq: string;
      lastSeq: string;
      treeSize: number;
      rootHash: string;
      time: string;
      keyId: string;
    };
    signature: string;
  };
  leafIndex?: number;
  proof?: string[];
}

const fail = (reason: string): ReceiptVerdict => ({ valid: false, reason });

function shape(value: unknown): value is Receipt {
  const r = value as Receipt;
  return (
    typeof r === "object" &&
    r !== null &&
    typeof r.entry === "object" &&
    r.entry !== null &&
    typeof r.entryHash === "string" &&
    typeof r.entry.seq === "string"
  );
}

const instant = (t: string) => Date.parse(t.replace(/(\.\d{3})\d+/, "$1"));

/** What a pasted document is: the server's verify API takes each differently. */
export type PastedKind = "receipt" | "record-receipt" | "normalize-response";

export function pastedKind(doc: unknown): PastedKind {
  const d = doc as Record<string, unknown> | null;
  if (typeof d === "object" && d !== null && d.version === 2 && "record" in d) return "record-receipt";
  if (typeof d === "object" && d !== null && Array.isArray(d.records) && "receipt" in d)
    return "normalize-response";
  return "receipt";
}

/**
 * Verifies an entry receipt, a record receipt (version 2: a record, its path in its batch
 * entry, that entry's receipt) or a whole normalize response (every record against its
 * batch entry's `recordsRoot`). Never throws: malformed documents, keys or signatures are
 * answered as invalid.
 */
export async function verifyReceiptLocally(
  doc: unknown,
  keys: readonly PublishedKey[],
): Promise<ReceiptVerdict> {
  try {
    switch (pastedKind(doc)) {
      case "record-receipt":
        return await verifyRecordReceipt(doc as RecordReceipt, keys);
      case "normalize-response":
        return await verifyResponse(doc as NormalizeResponseDoc, keys);
      default:
        return await verify(doc, keys);
    }
  } catch (err) {
    return fail(`malformed receipt or key: ${err instanceof Error ? err.message : String(err)}`);
  }
}

interface RecordReceipt {
  record: unknown;
  recordIndex: number;
  recordProof: string[];
  receipt: Receipt;
}

interface NormalizeResponseDoc {
  receipt: Receipt;
  records: (Record<string, unknown> & { integrityHash?: unknown; recordIndex?: unknown })[];
}

/** The batch entry's `{ records, recordsRoot }`, or why not. */
function batchOf(receipt: Receipt): { records: number; recordsRoot: string } | string {
  const payload = receipt.entry.payload as { records?: unknown; recordsRoot?: unknown } | null;
  if (receipt.entry.kind !== "timestamp.batch") return `entry ${receipt.entry.seq} is no record batch`;
  if (typeof payload?.records !== "number" || typeof payload.recordsRoot !== "string")
    return `entry ${receipt.entry.seq} has no recordsRoot`;
  return { records: payload.records, recordsRoot: payload.recordsRoot };
}

async function verifyRecordReceipt(
  doc: RecordReceipt,
  keys: readonly PublishedKey[],
): Promise<ReceiptVerdict> {
  if (!shape(doc.receipt)) return fail("this record receipt has no entry receipt");
  const batch = batchOf(doc.receipt);
  if (typeof batch === "string") return fail(batch);
  const included = await verifyInclusion(
    await leafHash(await recordHash(doc.record)),
    doc.recordIndex,
    batch.records,
    Array.isArray(doc.recordProof) ? doc.recordProof : [],
    batch.recordsRoot,
  );
  if (!included) return fail(`record ${doc.recordIndex} is not the one logged there: it was changed`);
  const entry = await verify(doc.receipt, keys);
  return entry.valid ? { ...entry, records: 1 } : entry;
}

async function verifyResponse(
  doc: NormalizeResponseDoc,
  keys: readonly PublishedKey[],
): Promise<ReceiptVerdict> {
  if (!shape(doc.receipt)) return fail("this response has no receipt");
  const batch = batchOf(doc.receipt);
  if (typeof batch === "string") return fail(batch);
  if (doc.records.length !== batch.records)
    return fail(`the entry seals ${batch.records} records, the response holds ${doc.records.length}`);
  const leaves: Uint8Array[] = [];
  for (const [i, answered] of doc.records.entries()) {
    const { integrityHash, recordIndex, recordProof: _p, receipt: _r, ...fields } = answered;
    const hash = await recordHash(fields);
    if (hash !== integrityHash) return fail(`record ${i} was changed: it does not match its integrityHash`);
    if (recordIndex !== i) return fail(`record ${i} is out of order`);
    leaves.push(await leafHash(hash));
  }
  if ((await merkleRoot(leaves)) !== batch.recordsRoot)
    return fail("the records do not hash to the entry's recordsRoot: one was changed");
  const entry = await verify(doc.receipt, keys);
  return entry.valid ? { ...entry, records: doc.records.length } : entry;
}

async function verify(receipt: unknown, keys: readonly PublishedKey[]): Promise<ReceiptVerdict> {
  if (!shape(receipt)) return fail("this is not a receipt (it needs entry and entryHash)");
  if ((await entryHash(receipt.entry)) !== receipt.entryHash)
    return fail(`entry ${receipt.entry.seq} does not match its entryHash: it was changed`);
  const signed = receipt.checkpoint;
  if (signed === undefined || receipt.leafIndex === undefined || receipt.proof === undefined)
    return { valid: false, reason: "not sealed yet: fetch the receipt again in a moment", sealed: false };
  const cp = signed.checkpoint;
  const key = keys.find((k) => k.keyId === cp.keyId);
  if (key === undefined || key.algorithm !== "Ed25519") return fail(`no published Ed25519 key ${cp.keyId}`);
  const raw = base64ToBytes(key.publicKey);
  if (bytesToHex(await sha256(raw)).slice(0, 16) !== key.keyId)
    return fail(`key ${key.keyId} does not match its id`);
  if (key.retiredAt != null && !(instant(cp.time) < instant(key.retiredAt)))
    return fail(`key ${key.keyId} was retired before this checkpoint`);
  const publicKey = await crypto.subtle.importKey("raw", raw, { name: "Ed25519" }, false, ["verify"]);
  const ok = await crypto.subtle.verify(
    { name: "Ed25519" },
    publicKey,
    base64ToBytes(signed.signature),
    checkpointSigningInput(cp),
  );
  if (!ok) return fail("the checkpoint signature does not verify");
  const seq = BigInt(receipt.entry.seq);
  if (
    seq < BigInt(cp.firstSeq) ||
    seq > BigInt(cp.lastSeq) ||
    BigInt(receipt.leafIndex) !== seq - BigInt(cp.firstSeq)
  )
    return fail("the entry is outside the checkpoint's range");
  const included = await verifyInclusion(
    await leafHash(receipt.entryHash),
    receipt.leafIndex,
    cp.treeSize,
    receipt.proof,
    cp.rootHash,
  );
  if (!included) return fail("the inclusion proof does not lead to the checkpoint's root");
  return { valid: true, seq: receipt.entry.seq, keyId: key.keyId };
}
