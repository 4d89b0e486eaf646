/**
 * Fast builder of the epoch's Merkle tree. It yields the same root, the same `standard-v1` dump
 * and the same proofs as `StandardMerkleTree.of(values, LEAF_ENCODING)` of
 * `@openzeppelin/merkle-tree`, 50–100× faster (docs/pipeline.md):
 *
 * - leaves are ABI-encoded by hand (4 static words) straight into the hasher's WASM memory, with no
 *   allocation per leaf (addresses read digit by digit, amounts through a 64-bit typed array);
 * - every hash goes through hash-wasm keccak; hashes live in one Buffer, never as hex strings, and
 *   are moved as 32-bit words;
 * - hex is produced once per node at the end, as slices of a few large strings, and proofs share
 *   those strings instead of copying them.
 *
 * Layout (as in OpenZeppelin's `core.ts`): leaf hashes are sorted ascending; with n leaves the tree
 * is an array of 2n − 1 nodes where sorted leaf k sits at position 2n − 2 − k, node i has children
 * 2i + 1 and 2i + 2, and a parent is keccak256 of its two children concatenated in ascending order.
 */
import { keccak256, keccakScratch, keccakScratchHash, keccakScratchWords } from "./keccak.js";
import { invariant } from "./errors.js";

/** The leaf encoding of docs/formats.md: [index, account, amount, reputation]. */
export const LEAF_ENCODING = ["uint256", "address", "uint256", "uint256"] as const;

/** One leaf of an epoch tree. */
export interface Leaf {
  index: number;
  /** Checksummed (or any-case) 0x address. */
  account: string;
  amount: bigint;
  reputation: bigint;
}

/** The value of a leaf as it appears in the dump: decimal strings and the address as given. */
export type LeafTuple = [index: string, account: string, amount: string, reputation: string];

/** JSON of `StandardMerkleTree.dump()` (format `standard-v1`). */
export interface StandardTreeDump {
  format: "standard-v1";
  leafEncoding: string[];
  tree: string[];
  values: { value: LeafTuple; treeIndex: number }[];
}

const UINT256_MAX = (1n << 256n) - 1n;
const HEX_CHUNK_NODES = 1 << 16;

/** The value of hex digit `c` (a char code), or -1. */
function hexDigit(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  c |= 0x20; // lowercase
  return c >= 0x61 && c <= 0x66 ? c - 0x61 + 10 : -1;
}

/** A 64-bit limb of a bigint: storing into a BigUint64Array takes the value mod 2^64 without allocating. */
const limb = new BigUint64Array(1);
const limbWords = new Uint32Array(limb.buffer);
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Writes `value` as a 32-byte big-endian word at `offset`; no allocation below 2^64. */
function writeUint256(out: Uint8Array, offset: number, value: bigint, what: string): void {
  if (value < 0n || value > UINT256_MAX) invariant(false, `${what} ${value} does not fit uint256`);
  out.fill(0, offset, offset + 32);
  for (let end = offset + 32; value > 0n; end -= 8) {
    limb[0] = value;
    const hi = limbWords[LITTLE_ENDIAN ? 1 : 0]!;
    const lo = limbWords[LITTLE_ENDIAN ? 0 : 1]!;
    out[end - 8] = hi >>> 24;
    out[end - 7] = (hi >>> 16) & 0xff;
    out[end - 6] = (hi >>> 8) & 0xff;
    out[end - 5] = hi & 0xff;
    out[end - 4] = lo >>> 24;
    out[end - 3] = (lo >>> 16) & 0xff;
    out[end - 2] = (lo >>> 8) & 0xff;
    out[end - 1] = lo & 0xff;
    if (value <= 0xffffffffffffffffn) break;
    value >>= 64n;
  }
}

/**
 * `abi.encode(index, account, amount, reputation)` into the first 128 bytes of `out`. The address is
 * read digit by digit from the string (no substring, no Buffer call): a million leaves are encoded
 * per tree.
 */
