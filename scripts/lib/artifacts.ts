/**
 * The artifacts of an epoch (docs/formats.md, Artifacts), rendered deterministically and written
 * atomically: everything goes to a temporary directory next to the target, which is renamed into
 * place only when complete and removed on any error (output.ts: the lock, `force`, leftovers).
 */
import { closeSync, mkdirSync, openSync, readFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { parseAddress } from "./address.js";
import { rulesToJson } from "./config.js";
import { ArtifactsError, NoClaimError } from "./errors.js";
import type { EpochResult, ProgressListener } from "./epoch.js";
import { SCRATCH_MARGIN } from "./merkle.js";
import { InputFile } from "./input-files.js";
import { recordInputs, type Manifest } from "./manifest.js";
import { REPUTATION_FILE } from "./previous.js";
import { manifestRecoveries } from "./recoveries.js";
import { renderReport } from "./report.js";
import { MANIFEST_FORMAT, PIPELINE_VERSION } from "./version.js";
import { testPause, writeOutput, type OutputOptions, type WriteReport } from "./output.js";
import {
  ClaimsFileSchema,
  ManifestSchema,
  parseArtifact,
  shardOf,
  type Claim,
  type ClaimsFile,
} from "../../protocol/artifacts.js";

/** Every excluded vote, one CSV row each (docs/formats.md); report.md summarises them. */
export const EXCLUDED_FILE = "excluded.csv";

/** One file of the artifacts: its path relative to the directory and its content in pieces. */
export interface ArtifactFile {
  path: string;
  render: () => Iterable<string | Uint8Array>;
}

export { shardOf, type Claim, type ClaimsFile };

export const SHARDS = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/**
 * Claim lines, `"account":{"index":…,"amount":"…","reputation":"…","proof":[…]}`, byte-identical to JSON.stringify
 * of a {@link Claim}: the head of a line is built by concatenation (decimal and 0x-hex strings that need no
 * escaping), the proof is written by the tree from its nodes' hex text (merkle.ts), both into the tree's scratch
 * region. A million-account epoch renders two million of these (claims.json and the shards), with no string per
 * proof.
 */
class ClaimLines {
  readonly scratch: Buffer;
  /** Past this offset of the scratch region, copy out what is there before the next line. */
  readonly limit: number;

  constructor(private readonly result: EpochResult) {
    this.scratch = result.tree.scratch;
    this.limit = this.scratch.length - SCRATCH_MARGIN;
  }

  /** Writes the line of the account at `position` (after ",\n" unless `first`) at offset `at`; returns its end. */
  write(position: number, first: boolean, at: number): number {
    const a = this.result.accounts[position]!;
    const head = `${first ? "" : ",\n"}${JSON.stringify(a.account)}:{"index":${a.index},"amount":"${a.amount}","reputation":"${a.reputation}","proof":`;
    at += this.scratch.write(head, at, "latin1");
    at = this.result.tree.writeProof(position, at);
    this.scratch[at] = 0x7d; // }
    return at + 1;
  }
}

const claimsHead = (head: Omit<ClaimsFile, "claims">) => `${JSON.stringify(head).slice(0, -1)},"claims":{\n`;
const claimsTail = (empty: boolean) => (empty ? "}}\n" : "\n}}\n");

function* renderClaims(
  result: EpochResult,
  positions: Iterable<number>,
  head: Omit<ClaimsFile, "claims">,
): Generator<string | Buffer> {
  yield claimsHead(head);
  const lines = new ClaimLines(result);
  let first = true;
  let at = 0;
  for (const p of positions) {
    at = lines.write(p, first, at);
    first = false;
    if (at > lines.limit) {
      // A copy: the scratch region is written again by the next line.
      yield Buffer.from(lines.scratch.subarray(0, at));
      at = 0;
    }
  }
  if (at > 0) yield Buffer.from(lines.scratch.subarray(0, at));
  yield claimsTail(first);
}

/** Writes all of `bytes` to `fd`. */
function writeAll(fd: number, bytes: Uint8Array): void {
  for (let done = 0; done < bytes.length;) done += writeSync(fd, bytes, done, bytes.length - done);
}

/**
 * claims.json and the 256 shards in one pass over the accounts: each line is rendered once, written to claims.json
 * and copied into its shard's buffer. The same bytes as {@link renderClaims} of each file (verify compares them).
 */
function writeClaimFiles(temp: string, result: EpochResult): void {
  const lines = new ClaimLines(result);
  const head = { root: result.root, epoch: result.config.epoch };
  const open = (path: string, text: string) => {
    const fd = openSync(join(temp, path), "wx");
    writeSync(fd, text, null, "utf8");
    return fd;
  };
  const claimsFd = open(
    "claims.json",
    claimsHead({ ...head, total: result.total.toString(), leafCount: result.accounts.length }),
  );
  const SHARD_BUFFER = 1 << 16;
  const shards = SHARDS.map((shard) => ({
    fd: open(`claims/${shard}.json`, claimsHead({ ...head, shard })),
    buffer: Buffer.allocUnsafe(SHARD_BUFFER),
    used: 0,
    empty: true,
  }));
  const byPrefix = new Map(SHARDS.map((s, i) => [s, shards[i]!]));
  try {
    let at = 0;
    const accounts = result.accounts;
    for (let p = 0; p < accounts.length; p++) {
      const start = at;
      at = lines.write(p, p === 0, at);
      // The same line in the shard: without the separator if it is the shard's first.
      const shard = byPrefix.get(shardOf(accounts[p]!.account))!;
      const from = p === 0 || !shard.empty ? start : start + 2;
      const length = at - from;
      if (shard.used + length > SHARD_BUFFER) {
        writeAll(shard.fd, shard.buffer.subarray(0, shard.used));
        shard.used = 0;
      }
      if (length > SHARD_BUFFER) {
        writeAll(shard.fd, lines.scratch.subarray(from, at));
      } else {
        lines.scratch.copy(shard.buffer, shard.used, from, at);
        shard.used += length;
      }
      shard.empty = false;
      if (at > lines.limit) {
        writeAll(claimsFd, lines.scratch.subarray(0, at));
        at = 0;
      }
    }
    if (at > 0) writeAll(claimsFd, lines.scratch.subarray(0, at));
    writeSync(claimsFd, claimsTail(accounts.length === 0), null, "utf8");
    for (const shard of shards) {
      if (shard.used > 0) writeAll(shard.fd, shard.buffer.subarray(0, shard.used));
      writeSync(shard.fd, claimsTail(shard.empty), null, "utf8");
    }
  } finally {
    closeSync(claimsFd);
    for (const shard of shards) closeSync(shard.fd);
  }
}

function* renderAllocation(result: EpochResult): Generator<string> {
  yield "index,account,amount,reputation,previous_reputation,units\n";
  let batch: string[] = [];
  for (const a of result.accounts) {
    batch.push(`${a.index},${a.account},${a.amount},${a.reputation},${a.previousReputation},${a.units}\n`);
    if (batch.length === 4096) yield batch.splice(0).join("");
  }
  yield batch.join("");
}

/** reputation.csv: every account with reputation > 0 after the epoch, leaf or not. */
function* renderReputation(result: EpochResult): Generator<string> {
  yield "account,reputation\n";
  let batch: string[] = [];
  for (const r of result.reputation) {
    batch.push(`${r.account},${r.reputation}\n`);
    if (batch.length === 4096) yield batch.splice(0).join("");
  }
  yield batch.join("");
}

/** The manifest of an epoch result. */
export function buildManifest(result: EpochResult): Manifest {
  const { config } = result;
  return {
    format: MANIFEST_FORMAT,
    pipelineVersion: PIPELINE_VERSION,
    epoch: config.epoch,
    chainId: config.chainId,
    distributor: config.distributor,
    tokenDecimals: config.tokenDecimals,
    root: result.root,
    total: result.total.toString(),
    leafCount: result.accounts.length,
    reputationTotal: result.reputationTotal.toString(),
    inputsHash: result.inputsHash,
    inputsHashAlgorithm: "keccak256",
    window: { start: config.startText, end: config.endText },
    // decayBps typed as the number it is (the manifest schema requires it); the key keeps its place.
    rules: { ...rulesToJson(config.rules), decayBps: config.rules.decayBps },
    previous: result.previous,
    // Only when the chain has a recovery: older manifests stay byte for byte what they were.
    ...(result.recoveries.length > 0 ? { recoveries: manifestRecoveries(result.recoveries) } : {}),
    inputs: recordInputs(result.inputs),
    summary: result.counts,
    totalUnits: result.totalUnits.toString(),
  };
}

/** Every file of the artifacts directory, in a fixed order. */
export function renderArtifacts(result: EpochResult): ArtifactFile[] {
  const head = { root: result.root, epoch: result.config.epoch };
  const byShard = new Map<string, number[]>(SHARDS.map((s) => [s, []]));
  result.accounts.forEach((a, p) => byShard.get(shardOf(a.account))!.push(p));
  return [
    {
      path: "manifest.json",
      render: () => [JSON.stringify(buildManifest(result), null, 2) + "\n"],
    },
    { path: "tree.json", render: () => result.tree.dumpJsonChunks() },
    {
      path: "claims.json",
      render: () =>
        renderClaims(result, result.accounts.keys(), {
          ...head,
          total: result.total.toString(),
          leafCount: result.accounts.length,
        }),
    },
    ...SHARDS.map((shard) => ({
      path: `claims/${shard}.json`,
      render: () => renderClaims(result, byShard.get(shard)!, { ...head, shard }),
    })),
    { path: "allocation.csv", render: () => renderAllocation(result) },
    { path: REPUTATION_FILE, render: () => renderReputation(result) },
    { path: "report.md", render: () => renderReport(result) },
    { path: EXCLUDED_FILE, render: () => result.excluded.renderCsv(1024) },
    ...result.inputs.map((input) => ({
      path: input.file,
      // A streamed input (votes.csv) is copied in chunks, checked to be what was read before.
      render: () => (input.bytes instanceof InputFile ? input.bytes.chunks() : [input.bytes]),
    })),
  ];
}

export interface WriteOptions extends OutputOptions {
  onProgress?: ProgressListener;
}

/**
 * Writes the artifacts of `result` into `dir`, atomically and under the directory's lock
 * (output.ts): an existing `dir` is an error, unless `force` is given and it is an epoch artifacts
 * directory holding none of `protect`. Returns what was replaced and cleaned up.
 */
export function writeArtifacts(dir: string, result: EpochResult, options: WriteOptions = {}): WriteReport {
  const files = renderArtifacts(result);
  return writeOutput(dir, options, (temp) => {
    mkdirSync(join(temp, "claims"));
    mkdirSync(join(temp, "inputs"));
    files.forEach((file, i) => {
      // claims.json renders the shards too, in the same pass (writeClaimFiles).
      if (file.path.startsWith("claims/")) return void options.onProgress?.("write", i + 1, files.length);
      if (file.path === "claims.json") {
        writeClaimFiles(temp, result);
        return void options.onProgress?.("write", i + 1, files.length);
      }
      const fd = openSync(join(temp, file.path), "wx");
      try {
        // writeSync encodes a string itself (UTF-8), without an intermediate Buffer object.
        for (const piece of file.render()) {
          if (typeof piece === "string") writeSync(fd, piece, null, "utf8");
          else writeSync(fd, piece);
        }
      } finally {
        closeSync(fd);
      }
      if (i === 0) testPause("write");
      options.onProgress?.("write", i + 1, files.length);
    });
  });
}

/** `dir/file` parsed as JSON and checked against `schema`; {@link ArtifactsError} names the file and field. */
function readArtifact<S extends Parameters<typeof parseArtifact>[0]>(dir: string, file: string, schema: S) {
  const path = join(dir, file);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new ArtifactsError(`${path}: ${(error as Error).message}`, { cause: error });
  }
  try {
    return parseArtifact(schema, json, path) as ReturnType<typeof parseArtifact<S>>;
  } catch (error) {
    throw new ArtifactsError((error as Error).message, { cause: error });
  }
}

/** Reads and checks manifest.json of an artifacts directory. */
export function readManifest(dir: string): Manifest {
  return readArtifact(dir, "manifest.json", ManifestSchema);
}

/** Reads and checks claims.json of an artifacts directory. */
export function readClaims(dir: string): ClaimsFile {
  return readArtifact(dir, "claims.json", ClaimsFileSchema);
}

/** One account's claim (read from its shard), with the epoch and root. Throws NoClaimError if none. */
export function readClaim(dir: string, account: string): { account: string; epoch: number; root: string } & Claim {
  const parsed = parseAddress(account);
  if (!parsed.ok) throw new ArtifactsError(parsed.reason);
  const shard = readArtifact(dir, `claims/${shardOf(parsed.address)}.json`, ClaimsFileSchema);
  const claim = shard.claims[parsed.address];
  if (!claim) throw new NoClaimError(`${parsed.address} has no claim in epoch ${shard.epoch}`);
  return {
    account: parsed.address,
    epoch: shard.epoch,
    root: shard.root,
    ...claim,
  };
}
