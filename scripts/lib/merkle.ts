/**
 * Fast builder of the epoch's Merkle tree. It yields the same root, the same `standard-v1` dump
 * and the same proofs as `StandardMerkleTree.of(values, LEAF_ENCODING)` of
 * `@openzeppelin/merkle-tree` (docs/pipeline.md):
 *
 * - each tree lives in a WebAssembly memory of its own (keccak-f.ts); the leaves are ABI-encoded by
 *   hand (4 static words), a batch at a time, into it, with no allocation per leaf, and hashed there,
 *   a batch per call;
 * - the inner nodes are hashed level by level, from the leaves up, inside WebAssembly too; the leaf
 *   hashes, each level and the hex text of the nodes are split between two threads when the machine
 *   has two cores (workers.ts), with the same result;
 * - the nodes' hex text ("0x…", 66 bytes a node) is made in that memory when proofs or a dump are
 *   first written from it as bytes (claims.json, tree.json: {@link EpochTree.writeProof},
 *   {@link EpochTree.dumpJsonChunks}); node strings are made only for {@link EpochTree.getProof}.
 *
 * Layout (as in OpenZeppelin's `core.ts`): leaf hashes are sorted ascending; with n leaves the tree
 * is an array of 2n − 1 nodes where sorted leaf k sits at position 2n − 2 − k, node i has children
 * 2i + 1 and 2i + 2, and a parent is keccak256 of its two children concatenated in ascending order.
 */
import { keccak256 } from "./keccak.js";
import {
  createMemory,
  instantiate,
  keccakModule,
  writeHexTable,
  RESERVED_BYTES,
  type KeccakExports,
  type WasmMemory,
} from "./keccak-f.js";
import { invariant } from "./errors.js";
import { defaultThreads, JobKind, runJob, type Job } from "./workers.js";
import { LEAF_ENCODING, leafTuple, type Leaf as ProtocolLeaf, type LeafTuple } from "../../protocol/leaf.js";
import type { StandardTreeDump } from "../../protocol/artifacts.js";

export { LEAF_ENCODING, type LeafTuple, type StandardTreeDump };

/** One leaf of an epoch tree, with its index as a number (trees hold at most 2^32 leaves). */
export interface Leaf extends ProtocolLeaf {
  index: number;
}

const UINT256_MAX = (1n << 256n) - 1n;
const HEX_CHUNK_NODES = 1 << 16;
/** The largest memory a tree may have (wasm32: 4 GiB, in 64 KiB pages); the module declares it. */
const MAX_PAGES = 65536;
/** Bytes of a node's hex text: "0x" and 64 digits. */
const HEX = 66;
/** The scratch region where proofs and dumps are written, and what a line may take at most. */
const SCRATCH_BYTES = 1 << 20;
export const SCRATCH_MARGIN = 1 << 14;
/** Trees from this many leaves are built on two threads (when there are two cores): below, starting the helper costs more than it saves. */
const PARALLEL_LEAVES = 1 << 16;

const MAX_UINT64 = 0xffffffffffffffffn;

/** Writes `value` as a 32-byte big-endian word at `at`: whole 64-bit limbs through the DataView, no allocation below 2^64. */
function writeWord(view: DataView, at: number, value: bigint, what: string): void {
  if (value < 0n || value > UINT256_MAX) invariant(false, `${what} ${value} does not fit uint256`);
  view.setBigUint64(at + 24, value); // takes value mod 2^64
  if (value <= MAX_UINT64) {
    view.setBigUint64(at + 16, 0n);
    view.setBigUint64(at + 8, 0n);
    view.setBigUint64(at, 0n);
    return;
  }
  let rest = value >> 64n;
  view.setBigUint64(at + 16, rest);
  rest >>= 64n;
  view.setBigUint64(at + 8, rest);
  view.setBigUint64(at, rest >> 64n);
}

/** Hex digit values by UTF-16 code unit (−1: not a hex digit). */
const HEX_VALUE = (() => {
  const table = new Int8Array(65536).fill(-1);
  for (let c = 0; c < 10; c++) table[0x30 + c] = c;
  for (let c = 0; c < 6; c++) table[0x61 + c] = table[0x41 + c] = 10 + c;
  return table;
})();

/**
 * `abi.encode(index, account, amount, reputation)` into the 128 bytes of `out` at `at` (`view` over the
 * same memory as `out`), but for the address: its 20 bytes are left to `writeAddress`. Words are written
 * as 64-bit limbs: a million leaves are encoded per tree.
 */
