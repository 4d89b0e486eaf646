/**
 * `rules.signatures: "required"` (docs/rules.md §1): the members' EIP-712 signatures of their work reports and
 * ballots, checked fast enough for a million votes.
 *
 * The typed data is protocol/typed-data.ts's, untouched: the type hashes are derived once from its types with
 * ethers' encoder, and the domain separator from its domain. What is done by hand is the hashing of each message
 * (keccak.ts, no allocation per hash), because ethers' `TypedDataEncoder` costs more than the signature itself at
 * this scale, and the recovery of the signers, which uses the native `secp256k1` (libsecp256k1) on every core
 * (SOCIAL_MINING_THREADS=1: this thread only). test/pipeline/signatures.test.ts checks the digests and signers
 * against the protocol's own functions.
 *
 * The votes of one ballot are the rows of votes.csv that share their voter and signature; they are rebuilt into the
 * ballot (sorted by work id, as signed) and its signer recovered once.
 */
import { createRequire } from "node:module";
import { availableParallelism } from "node:os";
import { MessageChannel, Worker, type MessagePort } from "node:worker_threads";
import { getAddress, getBytes, TypedDataEncoder } from "ethers";
import {
  BALLOT_TYPES,
  isoSeconds,
  povLinks,
  signatureProblem,
  typedDataDomain,
  WORK_REPORT_TYPES,
  type Ballot,
  type TypedDataDomain,
  type WorkReport,
} from "../../protocol/typed-data.js";
import { REJECTION_CODES, type RejectionCode } from "./excluded.js";
import type { Work } from "./inputs.js";
import { keccakDirect, keccakScratch, keccakScratchHash } from "./keccak.js";
import { createMemory, instantiate, keccakModule, type KeccakExports } from "./keccak-f.js";
import type { VoteTable } from "./vote-table.js";

const require = createRequire(import.meta.url);
const SECP256K1_PATH = require.resolve("secp256k1");
const secp256k1 = require(SECP256K1_PATH) as typeof import("secp256k1");

const utf8 = (text: string) => Buffer.from(text, "utf8");

/** The type hashes, from the protocol's types. */
const ballotEncoder = TypedDataEncoder.from(BALLOT_TYPES);
const BALLOT_TYPEHASH = keccakDirect(utf8(ballotEncoder.encodeType("Ballot")));
const VOTE_TYPEHASH = keccakDirect(utf8(ballotEncoder.encodeType("Vote")));
const WORK_REPORT_TYPEHASH = keccakDirect(
  utf8(TypedDataEncoder.from(WORK_REPORT_TYPES).encodeType(TypedDataEncoder.getPrimaryType(WORK_REPORT_TYPES))),
);

const UINT64_MAX = (1n << 64n) - 1n;
const TWO_32 = 2 ** 32;

// ---------------------------------------------------------------------------------------------
// Hashing
// ---------------------------------------------------------------------------------------------

/** keccak256 of the first `length` bytes of keccak.ts's scratch buffer, copied to `out` at `at`. */
function hashScratch(length: number, out: Uint8Array, at: number): void {
  keccakScratchHash(length);
  out.set(keccakScratch().subarray(0, 32), at);
}

/** keccak256 of `data` to `out` at `at`. */
function hashBytes(data: Uint8Array, out: Uint8Array, at: number): void {
  if (data.length <= keccakScratch().length) {
    keccakScratch().set(data);
    hashScratch(data.length, out, at);
  } else {
    out.set(keccakDirect(data), at);
  }
}

/** A uint64 as a 32-byte word at `at` (a safe integer, or a bigint), big-endian. */
function putWord(buf: Uint8Array, at: number, value: number | bigint): void {
  buf.fill(0, at, at + 32);
  if (typeof value === "number") {
    const hi = Math.floor(value / TWO_32);
    const lo = value >>> 0;
    buf[at + 24] = hi >>> 24;
    buf[at + 25] = (hi >>> 16) & 0xff;
    buf[at + 26] = (hi >>> 8) & 0xff;
    buf[at + 27] = hi & 0xff;
    buf[at + 28] = lo >>> 24;
    buf[at + 29] = (lo >>> 16) & 0xff;
    buf[at + 30] = (lo >>> 8) & 0xff;
    buf[at + 31] = lo & 0xff;
  } else {
    for (let k = 31; k >= 24; k--, value >>= 8n) buf[k + at] = Number(value & 0xffn);
  }
}

