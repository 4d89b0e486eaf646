/**
 * The artifacts of an epoch (docs/formats.md, Artifacts), rendered deterministically and written
 * atomically: everything goes to a temporary directory next to the target, which is renamed into
 * place only when complete and removed on any error.
 */
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { randomBytes } from "node:crypto";
import { parseAddress } from "./address.js";
import { rulesToJson } from "./config.js";
import { ArtifactsError, NoClaimError, OutputExistsError } from "./errors.js";
import type { EpochResult, ProgressListener } from "./epoch.js";
import { recordInputs, type Manifest } from "./manifest.js";
import { REPUTATION_FILE } from "./previous.js";
import { renderReport } from "./report.js";
import { MANIFEST_FORMAT, PIPELINE_VERSION } from "./version.js";

/** One file of the artifacts: its path relative to the directory and its content in pieces. */
export interface ArtifactFile {
  path: string;
  render: () => Iterable<string | Uint8Array>;
}

/** One account's claim as claims.json and the shards hold it. */
export interface Claim {
  index: number;
  amount: string;
  reputation: string;
  proof: string[];
}

/** claims.json, or one shard claims/XX.json (then with `shard` and without `total`). */
export interface ClaimsFile {
  root: string;
  epoch: number;
  total?: string;
  leafCount?: number;
  shard?: string;
  claims: Record<string, Claim>;
}

/** The shard of an account: the first two hex digits of its lowercase address. */
export function shardOf(account: string): string {
  return account.slice(2, 4).toLowerCase();
}

export const SHARDS = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/**
 * One `"account":{claim}` entry, byte-identical to JSON.stringify of a {@link Claim}, built by
 * concatenation: every piece is a decimal or 0x-hex string that needs no escaping, and a
 * million-account epoch renders two million of these (claims.json and the shards).
 */
function claimLine(result: EpochResult, position: number, first: boolean): string {
  const a = result.accounts[position]!;
  const proof = result.tree.getProof(position);
  const proofJson = proof.length === 0 ? "[]" : `["${proof.join('","')}"]`;
  return `${first ? "" : ",\n"}${JSON.stringify(a.account)}:{"index":${a.index},"amount":"${a.amount}","reputation":"${a.reputation}","proof":${proofJson}}`;
}

function* renderClaims(
  result: EpochResult,
  positions: Iterable<number>,
  head: Omit<ClaimsFile, "claims">,
): Generator<string> {
  yield `${JSON.stringify(head).slice(0, -1)},"claims":{\n`;
  let first = true;
  let batch: string[] = [];
  for (const p of positions) {
    batch.push(claimLine(result, p, first));
    first = false;
    if (batch.length === 2048) yield batch.splice(0).join("");
  }
  batch.push(first ? "}}\n" : "\n}}\n");
  yield batch.join("");
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
    rules: rulesToJson(config.rules),
    previous: result.previous,
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
    ...result.inputs.map((input) => ({
      path: input.file,
      render: () => [input.bytes],
    })),
  ];
}

export interface WriteOptions {
  /** Replace an existing directory (atomically: the old one is removed only after the new one is in place). */
  force?: boolean;
  onProgress?: ProgressListener;
}

/** Writes the artifacts of `result` into `dir`, atomically. */
export function writeArtifacts(dir: string, result: EpochResult, options: WriteOptions = {}): void {
  const target = resolve(dir);
  if (existsSync(target) && !options.force) throw new OutputExistsError(dir);
  const parent = dirname(target);
  mkdirSync(parent, { recursive: true });
  const suffix = `${process.pid}-${randomBytes(4).toString("hex")}`;
  const temp = join(parent, `.${basename(target)}.tmp-${suffix}`);
  const files = renderArtifacts(result);
  try {
    mkdirSync(temp);
    mkdirSync(join(temp, "claims"));
    mkdirSync(join(temp, "inputs"));
    files.forEach((file, i) => {
      const fd = openSync(join(temp, file.path), "wx");
      try {
        // writeSync encodes a string itself (UTF-8), without an intermediate Buffer object.
        for (const piece of file.render()) {
          if (typeof piece === "string") writeSync(fd, piece);
          else writeSync(fd, piece);
        }
      } finally {
        closeSync(fd);
      }
      options.onProgress?.("write", i + 1, files.length);
    });
    if (existsSync(target)) {
      const old = join(parent, `.${basename(target)}.old-${suffix}`);
      renameSync(target, old);
      renameSync(temp, target);
      rmSync(old, { recursive: true, force: true });
    } else {
      renameSync(temp, target);
    }
  } catch (error) {
    rmSync(temp, { recursive: true, force: true });
    if (error instanceof OutputExistsError) throw error;
    throw new ArtifactsError(`cannot write ${dir}: ${(error as Error).message}`, { cause: error });
  }
}

function readJson<T>(dir: string, file: string): T {
  try {
    return JSON.parse(readFileSync(join(dir, file), "utf8")) as T;
  } catch (error) {
    throw new ArtifactsError(`${join(dir, file)}: ${(error as Error).message}`, { cause: error });
  }
}

/** Reads manifest.json of an artifacts directory. */
export function readManifest(dir: string): Manifest {
  const manifest = readJson<Manifest>(dir, "manifest.json");
  if (manifest.format !== MANIFEST_FORMAT) {
    throw new ArtifactsError(`${join(dir, "manifest.json")}: unknown format ${JSON.stringify(manifest.format)}`);
  }
  return manifest;
}

/** Reads claims.json of an artifacts directory. */
export function readClaims(dir: string): ClaimsFile {
  return readJson<ClaimsFile>(dir, "claims.json");
}

/** One account's claim (read from its shard), with the epoch and root. Throws NoClaimError if none. */
export function readClaim(dir: string, account: string): { account: string; epoch: number; root: string } & Claim {
  const parsed = parseAddress(account);
  if (!parsed.ok) throw new ArtifactsError(parsed.reason);
  const shard = readJson<ClaimsFile>(dir, `claims/${shardOf(parsed.address)}.json`);
  const claim = shard.claims[parsed.address];
  if (!claim) throw new NoClaimError(`${parsed.address} has no claim in epoch ${shard.epoch}`);
  return {
    account: parsed.address,
    epoch: shard.epoch,
    root: shard.root,
    ...claim,
  };
}
