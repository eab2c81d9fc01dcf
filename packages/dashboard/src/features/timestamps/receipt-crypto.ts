/**
 * The byte-level primitives of docs/ledger-format.md, on WebCrypto (no `node:` import, so
 * they run in the browser): RFC 8785 canonical JSON, SHA-256, RFC 9162 Merkle hashing and
 * inclusion-proof verification, hex and base64.
 */

/** RFC 8785 (JCS): sorted members (UTF-16 code-unit order), ECMAScript strings and numbers. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === "boolean" || typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new Error("NaN and Infinity have no canonical JSON form");
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (typeof value === "object") {
    const obj = value as Record<string, unknown>;
    const keys = Object.keys(obj)
      .filter((k) => obj[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(",")}}`;
  }
  throw new Error(`no canonical JSON form for ${typeof value}`);
}

export function hexToBytes(hex: string): Uint8Array<ArrayBuffer> {
  if (!/^([0-9a-f]{2})*$/.test(hex)) throw new Error("not lowercase hex");
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export function bytesToHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

export function base64ToBytes(b64: string): Uint8Array<ArrayBuffer> {
  const bin = atob(b64);
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

export async function sha256(...parts: Uint8Array[]): Promise<Uint8Array<ArrayBuffer>> {
  const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    all.set(p, at);
    at += p.length;
  }
  return new Uint8Array(await crypto.subtle.digest("SHA-256", all));
}

const utf8 = (s: string): Uint8Array<ArrayBuffer> => new TextEncoder().encode(s) as Uint8Array<ArrayBuffer>;
const LEAF = Uint8Array.of(0);
const NODE = Uint8Array.of(1);

/** docs/ledger-format.md §2: the entry hash (hex) over exactly the five hashed members. */
export async function entryHash(entry: {
  seq: string;
  kind: string;
  time: string;
  payload: unknown;
  prevHash: string;
}): Promise<string> {
  const { seq, kind, time, payload, prevHash } = entry;
  return bytesToHex(
    await sha256(utf8(`chronosync-log-v1\n${canonicalJson({ seq, kind, time, payload, prevHash })}`)),
  );
}

/** docs/ledger-format.md §"Record batches": a record's hash (its integrityHash), hex. */
export async function recordHash(record: unknown): Promise<string> {
  return bytesToHex(await sha256(utf8(`chronosync-record-v1\n${canonicalJson(record)}`)));
}

/** RFC 9162 §2.1.1 MTH over leaf hashes (bytes), hex; the hash of nothing for none. */
export async function merkleRoot(leaves: readonly Uint8Array[]): Promise<string> {
  if (leaves.length === 0) return bytesToHex(await sha256());
  let level: Uint8Array[] = [...leaves];
  while (level.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i < level.length; i += 2) {
      const right = level[i + 1];
      next.push(right === undefined ? level[i]! : await sha256(NODE, level[i]!, right));
    }
    level = next;
  }
  return bytesToHex(level[0]!);
}

/** RFC 9162 §2.1.1 leaf hash of an entry hash (given as hex). */
export function leafHash(entryHashHex: string): Promise<Uint8Array> {
  return sha256(LEAF, hexToBytes(entryHashHex));
}

/** RFC 9162 §2.1.3.2: does `proof` take `leaf` at `index` of a `size`-leaf tree to `root`? */
export async function verifyInclusion(
  leaf: Uint8Array,
  index: number,
  size: number,
  proof: readonly string[],
  rootHex: string,
): Promise<boolean> {
  if (!(Number.isSafeInteger(index) && Number.isSafeInteger(size)) || index < 0 || index >= size)
    return false;
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of proof) {
    if (sn === 0) return false;
    const sibling = hexToBytes(p);
    if (fn % 2 === 1 || fn === sn) {
      r = await sha256(NODE, sibling, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = await sha256(NODE, r, sibling);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && bytesToHex(r) === rootHex;
}

/** docs/ledger-format.md §4: the bytes a checkpoint's signature covers. */
export function checkpointSigningInput(checkpoint: Record<string, unknown>): Uint8Array<ArrayBuffer> {
  return utf8(`chronosync-checkpoint-v1\n${canonicalJson(checkpoint)}`);
}