function encodeLeafInto(leaf: Leaf, out: Uint8Array): void {
  const { index, account } = leaf;
  if (!(index >= 0 && index <= 0xffffffff && Number.isInteger(index))) invariant(false, `index ${index} out of range`);
  out.fill(0, 0, 44);
  out[28] = index >>> 24;
  out[29] = (index >>> 16) & 0xff;
  out[30] = (index >>> 8) & 0xff;
  out[31] = index & 0xff;
  if (account.length !== 42) invariant(false, `bad address ${account}`);
  // As before, the first two characters ("0x") are not looked at.
  for (let b = 0; b < 20; b++) {
    const hi = hexDigit(account.charCodeAt(2 + 2 * b));
    const lo = hexDigit(account.charCodeAt(3 + 2 * b));
    if (hi < 0 || lo < 0) invariant(false, `bad address ${account}`);
    out[44 + b] = hi * 16 + lo;
  }
  writeUint256(out, 64, leaf.amount, "amount");
  writeUint256(out, 96, leaf.reputation, "reputation");
}

/** The ABI encoding of a leaf, `abi.encode(index, account, amount, reputation)`, into `out`. */
export function encodeLeaf(leaf: Leaf, out: Buffer = Buffer.alloc(128)): Buffer {
  encodeLeafInto(leaf, out);
  return out;
}

/** `keccak256(bytes.concat(keccak256(abi.encode(leaf))))`, the leaf hash of docs/formats.md. */
export function hashLeaf(leaf: Leaf): Uint8Array {
  return keccak256(keccak256(encodeLeaf(leaf)));
}

/** A built tree: root, dump and proofs, all identical to OpenZeppelin's StandardMerkleTree. */
export class EpochTree {
  /** The 2n − 1 nodes, 32 bytes each, in OpenZeppelin's array layout. */
  readonly nodes: Buffer;
  /** treeIndex of each leaf, by position in the `leaves` array given to {@link buildTree}. */
  readonly treeIndices: Uint32Array;
  readonly leaves: readonly Leaf[];
  /** Every node as 0x-hex; proofs and the dump share these strings. */
  private readonly hex: string[];

  constructor(leaves: readonly Leaf[], nodes: Buffer, treeIndices: Uint32Array) {
    this.leaves = leaves;
    this.nodes = nodes;
    this.treeIndices = treeIndices;
    this.hex = renderHex(nodes);
  }

  get length(): number {
    return this.leaves.length;
  }

  get nodeCount(): number {
    return this.nodes.length / 32;
  }

  get root(): string {
    return this.nodeHex(0);
  }

  /** Node `i` as 0x-prefixed lowercase hex. */
  nodeHex(i: number): string {
    return this.hex[i]!;
  }

  /** The proof of the leaf at position `valueIndex` of the `leaves` array, bottom-up. */
  getProof(valueIndex: number): string[] {
    let i = this.treeIndices[valueIndex]!;
    // Node i sits at depth floor(log2(i + 1)): the proof has that many siblings.
    const proof: string[] = new Array(31 - Math.clz32(i + 1));
    for (let k = 0; i > 0; k++) {
      proof[k] = this.hex[i % 2 === 1 ? i + 1 : i - 1]!;
      i = (i - 1) >> 1;
    }
    return proof;
  }

  /** The value of a leaf as StandardMerkleTree stores it. */
  static tuple(leaf: Leaf): LeafTuple {
    return [String(leaf.index), leaf.account, leaf.amount.toString(), leaf.reputation.toString()];
  }

  /** The `standard-v1` dump as an object (for small trees and tests). */
  dump(): StandardTreeDump {
    const tree: string[] = new Array(this.nodeCount);
    for (let i = 0; i < tree.length; i++) tree[i] = this.nodeHex(i);
    return {
      format: "standard-v1",
      leafEncoding: [...LEAF_ENCODING],
      tree,
      values: this.leaves.map((leaf, i) => ({
        value: EpochTree.tuple(leaf),
        treeIndex: this.treeIndices[i]!,
      })),
    };
  }