function encodeWords(leaf: Leaf, out: Uint8Array, view: DataView, at: number): void {
  const base = out.byteOffset + at - view.byteOffset;
  const index = leaf.index;
  if (!(index >= 0 && index <= 0xffffffff && Number.isInteger(index))) invariant(false, `index ${index} out of range`);
  view.setBigUint64(base, 0n);
  view.setBigUint64(base + 8, 0n);
  view.setBigUint64(base + 16, 0n);
  view.setUint32(base + 24, 0);
  view.setUint32(base + 28, index);
  view.setUint32(base + 32, 0);
  view.setBigUint64(base + 36, 0n);
  writeWord(view, base + 64, leaf.amount, "amount");
  writeWord(view, base + 96, leaf.reputation, "reputation");
}

/** The 20 bytes of `account` (0x and 40 hex digits; the first two characters are not looked at) at `out[at]`. */
function writeAddress(account: string, out: Uint8Array, at: number): void {
  if (account.length !== 42) invariant(false, `bad address ${account}`);
  let bad = 0;
  for (let b = 0, c = 2, o = at; b < 20; b++, c += 2, o++) {
    const hi = HEX_VALUE[account.charCodeAt(c)]!;
    const lo = HEX_VALUE[account.charCodeAt(c + 1)]!;
    bad |= hi | lo;
    out[o] = (hi << 4) | lo;
  }
  if (bad < 0) invariant(false, `bad address ${account}`);
}

/** The ABI encoding of a leaf into `out` at `at`. */
function encodeLeafInto(leaf: Leaf, out: Uint8Array, view: DataView, at: number): void {
  encodeWords(leaf, out, view, at);
  writeAddress(leaf.account, out, at + 44);
}

/** The ABI encoding of a leaf, `abi.encode(index, account, amount, reputation)`, into `out`. */
export function encodeLeaf(leaf: Leaf, out: Buffer = Buffer.alloc(128)): Buffer {
  encodeLeafInto(leaf, out, new DataView(out.buffer, out.byteOffset, out.byteLength), 0);
  return out;
}

/** `keccak256(bytes.concat(keccak256(abi.encode(leaf))))`, the leaf hash of docs/formats.md. */
export function hashLeaf(leaf: Leaf): Uint8Array {
  return keccak256(keccak256(encodeLeaf(leaf)));
}

/** Leaves encoded (and hashed) at a time: the encodings never take more than a few megabytes. */
const BATCH_LEAVES = 1 << 15;

/** Where a tree's regions lie in its memory (byte offsets). */
interface Layout {
  /** Two keccak states (main thread, helper), 256 bytes each. */
  states: [number, number];
  /** Where a batch of leaves is ABI-encoded to be hashed. */
  staging: number;
  /** The 2n − 1 nodes, 32 bytes each. */
  nodes: number;
  /** Where proofs and dumps are written. */
  scratch: number;
  /** The nodes' hex text (66 bytes a node), made when first needed: until then its pages are not even touched. */
  hex: number;
  bytes: number;
}

function layout(n: number): Layout {
  const size = 2 * n - 1;
  const align = (x: number) => Math.ceil(x / 64) * 64;
  const states: [number, number] = [RESERVED_BYTES, RESERVED_BYTES + 256];
  const staging = align(RESERVED_BYTES + 512);
  const nodes = align(staging + 128 * Math.min(n, BATCH_LEAVES));
  const scratch = align(nodes + 32 * size);
  const hex = align(scratch + SCRATCH_BYTES);
  return { states, staging, nodes, scratch, hex, bytes: hex + HEX * size };
}

/** What a tree needs to run jobs on its memory (workers.ts). */
interface Engine {
  memory: WasmMemory;
  module: object;
  exports: KeccakExports;
  threads: number;
}

/** A built tree: root, dump and proofs, all identical to OpenZeppelin's StandardMerkleTree. */
export class EpochTree {
  /** The 2n − 1 nodes, 32 bytes each, in OpenZeppelin's array layout (a view of the tree's memory). */
  readonly nodes: Buffer;
  /** treeIndex of each leaf, by position in the `leaves` array given to {@link buildTree}. */
  readonly treeIndices: Uint32Array;
  readonly leaves: readonly Leaf[];
  /** The tree's memory, all of it: nodes, their hex text, the scratch region. */
  private readonly bytes: Buffer;
  private readonly engine: Engine;
  private readonly at: Layout;
  /** Whether the hex region holds the nodes' text yet. */
  private hexReady = false;
  /** Every node as a 0x-hex string, made on first need by {@link getProof} or {@link dump}. */
  private hexStrings: string[] | undefined;

  /** @internal Made by {@link buildTree}. */
  constructor(leaves: readonly Leaf[], engine: Engine, at: Layout, treeIndices: Uint32Array) {
    this.leaves = leaves;
    this.engine = engine;
    this.at = at;
    this.bytes = Buffer.from(engine.memory.buffer as ArrayBuffer, 0, at.bytes);
    this.nodes = this.bytes.subarray(at.nodes, at.nodes + 32 * (2 * leaves.length - 1));
    this.treeIndices = treeIndices;
  }

