/**
 * A second thread for the tree's loops (docs/pipeline.md): the library is synchronous, so the helper is a
 * worker_threads Worker that waits on a SharedArrayBuffer, not on messages. A parallel loop is a job of chunks over
 * the tree's shared WebAssembly memory (keccak-f.ts): the main thread posts it, both threads take chunks from one
 * atomic counter until none is left, and the main thread waits (Atomics.wait) until the helper has finished its
 * last chunk. Both threads run the same function ({@link runChunks}) on the same memory, so that a parallel build
 * is the single-threaded one, chunk by chunk, in another order.
 *
 * The helper is started on first use, at most one (the project's machine has two cores), and unref'd: it never
 * keeps a process alive. `SOCIAL_MINING_THREADS=1` turns it off.
 */
import { availableParallelism } from "node:os";
import { MessageChannel, Worker, type MessagePort } from "node:worker_threads";
import type { KeccakExports, WasmMemory } from "./keccak-f.js";

/** What a job does with each chunk [from, to) of its range. */
export const JobKind = {
  /** keccak256(keccak256(block)) of the 128-byte blocks at src + 128k, to dst + 32k. */
  Leaves: 0,
  /** The inner nodes from..to − 1 of the tree at src (children at 2i + 1, 2i + 2). */
  Nodes: 1,
  /** The 32-byte nodes at src + 32k as 66 bytes of "0x…" text at dst + 66k. */
  Hex: 2,
} as const;

export interface Job {
  kind: (typeof JobKind)[keyof typeof JobKind];
  memory: WasmMemory;
  src: number;
  dst: number;
  from: number;
  to: number;
  chunk: number;
  /** The keccak state (200 bytes) of each thread: [main, helper]. */
  states: [number, number];
  /** Set by the pool: the job's sequence number. */
  seq?: number;
}

// Control words (Int32Array over a SharedArrayBuffer).
const SEQ = 0; // the sequence number of the newest job, stored by the main thread once it is posted
const NEXT = 1; // the next chunk to take
const CLAIM = 2; // seq: posted and free; −seq: taken by the helper; 0: cancelled (or none)
const DONE = 3; // the sequence number of the last job the helper finished
const FAILED = 4; // 1 if the helper's part threw
const READY = 5; // 1 once the helper runs
const HELPED = 6; // chunks the helper has run, in all
/** The job kind of a background hash (not a parallel loop). */
const HASH = 3;

/**
 * Takes chunks of `job` from the shared counter until none is left and runs them. This function's source also
 * runs in the helper (it uses nothing but its arguments): keep it free of imports and closures.
 */
export function runChunks(exports: KeccakExports, ctrl: Int32Array, job: Job, state: number): number {
  const chunks = Math.ceil((job.to - job.from) / job.chunk);
  for (let done = 0; ; done++) {
    const c = Atomics.add(ctrl, 1, 1);
    if (c >= chunks) return done;
    const from = job.from + c * job.chunk;
    const to = Math.min(job.to, from + job.chunk);
    if (job.kind === 0) exports.leaves(state, job.src + 128 * from, job.dst + 32 * from, to - from);
    else if (job.kind === 1) exports.nodes(state, job.src, from, to);
    else exports.hex(job.src + 32 * from, job.dst + 66 * from, to - from);
  }
}

/**
 * keccak256 of `data` (any Uint8Array, a SharedArrayBuffer's for the helper) with the module's `absorb`, through a
 * buffer of `bufferBytes` at `buffer` in `memory`; the state (200 bytes) at `state`. Also runs in the helper: no
 * imports, no closures.
 */
export function keccakOf(
  exports: KeccakExports,
  memory: WasmMemory,
  data: Uint8Array,
  state: number,
  buffer: number,
  bufferBytes: number,
): Uint8Array {
  const bytes = new Uint8Array(memory.buffer);
  bytes.fill(0, state, state + 200);
  const full = Math.floor(data.length / 136);
  const perChunk = Math.floor(bufferBytes / 136);
  for (let b = 0; b < full; b += perChunk) {
    const take = Math.min(full - b, perChunk);
    bytes.set(data.subarray(b * 136, (b + take) * 136), buffer);
    exports.absorb(state, buffer, take);
  }
  // The last block, padded: 0x01 after the data, 0x80 in its last byte (keccak, not SHA-3).
  const rest = data.length - full * 136;
  bytes.fill(0, buffer, buffer + 136);
  bytes.set(data.subarray(full * 136), buffer);
  bytes[buffer + rest]! ^= 0x01;
  bytes[buffer + 135]! ^= 0x80;
  exports.absorb(state, buffer, 1);
  return bytes.slice(state, state + 32);
}