  /**
   * The dump as JSON text in pieces, byte-identical to `JSON.stringify(tree.dump())`, without
   * ever holding the whole text (a million-leaf dump is larger than a V8 string may be).
   */
  *dumpJsonChunks(piecesPerChunk = 4096): Generator<string> {
    yield `{"format":"standard-v1","leafEncoding":${JSON.stringify(LEAF_ENCODING)},"tree":[`;
    let parts: string[] = [];
    for (let i = 0; i < this.nodeCount; i++) {
      parts.push(`${i === 0 ? "" : ","}"${this.nodeHex(i)}"`);
      if (parts.length === piecesPerChunk) {
        yield parts.join("");
        parts = [];
      }
    }
    parts.push(`],"values":[`);
    for (let i = 0; i < this.leaves.length; i++) {
      const value = JSON.stringify(EpochTree.tuple(this.leaves[i]!));
      parts.push(`${i === 0 ? "" : ","}{"value":${value},"treeIndex":${this.treeIndices[i]}}`);
      if (parts.length === piecesPerChunk) {
        yield parts.join("");
        parts = [];
      }
    }
    parts.push("]}");
    yield parts.join("");
  }
}

const HEX_PAIRS: Uint16Array = (() => {
  const table = new Uint16Array(256);
  const digits = "0123456789abcdef";
  for (let b = 0; b < 256; b++) {
    // two ASCII codes read as one little-endian uint16
    table[b] = digits.charCodeAt(b >> 4) | (digits.charCodeAt(b & 15) << 8);
  }
  return table;
})();

/**
 * Renders every node as "0x…" hex. The texts are laid end to end in a few large strings (a chunk
 * per 65536 nodes) and each node is a slice of one: far less memory than 2n separate strings.
 */
function renderHex(nodes: Buffer): string[] {
  const count = nodes.length / 32;
  const hex: string[] = new Array(count);
  // One scratch buffer for every chunk: fresh multi-megabyte Buffers would count as external
  // memory and trigger full garbage collections of a heap that holds a million leaves.
  const scratch = Buffer.allocUnsafeSlow(Math.min(count, HEX_CHUNK_NODES) * 66);
  const scratchPairs = new Uint16Array(scratch.buffer, scratch.byteOffset, scratch.length >> 1);
  for (let first = 0; first < count; first += HEX_CHUNK_NODES) {
    const last = Math.min(count, first + HEX_CHUNK_NODES);
    const ascii = scratch.subarray(0, (last - first) * 66);
    const pairs = scratchPairs;
    let p = 0;
    for (let node = first; node < last; node++) {
      pairs[p++] = 0x7830; // "0x"
      const base = node * 32;
      for (let b = 0; b < 32; b++) pairs[p++] = HEX_PAIRS[nodes[base + b]!]!;
    }
    const chunk = ascii.toString("latin1");
    for (let node = first; node < last; node++) hex[node] = chunk.slice((node - first) * 66, (node - first + 1) * 66);
  }
  return hex;
}

/**
 * Positions 0..n−1 ordered by their 32-byte hash ascending: a counting sort on the first two bytes,
 * then insertion sort inside each bucket (about n / 65536 hashes each) on the remaining bytes.
 */
function sortByHash(hashes: Buffer, n: number): Uint32Array {
  const starts = new Uint32Array(65537);
  for (let i = 0; i < n; i++) starts[((hashes[i * 32]! << 8) | hashes[i * 32 + 1]!) + 1]!++;
  for (let b = 1; b <= 65536; b++) starts[b]! += starts[b - 1]!;
  const fill = starts.slice(0, 65536);
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[fill[(hashes[i * 32]! << 8) | hashes[i * 32 + 1]!]!++] = i;
  const less = (a: number, b: number) => {
    let x = a * 32 + 2;
    let y = b * 32 + 2;
    const end = x + 30;
    while (x < end && hashes[x] === hashes[y]) {
      x++;
      y++;
    }
    return x < end && hashes[x]! < hashes[y]!;
  };
  for (let bucket = 0; bucket < 65536; bucket++) {
    const from = starts[bucket]!;
    const to = starts[bucket + 1]!;
    for (let i = from + 1; i < to; i++) {
      const item = order[i]!;
      let j = i - 1;
      while (j >= from && less(item, order[j]!)) {
        order[j + 1] = order[j]!;
        j--;
      }
      order[j + 1] = item;
    }
  }
  return order;
}