/** Whether `value` fits the uint64 the typed data signs. */
function isUint64(value: number | bigint): boolean {
  return typeof value === "number" ? Number.isSafeInteger(value) && value >= 0 : value >= 0n && value <= UINT64_MAX;
}

/** The EIP-712 domain separator of a pool on a chain. */
export function domainSeparator(chainId: bigint | number, pool: string): Uint8Array {
  return getBytes(TypedDataEncoder.hashDomain(typedDataDomain(chainId, pool)));
}

/** keccak256(VOTE_TYPEHASH ‖ workIdHash ‖ points) to `out` at `at`: the struct hash of one vote. */
export function voteStructHash(workIdHash: Uint8Array, points: number | bigint, out: Uint8Array, at: number): void {
  const s = keccakScratch();
  s.set(VOTE_TYPEHASH, 0);
  s.set(workIdHash, 32);
  putWord(s, 64, points);
  hashScratch(96, out, at);
}

/**
 * The digest of a ballot from its parts, to `out` at `at`: `voter` the 20 address bytes, `voteHashes` the struct
 * hashes of its votes in the signed order, 32 bytes each.
 */
export function ballotDigestOf(
  separator: Uint8Array,
  voter: Uint8Array,
  epoch: number,
  castAt: number | bigint,
  voteHashes: Uint8Array,
  out: Uint8Array,
  at: number,
): void {
  const s = keccakScratch();
  hashBytes(voteHashes, s, 128);
  s.set(BALLOT_TYPEHASH, 0);
  s.fill(0, 32, 44);
  s.set(voter, 44);
  putWord(s, 64, epoch);
  putWord(s, 96, castAt);
  hashScratch(160, s, 34);
  s[0] = 0x19;
  s[1] = 0x01;
  s.set(separator, 2);
  hashScratch(66, out, at);
}

/** The digest of a work report (its texts hashed here, as UTF-8). */
export function workReportDigestOf(separator: Uint8Array, report: WorkReport): Uint8Array {
  const words = new Uint8Array(32 * 8);
  words.set(WORK_REPORT_TYPEHASH, 0);
  putWord(words, 32, report.epoch);
  hashBytes(utf8(report.workId), words, 64);
  hashBytes(utf8(report.contributor), words, 96);
  hashBytes(utf8(report.category), words, 128);
  hashBytes(utf8(report.title), words, 160);
  const links = new Uint8Array(32 * report.pov.length);
  report.pov.forEach((link, k) => hashBytes(utf8(link), links, 32 * k));
  hashBytes(links, words, 192);
  putWord(words, 224, report.submittedAt);
  const digest = new Uint8Array(66);
  digest[0] = 0x19;
  digest[1] = 0x01;
  digest.set(separator, 2);
  hashBytes(words, digest, 34);
  hashBytes(digest, digest, 0);
  return digest.slice(0, 32);
}

const hex = (bytes: Uint8Array) => "0x" + Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex");

/** The digest of a ballot (votes in the signed order), as protocol's `ballotDigest` computes it. */
export function fastBallotDigest(domain: TypedDataDomain, ballot: Ballot): string {
  const separator = domainSeparator(domain.chainId, domain.verifyingContract);
  const hashes = new Uint8Array(32 * ballot.votes.length);
  const idHash = new Uint8Array(32);
  ballot.votes.forEach((vote, k) => {
    if (typeof vote.workId !== "string") throw new TypeError(`vote ${k}: workId is not a string`);
    hashBytes(utf8(vote.workId), idHash, 0);
    voteStructHash(idHash, uint64("points", vote.points), hashes, 32 * k);
  });
  const out = new Uint8Array(32);
  const voter = getBytes(getAddress(ballot.voter));
  ballotDigestOf(separator, voter, safeUint("epoch", ballot.epoch), uint64("castAt", ballot.castAt), hashes, out, 0);
  return hex(out);
}

/** A uint64 field that this encoder takes as a JavaScript number (an epoch, a time): at most 2^53 − 1. */
function safeUint(field: string, value: unknown): number {
  const n = uint64(field, value);
  if (n > BigInt(Number.MAX_SAFE_INTEGER)) throw new TypeError(`${field} is beyond 2^53 − 1: ${n}`);
  return Number(n);
}

/** A uint64 field of a message given by a caller (a safe integer, a bigint or a decimal string), or a TypeError. */
function uint64(field: string, value: unknown): bigint {
  let n: bigint | undefined;
  if (typeof value === "bigint") n = value;
  else if (typeof value === "number" && Number.isSafeInteger(value)) n = BigInt(value);
  else if (typeof value === "string" && /^(0|[1-9][0-9]*)$/.test(value)) n = BigInt(value);
  if (n === undefined || !isUint64(n)) throw new TypeError(`${field} is not a uint64: ${String(value)}`);
  return n;
}

