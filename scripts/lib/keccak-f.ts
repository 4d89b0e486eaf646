/**
 * keccak256 for the tree and the inputs hash, as a small WebAssembly module written here, byte by byte.
 *
 * hash-wasm's module (keccak.ts) owns its memory and hashes one input per call. This one imports its memory, so
 * that two threads can run it on one shared memory (a tree: merkle.ts, workers.ts), and runs the loops that use
 * the permutation inside WebAssembly — a batch of leaf hashes, a range of inner nodes, the blocks of a long input,
 * the hex text of the nodes, a proof as JSON — so that a batch costs one call from JavaScript. The permutation
 * itself (keccak-f[1600], 24 rounds unrolled, lanes in locals, round constants inline) runs at about the speed of
 * hash-wasm's, about a microsecond: a million-leaf tree's three million hashes are shared by the threads.
 *
 * Exports (offsets are byte offsets into the memory; `state` is 200 bytes, 8-aligned):
 * - `permute(state)`: keccak-f[1600] on the 25 little-endian lanes at `state`;
 * - `leaves(state, src, dst, count)`: for each 128-byte block at src + 128k, keccak256(keccak256(block)) to dst + 32k
 *   (the leaf hash of the tree: the ABI encoding of a leaf is four 32-byte words);
 * - `nodes(state, base, from, to)`: for i = to − 1 down to from, node i = keccak256(min(l, r) ‖ max(l, r)) where l and r
 *   are nodes 2i + 1 and 2i + 2, every node 32 bytes at base + 32i, compared as big-endian numbers (the layout of
 *   OpenZeppelin's StandardMerkleTree);
 * - `absorb(state, src, blocks)`: XORs `blocks` 136-byte blocks from src into the state, permuting after each (the
 *   caller pads the last block: keccak's 0x01 … 0x80).
 * - `hex(src, dst, count)`: `count` 32-byte words at src as "0x" and 64 lowercase hex digits each at dst + 66k;
 * - `proof(hex, node, dst)` → end: the proof of a node as JSON text (`["0x…",…]`) from those hex texts;
 * - `list(hex, from, to, dst)` → end: the nodes from..to − 1 as `,"0x…"` (node 0 without the comma).
 */

// tsconfig's lib has no DOM, where the WebAssembly types live; declare the little used here.
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
  Memory: new (descriptor: { initial: number; maximum?: number; shared?: boolean }) => WasmMemory;
};

export interface WasmMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
  grow(pages: number): number;
}

export interface KeccakExports {
  permute(state: number): void;
  leaves(state: number, src: number, dst: number, count: number): void;
  nodes(state: number, base: number, from: number, to: number): void;
  absorb(state: number, src: number, blocks: number): void;
  hex(src: number, dst: number, count: number): void;
  proof(hex: number, node: number, dst: number): number;
  list(hex: number, from: number, to: number, dst: number): number;
}

/** keccak-f[1600] round constants. */
const RC = [
  0x0000000000000001n,
  0x0000000000008082n,
  0x800000000000808an,
  0x8000000080008000n,
  0x000000000000808bn,
  0x0000000080000001n,
  0x8000000080008081n,
  0x8000000000008009n,
  0x000000000000008an,
  0x0000000000000088n,
  0x0000000080008009n,
  0x000000008000000an,
  0x000000008000808bn,
  0x800000000000008bn,
  0x8000000000008089n,
  0x8000000000008003n,
  0x8000000000008002n,
  0x8000000000000080n,
  0x000000000000800an,
  0x800000008000000an,
  0x8000000080008081n,
  0x8000000000008080n,
  0x0000000080000001n,
  0x8000000080008008n,
];
/** Rotation offsets r[x][y]. */
const ROT = [
  [0, 36, 3, 41, 18],
  [1, 44, 10, 45, 2],
  [62, 6, 43, 15, 61],
  [28, 55, 25, 21, 56],
  [27, 20, 39, 8, 14],
];

