/**
 * Reading the input files of `allocateEpoch`.
 *
 * votes.csv, the one input that grows with the community (and with whatever a bad export holds), is never held
 * whole: an {@link InputFile} hands it over in chunks of {@link CHUNK_BYTES} to the votes reader (csv-fast.ts,
 * vote-table.ts), while a helper thread of its own hashes each chunk (keccak256, incrementally) as the main thread
 * parses it; the copy into the artifacts' inputs/ reads it again, in chunks, and checks that it is what was read.
 *
 * The other files are read into shared memory (a SharedArrayBuffer: the same Buffer to everything else), and a
 * helper thread hashes the large ones (workers.ts) while the main thread parses them: the inputs hash and the
 * manifest's digests then wait, if at all, for digests already made. Without a second core (or
 * SOCIAL_MINING_THREADS=1) files are read as usual and hashed when needed, on the main thread.
 */
import { closeSync, fstatSync, openSync, readFileSync, readSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import { crc32 } from "node:zlib";
import { ArtifactsError } from "./errors.js";
import { keccak256, keccakDirect, provideDigest } from "./keccak.js";
import { keccakModule } from "./keccak-f.js";
import { defaultThreads, hashInBackground } from "./workers.js";

// tsconfig's lib has no DOM, where the WebAssembly types live; declare the little used here.
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
};

/** Below this, a file is hashed on the main thread: starting a helper costs more. */
const BACKGROUND_BYTES = 4 << 20;

/** The bytes of the file at `path`, in shared memory when a helper thread may hash them. */
export function readInputFile(path: string): Buffer {
  if (defaultThreads() < 2) return readFileSync(path);
  const fd = openSync(path, "r");
  try {
    const size = fstatSync(fd).size;
    if (size < BACKGROUND_BYTES) return readFileSync(fd);
    const bytes = Buffer.from(new SharedArrayBuffer(size));
    for (let done = 0; done < size;) {
      const n = readSync(fd, bytes, done, size - done, done);
      if (n === 0) return bytes.subarray(0, done); // the file shrank meanwhile
      done += n;
    }
    return bytes;
  } finally {
    closeSync(fd);
  }
}

/** Starts hashing the large ones of `files` on a helper thread; keccak256 of each then takes the helper's digest. */
export function hashInputsInBackground(files: readonly Uint8Array[]): void {
  const large = files.filter((b) => b.byteLength >= BACKGROUND_BYTES && b.buffer instanceof SharedArrayBuffer);
  if (large.length === 0) return;
  const digests = hashInBackground(large, keccakModule(true, 65536), keccakDirect);
  if (!digests) return;
  large.forEach((bytes, i) => provideDigest(bytes, () => digests()[i]!));
}

// ---------------------------------------------------------------------------------------------
// Files read in chunks
// ---------------------------------------------------------------------------------------------

/** How much of a streamed input is read at a time. */
export const CHUNK_BYTES = 4 << 20;

/** Chunks read ahead of the hasher (each in shared memory while the helper hashes it). */
const RING = 2;

/** hash-wasm's sha3 WebAssembly module, compiled once (keccak.ts drives another instance of it). */
let sha3Compiled: object | undefined;
function sha3Module(): object {
  if (sha3Compiled) return sha3Compiled;
  const require = createRequire(import.meta.url);
  const dist = readFileSync(require.resolve("hash-wasm/dist/index.umd.js"), "utf8");
  const match = /var name\$(\w+) = "sha3";\s*var data\$\1 = "([A-Za-z0-9+/=]+)"/.exec(dist);
  if (!match) throw new Error("hash-wasm: sha3 WASM module not found in dist/index.umd.js");
  return (sha3Compiled = new WebAssembly.Module(Buffer.from(match[2]!, "base64")));
}

interface Sha3Exports {
  memory: { buffer: ArrayBuffer };
  Hash_GetBuffer(): number;
  Hash_Init(bits: number): void;
  Hash_Update(length: number): void;
  Hash_Final(padding: number): void;
}

/**
 * keccak256 absorbed piece by piece on an instance of hash-wasm's sha3 module (as keccak.ts, with keccak's 0x01
 * padding). Also runs in the hash helper: no imports, no closures.
 */
function makeSponge(exports: Sha3Exports) {
  const PIECE = 16384;
  const offset = exports.Hash_GetBuffer();
  let view = new Uint8Array(exports.memory.buffer, offset, PIECE);
  const scratch = () => (view.byteLength === 0 ? (view = new Uint8Array(exports.memory.buffer, offset, PIECE)) : view);
  return {
    reset(): void {
      exports.Hash_Init(256);
    },
    update(data: Uint8Array): void {
      for (let i = 0; i < data.length; i += PIECE) {
        const piece = data.subarray(i, i + PIECE);
        scratch().set(piece);
        exports.Hash_Update(piece.length);
      }
    },
    final(): Uint8Array {
      exports.Hash_Final(0x01);
      return scratch().slice(0, 32);
    },
  };
}
type Sponge = ReturnType<typeof makeSponge>;