/** The digest of a report, as protocol's `workReportDigest` computes it. */
export function fastWorkReportDigest(domain: TypedDataDomain, report: WorkReport): string {
  for (const field of ["workId", "contributor", "category", "title"] as const) {
    if (typeof report[field] !== "string") throw new TypeError(`${field} is not a string`);
  }
  if (!Array.isArray(report.pov) || report.pov.some((link) => typeof link !== "string")) {
    throw new TypeError("pov is not an array of strings");
  }
  const checked = {
    ...report,
    epoch: safeUint("epoch", report.epoch),
    submittedAt: safeUint("submittedAt", report.submittedAt),
  };
  return hex(workReportDigestOf(domainSeparator(domain.chainId, domain.verifyingContract), checked));
}

// ---------------------------------------------------------------------------------------------
// Recovery
// ---------------------------------------------------------------------------------------------

/** Bytes of one recovery's input: the digest (32), r ‖ s (64), the recovery id (1). */
const IN = 97;
/** Bytes of one recovery's output: 0 not done, 1 recovered, 2 nothing recovered; then the signer's address (20). */
const OUT = 21;
/** Where the keccak state (200 bytes) and the block (136) are in a recovering thread's keccak memory. */
const STATE = 1024;
const BLOCK = STATE + 200;

interface RecoveryKeccak {
  exports: KeccakExports;
  bytes: Uint8Array;
}

/**
 * Recovers the signers of items from..to − 1: each one's address (keccak256 of the public key, last 20 bytes) to
 * `output`; an item whose output status is already set (3: nothing to recover) is left alone. This function's
 * source also runs in the helper threads: keep it free of imports and closures.
 */
export function recoverRange(
  secp: { ecdsaRecover(sig: Uint8Array, recid: number, msg: Uint8Array, compressed: boolean, out: Uint8Array): void },
  keccak: RecoveryKeccak,
  input: Uint8Array,
  output: Uint8Array,
  from: number,
  to: number,
): void {
  const sig = new Uint8Array(64);
  const msg = new Uint8Array(32);
  const pub = new Uint8Array(65);
  const bytes = keccak.bytes;
  for (let k = from; k < to; k++) {
    const at = k * 97;
    const o = k * 21;
    if (output[o] !== 0) continue;
    msg.set(input.subarray(at, at + 32));
    sig.set(input.subarray(at + 32, at + 96));
    try {
      secp.ecdsaRecover(sig, input[at + 96]!, msg, false, pub);
    } catch {
      output[o] = 2;
      continue;
    }
    // keccak256 of the 64 bytes after the 0x04 prefix: one block, padded (0x01 … 0x80).
    bytes.fill(0, 1024, 1024 + 200 + 136);
    bytes.set(pub.subarray(1), 1224);
    bytes[1224 + 64] = 0x01;
    bytes[1224 + 135] = 0x80;
    keccak.exports.absorb(1024, 1224, 1);
    output.set(bytes.subarray(1024 + 12, 1024 + 32), o + 1);
    output[o] = 1;
  }
}

/**
 * Takes chunks of `chunk` items from the shared counter (ctrl[0]) until none is left, each once the main thread has
 * written its items (ctrl[2]: how many are written). Also runs in the helpers.
 */
export function runRecovery(
  secp: Parameters<typeof recoverRange>[0],
  keccak: RecoveryKeccak,
  ctrl: Int32Array,
  input: Uint8Array,
  output: Uint8Array,
  count: number,
  chunk: number,
): number {
  let done = 0;
  for (;;) {
    const from = Atomics.add(ctrl, 0, 1) * chunk;
    if (from >= count) return done;
    const to = Math.min(count, from + chunk);
    for (let ready = Atomics.load(ctrl, 2); ready < to; ready = Atomics.load(ctrl, 2)) Atomics.wait(ctrl, 2, ready, 50);
    recoverRange(secp, keccak, input, output, from, to);
    done += to - from;
  }
}