// --- a few opcodes -----------------------------------------------------------------------------
const OP = {
  block: 0x02,
  loop: 0x03,
  if: 0x04,
  else: 0x05,
  end: 0x0b,
  br: 0x0c,
  br_if: 0x0d,
  return: 0x0f,
  call: 0x10,
  local_get: 0x20,
  local_set: 0x21,
  local_tee: 0x22,
  i32_load8_u: 0x2d,
  i64_load: 0x29,
  i64_store: 0x37,
  i32_store8: 0x3a,
  i32_store16: 0x3b,
  i32_load16_u: 0x2f,
  i32_const: 0x41,
  i64_const: 0x42,
  i32_eqz: 0x45,
  i32_eq: 0x46,
  i32_ne: 0x47,
  i32_lt_s: 0x48,
  i32_lt_u: 0x49,
  i32_gt_u: 0x4b,
  i32_le_u: 0x4d,
  i32_ge_u: 0x4f,
  i32_add: 0x6a,
  i32_sub: 0x6b,
  i32_mul: 0x6c,
  i32_and: 0x71,
  i32_or: 0x72,
  i32_shl: 0x74,
  i32_shr_u: 0x76,
  i64_and: 0x83,
  i64_xor: 0x85,
  i64_rotl: 0x89,
  i64_shr_u: 0x88,
  i64_shl: 0x86,
  i32_wrap_i64: 0xa7,
  i64_extend_i32_u: 0xad,
} as const;
const I32 = 0x7f;
const I64 = 0x7e;
const VOID = 0x40;

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