/** A sponge on this thread. */
function localSponge(): Sponge {
  return makeSponge(new WebAssembly.Instance(sha3Module(), {}).exports as unknown as Sha3Exports);
}

// The hash helper's control words: READY, FAILED, the sequence number of the last digest made, then a state per
// ring slot (1 while the helper has not hashed it yet).
const H_READY = 0;
const H_FAILED = 1;
const H_FINAL = 2;
const H_SLOT = 3;

/** The helper: hashes ring slots in the order they are posted; "final" writes the digest of all since "reset". */
function hashHelperSource(): string {
  return `
const { workerData, parentPort } = require("node:worker_threads");
var __name = (f) => f;
const makeSponge = (${makeSponge.toString()});
const { module, ctrl: shared, slots, digest } = workerData;
const ctrl = new Int32Array(shared);
let sponge;
try {
  sponge = makeSponge(new WebAssembly.Instance(module, {}).exports);
  sponge.reset();
  Atomics.store(ctrl, ${H_READY}, 1);
} catch (error) {
  Atomics.store(ctrl, ${H_FAILED}, 1);
}
Atomics.notify(ctrl, ${H_READY});
parentPort.on("message", (m) => {
  try {
    if (Atomics.load(ctrl, ${H_FAILED}) === 1) throw new Error("failed before");
    if (m.op === "reset") sponge.reset();
    else if (m.op === "chunk") sponge.update(new Uint8Array(slots[m.slot], 0, m.length));
    else if (m.op === "final") {
      new Uint8Array(digest).set(sponge.final());
      Atomics.store(ctrl, ${H_FINAL}, m.seq);
      Atomics.notify(ctrl, ${H_FINAL});
    }
  } catch (error) {
    Atomics.store(ctrl, ${H_FAILED}, 1);
    Atomics.notify(ctrl, ${H_FINAL});
  }
  if (m.op === "chunk") {
    Atomics.store(ctrl, ${H_SLOT} + m.slot, 0);
    Atomics.notify(ctrl, ${H_SLOT} + m.slot);
  }
});
`;
}

interface HashHelper {
  worker: Worker;
  ctrl: Int32Array;
  slots: SharedArrayBuffer[];
  digest: SharedArrayBuffer;
  seq: number;
}

let hashHelper: HashHelper | null | undefined;

/** The helper that hashes streamed inputs (started on first use, unref'd; null: none, or it failed). */
function startHashHelper(): HashHelper | null {
  if (defaultThreads() < 2) return null;
  if (hashHelper !== undefined) return hashHelper;
  try {
    const ctrl = new Int32Array(new SharedArrayBuffer(4 * (H_SLOT + RING)));
    const slots = Array.from({ length: RING }, () => new SharedArrayBuffer(CHUNK_BYTES));
    const digest = new SharedArrayBuffer(32);
    const worker = new Worker(hashHelperSource(), {
      eval: true,
      workerData: { module: sha3Module(), ctrl: ctrl.buffer, slots, digest },
      execArgv: [],
    });
    worker.unref();
    worker.on("error", () => {
      Atomics.store(ctrl, H_FAILED, 1);
    });
    return (hashHelper = { worker, ctrl, slots, digest, seq: 0 });
  } catch {
    return (hashHelper = null);
  }
}

/** Waits until `ctrl[index]` is no longer `value`, or the helper failed; false if it failed (or hung). */
function waitHelper(ctrl: Int32Array, index: number, value: number): boolean {
  const deadline = performance.now() + 60_000;
  while (Atomics.load(ctrl, index) === value) {
    if (Atomics.load(ctrl, H_FAILED) === 1 || performance.now() > deadline) return false;
    Atomics.wait(ctrl, index, value, 100);
  }
  return Atomics.load(ctrl, H_FAILED) !== 1;
}

/** Thrown when a streamed input is not the same from one reading to the next. */
export class InputChangedError extends ArtifactsError {}

/**
 * An input file read in chunks, never held whole: by the readers (each reading goes from the start to the end, or
 * stops early), by the copy into the artifacts' inputs/ and, for its keccak256, by the hash helper thread as the
 * first complete reading goes (on this thread without one). Every complete reading checks the size and CRC-32 of
 * what it read against the first one: a file that changes meanwhile is an error, never a copy that is not what
 * was hashed and parsed.
 */
