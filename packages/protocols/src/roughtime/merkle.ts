/**
 * The Roughtime Merkle tree: leaves H(0x00 || request packet), nodes H(0x01 || left ||
 * right), H = SHA-512 truncated to 32 bytes. A batch of n requests is padded to the next
 * power of two with zero-valued leaves (the draft leaves padding to the server; the
 * client's check below does not depend on it). Pure.
 * @see https://datatracker.ietf.org/doc/html/draft-ietf-ntp-roughtime-19#section-5.3
 */
import { InvalidArgumentError } from "@chronosync/core";
import { ROUGHTIME_HASH_LENGTH, roughtimeHash } from "./crypto.js";

/** Most hash values a PATH may hold (§5.2.4): trees of at most 2^32 leaves. */
export const ROUGHTIME_MAX_PATH_LENGTH = 32;

/** A leaf's value: H(0x00 || the full request packet, ROUGHTIM framing included). */
export function roughtimeLeaf(requestPacket: Uint8Array): Uint8Array {
  return roughtimeHash(Uint8Array.of(0x00), requestPacket);
}

/** An inner node's value: H(0x01 || left || right). */
export function roughtimeNode(left: Uint8Array, right: Uint8Array): Uint8Array {
  return roughtimeHash(Uint8Array.of(0x01), left, right);
}

/** A built tree: its root and, per leaf, the sibling values from the leaf up (PATH). */
export interface RoughtimeMerkleTree {
  root: Uint8Array;
  paths: Uint8Array[][];
}

/** Builds the tree over `leaves` (leaf values, in INDX order). */
export function buildRoughtimeMerkleTree(leaves: readonly Uint8Array[]): RoughtimeMerkleTree {
  if (leaves.length === 0) throw new InvalidArgumentError("a Merkle tree needs at least one leaf");
  let width = 1;
  while (width < leaves.length) width *= 2;
  let level: Uint8Array[] = [...leaves];
  while (level.length < width) level.push(new Uint8Array(ROUGHTIME_HASH_LENGTH));
  const paths: Uint8Array[][] = leaves.map(() => []);
  let positions = leaves.map((_, i) => i);
  while (level.length > 1) {
    const current = level;
    positions.forEach((p, leaf) => {
      paths[leaf]!.push(current[p ^ 1]!);
    });
    const next: Uint8Array[] = [];
    for (let i = 0; i < current.length; i += 2) next.push(roughtimeNode(current[i]!, current[i + 1]!));
    level = next;
    positions = positions.map((p) => p >> 1);
  }
  return { root: level[0]!, paths };
}

/**
 * The root value that `path` and `index` lead to from `leaf` (§5.3.1), or null when
 * `index` has a bit set beyond the path's length (the algorithm fails).
 */
export function roughtimeRootFromPath(
  leaf: Uint8Array,
  index: number,
  path: readonly Uint8Array[],
): Uint8Array | null {
  let h = leaf;
  let bits = index;
  for (const node of path) {
    h = (bits & 1) === 0 ? roughtimeNode(h, node) : roughtimeNode(node, h);
    bits = Math.floor(bits / 2);
  }
  return bits === 0 ? h : null;
}