/** A helper's program: wait to be woken, run every job posted that is still open, leave it, wait again. */
function helperSource(): string {
  return `
const { workerData, receiveMessageOnPort } = require("node:worker_threads");
var __name = (f) => f;
const recoverRange = (${recoverRange.toString()});
const runRecovery = (${runRecovery.toString()});
const { wake: wakeBuffer, port, module, secpPath } = workerData;
const secp = require(secpPath);
const memory = new WebAssembly.Memory({ initial: 1, maximum: 1 });
const keccak = {
  exports: new WebAssembly.Instance(module, { env: { memory } }).exports,
  bytes: new Uint8Array(memory.buffer),
};
const wake = new Int32Array(wakeBuffer);
let seen = 0;
for (;;) {
  Atomics.wait(wake, 0, seen);
  seen = Atomics.load(wake, 0);
  for (let m = receiveMessageOnPort(port); m; m = receiveMessageOnPort(port)) {
    const job = m.message;
    const ctrl = new Int32Array(job.ctrl);
    // ctrl[1]: the helpers at work on the job, or −1 once the main thread has closed it.
    let joined = false;
    for (;;) {
      const s = Atomics.load(ctrl, 1);
      if (s < 0) break;
      if (Atomics.compareExchange(ctrl, 1, s, s + 1) === s) { joined = true; break; }
    }
    if (!joined) continue;
    try {
      runRecovery(secp, keccak, ctrl, new Uint8Array(job.input), new Uint8Array(job.output), job.count, job.chunk);
    } catch (error) {
      // the main thread recovers whatever is left undone
    }
    Atomics.sub(ctrl, 1, 1);
    Atomics.notify(ctrl, 1);
  }
}
`;
}

interface Helper {
  worker: Worker;
  port: MessagePort;
  wake: Int32Array;
}

/** The recovery helpers, started on first use and unref'd (they never keep a process alive). */
let helpers: Helper[] = [];

/** Items below which the helpers are not used. */
const PARALLEL_MIN = 512;
/** Items a thread takes at a time. */
const CHUNK = 128;

/** Threads that recover signatures: every core (up to 16), or SOCIAL_MINING_THREADS. */
export function signatureThreads(): number {
  const wanted = Number(process.env.SOCIAL_MINING_THREADS ?? "");
  if (Number.isInteger(wanted) && wanted >= 1) return Math.min(wanted, 16);
  return Math.min(availableParallelism(), 16);
}

function startHelper(): Helper | undefined {
  try {
    const wake = new Int32Array(new SharedArrayBuffer(4));
    const { port1, port2 } = new MessageChannel();
    const worker = new Worker(helperSource(), {
      eval: true,
      workerData: { wake: wake.buffer, port: port2, module: keccakModule(false, 1), secpPath: SECP256K1_PATH },
      transferList: [port2],
      execArgv: [],
    });
    worker.unref();
    port1.unref();
    const helper = { worker, port: port1, wake };
    worker.on("error", () => (helpers = helpers.filter((h) => h !== helper)));
    return helper;
  } catch {
    return undefined;
  }
}

let mainKeccak: RecoveryKeccak | undefined;

/** How the last {@link checkSignatures} went, for benchmarks: its steps' wall times (ms) and the threads' shares. */
export const signatureStats = {
  steps: [] as [step: string, ms: number][],
  recoveries: 0,
  threads: 1,
  recoveredByHelpers: 0,
};

/**
 * Starts recovering the `count` items of `input` to `output` on the helper threads, as the caller writes them: it
 * calls `written(n)` once items 0..n − 1 are written (or marked 3 in `output`: nothing to recover), and
 * `finish()` when all are, which recovers the rest on this thread too and returns once every item is done.
 */
