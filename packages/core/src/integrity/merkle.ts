/**
 * RFC 9162 §2.1 Merkle trees (https://www.rfc-editor.org/rfc/rfc9162#section-2.1): leaf
 * and node hashes are domain-separated (0x00 / 0x01 prefixes) and the tree over n leaves
 * splits at k, the largest power of two below n. Hashes are lowercase hex strings.
 *
 * {@link MerkleTree} keeps every level (an odd last node is carried up unchanged, which
 * builds exactly the RFC's left-balanced tree), so proofs for a whole batch cost O(n log n).
 */
import { hash } from "node:crypto";
import { bytesEqual, fromHex, isHash, sha256, toHex } from "./digest.js";

const LEAF_PREFIX = Uint8Array.of(0x00);
const NODE_PREFIX = Uint8Array.of(0x01);
/** 0x00 || a 32-byte leaf, reused by {@link leafHash} (hashing is synchronous). */
const LEAF_INPUT = Buffer.alloc(33);

/**
 * RFC 9162 §2.1.1 leaf hash `SHA-256(0x00 || data)`; our leaves' data are the 32 bytes of
 * an entry hash, given as bytes or as 64 hex digits.
 */
export function leafHash(data: Uint8Array | string): string {
  if (typeof data === "string") return toHex(leafHashOfHex(data));
  if (data.length !== 32) return toHex(sha256(LEAF_PREFIX, data));
  LEAF_INPUT[0] = 0x00;
  LEAF_INPUT.set(data, 1);
  return toHex(sha256(LEAF_INPUT));
}

/**
 * RFC 9162 leaf hash (bytes) of a 32-byte value given as 64 hex digits, without the
 * intermediate buffers of {@link leafHash} (hot path: one per normalized timestamp).
 */
export function leafHashOfHex(hex: string): Uint8Array {
  LEAF_INPUT[0] = 0x00;
  if (hex.length !== 64 || LEAF_INPUT.write(hex, 1, 32, "hex") !== 32)
    return sha256(LEAF_PREFIX, fromHex(hex));
  return sha256(LEAF_INPUT);
}

/** 0x01 || left || right, reused by every {@link node} call (hashing is synchronous). */
const NODE_INPUT = new Uint8Array(65);

function node(left: Uint8Array, right: Uint8Array): Uint8Array {
  if (left.length !== 32 || right.length !== 32) return sha256(NODE_PREFIX, left, right);
  NODE_INPUT[0] = 0x01;
  NODE_INPUT.set(left, 1);
  NODE_INPUT.set(right, 33);
  return sha256(NODE_INPUT);
}

/** RFC 9162 §2.1.1 interior node hash `SHA-256(0x01 || left || right)`. */
export function nodeHash(left: string, right: string): string {
  return toHex(node(fromHex(left), fromHex(right)));
}

/** The largest power of two strictly below `n` (n ≥ 2). */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/*
 * Inside a tree, hashes are "binary strings": 32 latin1 characters, one per byte. Node's
 * one-shot hash() answers those without allocating a Buffer (a Buffer answer costs about
 * three times as much here), and they go back into the scratch input with one write.
 */
const BIN_NODE = Buffer.alloc(65);
const BIN_LEAF = Buffer.alloc(33);

function binNode(left: string, right: string): string {
  BIN_NODE[0] = 0x01;
  BIN_NODE.write(left, 1, 32, "latin1");
  BIN_NODE.write(right, 33, 32, "latin1");
  return hash("sha256", BIN_NODE, "binary");
}

const binOfHex = (hex: string): string => Buffer.from(hex, "hex").toString("latin1");
const hexOfBin = (bin: string): string => Buffer.from(bin, "latin1").toString("hex");
const binOfBytes = (bytes: Uint8Array): string =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1");

/** An RFC 9162 tree over a fixed list of leaf hashes, with all levels kept. */
export class MerkleTree {
  readonly size: number;
  private readonly levels: string[][];

