// RFC 9162 §2.1 Merkle trees against a naive, literal transcription of the RFC's
// recursive definitions (MTH, PATH, PROOF/SUBPROOF), for every size 1..64.
import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  consistencyProof,
  inclusionProof,
  leafHash,
  MerkleTree,
  merkleRoot,
  nodeHash,
  verifyConsistency,
  verifyInclusion,
} from "../src/index.js";

const H = (...parts: Buffer[]) => createHash("sha256").update(Buffer.concat(parts)).digest();
const k = (n: number) => 2 ** Math.ceil(Math.log2(n) - 1);

/** MTH(D[n]) over raw leaf data (RFC 9162 §2.1.1). */
function mth(d: Buffer[]): Buffer {
  if (d.length === 0) return H();
  if (d.length === 1) return H(Buffer.of(0), d[0]!);
  const s = k(d.length);
  return H(Buffer.of(1), mth(d.slice(0, s)), mth(d.slice(s)));
}
/** PATH(m, D[n]) (RFC 9162 §2.1.3.1). */
function path(m: number, d: Buffer[]): Buffer[] {
  if (d.length <= 1) return [];
  const s = k(d.length);
  return m < s
    ? [...path(m, d.slice(0, s)), mth(d.slice(s))]
    : [...path(m - s, d.slice(s)), mth(d.slice(0, s))];
}
/** SUBPROOF(m, D[n], b) (RFC 9162 §2.1.4.1). */
function subproof(m: number, d: Buffer[], b: boolean): Buffer[] {
  if (m === d.length) return b ? [] : [mth(d)];
  const s = k(d.length);
  return m <= s
    ? [...subproof(m, d.slice(0, s), b), mth(d.slice(s))]
    : [...subproof(m - s, d.slice(s), false), mth(d.slice(0, s))];
}

const data = (n: number) => Array.from({ length: n }, (_, i) => H(Buffer.from(`entry ${i}`)));
const hex = (b: Buffer) => b.toString("hex");
const leavesOf = (d: Buffer[]) => d.map((x) => leafHash(x));
const flip = (h: string) => (h[0] === "0" ? "1" : "0") + h.slice(1);