/** The helper's program: wait for a job, take the newest message, run its chunks (or hash), say done. */
function helperSource(): string {
  return `
const { workerData, receiveMessageOnPort } = require("node:worker_threads");
var __name = (f) => f;
const runChunks = (${runChunks.toString()});
const keccakOf = (${keccakOf.toString()});
let hasher;
const { ctrl: shared, port, module } = workerData;
const ctrl = new Int32Array(shared);
Atomics.store(ctrl, ${READY}, 1);
Atomics.notify(ctrl, ${READY});
let seen = 0;
for (;;) {
  Atomics.wait(ctrl, ${SEQ}, seen);
  seen = Atomics.load(ctrl, ${SEQ});
  let job;
  const hashes = [];
  for (let m = receiveMessageOnPort(port); m; m = receiveMessageOnPort(port)) {
    if (m.message.kind === ${HASH}) hashes.push(m.message);
    else job = m.message;
  }
  // Only the newest loop, and only if the main thread has not finished it alone meanwhile.
  if (job && job.seq === seen && Atomics.compareExchange(ctrl, ${CLAIM}, seen, -seen) === seen) {
    try {
      const exports = new WebAssembly.Instance(module, { env: { memory: job.memory } }).exports;
      Atomics.add(ctrl, ${HELPED}, runChunks(exports, ctrl, job, job.states[1]));
    } catch (error) {
      Atomics.store(ctrl, ${FAILED}, 1);
    }
    Atomics.store(ctrl, ${DONE}, seen);
    Atomics.notify(ctrl, ${DONE});
  }
  // Every hash job the main thread has not taken back: [0] 0 posted, 1 taken, 2 taken back; [1] 1 done, 2 failed.
  for (const hash of hashes) {
    const state = new Int32Array(hash.state);
    if (Atomics.compareExchange(state, 0, 0, 1) !== 0) continue;
    try {
      if (!hasher) {
        const memory = new WebAssembly.Memory({ initial: 18, maximum: 18, shared: true });
        hasher = { memory, exports: new WebAssembly.Instance(module, { env: { memory } }).exports };
      }
      const results = new Uint8Array(hash.results);
      hash.items.forEach((item, i) => {
        const data = new Uint8Array(item.buffer, item.offset, item.length);
        results.set(keccakOf(hasher.exports, hasher.memory, data, 1024, 4096, 136 * 7680), 32 * i);
      });
      Atomics.store(state, 1, 1);
    } catch (error) {
      Atomics.store(state, 1, 2);
    }
    Atomics.notify(state, 1);
  }
}
`;
}

interface Helper {
  worker: Worker;
  port: MessagePort;
  ctrl: Int32Array;
  module: object;
}

/** The tree's helper, and the one that hashes inputs in the background (started on first use; null: failed). */
const helpers: { tree?: Helper | null; hash?: Helper | null } = {};

/** How many threads the tree may use: 2 where there are two cores or more, unless SOCIAL_MINING_THREADS says. */
export function defaultThreads(): number {
  const wanted = Number(process.env.SOCIAL_MINING_THREADS ?? "");
  if (Number.isInteger(wanted) && wanted >= 1) return Math.min(wanted, 2);
  return availableParallelism() >= 2 ? 2 : 1;
}

function startHelper(module: object): Helper | null {
  try {
    const ctrl = new Int32Array(new SharedArrayBuffer(64));
    const { port1, port2 } = new MessageChannel();
    const worker = new Worker(helperSource(), {
      eval: true,
      workerData: { ctrl: ctrl.buffer, port: port2, module },
      transferList: [port2],
      // Whatever loader the main thread runs under (tsx), the helper is plain JavaScript.
      execArgv: [],
    });
    worker.unref();
    port1.unref();
    // A helper that fails leaves the work to the main thread.
    worker.on("error", () => {
      if (helpers.tree?.worker === worker) helpers.tree = null;
      if (helpers.hash?.worker === worker) helpers.hash = null;
    });
    return { worker, port: port1, ctrl, module };
  } catch {
    return null;
  }
}