function startRecovery(
  input: Uint8Array,
  output: Uint8Array,
  count: number,
): { written(n: number): void; finish(): void; abort(): void } {
  mainKeccak ??= (() => {
    const memory = createMemory(1, 1, false);
    return { exports: instantiate(keccakModule(false, 1), memory), bytes: new Uint8Array(memory.buffer) };
  })();
  const threads = count >= PARALLEL_MIN ? signatureThreads() : 1;
  while (helpers.length < threads - 1) {
    const helper = startHelper();
    if (!helper) break;
    helpers.push(helper);
  }
  // ctrl: [0] the next chunk, [1] helpers at work (−1: closed), [2] items written.
  const ctrl = new Int32Array(new SharedArrayBuffer(12));
  const job = { ctrl: ctrl.buffer, input: input.buffer, output: output.buffer, count, chunk: CHUNK };
  const used = helpers.slice(0, threads - 1);
  for (const h of used) {
    h.port.postMessage(job);
    Atomics.add(h.wake, 0, 1);
    Atomics.notify(h.wake, 0);
  }
  const keccak = mainKeccak;
  return {
    written(n: number) {
      if (used.length === 0) return;
      Atomics.store(ctrl, 2, n);
      Atomics.notify(ctrl, 2);
    },
    abort() {
      // No chunk left to take, and none waited for: the helpers leave the job.
      Atomics.store(ctrl, 0, 0x3fffffff);
      Atomics.store(ctrl, 2, count);
      Atomics.notify(ctrl, 2);
    },
    finish() {
      Atomics.store(ctrl, 2, count);
      Atomics.notify(ctrl, 2);
      const here = runRecovery(secp256k1, keccak, ctrl, input, output, count, CHUNK);
      signatureStats.threads = used.length + 1;
      signatureStats.recoveredByHelpers = count - here;
      // Close the job: no helper joins it any more; wait for those at work to finish their chunk.
      for (;;) {
        const s = Atomics.load(ctrl, 1);
        if (s === 0 && Atomics.compareExchange(ctrl, 1, 0, -1) === 0) break;
        Atomics.wait(ctrl, 1, s, 100);
      }
      // A helper that failed left its chunk undone: recovered here.
      for (let k = 0; k < count; k++) {
        if (output[k * OUT] === 0) recoverRange(secp256k1, keccak, input, output, k, k + 1);
      }
    },
  };
}

/** Recovers every item of `input` (`count` of them, all written) to `output`. */
function recoverAll(input: Uint8Array, output: Uint8Array, count: number): void {
  startRecovery(input, output, count).finish();
}

/** Writes a well-formed signature's r ‖ s and recovery id into a recovery input at item k. */
function putSignature(input: Buffer, k: number, signature: string): void {
  input.write(signature.slice(2, 130), k * IN + 32, 64, "hex");
  input[k * IN + 96] = parseInt(signature.slice(130, 132), 16) - 27;
}

/** A recovery input and output over shared memory, for `count` items. */
function recoveryBuffers(count: number): { input: Buffer; output: Uint8Array } {
  return {
    input: Buffer.from(new SharedArrayBuffer(Math.max(1, count * IN))),
    output: new Uint8Array(new SharedArrayBuffer(Math.max(1, count * OUT))),
  };
}

/** The lowercase address that signed `digest` (32 bytes) with a well-formed `signature`, or undefined. */
export function recoverDigestSigner(digest: Uint8Array, signature: string): string | undefined {
  if (signatureProblem(signature)) return undefined;
  const { input, output } = recoveryBuffers(1);
  input.set(digest, 0);
  putSignature(input, 0, signature);
  recoverAll(input, output, 1);
  return output[0] === 1 ? hex(output.subarray(1, 21)) : undefined;
}

/** The signer of a ballot, as protocol's `recoverBallotSigner` gives it (lowercase), by the fast path. */
export function fastRecoverBallotSigner(
  domain: TypedDataDomain,
  ballot: Ballot,
  signature: string,
): string | undefined {
  if (signatureProblem(signature)) return undefined;
  return recoverDigestSigner(getBytes(fastBallotDigest(domain, ballot)), signature);
}

/** The signer of a report, as protocol's `recoverWorkReportSigner` gives it (lowercase), by the fast path. */
export function fastRecoverWorkReportSigner(
  domain: TypedDataDomain,
  report: WorkReport,
  signature: string,
): string | undefined {
  if (signatureProblem(signature)) return undefined;
  return recoverDigestSigner(getBytes(fastWorkReportDigest(domain, report)), signature);
}

// ---------------------------------------------------------------------------------------------
// The epoch's checks
// ---------------------------------------------------------------------------------------------

export interface SignatureCheckInput {
  epoch: number;
  chainId: number;
  /** The pool (epoch.json's `distributor`): the domain's verifyingContract. */
  distributor: string;
  /** The works in file order. */
  works: readonly Work[];
  /** Members (checksummed) of each team. */
  teamMembers: ReadonlyMap<string, readonly string[]>;
  votes: VoteTable;
  /** Position in `works` of each vote's work; 0xffffffff for a work not in the works file. */
  voteWork: Uint32Array;
}

/** What the signature checks decided. Codes are 1 + an index into REJECTION_CODES; 0 lets the row go on. */
export interface SignatureVerdicts {
  /** Per work: its code. */
  work: Uint8Array;
  /** Per excluded work: the detail. */
  workDetail: (string | undefined)[];
  /** Per vote row: its code. */
  vote: Uint8Array;
  /** Per vote row with a code: an index into `details`. */
  voteDetail: Uint32Array;
  details: string[];
  /** Ballots found, and how many of them count. */
  ballots: number;
  validBallots: number;
}

