/**
 * keccak256 on the WebAssembly build of hash-wasm, driven directly.
 *
 * hash-wasm's public API costs an ArrayBuffer per digest and is asynchronous to create. Merkle
 * trees of a million leaves need three million hashes, and the garbage of that many ArrayBuffers
 * dominated the run (docs/pipeline.md). So this module instantiates hash-wasm's own `sha3` WASM
 * module synchronously and hashes inside its memory: write the input at the buffer offset,
 * `Hash_Update(length)`, `Hash_Final(0x01)` (Keccak padding, as hash-wasm's `createKeccak`), and
 * the digest is the first 32 bytes of the same buffer. No allocation per hash.
 *
 * The WASM bytes are read from hash-wasm's distribution (the pinned version is in package.json);
 * tests check the result against known keccak256 vectors and OpenZeppelin's implementation.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

// tsconfig's lib has no DOM, where the WebAssembly types live; declare the little used here.
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
};

interface Sha3Exports {
  memory: { buffer: ArrayBuffer };
  Hash_GetBuffer(): number;
  Hash_Init(bits: number): void;
  Hash_Update(length: number): void;
  Hash_Final(padding: number): void;
}

/** hash-wasm's WASM buffer: inputs larger than this are fed in chunks. */
const MAX_CHUNK = 16 * 1024;

function loadSha3(): Sha3Exports {
  const require = createRequire(import.meta.url);
  const dist = readFileSync(require.resolve("hash-wasm/dist/index.umd.js"), "utf8");
  const match = /var name\$(\w+) = "sha3";\s*var data\$\1 = "([A-Za-z0-9+/=]+)"/.exec(dist);
  if (!match)
    throw new Error("hash-wasm: sha3 WASM module not found in dist/index.umd.js (unsupported hash-wasm version)");
  const module = new WebAssembly.Module(Buffer.from(match[2]!, "base64"));
  return new WebAssembly.Instance(module, {}).exports as unknown as Sha3Exports;
}

const wasm = loadSha3();
const offset = wasm.Hash_GetBuffer();
let view = new Uint8Array(wasm.memory.buffer, offset, MAX_CHUNK);
let words = new Uint32Array(wasm.memory.buffer, offset, MAX_CHUNK / 4);

/** The hasher's input/output buffer (16 KiB). Write an input here, then call {@link keccakScratchHash}. */
export function keccakScratch(): Uint8Array {
  if (view.byteLength === 0) view = new Uint8Array(wasm.memory.buffer, offset, MAX_CHUNK); // memory grew
  return view;
}

/**
 * The scratch buffer as 32-bit words (hash-wasm's buffer is 8-byte aligned), so that a tree builder
 * moves a 32-byte hash as 8 words instead of 32 bytes.
 */
export function keccakScratchWords(): Uint32Array {
  if (words.byteLength === 0) words = new Uint32Array(wasm.memory.buffer, offset, MAX_CHUNK / 4); // memory grew
  return words;
}

/** keccak256 of the first `length` bytes of the scratch buffer; the digest replaces its first 32 bytes. */
export function keccakScratchHash(length: number): void {
  wasm.Hash_Init(256);
  wasm.Hash_Update(length);
  wasm.Hash_Final(0x01);
}

/**
 * Digests being computed elsewhere (a helper thread hashing the input files while the main thread reads them:
 * input-files.ts), by the exact byte array they are of. Only arrays the pipeline read itself are registered,
 * and they are never written afterwards.
 */
const provided = new WeakMap<Uint8Array, () => Uint8Array>();

/** Registers where the digest of `data` comes from (`digest` may wait for a helper thread). */
export function provideDigest(data: Uint8Array, digest: () => Uint8Array): void {
  provided.set(data, digest);
}

/** keccak256 of `data`, as 32 fresh bytes. */
export function keccak256(data: Uint8Array): Uint8Array {
  const known = provided.get(data);
  if (known) return known().slice();
  return keccakDirect(data);
}

/** keccak256 of `data` on this thread, ignoring {@link provideDigest}. */
export function keccakDirect(data: Uint8Array): Uint8Array {
  wasm.Hash_Init(256);
  for (let read = 0; read < data.length; read += MAX_CHUNK) {
    const chunk = data.subarray(read, read + MAX_CHUNK);
    keccakScratch().set(chunk);
    wasm.Hash_Update(chunk.length);
  }
  wasm.Hash_Final(0x01);
  return keccakScratch().slice(0, 32);
}

/** keccak256 of `data` (UTF-8 for strings) as 0x-prefixed lowercase hex. */
export function keccak256Hex(data: Uint8Array | string): string {
  const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
  return "0x" + Buffer.from(keccak256(bytes)).toString("hex");
}
