/**
 * Reading an epoch's artifacts for the chain: the root and total that `propose` sends are recomputed from
 * tree.json and must agree with manifest.json and claims.json, and the reputation total it sends must be the sum
 * of reputation.csv, so that a hand-edited or half-copied directory never reaches the contract.
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
  /** manifest.reputationTotal, checked to be Σ reputation.csv: the total voting supply after the epoch. */
  reputationTotal: bigint;
  /** manifest.rules.decayBps: the decay the pipeline applied, which must be the pool's. */
  decayBps: number;
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

  const manifestPath = join(path, "manifest.json");
  if (typeof manifest.reputationTotal !== "string" || !/^[0-9]+$/.test(manifest.reputationTotal)) {
    throw new TaskError(
      `${manifestPath}: reputationTotal ${JSON.stringify(manifest.reputationTotal)} is not a decimal integer`,
    );
  }
  const reputationTotal = BigInt(manifest.reputationTotal);
  const decayBps = manifest.rules?.decayBps;
  if (typeof decayBps !== "number" || !Number.isInteger(decayBps) || decayBps < 0 || decayBps > 10000) {
    throw new TaskError(`${manifestPath}: rules.decayBps ${JSON.stringify(decayBps)} is not an integer in 0..10000`);
  }
  const reputation = readReputationCsv(path);
  let sum = 0n;
  for (const value of reputation.values()) sum += value;
  if (sum !== reputationTotal) {
    throw new TaskError(
      `${manifestPath}: reputationTotal ${reputationTotal} does not match ${sum}, the sum of reputation.csv — the artifacts were altered or mixed up; regenerate them or run \`social-mining verify\``,
    );
  }
  for (const leaf of leaves) {
    const listed = reputation.get(leaf.account.toLowerCase()) ?? 0n;
    if (listed !== leaf.reputation) {
      throw new TaskError(
        `${join(path, "reputation.csv")}: reputation ${listed} of ${leaf.account} does not match ${leaf.reputation} in its leaf ${leaf.index} of tree.json — the artifacts were altered or mixed up; regenerate them or run \`social-mining verify\``,
      );
    }
  }

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
    reputationTotal,
    decayBps,
  };
}

/**
 * reputation.csv of an artifacts directory: every account with reputation after the epoch, leaf or not, by
 * lowercase address (absent: 0). Throws {@link TaskError} naming the line of a malformed row.
 */
export function readReputationCsv(dir: string): Map<string, bigint> {
  const path = join(resolve(dir), "reputation.csv");
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new TaskError(
      `${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message} (artifacts of pipeline 2.0.0 or later have it)`,
    );
  }
  const lines = text.split("\n");
  if (lines[0]?.trim() !== "account,reputation") throw new TaskError(`${path}: the header is not account,reputation`);
  const reputation = new Map<string, bigint>();
  lines.slice(1).forEach((line, i) => {
    if (line.trim() === "") return;
    const match = /^(0x[0-9a-fA-F]{40}),([0-9]+)\r?$/.exec(line);
    if (!match) throw new TaskError(`${path}:${i + 2}: ${JSON.stringify(line)} is not an account,reputation row`);
    const account = match[1]!.toLowerCase();
    if (reputation.has(account)) throw new TaskError(`${path}:${i + 2}: ${match[1]} appears twice`);
    reputation.set(account, BigInt(match[2]!));
  });
  return reputation;
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
