/**
 * Reading an epoch's artifacts for the chain: the root and total that `propose` sends are recomputed from
 * tree.json and must agree with manifest.json and claims.json, so that a hand-edited or half-copied directory
 * never reaches the contract.
 */
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { getAddress } from "ethers";
import {
  buildTree,
  LEAF_ENCODING,
  readClaim,
  readClaims,
  readManifest,
  NoClaimError,
  PipelineError,
  type Claim,
  type Leaf,
  type Manifest,
  type StandardTreeDump,
} from "../../scripts/lib/index.js";
import { TaskError } from "./errors.js";

/** An epoch's artifacts whose root and total were checked against tree.json. */
export interface EpochArtifacts {
  dir: string;
  manifest: Manifest;
  epoch: number;
  /** 0x lowercase, recomputed from tree.json's leaves. */
  root: string;
  /** Σ amounts of tree.json's leaves. */
  total: bigint;
  leafCount: number;
  inputsHash: string;
}

function pipelineCall<T>(fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof PipelineError) throw new TaskError(error.message);
    throw error;
  }
}

function readTree(dir: string): StandardTreeDump {
  const path = join(dir, "tree.json");
  let dump: StandardTreeDump;
  try {
    dump = JSON.parse(readFileSync(path, "utf8")) as StandardTreeDump;
  } catch (error) {
    throw new TaskError(`${path}: ${(error as Error).message}`);
  }
  if (dump.format !== "standard-v1" || JSON.stringify(dump.leafEncoding) !== JSON.stringify(LEAF_ENCODING)) {
    throw new TaskError(`${path}: not a standard-v1 dump with leaf encoding ${JSON.stringify(LEAF_ENCODING)}`);
  }
  return dump;
}

/**
 * Loads `dir` and checks it is self-consistent: the root recomputed from tree.json's leaves equals the root of
 * manifest.json and claims.json, the leaves sum to both totals, and every claim in claims.json is a leaf of the
 * tree with the same index, amount and reputation. Throws {@link TaskError} naming the first mismatch.
 */
export function loadEpochArtifacts(dir: string): EpochArtifacts {
  const path = resolve(dir);
  const manifest = pipelineCall(() => readManifest(path));
  const claims = pipelineCall(() => readClaims(path));
  const dump = readTree(path);

  const leaves: Leaf[] = dump.values.map(({ value }, i) => {
    const [index, account, amount, reputation] = value;
    if (Number(index) !== i) throw new TaskError(`${join(path, "tree.json")}: value ${i} has index ${index}`);
    return { index: i, account, amount: BigInt(amount), reputation: BigInt(reputation) };
  });
  if (leaves.length === 0) throw new TaskError(`${join(path, "tree.json")}: the tree has no leaves`);
  const root = buildTree(leaves).root.toLowerCase();
  const total = leaves.reduce((sum, leaf) => sum + leaf.amount, 0n);

  const mismatch = (file: string, what: string, found: unknown, expected: unknown) =>
    new TaskError(
      `${join(path, file)}: ${what} ${String(found)} does not match ${String(expected)} recomputed from tree.json — the artifacts were altered or mixed up; regenerate them or run \`social-mining verify\``,
    );
  if (manifest.root.toLowerCase() !== root) throw mismatch("manifest.json", "root", manifest.root, root);
  if (claims.root.toLowerCase() !== root) throw mismatch("claims.json", "root", claims.root, root);
  if (BigInt(manifest.total) !== total) throw mismatch("manifest.json", "total", manifest.total, total);
  if (claims.total === undefined || BigInt(claims.total) !== total)
    throw mismatch("claims.json", "total", claims.total, total);
  if (manifest.leafCount !== leaves.length)
    throw mismatch("manifest.json", "leafCount", manifest.leafCount, leaves.length);
  if (claims.epoch !== manifest.epoch)
    throw new TaskError(`${join(path, "claims.json")}: epoch ${claims.epoch} ≠ manifest.json epoch ${manifest.epoch}`);

  const entries = Object.entries(claims.claims);
  if (entries.length !== leaves.length)
    throw mismatch("claims.json", "number of claims", entries.length, leaves.length);
  for (const [account, claim] of entries) {
    const leaf = leaves[claim.index];
    if (
      !leaf ||
      leaf.account.toLowerCase() !== account.toLowerCase() ||
      leaf.amount !== BigInt(claim.amount) ||
      leaf.reputation !== BigInt(claim.reputation)
    ) {
      throw mismatch(
        "claims.json",
        `claim of ${account}`,
        `(index ${claim.index}, amount ${claim.amount}, reputation ${claim.reputation})`,
        leaf
          ? `leaf ${claim.index} (${leaf.account}, amount ${leaf.amount}, reputation ${leaf.reputation})`
          : "no leaf",
      );
    }
  }
  return {
    dir: path,
    manifest,
    epoch: manifest.epoch,
    root,
    total,
    leafCount: leaves.length,
    inputsHash: manifest.inputsHash,
  };
}