/**
 * Starts the tree's helper thread if need be and waits (up to `timeoutMs`) until it runs; returns whether it does.
 * For tests and benchmarks: the pipeline never waits for it.
 */
export function startTreeHelper(module: object, timeoutMs = 10_000): boolean {
  if (helpers.tree === undefined) helpers.tree = startHelper(module);
  const h = helpers.tree;
  if (!h) return false;
  Atomics.wait(h.ctrl, READY, 0, timeoutMs);
  return Atomics.load(h.ctrl, READY) === 1;
}

/** How many chunks the tree's helper has run so far (0 if it never started). */
export function helperChunks(): number {
  return helpers.tree ? Atomics.load(helpers.tree.ctrl, HELPED) : 0;
}

/**
 * Runs `job` on `threads` threads (1: the main thread alone) with `exports` (an instance on job.memory) and
 * returns when every chunk is done. `module` is the compiled module, for the helper's own instance.
 */
export function runJob(job: Job, exports: KeccakExports, module: object, threads: number): void {
  if (threads > 1 && helpers.tree === undefined) helpers.tree = startHelper(module);
  const helper = helpers.tree;
  const h = threads > 1 && helper && helper.module === module ? helper : undefined;
  if (!h) {
    const ctrl = new Int32Array(2);
    runChunks(exports, ctrl, job, job.states[0]);
    return;
  }
  const ctrl = h.ctrl;
  Atomics.store(ctrl, NEXT, 0);
  Atomics.store(ctrl, FAILED, 0);
  const seq = Atomics.load(ctrl, SEQ) + 1;
  h.port.postMessage({ ...job, seq });
  Atomics.store(ctrl, CLAIM, seq);
  Atomics.store(ctrl, SEQ, seq);
  Atomics.notify(ctrl, SEQ);
  runChunks(exports, ctrl, job, job.states[0]);
  // If the helper has not taken the job yet (it may still be starting), it is not waited for.
  if (Atomics.compareExchange(ctrl, CLAIM, seq, 0) === seq) return;
  waitDone(ctrl, seq);
  if (Atomics.load(ctrl, FAILED) === 1) {
    // The helper's chunks may be unfinished: do the whole job again here (the result is the same).
    Atomics.store(ctrl, NEXT, 0);
    runChunks(exports, ctrl, job, job.states[0]);
    helpers.tree = null;
  }
}

function waitDone(ctrl: Int32Array, seq: number): void {
  for (let done = Atomics.load(ctrl, DONE); done < seq; done = Atomics.load(ctrl, DONE)) Atomics.wait(ctrl, DONE, done);
}

/**
 * Starts hashing `items` (keccak256 of each; their bytes must be over SharedArrayBuffers) on a helper thread and
 * returns a function that gives the digests, waiting for them if need be — or computing them here, with
 * `fallback`, if the helper has not started the job (or failed). Undefined when there is no helper to use.
 */
export function hashInBackground(
  items: readonly Uint8Array[],
  module: object,
  fallback: (data: Uint8Array) => Uint8Array,
): (() => Uint8Array[]) | undefined {
  if (defaultThreads() < 2 || items.some((b) => !(b.buffer instanceof SharedArrayBuffer))) return undefined;
  if (helpers.hash === undefined) helpers.hash = startHelper(module);
  const h = helpers.hash;
  if (!h) return undefined;
  const ctrl = h.ctrl;
  const results = new SharedArrayBuffer(32 * items.length);
  const state = new Int32Array(new SharedArrayBuffer(8));
  h.port.postMessage({
    kind: HASH,
    state: state.buffer,
    items: items.map((b) => ({ buffer: b.buffer, offset: b.byteOffset, length: b.byteLength })),
    results,
  });
  Atomics.add(ctrl, SEQ, 1);
  Atomics.notify(ctrl, SEQ);
  let digests: Uint8Array[] | undefined;
  return () => {
    if (digests) return digests;
    // Not taken yet (the helper may still be starting): taken back, and hashed here.
    if (Atomics.compareExchange(state, 0, 0, 2) !== 0) {
      while (Atomics.load(state, 1) === 0) Atomics.wait(state, 1, 0);
      if (Atomics.load(state, 1) === 1) {
        const all = new Uint8Array(results);
        return (digests = items.map((_, i) => all.slice(32 * i, 32 * i + 32)));
      }
    }
    return (digests = items.map(fallback));
  };
}