  /** The hex region, made (on both threads) the first time proofs or a dump are written from it. */
  private hex(): number {
    if (!this.hexReady) {
      const { memory, module, exports, threads } = this.engine;
      const job = { memory, src: this.at.nodes, dst: this.at.hex, from: 0, to: this.nodeCount, chunk: 16384 };
      runJob({ ...job, kind: JobKind.Hex, states: this.at.states }, exports, module, threads);
      this.hexReady = true;
    }
    return this.at.hex;
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
    if (this.hexStrings) return this.hexStrings[i]!;
    return "0x" + this.nodes.toString("hex", 32 * i, 32 * i + 32);
  }

  /**
   * Every node's hex as strings: a few large strings, each node a slice of one (far less memory than 2n strings),
   * from the hex region if it is made, else through the scratch region (so that proofs as strings alone never
   * touch the hex region).
   */
  private strings(): string[] {
    if (this.hexStrings) return this.hexStrings;
    const count = this.nodeCount;
    const hex: string[] = new Array(count);
    const step = this.hexReady ? HEX_CHUNK_NODES : Math.floor(SCRATCH_BYTES / HEX);
    for (let first = 0; first < count; first += step) {
      const last = Math.min(count, first + step);
      let at = this.at.hex + HEX * first;
      if (!this.hexReady) {
        this.engine.exports.hex(this.at.nodes + 32 * first, this.at.scratch, last - first);
        at = this.at.scratch;
      }
      const chunk = this.bytes.toString("latin1", at, at + HEX * (last - first));
      for (let node = first; node < last; node++)
        hex[node] = chunk.slice((node - first) * HEX, (node - first + 1) * HEX);
    }
    return (this.hexStrings = hex);
  }

  /** The proof of the leaf at position `valueIndex` of the `leaves` array, bottom-up. */
  getProof(valueIndex: number): string[] {
    const hex = this.strings();
    let i = this.treeIndices[valueIndex]!;
    // Node i sits at depth floor(log2(i + 1)): the proof has that many siblings.
    const proof: string[] = new Array(31 - Math.clz32(i + 1));
    for (let k = 0; i > 0; k++) {
      proof[k] = hex[i % 2 === 1 ? i + 1 : i - 1]!;
      i = (i - 1) >> 1;
    }
    return proof;
  }

  /**
   * The region where {@link writeProof} writes: text written here (with `write(…, "latin1")`) and proofs
   * written by it make lines; copy them out before the region is written again. At most
   * {@link SCRATCH_MARGIN} bytes of a line may lie beyond `scratch.length - SCRATCH_MARGIN`.
   */
  get scratch(): Buffer {
    return this.bytes.subarray(this.at.scratch, this.at.scratch + SCRATCH_BYTES);
  }

  /**
   * Writes the proof of the leaf at `valueIndex` as JSON — `["0x…","0x…"]`, byte-identical to
   * `JSON.stringify(getProof(valueIndex))` — into {@link scratch} at offset `at`; returns the offset after it.
   */
  writeProof(valueIndex: number, at: number): number {
    const hex = this.hex();
    return this.engine.exports.proof(hex, this.treeIndices[valueIndex]!, this.at.scratch + at) - this.at.scratch;
  }

  /** The value of a leaf as StandardMerkleTree stores it. */
  static tuple(leaf: Leaf): LeafTuple {
    return leafTuple(leaf);
  }