function sleb(value: bigint): number[] {
  const out: number[] = [];
  for (;;) {
    const b = Number(value & 0x7fn);
    value >>= 7n;
    if ((value === 0n && (b & 0x40) === 0) || (value === -1n && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

/** An instruction sequence under construction. */
class Code {
  readonly bytes: number[] = [];
  op(...ops: number[]): this {
    this.bytes.push(...ops);
    return this;
  }
  get(local: number): this {
    return this.op(OP.local_get, ...uleb(local));
  }
  set(local: number): this {
    return this.op(OP.local_set, ...uleb(local));
  }
  tee(local: number): this {
    return this.op(OP.local_tee, ...uleb(local));
  }
  i32(value: number): this {
    return this.op(OP.i32_const, ...sleb(BigInt(value | 0)));
  }
  i64(value: bigint): this {
    return this.op(OP.i64_const, ...sleb(BigInt.asIntN(64, value)));
  }
  /** i64.load at [address on the stack] + offset. */
  load64(offset: number): this {
    return this.op(OP.i64_load, 3, ...uleb(offset));
  }
  store64(offset: number): this {
    return this.op(OP.i64_store, 3, ...uleb(offset));
  }
  load8(offset: number): this {
    return this.op(OP.i32_load8_u, 0, ...uleb(offset));
  }
  store16(offset: number): this {
    return this.op(OP.i32_store16, 0, ...uleb(offset));
  }
  load16(offset: number): this {
    return this.op(OP.i32_load16_u, 0, ...uleb(offset));
  }
}

/** Function 0: permute(state). Locals: 0 = state, 1..25 lanes a, 26..50 b, 51..55 c, 56 d. */
function permuteBody(): number[] {
  const a = (i: number) => 1 + i;
  const b = (i: number) => 26 + i;
  const c = (i: number) => 51 + i;
  const d = 56;
  const code = new Code();
  for (let i = 0; i < 25; i++)
    code
      .get(0)
      .load64(8 * i)
      .set(a(i));
  for (let round = 0; round < 24; round++) {
    // θ
    for (let x = 0; x < 5; x++) {
      code
        .get(a(x))
        .get(a(x + 5))
        .op(OP.i64_xor)
        .get(a(x + 10))
        .op(OP.i64_xor);
      code
        .get(a(x + 15))
        .op(OP.i64_xor)
        .get(a(x + 20))
        .op(OP.i64_xor)
        .set(c(x));
    }
    for (let x = 0; x < 5; x++) {
      code
        .get(c((x + 4) % 5))
        .get(c((x + 1) % 5))
        .i64(1n)
        .op(OP.i64_rotl)
        .op(OP.i64_xor)
        .set(d);
      for (let y = 0; y < 5; y++)
        code
          .get(a(x + 5 * y))
          .get(d)
          .op(OP.i64_xor)
          .set(a(x + 5 * y));
    }
    // ρ and π
    for (let x = 0; x < 5; x++) {
      for (let y = 0; y < 5; y++) {
        code.get(a(x + 5 * y));
        const r = ROT[x]![y]!;
        if (r !== 0) code.i64(BigInt(r)).op(OP.i64_rotl);
        code.set(b(y + 5 * ((2 * x + 3 * y) % 5)));
      }
    }
    // χ
    for (let y = 0; y < 5; y++) {
      for (let x = 0; x < 5; x++) {
        code
          .get(b(x + 5 * y))
          .get(b(((x + 1) % 5) + 5 * y))
          .i64(-1n)
          .op(OP.i64_xor)
          .get(b(((x + 2) % 5) + 5 * y))
          .op(OP.i64_and)
          .op(OP.i64_xor)
          .set(a(x + 5 * y));
      }
    }
    // ι
    code.get(a(0)).i64(RC[round]!).op(OP.i64_xor).set(a(0));
  }
  for (let i = 0; i < 25; i++)
    code
      .get(0)
      .get(a(i))
      .store64(8 * i);
  return [...localDecls([[56, I64]]), ...code.bytes, OP.end];
}

function localDecls(groups: [count: number, type: number][]): number[] {
  const out = uleb(groups.length);
  for (const [count, type] of groups) out.push(...uleb(count), type);
  return out;
}

/** Zeroes lanes `from`..24 of the state (local `state`). */
function zeroLanes(code: Code, state: number, from: number): void {
  for (let i = from; i < 25; i++)
    code
      .get(state)
      .i64(0n)
      .store64(8 * i);
}

/** keccak padding for an input of `words` 8-byte lanes: lane `words` ^= 0x01, lane 16 ^= 0x80 << 56. */
function pad(code: Code, state: number, words: number): void {
  if (words === 16) {
    code
      .get(state)
      .i64(0x8000000000000001n)
      .store64(8 * 16);
  } else {
    code
      .get(state)
      .i64(1n)
      .store64(8 * words);
    code
      .get(state)
      .i64(0x8000000000000000n)
      .store64(8 * 16);
  }
}

/** Function 1: leaves(state, src, dst, count). Locals: 4 = k. */
function leavesBody(): number[] {
  const [state, src, dst, count, k] = [0, 1, 2, 3, 4];
  const code = new Code();
  code.i32(0).set(k);
  code.op(OP.block, VOID, OP.loop, VOID);
  code.get(k).get(count).op(OP.i32_ge_u, OP.br_if, 1);
  // state ← the 128-byte block, padded
  for (let i = 0; i < 16; i++)
    code
      .get(state)
      .get(src)
      .load64(8 * i)
      .store64(8 * i);
  zeroLanes(code, state, 17);
  pad(code, state, 16);
  code.get(state).op(OP.call, 0);
  // second hash: the 32-byte digest, padded
  for (let i = 4; i < 25; i++)
    if (i !== 16)
      code
        .get(state)
        .i64(0n)
        .store64(8 * i);
  pad(code, state, 4);
  code.get(state).op(OP.call, 0);
  for (let i = 0; i < 4; i++)
    code
      .get(dst)
      .get(state)
      .load64(8 * i)
      .store64(8 * i);
  code.get(src).i32(128).op(OP.i32_add).set(src);
  code.get(dst).i32(32).op(OP.i32_add).set(dst);
  code.get(k).i32(1).op(OP.i32_add).set(k);
  code.op(OP.br, 0, OP.end, OP.end);
  return [...localDecls([[1, I32]]), ...code.bytes, OP.end];
}

/** Function 2: nodes(state, base, from, to). Locals: 4 = i, 5 = left, 6 = right, 7 = j, 8 = x, 9 = y, 10 = first, 11 = second. */
function nodesBody(): number[] {
  const [state, base, from, to, i, left, right, j, x, y, first, second] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
  const code = new Code();
  code.get(to).set(i);
  code.op(OP.block, VOID, OP.loop, VOID);
  code.get(i).get(from).op(OP.i32_le_u, OP.br_if, 1);
  code.get(i).i32(1).op(OP.i32_sub).set(i);
  // left = base + (2i + 1) * 32, right = left + 32
  code.get(base).get(i).i32(6).op(OP.i32_shl).op(OP.i32_add).i32(32).op(OP.i32_add).tee(left);
  code.i32(32).op(OP.i32_add).set(right);
  // first differing byte decides; equal → left first
  code.get(left).set(first).get(right).set(second);
  code.i32(0).set(j);
  code.op(OP.block, VOID, OP.loop, VOID);
  code.get(j).i32(32).op(OP.i32_ge_u, OP.br_if, 1);
  code.get(left).get(j).op(OP.i32_add).load8(0).tee(x);
  code.get(right).get(j).op(OP.i32_add).load8(0).tee(y);
  code.op(OP.i32_ne, OP.if, VOID);
  code.get(x).get(y).op(OP.i32_gt_u, OP.if, VOID);
  code.get(right).set(first).get(left).set(second);
  code.op(OP.end);
  code.op(OP.br, 2); // out of the compare loop
  code.op(OP.end);
  code.get(j).i32(1).op(OP.i32_add).set(j);
  code.op(OP.br, 0, OP.end, OP.end);
  for (let w = 0; w < 4; w++)
    code
      .get(state)
      .get(first)
      .load64(8 * w)
      .store64(8 * w);
  for (let w = 0; w < 4; w++)
    code
      .get(state)
      .get(second)
      .load64(8 * w)
      .store64(32 + 8 * w);
  for (let w = 9; w < 25; w++)
    if (w !== 16)
      code
        .get(state)
        .i64(0n)
        .store64(8 * w);
  pad(code, state, 8);
  code.get(state).op(OP.call, 0);
  // node i
  for (let w = 0; w < 4; w++) {
    code.get(base).get(i).i32(5).op(OP.i32_shl).op(OP.i32_add);
    code
      .get(state)
      .load64(8 * w)
      .store64(8 * w);
  }
  code.op(OP.br, 0, OP.end, OP.end);
  return [...localDecls([[8, I32]]), ...code.bytes, OP.end];
}

/** Function 3: absorb(state, src, blocks). Locals: 3 = k. */
function absorbBody(): number[] {
  const [state, src, blocks, k] = [0, 1, 2, 3];
  const code = new Code();
  code.i32(0).set(k);
  code.op(OP.block, VOID, OP.loop, VOID);
  code.get(k).get(blocks).op(OP.i32_ge_u, OP.br_if, 1);
  for (let w = 0; w < 17; w++) {
    code
      .get(state)
      .get(state)
      .load64(8 * w)
      .get(src)
      .load64(8 * w)
      .op(OP.i64_xor)
      .store64(8 * w);
  }
  code.get(state).op(OP.call, 0);
  code.get(src).i32(136).op(OP.i32_add).set(src);
  code.get(k).i32(1).op(OP.i32_add).set(k);
  code.op(OP.br, 0, OP.end, OP.end);
  return [...localDecls([[1, I32]]), ...code.bytes, OP.end];
}

/**
 * Function 4: hex(src, dst, count): `count` 32-byte words at src as "0x" and 64 lowercase hex digits each, 66 bytes a
 * word at dst, through the 512-byte table of digit pairs at `HEX_TABLE` (written by {@link writeHexTable}).
 * Locals: 3 = end (of src), 4 = stop (of the word being read).
 */
function hexBody(): number[] {
  const [src, dst, count, end, stop] = [0, 1, 2, 3, 4];
  const code = new Code();
  code.get(src).get(count).i32(5).op(OP.i32_shl).op(OP.i32_add).set(end);
  code.op(OP.block, VOID, OP.loop, VOID);
  code.get(src).get(end).op(OP.i32_ge_u, OP.br_if, 1);
  code.get(dst).i32(0x7830).store16(0); // "0x"
  code.get(dst).i32(2).op(OP.i32_add).set(dst);
  code.get(src).i32(32).op(OP.i32_add).set(stop);
  code.op(OP.block, VOID, OP.loop, VOID);
  code.get(src).get(stop).op(OP.i32_ge_u, OP.br_if, 1);
  code.get(dst);
  code.get(src).load8(0).i32(1).op(OP.i32_shl).load16(HEX_TABLE);
  code.store16(0);
  code.get(src).i32(1).op(OP.i32_add).set(src);
  code.get(dst).i32(2).op(OP.i32_add).set(dst);
  code.op(OP.br, 0, OP.end, OP.end);
  code.op(OP.br, 0, OP.end, OP.end);
  return [...localDecls([[2, I32]]), ...code.bytes, OP.end];
}

/** Copies the 66-byte hex text of node `node` (local) from `hex` to `dst` (locals), between quotes; dst += 68. */
function quotedNode(code: Code, hex: number, node: number, dst: number, from: number): void {
  code.get(hex).get(node).i32(66).op(OP.i32_mul).op(OP.i32_add).set(from);
  code.get(dst).i32(0x22).op(OP.i32_store8, 0, 0);
  for (let w = 0; w < 8; w++)
    code
      .get(dst)
      .get(from)
      .load64(8 * w)
      .store64(1 + 8 * w);
  code.get(dst).get(from).load16(64).store16(65);
  code.get(dst).i32(0x22).op(OP.i32_store8, 0, 67);
  code.get(dst).i32(68).op(OP.i32_add).set(dst);
}

/**
 * Function 5: proof(hex, i, dst) → end: the proof of node i as JSON, `["0x…","0x…"]` (the siblings from node i up,
 * each the 66-byte text of {@link hexBody} at hex + 66 × node), written at dst. Locals: 3 = sibling, 4 = first, 5 = from.
 */
function proofBody(): number[] {
  const [hex, i, dst, sibling, first, from] = [0, 1, 2, 3, 4, 5];
  const code = new Code();
  code.get(dst).i32(0x5b).op(OP.i32_store8, 0, 0); // [
  code.get(dst).i32(1).op(OP.i32_add).set(dst);
  code.i32(1).set(first);
  code.op(OP.block, VOID, OP.loop, VOID);
  code.get(i).op(OP.i32_eqz, OP.br_if, 1);
  // sibling = i odd ? i + 1 : i − 1
  code.get(i).i32(1).op(OP.i32_sub).get(i).i32(1).op(OP.i32_and).i32(1).op(OP.i32_shl).op(OP.i32_add).set(sibling);
  code.get(first).op(OP.i32_eqz, OP.if, VOID);
  code.get(dst).i32(0x2c).op(OP.i32_store8, 0, 0); // ,
  code.get(dst).i32(1).op(OP.i32_add).set(dst);
  code.op(OP.end);
  code.i32(0).set(first);
  quotedNode(code, hex, sibling, dst, from);
  code.get(i).i32(1).op(OP.i32_sub).i32(1).op(OP.i32_shr_u).set(i);
  code.op(OP.br, 0, OP.end, OP.end);
  code.get(dst).i32(0x5d).op(OP.i32_store8, 0, 0); // ]
  code.get(dst).i32(1).op(OP.i32_add);
  return [...localDecls([[3, I32]]), ...code.bytes, OP.end];
}

/**
 * Function 6: list(hex, from, to, dst) → end: nodes from..to − 1 as `,"0x…"` each (node 0 without the comma): the
 * "tree" array of a StandardMerkleTree dump, in pieces. Locals: 4 = node, 5 = at.
 */
function listBody(): number[] {
  const [hex, from, to, dst, node, at] = [0, 1, 2, 3, 4, 5];
  const code = new Code();
  code.get(from).set(node);
  code.op(OP.block, VOID, OP.loop, VOID);
  code.get(node).get(to).op(OP.i32_ge_u, OP.br_if, 1);
  code.get(node).op(OP.if, VOID);
  code.get(dst).i32(0x2c).op(OP.i32_store8, 0, 0);
  code.get(dst).i32(1).op(OP.i32_add).set(dst);
  code.op(OP.end);
  quotedNode(code, hex, node, dst, at);
  code.get(node).i32(1).op(OP.i32_add).set(node);
  code.op(OP.br, 0, OP.end, OP.end);
  code.get(dst);
  return [...localDecls([[2, I32]]), ...code.bytes, OP.end];
}

/** Where the hex digit-pair table lives in the memory (512 bytes); the loader writes it. */
export const HEX_TABLE = 0;
/** The first byte free for callers (after the table). */
export const RESERVED_BYTES = 1024;

function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}
const vec = (items: number[][]) => [...uleb(items.length), ...items.flat()];
const name = (text: string) => [...uleb(text.length), ...Buffer.from(text, "utf8")];

/** The module's bytes; it imports `env.memory` (shared when `shared`, with `maximum` pages). */
export function keccakModuleBytes(shared: boolean, maximum: number): Uint8Array {
  const types = [
    [0x60, 1, I32, 0], // (i32) → ()
    [0x60, 4, I32, I32, I32, I32, 0], // (i32 ×4) → ()
    [0x60, 3, I32, I32, I32, 0], // (i32 ×3) → ()
    [0x60, 3, I32, I32, I32, 1, I32], // (i32 ×3) → i32
    [0x60, 4, I32, I32, I32, I32, 1, I32], // (i32 ×4) → i32
  ];
  const limits = shared ? [0x03, ...uleb(1), ...uleb(maximum)] : [0x01, ...uleb(1), ...uleb(maximum)];
  const imports = [[...name("env"), ...name("memory"), 0x02, ...limits]];
  const functions = [0, 1, 1, 2, 2, 3, 4]; // type of each function
  const exports = [
    [...name("permute"), 0x00, 0],
    [...name("leaves"), 0x00, 1],
    [...name("nodes"), 0x00, 2],
    [...name("absorb"), 0x00, 3],
    [...name("hex"), 0x00, 4],
    [...name("proof"), 0x00, 5],
    [...name("list"), 0x00, 6],
  ];
  const bodies = [permuteBody(), leavesBody(), nodesBody(), absorbBody(), hexBody(), proofBody(), listBody()].map(
    (b) => [...uleb(b.length), ...b],
  );
  return Uint8Array.from([
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00,
    ...section(1, vec(types)),
    ...section(2, vec(imports)),
    ...section(3, vec(functions.map((t) => uleb(t)))),
    ...section(7, vec(exports)),
    ...section(10, vec(bodies)),
  ]);
}

/** Writes the hex digit-pair table the module reads into a memory, at HEX_TABLE. */
export function writeHexTable(memory: WasmMemory): void {
  const table = new Uint8Array(memory.buffer, HEX_TABLE, 512);
  const digits = "0123456789abcdef";
  for (let b = 0; b < 256; b++) {
    table[2 * b] = digits.charCodeAt(b >> 4);
    table[2 * b + 1] = digits.charCodeAt(b & 15);
  }
}

const compiled = new Map<string, object>();

/** The compiled module (cached per kind). */
export function keccakModule(shared: boolean, maximum: number): object {
  const key = `${shared}:${maximum}`;
  let module = compiled.get(key);
  if (!module) compiled.set(key, (module = new WebAssembly.Module(keccakModuleBytes(shared, maximum))));
  return module;
}

/** An instance of the module on `memory`. */
export function instantiate(module: object, memory: WasmMemory): KeccakExports {
  return new WebAssembly.Instance(module, { env: { memory } }).exports as KeccakExports;
}

/** Creates a memory of `pages` 64 KiB pages (up to `maximum`). */
export function createMemory(pages: number, maximum: number, shared: boolean): WasmMemory {
  return new WebAssembly.Memory({ initial: pages, maximum, shared });
}
