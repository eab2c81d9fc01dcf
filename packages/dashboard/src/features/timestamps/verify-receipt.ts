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
  | { readonly valid: true; readonly seq: string; readonly keyId: string }
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

/** Never throws: malformed receipts, keys or signatures are answered as invalid. */
export async function verifyReceiptLocally(
  receipt: unknown,
  keys: readonly PublishedKey[],
): Promise<ReceiptVerdict> {
  try {
    return await verify(receipt, keys);
  } catch (err) {
    return fail(`malformed receipt or key: ${err instanceof Error ? err.message : String(err)}`);
  }
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