  /** The `standard-v1` dump as an object (for small trees and tests). */
  dump(): StandardTreeDump {
    const tree = this.strings().slice();
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
   * ever holding the whole text (a million-leaf dump is larger than a V8 string may be). The
   * "tree" array comes as bytes written from the nodes' hex text, `piecesPerChunk` nodes a piece.
   */
  *dumpJsonChunks(piecesPerChunk = 8192): Generator<string | Buffer> {
    yield `{"format":"standard-v1","leafEncoding":${JSON.stringify(LEAF_ENCODING)},"tree":[`;
    const count = this.nodeCount;
    // Each node takes 69 bytes (a comma, quotes, 66 of hex).
    const step = Math.max(1, Math.min(piecesPerChunk, Math.floor((SCRATCH_BYTES - SCRATCH_MARGIN) / 69)));
    for (let first = 0; first < count; first += step) {
      const end = this.engine.exports.list(this.hex(), first, Math.min(count, first + step), this.at.scratch);
      yield Buffer.from(this.bytes.subarray(this.at.scratch, end));
    }
    let parts: string[] = [`],"values":[`];
    for (let i = 0; i < this.leaves.length; i++) {
      const leaf = this.leaves[i]!;
      parts.push(
        `${i === 0 ? "" : ","}{"value":["${leaf.index}",${JSON.stringify(leaf.account)},"${leaf.amount}","${leaf.reputation}"],"treeIndex":${this.treeIndices[i]}}`,
      );
      if (parts.length === piecesPerChunk) {
        yield parts.join("");
        parts = [];
      }
    }
    parts.push("]}");
    yield parts.join("");
  }
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

export interface BuildOptions {
  /**
   * Threads to hash with: 1, or 2 for a helper thread (workers.ts). Default: 2 from 65536 leaves on a machine
   * with two cores or more (SOCIAL_MINING_THREADS=1 says 1), else 1. The tree is the same either way.
   */
  threads?: number;
}

/**
 * Builds the tree of `leaves` (in the order given: `getProof(i)` and the dump's `values` follow
 * it). Same result as `StandardMerkleTree.of(leaves.map(EpochTree.tuple), LEAF_ENCODING)`.
 */
export function buildTree(
  leaves: readonly Leaf[],
  onProgress?: ProgressCallback,
  onStage?: TreeStageCallback,
  options: BuildOptions = {},
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
  const at = layout(n);
  const pages = Math.ceil(at.bytes / 65536);
  if (pages > MAX_PAGES) throw new RangeError(`a tree of ${n} leaves does not fit a WebAssembly memory`);
  const threads = options.threads ?? (n >= PARALLEL_LEAVES ? defaultThreads() : 1);
  const memory = createMemory(pages, pages, true);
  writeHexTable(memory);
  const module = keccakModule(true, MAX_PAGES);
  const exports = instantiate(module, memory);
  const bytes = Buffer.from(memory.buffer as ArrayBuffer, 0, at.bytes);
  const job = (kind: Job["kind"], src: number, dst: number, from: number, to: number, chunk: number) =>
    runJob({ kind, memory, src, dst, from, to, chunk, states: at.states }, exports, module, threads);

  // Encode every leaf (the hex region holds the encodings until the hex text replaces them), then hash them.
  const view = new DataView(memory.buffer as ArrayBuffer, 0, at.bytes);
  // The leaf hashes go to the last n slots of the nodes (where the sorted leaves end up), in leaf order; each
  // batch of leaves is encoded into the staging region, then hashed.
  const leafSlots = at.nodes + 32 * (n - 1);
  for (let first = 0; first < n; first += BATCH_LEAVES) {
    const last = Math.min(n, first + BATCH_LEAVES);
    for (let i = first; i < last; i++) encodeLeafInto(leaves[i]!, bytes, view, at.staging + 128 * (i - first));
    job(JobKind.Leaves, at.staging - 128 * first, leafSlots, first, last, 4096);
    onProgress?.(last, 2 * n);
  }
  stage("leaves");

  const order = sortByHash(bytes.subarray(leafSlots, leafSlots + 32 * n), n);
  // Sorted leaf k goes to slot 2n − 2 − k: a permutation of the last n slots, done in place, cycle by cycle.
  const words = new Uint32Array(memory.buffer as ArrayBuffer, 0, at.bytes >>> 2);
  const base = leafSlots >>> 2;
  const treeIndices = new Uint32Array(n);
  const placed = new Uint8Array(n);
  const saved = new Uint32Array(8);
  for (let k = 0; k < n; k++) treeIndices[order[k]!] = size - 1 - k;
  for (let p = 0; p < n; p++) {
    if (placed[p]) continue;
    // Slot n − 1 + p receives leaf order[n − 1 − p].
    for (let w = 0; w < 8; w++) saved[w] = words[base + 8 * p + w]!;
    let current = p;
    for (;;) {
      placed[current] = 1;
      const source = order[n - 1 - current]!;
      if (source === p) {
        for (let w = 0; w < 8; w++) words[base + 8 * current + w] = saved[w]!;
        break;
      }
      for (let w = 0; w < 8; w++) words[base + 8 * current + w] = words[base + 8 * source + w]!;
      current = source;
    }
  }
  stage("sort, place");

  // Inner nodes level by level, deepest first: node i is at depth floor(log2(i + 1)); a level's nodes depend only
  // on the level below (or on leaves), so each level is split between the threads.
  for (let depth = 31 - Math.clz32(n - 1); depth >= 0; depth--) {
    const first = 2 ** depth - 1;
    const last = Math.min(2 ** (depth + 1) - 1, n - 1);
    if (first >= last) continue;
    if (last - first >= 8192) job(JobKind.Nodes, at.nodes, 0, first, last, 4096);
    else exports.nodes(at.states[0], at.nodes, first, last);
    onProgress?.(2 * n - first, 2 * n);
  }
  onProgress?.(2 * n, 2 * n);
  stage("inner nodes");
  return new EpochTree(leaves, { memory, module, exports, threads }, at, treeIndices);
}