export class InputFile {
  private first: { size: number; crc: number } | undefined;
  private hash: Uint8Array | undefined;

  constructor(
    readonly path: string,
    readonly chunkBytes = CHUNK_BYTES,
  ) {}

  /** The size of the file as first read completely (reading it if it has not been). */
  get size(): number {
    if (!this.first) this.read(() => true);
    return this.first!.size;
  }

  /** The file's size now, from the file system (a hint: what is read is what counts). */
  sizeOnDisk(): number {
    try {
      return statSync(this.path).size;
    } catch {
      return 0;
    }
  }

  /** keccak256 of the file's bytes, as 32 fresh bytes. */
  digest(): Uint8Array {
    if (!this.hash) this.read(() => true);
    if (!this.hash) this.read(() => true, true);
    return this.hash!.slice();
  }

  /**
   * Hands the file's bytes to `onChunk` in order, in pieces of at most `chunkBytes` (each valid until the call
   * returns). Stops early if `onChunk` returns false. `local`: hash here, not on the helper.
   */
  read(onChunk: (chunk: Buffer) => boolean | void, local = false): void {
    for (const chunk of this.chunks(local)) if (onChunk(chunk) === false) return;
  }

  /** The file's bytes in pieces, as {@link read} (for the copy into inputs/: a piece is valid until the next). */
  *chunks(local = false): Generator<Buffer> {
    const hashing = this.hash === undefined;
    const helper = hashing && !local ? startHashHelper() : null;
    const sponge = hashing && !helper ? localSponge() : undefined;
    sponge?.reset();
    let hashed = helper !== null;
    const post = (message: object) => void helper?.worker.postMessage(message);
    if (helper) post({ op: "reset" });
    const own = helper ? undefined : Buffer.allocUnsafeSlow(Math.min(this.chunkBytes, CHUNK_BYTES));
    let fd: number;
    try {
      fd = openSync(this.path, "r");
    } catch (error) {
      throw new ArtifactsError(`cannot read ${this.path}: ${(error as NodeJS.ErrnoException).code ?? error}`, {
        cause: error,
      });
    }
    let size = 0;
    let crc = 0;
    try {
      for (let k = 0; ; k++) {
        let target: Buffer;
        const slot = k % RING;
        if (helper) {
          if (hashed && !waitHelper(helper.ctrl, H_SLOT + slot, 1)) hashed = false;
          target = Buffer.from(helper.slots[slot]!, 0, Math.min(this.chunkBytes, CHUNK_BYTES));
        } else {
          target = own!;
        }
        let n = 0;
        while (n < target.length) {
          const got = readSync(fd, target, n, target.length - n, null);
          if (got === 0) break;
          n += got;
        }
        if (n === 0) break; // the end of the file
        const chunk = target.subarray(0, n);
        size += n;
        crc = crc32(chunk, crc);
        if (helper && hashed) {
          Atomics.store(helper.ctrl, H_SLOT + slot, 1);
          post({ op: "chunk", slot, length: n });
        }
        sponge?.update(chunk);
        yield chunk;
      }
    } finally {
      closeSync(fd);
    }
    // Here only when the file was read to its end: a reading stopped early (the caller's loop ended) never gets
    // here, and the helper finishes what it was given (the next reading resets it).
    if (this.first === undefined) {
      this.first = { size, crc };
    } else if (this.first.size !== size || this.first.crc !== crc) {
      throw new InputChangedError(`${this.path} changed while the pipeline was reading it: run it again`);
    }
    if (hashing && this.hash === undefined) {
      if (sponge) this.hash = sponge.final();
      else if (helper && hashed) {
        const seq = ++helper.seq;
        const before = Atomics.load(helper.ctrl, H_FINAL);
        post({ op: "final", seq });
        if (waitHelper(helper.ctrl, H_FINAL, before) && Atomics.load(helper.ctrl, H_FINAL) === seq)
          this.hash = new Uint8Array(helper.digest).slice();
      }
    }
  }
}

/** Opens `path` to be read in chunks (throws, as reading it would, if it cannot be opened). */
export function openInputFile(path: string): InputFile {
  closeSync(openSync(path, "r"));
  return new InputFile(path);
}

/** keccak256 of an input's bytes, held or streamed. */
export function inputDigest(bytes: Uint8Array | InputFile): Uint8Array {
  return bytes instanceof InputFile ? bytes.digest() : keccak256(bytes);
}

/** The size of an input, held or streamed. */
export function inputSize(bytes: Uint8Array | InputFile): number {
  return bytes instanceof InputFile ? bytes.size : bytes.length;
}