const code = (c: RejectionCode) => REJECTION_CODES.indexOf(c) + 1;

/** Unix seconds of a time in ms, or undefined when it is not a whole non-negative second (it cannot be signed). */
function seconds(ms: number): number | undefined {
  return ms >= 0 && ms % 1000 === 0 ? ms / 1000 : undefined;
}

/**
 * Checks the signatures of every work and every ballot (docs/rules.md §1): which works are excluded, and which
 * vote rows, with their reasons. Pure: the same inputs give the same verdicts, on any number of threads.
 */
export function checkSignatures(input: SignatureCheckInput): SignatureVerdicts {
  const { votes, works, voteWork } = input;
  const n = votes.length;
  signatureStats.steps = [];
  let clock = performance.now();
  const step = (name: string) => {
    const now = performance.now();
    signatureStats.steps.push([name, now - clock]);
    clock = now;
  };
  const separator = domainSeparator(input.chainId, input.distributor);
  const details: string[] = [];
  const detailIndex = new Map<string, number>();
  const detail = (text: string) => {
    let d = detailIndex.get(text);
    if (d === undefined) detailIndex.set(text, (d = details.push(text) - 1));
    return d;
  };

  // Works: each report's digest, recovered with the ballots.
  const workCode = new Uint8Array(works.length);
  const workDetail: (string | undefined)[] = new Array(works.length);
  const workItems: number[] = [];
  const workDigests: Uint8Array[] = [];
  works.forEach((work, w) => {
    const signature = work.signature;
    const submitted = seconds(work.submittedAt);
    if (signature === undefined || signature === "") {
      workCode[w] = code("work-unsigned");
      workDetail[w] = "no signature";
    } else if (signatureProblem(signature)) {
      workCode[w] = code("work-bad-signature");
      workDetail[w] = signatureProblem(signature);
    } else if (submitted === undefined) {
      workCode[w] = code("work-bad-signature");
      workDetail[w] = "submitted_at is not a whole second: no report can be signed for it";
    } else {
      const c = work.contributor;
      workItems.push(w);
      workDigests.push(
        workReportDigestOf(separator, {
          epoch: input.epoch,
          workId: work.workId,
          contributor: c.kind === "address" ? c.address.toLowerCase() : `team:${c.team}`,
          category: work.category,
          title: work.title,
          pov: povLinks(work.povUrl),
          submittedAt: submitted,
        }),
      );
    }
  });

  // Ballots: the signed rows grouped by (voter, signature), in row order.
  const vote = new Uint8Array(n);
  const voteDetail = new Uint32Array(n);
  const ballotOf = new Int32Array(n);
  const ballotVoter: number[] = [];
  const ballotSignature: string[] = [];
  const bySignature = new Map<string, number>();
  /** Ballots whose signature another voter's rows carry too (rare): by voter and signature. */
  const byVoterSignature = new Map<string, number>();
  const UNSIGNED = code("unsigned");
  const noSignature = detail("no signature");
  for (let i = 0; i < n; i++) {
    const text = votes.signatures.get(i);
    if (text === undefined || text === "") {
      vote[i] = UNSIGNED;
      voteDetail[i] = noSignature;
      ballotOf[i] = -1;
      continue;
    }
    const signature = text.toLowerCase();
    const voter = votes.voter[i]!;
    let b = bySignature.get(signature);
    if (b === undefined) {
      b = ballotVoter.push(voter) - 1;
      ballotSignature.push(signature);
      bySignature.set(signature, b);
    } else if (ballotVoter[b] !== voter) {
      const key = `${voter}:${signature}`;
      b = byVoterSignature.get(key);
      if (b === undefined) {
        b = ballotVoter.push(voter) - 1;
        ballotSignature.push(signature);
        byVoterSignature.set(key, b);
      }
    }
    ballotOf[i] = b;
  }
  bySignature.clear();
  byVoterSignature.clear();
  const ballots = ballotVoter.length;
  const starts = new Uint32Array(ballots + 1);
  for (let i = 0; i < n; i++) if (ballotOf[i]! >= 0) starts[ballotOf[i]! + 1]!++;
  for (let b = 1; b <= ballots; b++) starts[b]! += starts[b - 1]!;
  const rows = new Uint32Array(starts[ballots]!);
  {
    const fill = starts.slice(0, ballots);
    for (let i = 0; i < n; i++) if (ballotOf[i]! >= 0) rows[fill[ballotOf[i]!]!++] = i;
  }

  step("group");

  // The work ids in byte order (a ballot's order), and each one's keccak256.
  const ids = votes.workIds;
  const idBytes = ids.map(utf8);
  const rank = new Uint32Array(ids.length);
  Array.from(ids.keys())
    .sort((a, b) => Buffer.compare(idBytes[a]!, idBytes[b]!))
    .forEach((w, r) => (rank[w] = r));
  const idHashes = new Uint8Array(32 * ids.length);
  idBytes.forEach((bytes, w) => hashBytes(bytes, idHashes, 32 * w));
  const voterBytes = votes.voters.map((v) => getBytes(v));

  // Each ballot checked and its digest written for recovery (item works + b), after the works': the helper threads
  // recover them while this thread writes the next ones.
  const ballotCode = new Uint8Array(ballots);
  const ballotDetail = new Uint32Array(ballots);
  const ballotCast = new Float64Array(ballots);
  const { input: recoveryInput, output: recovered } = recoveryBuffers(workItems.length + ballots);
  workDigests.forEach((digest, k) => {
    recoveryInput.set(digest, k * IN);
    putSignature(recoveryInput, k, works[workItems[k]!]!.signature!);
  });
  const W = workItems.length;
  const items = W + ballots;
  const recovery = startRecovery(recoveryInput, recovered, items);
  recovery.written(W);
  const BAD = code("bad-signature");
  const voteHashCache = new Map<number, Uint8Array>();
  let voteHashes = new Uint8Array(32 * 64);
  const order: number[] = [];
  try {
    for (let b = 0; b < ballots; b++) {
      if ((b & 255) === 0) recovery.written(W + b);
      const k = W + b;
      const from = starts[b]!;
      const to = starts[b + 1]!;
      const signature = ballotSignature[b]!;
      const reject = (c: number, text: string) => {
        ballotCode[b] = c;
        ballotDetail[b] = detail(text);
        recovered[k * OUT] = 3;
      };
      const problem = signatureProblem(signature);
      if (problem) {
        reject(BAD, problem);
        continue;
      }
      // The votes in the signed order: by the rank of their work id.
      order.length = 0;
      for (let r = from; r < to; r++) order.push(rows[r]!);
      if (order.length > 1) order.sort((x, y) => rank[votes.work[x]!]! - rank[votes.work[y]!]!);
      let repeated = -1;
      for (let r = 1; r < order.length && repeated < 0; r++) {
        if (votes.work[order[r]!] === votes.work[order[r - 1]!]) repeated = votes.work[order[r]!]!;
      }
      if (repeated >= 0) {
        reject(code("ballot-repeats-work"), `work ${JSON.stringify(ids[repeated])} twice`);
        continue;
      }
      const first = rows[from]!;
      const castMs = votes.castAt[first]!;
      ballotCast[b] = castMs;
      let mixed = -1;
      for (let r = from + 1; r < to && mixed < 0; r++) if (votes.castAt[rows[r]!] !== castMs) mixed = rows[r]!;
      if (mixed >= 0) {
        reject(
          code("ballot-mixed-cast-at"),
          `cast_at ${new Date(castMs).toISOString()} and ${new Date(votes.castAt[mixed]!).toISOString()}`,
        );
        continue;
      }
      const castAt = seconds(castMs);
      if (castAt === undefined) {
        reject(BAD, "cast_at is not a whole second: no ballot can be signed for it");
        continue;
      }
      if (voteHashes.length < 32 * order.length) voteHashes = new Uint8Array(32 * order.length * 2);
      let unsignable: string | undefined;
      for (let r = 0; r < order.length; r++) {
        const i = order[r]!;
        const w = votes.work[i]!;
        const p = votes.points[i]!;
        if (p >= 0 && p <= 0xffff && Number.isInteger(p)) {
          const key = w * 0x10000 + p;
          let h = voteHashCache.get(key);
          if (h === undefined) {
            h = new Uint8Array(32);
            voteStructHash(idHashes.subarray(32 * w, 32 * w + 32), p, h, 0);
            voteHashCache.set(key, h);
          }
          voteHashes.set(h, 32 * r);
          continue;
        }
        const points = Number.isNaN(p) ? votes.bigPoints.get(i)! : p;
        if (!isUint64(points)) {
          unsignable = `points ${points} are not a uint64: no ballot can be signed with them`;
          break;
        }
        voteStructHash(idHashes.subarray(32 * w, 32 * w + 32), points, voteHashes, 32 * r);
      }
      if (unsignable) {
        reject(BAD, unsignable);
        continue;
      }
      ballotDigestOf(
        separator,
        voterBytes[ballotVoter[b]!]!,
        input.epoch,
        castAt,
        voteHashes.subarray(0, 32 * order.length),
        recoveryInput,
        k * IN,
      );
      putSignature(recoveryInput, k, signature);
    }
  } catch (error) {
    recovery.abort();
    throw error;
  }
  voteHashCache.clear();
  step("digests");

  recovery.finish();
  signatureStats.recoveries = items;
  step("recover");
  const signerOf = (k: number) =>
    recovered[k * OUT] === 1 ? Buffer.from(recovered.subarray(k * OUT + 1, k * OUT + OUT)).toString("hex") : undefined;

  // The works' signers: the contributor, or a member of the contributing team.
  const teamMembers = new Map<string, Set<string>>();
  for (const [team, members] of input.teamMembers) {
    teamMembers.set(team, new Set(members.map((m) => m.slice(2).toLowerCase())));
  }
  workItems.forEach((w, k) => {
    const signer = signerOf(k);
    const c = works[w]!.contributor;
    const ok =
      signer !== undefined &&
      (c.kind === "address" ? c.address.slice(2).toLowerCase() === signer : teamMembers.get(c.team)?.has(signer));
    if (ok) return;
    workCode[w] = code("work-bad-signature");
    workDetail[w] =
      signer === undefined
        ? "the signature recovers no signer"
        : c.kind === "address"
          ? `signed by 0x${signer}, not the contributor`
          : `signed by 0x${signer}, not a member of team ${JSON.stringify(c.team)}`;
  });

  // The ballots' signers, then each voter's newest valid ballot.
  const newest = new Int32Array(votes.voters.length).fill(-1);
  let validBallots = 0;
  for (let b = 0; b < ballots; b++) {
    if (ballotCode[b] !== 0) continue;
    const voter = ballotVoter[b]!;
    const o = (W + b) * OUT;
    let signed = recovered[o] === 1;
    const expected = voterBytes[voter]!;
    for (let j = 0; j < 20 && signed; j++) signed = recovered[o + 1 + j] === expected[j];
    if (!signed) {
      const signer = signerOf(W + b);
      ballotCode[b] = BAD;
      ballotDetail[b] = detail(
        signer === undefined ? "the signature recovers no signer" : `the ballot is signed by 0x${signer}`,
      );
      continue;
    }
    validBallots++;
    // Processing order: the later cast_at; at the same cast_at the later in the file.
    const best = newest[voter]!;
    if (best < 0 || ballotCast[b]! >= ballotCast[best]!) newest[voter] = b;
  }
  const SUPERSEDED = code("superseded-ballot");
  /** Per voter: the detail of its superseded ballots, once (−1: not made yet). */
  const supersededDetail = new Int32Array(votes.voters.length).fill(-1);
  for (let b = 0; b < ballots; b++) {
    if (ballotCode[b] !== 0) continue;
    const voter = ballotVoter[b]!;
    const best = newest[voter]!;
    if (best === b) continue;
    ballotCode[b] = SUPERSEDED;
    if (supersededDetail[voter]! < 0) {
      supersededDetail[voter] = detail(`replaced by the ballot cast at ${isoSeconds(ballotCast[best]! / 1000)}`);
    }
    ballotDetail[b] = supersededDetail[voter]!;
    validBallots--;
  }

  // Each row: its ballot's verdict, then, in a ballot that counts, its work's.
  const UNKNOWN = code("unknown-work");
  const workDetailIndex = workDetail.map((text) => (text === undefined ? 0 : detail(text)));
  for (let i = 0; i < n; i++) {
    const b = ballotOf[i]!;
    if (b < 0) continue;
    if (ballotCode[b] !== 0) {
      vote[i] = ballotCode[b]!;
      voteDetail[i] = ballotDetail[b]!;
      continue;
    }
    const w = voteWork[i]!;
    if (w === 0xffffffff) {
      vote[i] = UNKNOWN;
      voteDetail[i] = detail(`work ${JSON.stringify(ids[votes.work[i]!])} is not in the works file`);
    } else if (workCode[w] !== 0) {
      vote[i] = workCode[w]!;
      voteDetail[i] = workDetailIndex[w]!;
    }
  }
  step("decide");
  return { work: workCode, workDetail, vote, voteDetail, details, ballots, validBallots };
}
