/**
 * The leaf of every epoch tree (docs/formats.md, tree.json): `[index, account, amount, reputation]`,
 * hashed as OpenZeppelin's `StandardMerkleTree` does and as `EpochRewards` checks it:
 * `keccak256(bytes.concat(keccak256(abi.encode(index, account, amount, reputation))))`.
 *
 * This is the reference implementation that every reader uses. The pipeline's tree builder encodes
 * leaves by hand for speed; a test holds it to {@link leafHash}.
 */
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { standardLeafHash } from "@openzeppelin/merkle-tree/dist/hashes.js";

/** The leaf encoding: `abi.encode(uint256 index, address account, uint256 amount, uint256 reputation)`. */
export const LEAF_ENCODING = ["uint256", "address", "uint256", "uint256"] as const;

/** One leaf of an epoch tree. */
export interface Leaf {
  index: number | bigint;
  /** A 0x address, any case. */
  account: string;
  amount: bigint;
  reputation: bigint;
}

/** The value of a leaf as tree.json holds it: decimal strings and the address as written. */
export type LeafTuple = [index: string, account: string, amount: string, reputation: string];

/** A leaf as the tuple of tree.json. */
export function leafTuple(leaf: Leaf): LeafTuple {
  return [leaf.index.toString(), leaf.account, leaf.amount.toString(), leaf.reputation.toString()];
}

/** The leaf's hash, 0x and 64 lowercase hex digits. */
export function leafHash(leaf: Leaf): string {
  return standardLeafHash([...LEAF_ENCODING], leafTuple(leaf));
}

/** True when `proof` proves `leaf` against `root`; false for any malformed input. */
export function verifyLeaf(root: string, leaf: Leaf, proof: readonly string[]): boolean {
  try {
    return StandardMerkleTree.verify(root, [...LEAF_ENCODING], leafTuple(leaf), [...proof]);
  } catch {
    return false;
  }
}