/** Called with (done, total) while hashing, for progress bars. */
export type ProgressCallback = (done: number, total: number) => void;

/** Called after each stage of {@link buildTree} with its wall time, for the benchmark's breakdown. */
export type TreeStageCallback = (stage: string, ms: number) => void;

/**
 * Builds the tree of `leaves` (in the order given: `getProof(i)` and the dump's `values` follow
 * it). Same result as `StandardMerkleTree.of(leaves.map(EpochTree.tuple), LEAF_ENCODING)`.
 */
export function buildTree(
  leaves: readonly Leaf[],
  onProgress?: ProgressCallback,
  onStage?: TreeStageCallback,
): EpochTree {
  let clock = performance.now();
  const stage = (name: string) => {
    const now = performance.now();
    onStage?.(name, now - clock);
    clock = now;
  };
  const n = leaves.length;
  if (n === 0) throw new RangeError("a Merkle tree needs at least one leaf");
  const size = 2 * n - 1;
  const total = 2 * n;
  const step = Math.max(1, Math.floor(total / 100));
  // Hashes are moved as 32-bit words (8 per hash); byte order inside a word does not matter for
  // copying, and comparisons below read bytes.
  const leafHashes = Buffer.from(new ArrayBuffer(n * 32));
  const leafWords = new Uint32Array(leafHashes.buffer);
  for (let i = 0; i < n; i++) {
    // Encode and double hash inside the hasher's own memory: the first digest is the second input
    // in place.
    encodeLeafInto(leaves[i]!, keccakScratch());
    keccakScratchHash(128);
    keccakScratchHash(32);
    const digest = keccakScratchWords();
    const at = i * 8;
    for (let w = 0; w < 8; w++) leafWords[at + w] = digest[w]!;
    if (onProgress && i % step === 0) onProgress(i, total);
  }

  stage("hash leaves");
  const order = sortByHash(leafHashes, n);
  stage("sort");
  const nodes = Buffer.from(new ArrayBuffer(size * 32));
  const words = new Uint32Array(nodes.buffer);
  const treeIndices = new Uint32Array(n);
  for (let k = 0; k < n; k++) {
    const position = size - 1 - k;
    const from = order[k]! * 8;
    const to = position * 8;
    for (let w = 0; w < 8; w++) words[to + w] = leafWords[from + w]!;
    treeIndices[order[k]!] = position;
  }

  for (let i = size - 1 - n; i >= 0; i--) {
    const left = (2 * i + 1) * 32;
    const right = left + 32;
    // Children are concatenated in ascending order; the first differing byte decides.
    let b = 0;
    while (b < 32 && nodes[left + b] === nodes[right + b]) b++;
    const leftFirst = b === 32 || nodes[left + b]! < nodes[right + b]!;
    const first = (leftFirst ? left : right) >> 2;
    const second = (leftFirst ? right : left) >> 2;
    const scratch = keccakScratchWords();
    for (let w = 0; w < 8; w++) {
      scratch[w] = words[first + w]!;
      scratch[8 + w] = words[second + w]!;
    }
    keccakScratchHash(64);
    const at = i * 8;
    for (let w = 0; w < 8; w++) words[at + w] = scratch[w]!;
    if (onProgress && i % step === 0) onProgress(total - i, total);
  }
  onProgress?.(total, total);
  stage("inner nodes");
  const tree = new EpochTree(leaves, nodes, treeIndices);
  stage("hex");
  return tree;
}