/** One account's claim in one epoch, read from its shard (no tree recomputation: the contract checks the proof). */
export interface AccountClaim extends Claim {
  dir: string;
  epoch: number;
  root: string;
  account: string;
}

/** The claim of `account` in the artifacts `dir`, or undefined if the epoch has no leaf for it. */
export function readAccountClaim(dir: string, account: string): AccountClaim | undefined {
  const path = resolve(dir);
  try {
    const claim = readClaim(path, account);
    return { ...claim, dir: path, account: getAddress(claim.account), root: claim.root.toLowerCase() };
  } catch (error) {
    if (error instanceof NoClaimError) return undefined;
    if (error instanceof PipelineError) throw new TaskError(error.message);
    throw error;
  }
}

/** The epoch of an artifacts directory (from its manifest). */
export function epochOf(dir: string): number {
  return pipelineCall(() => readManifest(resolve(dir))).epoch;
}

/**
 * The artifacts directories named by `--artifacts DIR[,DIR…]` or `--artifacts-root DIR` (every `epoch-*`
 * subdirectory that holds a manifest.json), in epoch order.
 */
export function artifactDirs(options: { artifacts?: string; artifactsRoot?: string }): string[] {
  const { artifacts, artifactsRoot } = options;
  if (artifacts && artifactsRoot) throw new TaskError("give either --artifacts or --artifacts-root, not both");
  let dirs: string[];
  if (artifacts) {
    dirs = artifacts
      .split(",")
      .map((d) => d.trim())
      .filter((d) => d !== "");
  } else if (artifactsRoot) {
    let entries: string[];
    try {
      entries = readdirSync(artifactsRoot);
    } catch (error) {
      throw new TaskError(`--artifacts-root ${artifactsRoot}: ${(error as NodeJS.ErrnoException).code ?? error}`);
    }
    dirs = entries
      .filter((name) => /^epoch-/.test(name))
      .map((name) => join(artifactsRoot, name))
      .filter((d) => statSync(d).isDirectory() && statIsFile(join(d, "manifest.json")));
    if (dirs.length === 0)
      throw new TaskError(`--artifacts-root ${artifactsRoot}: no epoch-* directory with a manifest.json`);
  } else {
    throw new TaskError("--artifacts DIR[,DIR…] or --artifacts-root DIR is required");
  }
  for (const d of dirs) {
    if (!statIsFile(join(d, "manifest.json")))
      throw new TaskError(`--artifacts: ${d} is not an artifacts directory (no manifest.json)`);
  }
  const withEpoch = dirs.map((d) => ({ d, epoch: epochOf(d) }));
  const seen = new Map<number, string>();
  for (const { d, epoch } of withEpoch) {
    const other = seen.get(epoch);
    if (other) throw new TaskError(`--artifacts: ${other} and ${d} are both epoch ${epoch}`);
    seen.set(epoch, d);
  }
  return withEpoch.sort((a, b) => a.epoch - b.epoch).map((x) => x.d);
}

function statIsFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