describe("RFC 9162 Merkle tree vs the naive recursive definition", () => {
  it("hashes leaves and nodes with the 0x00 / 0x01 prefixes, the empty tree as SHA-256('')", () => {
    const d = data(2);
    expect(leafHash(d[0]!)).toBe(hex(H(Buffer.of(0), d[0]!)));
    expect(leafHash(hex(d[0]!))).toBe(leafHash(d[0]!));
    const [a, b] = leavesOf(d) as [string, string];
    expect(nodeHash(a, b)).toBe(hex(H(Buffer.of(1), Buffer.from(a, "hex"), Buffer.from(b, "hex"))));
    expect(merkleRoot([])).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  });

  it("roots, inclusion proofs and verification agree for sizes 1..64 and every index", () => {
    for (let n = 1; n <= 64; n++) {
      const d = data(n);
      const leaves = leavesOf(d);
      const tree = new MerkleTree(leaves);
      const root = hex(mth(d));
      expect(tree.root, `root n=${n}`).toBe(root);
      expect(merkleRoot(leaves)).toBe(root);
      for (let i = 0; i < n; i++) {
        const proof = tree.inclusionProof(i);
        expect(proof, `path n=${n} i=${i}`).toEqual(path(i, d).map(hex));
        expect(inclusionProof(leaves, i)).toEqual(proof);
        expect(verifyInclusion(leaves[i]!, i, n, proof, root)).toBe(true);
        // Any other index, leaf, root, or a changed/missing/extra proof element fails. (The
        // tree size is not always bound by the proof alone — leaf 0 of 3 proves the same as
        // of 4 — which is why a checkpoint signs treeSize with the root.)
        if (n > 1) expect(verifyInclusion(leaves[i]!, (i + 1) % n, n, proof, root)).toBe(false);
        expect(verifyInclusion(flip(leaves[i]!), i, n, proof, root)).toBe(false);
        expect(verifyInclusion(leaves[i]!, i, n, proof, flip(root))).toBe(false);
        for (let j = 0; j < proof.length; j++) {
          const bad = proof.map((p, x) => (x === j ? flip(p) : p));
          expect(verifyInclusion(leaves[i]!, i, n, bad, root)).toBe(false);
        }
        if (proof.length > 0) expect(verifyInclusion(leaves[i]!, i, n, proof.slice(1), root)).toBe(false);
        expect(verifyInclusion(leaves[i]!, i, n, [...proof, root], root)).toBe(false);
      }
      expect(verifyInclusion(leaves[0]!, n, n, [], root)).toBe(false);
      expect(() => tree.inclusionProof(n)).toThrow(RangeError);
    }
  });

  it("MerkleTree.ofLeafData over 32-byte values is the tree over their leaf hashes", () => {
    for (let n = 1; n <= 40; n++) {
      const values = Array.from({ length: n }, (_, i) => hex(H(Buffer.from(`value ${n}/${i}`))));
      const direct = MerkleTree.ofLeafData(values);
      const viaLeaves = new MerkleTree(values.map((v) => leafHash(v)));
      const d = values.map((v) => Buffer.from(v, "hex"));
      expect(direct.size).toBe(n);
      expect(direct.root, `root n=${n}`).toBe(hex(mth(d)));
      expect(direct.root).toBe(viaLeaves.root);
      for (let i = 0; i < n; i++) expect(direct.inclusionProof(i)).toEqual(path(i, d).map(hex));
      for (let m = 1; m <= n; m++) expect(direct.consistencyProof(m)).toEqual(viaLeaves.consistencyProof(m));
    }
    // A value that is not 64 hex digits is hashed as its own leaf data, like leafHash does.
    expect(MerkleTree.ofLeafData(["abc"]).root).toBe(new MerkleTree([leafHash("abc")]).root);
  });

  it("consistency proofs and verification agree for every 1 ≤ m ≤ n ≤ 64", () => {
    for (let n = 1; n <= 64; n++) {
      const d = data(n);
      const leaves = leavesOf(d);
      const tree = new MerkleTree(leaves);
      const rootN = hex(mth(d));
      for (let m = 1; m <= n; m++) {
        const rootM = hex(mth(d.slice(0, m)));
        const proof = tree.consistencyProof(m);
        expect(proof, `proof m=${m} n=${n}`).toEqual(subproof(m, d, true).map(hex));
        expect(consistencyProof(leaves, m)).toEqual(proof);
        expect(verifyConsistency(m, n, rootM, rootN, proof), `verify m=${m} n=${n}`).toBe(true);
        expect(verifyConsistency(m, n, flip(rootM), rootN, proof)).toBe(false);
        expect(verifyConsistency(m, n, rootM, flip(rootN), proof)).toBe(false);
        if (m < n) {
          expect(verifyConsistency(m + 1, n, rootM, rootN, proof)).toBe(false);
          expect(verifyConsistency(m, n, rootM, rootN, proof.slice(1))).toBe(false);
          expect(verifyConsistency(m, n, rootM, rootN, [])).toBe(false);
          for (let j = 0; j < proof.length; j++) {
            const bad = proof.map((p, x) => (x === j ? flip(p) : p));
            expect(verifyConsistency(m, n, rootM, rootN, bad)).toBe(false);
          }
        }
      }
      expect(verifyConsistency(n + 1, n, rootN, rootN, [])).toBe(false);
      expect(verifyConsistency(0, n, rootN, rootN, [])).toBe(false);
      expect(() => tree.consistencyProof(0)).toThrow(RangeError);
    }
  });

  it("rejects malformed proofs without throwing", () => {
    const leaves = leavesOf(data(5));
    const root = merkleRoot(leaves);
    const proof = inclusionProof(leaves, 2);
    const junk: unknown[] = [["zz"], [proof[0]!.toUpperCase()], "not an array", [1]];
    for (const p of junk) expect(verifyInclusion(leaves[2]!, 2, 5, p as string[], root)).toBe(false);
    expect(verifyInclusion(leaves[2]!, -1, 5, proof, root)).toBe(false);
    expect(verifyInclusion(leaves[2]!, 2.5, 5, proof, root)).toBe(false);
    expect(verifyConsistency(2, 5, root, root, ["xyz"])).toBe(false);
  });

  it("property: a tree of any size proves every leaf and every prefix", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 300 }), fc.nat(), fc.nat(), (n, a, b) => {
        const leaves = leavesOf(data(n));
        const tree = new MerkleTree(leaves);
        const i = a % n;
        const m = (b % n) + 1;
        expect(verifyInclusion(leaves[i]!, i, n, tree.inclusionProof(i), tree.root)).toBe(true);
        const rootM = merkleRoot(leaves.slice(0, m));
        expect(verifyConsistency(m, n, rootM, tree.root, tree.consistencyProof(m))).toBe(true);
      }),
      { numRuns: 100 },
    );
  });
});