  /** A tree over leaf hashes given as hex, or as 32-byte arrays. */
  constructor(leafHashes: readonly string[] | readonly Uint8Array[]) {
    this.size = leafHashes.length;
    this.levels = MerkleTree.#build(
      leafHashes.map((h) => (typeof h === "string" ? binOfHex(h) : binOfBytes(h))),
    );
  }

  /**
   * The tree whose leaves are RFC 9162 leaf hashes `SHA-256(0x00 || data)` of 32-byte
   * values given as 64 hex digits (record hashes, entry hashes): the same tree as
   * `new MerkleTree(data.map(leafHash))`, without the hex round trips.
   */
  static ofLeafData(data: readonly string[]): MerkleTree {
    const leaves = data.map((hex) => {
      BIN_LEAF[0] = 0x00;
      if (hex.length !== 64 || BIN_LEAF.write(hex, 1, 32, "hex") !== 32) return binOfHex(leafHash(hex));
      return hash("sha256", BIN_LEAF, "binary");
    });
    const tree = Object.create(MerkleTree.prototype) as MerkleTree;
    Object.assign(tree, { size: data.length, levels: MerkleTree.#build(leaves) });
    return tree;
  }

  static #build(leaves: string[]): string[][] {
    let level = leaves;
    const levels = [level];
    while (level.length > 1) {
      const next: string[] = new Array(Math.ceil(level.length / 2));
      for (let i = 0, j = 0; i < level.length; i += 2, j++) {
        const right = level[i + 1];
        next[j] = right === undefined ? level[i]! : binNode(level[i]!, right);
      }
      levels.push(next);
      level = next;
    }
    return levels;
  }

  /** RFC 9162 §2.1.1 MTH(D[n]); the hash of the empty string for an empty tree. */
  get root(): string {
    return this.size === 0 ? toHex(sha256()) : hexOfBin(this.levels[this.levels.length - 1]![0]!);
  }

  /** MTH(D[start:end]) of a subtree the RFC's recursion visits (aligned, or the right edge). */
  private subtree(start: number, end: number): string {
    let height = 0;
    while (2 ** height < end - start) height++;
    const at = this.levels[height]?.[start / 2 ** height];
    if (start % 2 ** height === 0 && (end - start === 2 ** height || end === this.size) && at) return at;
    const k = splitPoint(end - start);
    return binNode(this.subtree(start, start + k), this.subtree(start + k, end));
  }

  /** RFC 9162 §2.1.3.1 PATH(index, D[n]), leaf to root. */
  inclusionProof(index: number): string[] {
    if (!Number.isInteger(index) || index < 0 || index >= this.size) {
      throw new RangeError(`leaf index ${index} outside a tree of ${this.size}`);
    }
    const proof: string[] = [];
    for (let h = 0; h < this.levels.length - 1; h++) {
      const sibling = this.levels[h]![(index >> h) ^ 1];
      if (sibling !== undefined) proof.push(hexOfBin(sibling));
    }
    return proof;
  }

  /** RFC 9162 §2.1.4.1 PROOF(m, D[n]) for 1 ≤ m ≤ n (empty for m = n). */
  consistencyProof(m: number): string[] {
    if (!Number.isInteger(m) || m < 1 || m > this.size) {
      throw new RangeError(`consistency size ${m} outside 1..${this.size}`);
    }
    const proof: string[] = [];
    const sub = (m: number, start: number, end: number, complete: boolean): void => {
      const n = end - start;
      if (m === n) {
        if (!complete) proof.push(this.subtree(start, end));
        return;
      }
      const k = splitPoint(n);
      if (m <= k) {
        sub(m, start, start + k, complete);
        proof.push(this.subtree(start + k, end));
      } else {
        sub(m - k, start + k, end, false);
        proof.push(this.subtree(start, start + k));
      }
    };
    sub(m, 0, this.size, true);
    return proof.map(hexOfBin);
  }
}

/** RFC 9162 §2.1.1 MTH over `leafHashes` (hex). */
export function merkleRoot(leafHashes: readonly string[]): string {
  return new MerkleTree(leafHashes).root;
}

/** RFC 9162 §2.1.3.1 inclusion proof (audit path) of leaf `index`. @throws {RangeError} */
export function inclusionProof(leafHashes: readonly string[], index: number): string[] {
  return new MerkleTree(leafHashes).inclusionProof(index);
}

/** RFC 9162 §2.1.4.1 consistency proof between the first `m` leaves and all. @throws {RangeError} */
export function consistencyProof(leafHashes: readonly string[], m: number): string[] {
  return new MerkleTree(leafHashes).consistencyProof(m);
}

function hashes(values: readonly unknown[]): Uint8Array[] | undefined {
  return values.every(isHash) ? (values as string[]).map(fromHex) : undefined;
}

function isSize(n: unknown): n is number {
  return typeof n === "number" && Number.isSafeInteger(n) && n >= 0;
}

/**
 * RFC 9162 §2.1.3.2: does `proof` show that `leaf` (a leaf hash) is leaf `index` of the
 * tree of `treeSize` leaves with root `root`? Never throws; malformed input is `false`.
 */
export function verifyInclusion(
  leaf: string,
  index: number,
  treeSize: number,
  proof: readonly string[],
  root: string,
): boolean {
  const path = Array.isArray(proof) ? hashes(proof) : undefined;
  if (!isHash(leaf) || !isHash(root) || path === undefined || !isSize(index) || !isSize(treeSize))
    return false;
  if (index >= treeSize) return false;
  let fn = index;
  let sn = treeSize - 1;
  let r = fromHex(leaf);
  for (const p of path) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = node(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = node(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && bytesEqual(r, fromHex(root));
}

/**
 * RFC 9162 §2.1.4.2: does `proof` show that the tree of size `m` with root `rootM` is a
 * prefix of the tree of size `n` with root `rootN`? For m = n the proof must be empty and
 * the roots equal. Never throws; malformed input is `false`.
 */
export function verifyConsistency(
  m: number,
  n: number,
  rootM: string,
  rootN: string,
  proof: readonly string[],
): boolean {
  const path = Array.isArray(proof) ? hashes(proof) : undefined;
  if (!isHash(rootM) || !isHash(rootN) || path === undefined || !isSize(m) || !isSize(n)) return false;
  if (m < 1 || m > n) return false;
  if (m === n) return path.length === 0 && rootM === rootN;
  if (path.length === 0) return false;
  if (Number.isInteger(Math.log2(m))) path.unshift(fromHex(rootM));
  let fn = m - 1;
  let sn = n - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let fr = path[0]!;
  let sr = path[0]!;
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = node(c, fr);
      sr = node(c, sr);
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      sr = node(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && bytesEqual(fr, fromHex(rootM)) && bytesEqual(sr, fromHex(rootN));
}
