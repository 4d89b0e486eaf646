/**
 * Reading an epoch's artifacts for the chain: the root and total that `propose` sends are recomputed from
 * tree.json and must agree with manifest.json and claims.json, and the reputation total it sends must be the sum
 * of reputation.csv, so that a hand-edited or half-copied directory never reaches the contract.
 */
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { getAddress } from "ethers";
import { parseArtifact, TreeDumpSchema, type StandardTreeDump } from "../../protocol/artifacts.js";
import { epochView, type RawEpochView } from "../../protocol/epoch.js";
import {
  buildTree,
  readClaim,
  readClaims,
  readManifest,
  NoClaimError,
  PipelineError,
  type Claim,
  type Leaf,
  type Manifest,
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
  try {
    return parseArtifact(TreeDumpSchema, JSON.parse(readFileSync(path, "utf8")), path);
  } catch (error) {
    throw new TaskError(error instanceof SyntaxError ? `${path}: ${error.message}` : (error as Error).message);
  }
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
  const reputationTotal = BigInt(manifest.reputationTotal);
  const decayBps = manifest.rules.decayBps;
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

/** The root of an artifacts directory (from its manifest), lowercase. */
export function rootOf(dir: string): string {
  return pipelineCall(() => readManifest(resolve(dir))).root.toLowerCase();
}

/**
 * The published layout (docs/formats.md, Published layout) that `sm:publish` writes under a publish root: the
 * artifacts of each epoch's live root, checked against the chain, in `epochs/epoch-N/`; every other version of an
 * epoch that was proposed (a vetoed root) in `retired/epoch-N-<first 8 hex digits of its root>/`.
 */
export const PUBLISHED_EPOCHS = "epochs";
export const PUBLISHED_RETIRED = "retired";

/** The folder of epoch N's live artifacts under a publish root, relative to it. */
export function liveEpochPath(epoch: number): string {
  return join(PUBLISHED_EPOCHS, `epoch-${epoch}`);
}

/** The folder of a retired version (root `root`) of epoch N under a publish root, relative to it. */
export function retiredEpochPath(epoch: number, root: string): string {
  return join(PUBLISHED_RETIRED, `epoch-${epoch}-${root.toLowerCase().slice(2, 10)}`);
}

/** An artifacts directory with its epoch and root (from its manifest). */
export interface ArtifactSource {
  dir: string;
  epoch: number;
  /** 0x, lowercase. */
  root: string;
}

/** The artifacts directories an option named, in epoch order (several per epoch only under `--artifacts-root`). */
export interface ArtifactSelection {
  option: "--artifacts" | "--artifacts-root";
  /** `--artifacts-root` as given. */
  root?: string;
  /** True when `--artifacts-root` is a publish root: the directories are those of its `epochs/`. */
  published: boolean;
  sources: ArtifactSource[];
}

/** The `epoch-*` subdirectories of `dir` that hold a manifest.json. */
function epochSubdirs(dir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch (error) {
    throw new TaskError(`--artifacts-root ${dir}: ${(error as NodeJS.ErrnoException).code ?? error}`);
  }
  return entries
    .filter((name) => /^epoch-/.test(name))
    .map((name) => join(dir, name))
    .filter((d) => statSync(d).isDirectory() && statIsFile(join(d, "manifest.json")));
}

/**
 * The artifacts directories named by `--artifacts DIR[,DIR…]` or `--artifacts-root DIR`, with their epoch and root.
 * `--artifacts-root` takes every `epoch-*` subdirectory that holds a manifest.json; a publish root (a directory
 * with `epochs/`, as `sm:publish` lays it out) stands for its `epochs/` (and, with `retired`, its `retired/` too).
 * Several directories of one epoch are refused under `--artifacts` (name one per epoch) unless `versions` (sm:publish
 * takes every version); under `--artifacts-root` they are kept for the chain to decide ({@link liveArtifactDirs}).
 */
export function selectArtifacts(options: {
  artifacts?: string;
  artifactsRoot?: string;
  retired?: boolean;
  versions?: boolean;
}): ArtifactSelection {
  const { artifacts, artifactsRoot } = options;
  if (artifacts && artifactsRoot) throw new TaskError("give either --artifacts or --artifacts-root, not both");
  let dirs: string[];
  let published = false;
  if (artifacts) {
    dirs = artifacts
      .split(",")
      .map((d) => d.trim())
      .filter((d) => d !== "");
    for (const d of dirs) {
      if (!statIsFile(join(d, "manifest.json")))
        throw new TaskError(`--artifacts: ${d} is not an artifacts directory (no manifest.json)`);
    }
  } else if (artifactsRoot) {
    dirs = epochSubdirs(artifactsRoot);
    const epochsDir = join(artifactsRoot, PUBLISHED_EPOCHS);
    if (dirs.length === 0 && isDirectory(epochsDir)) {
      published = true;
      dirs = epochSubdirs(epochsDir);
      const retiredDir = join(artifactsRoot, PUBLISHED_RETIRED);
      if (options.retired && isDirectory(retiredDir)) dirs.push(...epochSubdirs(retiredDir));
    }
    if (dirs.length === 0) {
      throw new TaskError(
        `--artifacts-root ${artifactsRoot}: no epoch-* directory with a manifest.json (nor a published ${PUBLISHED_EPOCHS}/ folder)`,
      );
    }
  } else {
    throw new TaskError("--artifacts DIR[,DIR…] or --artifacts-root DIR is required");
  }
  const sources = dirs
    .map((dir) => {
      const manifest = pipelineCall(() => readManifest(resolve(dir)));
      return { dir, epoch: manifest.epoch, root: manifest.root.toLowerCase() };
    })
    .sort((a, b) => a.epoch - b.epoch);
  if (artifacts && !options.versions) {
    const seen = new Map<number, string>();
    for (const { dir, epoch } of sources) {
      const other = seen.get(epoch);
      if (other) {
        throw new TaskError(
          `--artifacts: ${other} and ${dir} are both epoch ${epoch}: name one directory per epoch (the one whose root is on chain), or pass --artifacts-root DIR to let the chain pick`,
        );
      }
      seen.set(epoch, dir);
    }
  }
  return { option: artifacts ? "--artifacts" : "--artifacts-root", root: artifactsRoot, published, sources };
}

/**
 * The artifacts directories named by `--artifacts DIR[,DIR…]` or `--artifacts-root DIR`, in epoch order, one per
 * epoch: several directories of one epoch are refused, naming the option they came from (without the chain, which
 * one is live cannot be told: {@link liveArtifactDirs} asks it).
 */
export function artifactDirs(options: { artifacts?: string; artifactsRoot?: string }): string[] {
  const selection = selectArtifacts(options);
  const seen = new Map<number, string>();
  for (const { dir, epoch } of selection.sources) {
    const other = seen.get(epoch);
    if (other) {
      throw new TaskError(
        `--artifacts-root ${selection.root}: ${other} and ${dir} are both epoch ${epoch}: publish the epochs (sm:publish) or name one directory per epoch with --artifacts`,
      );
    }
    seen.set(epoch, dir);
  }
  return selection.sources.map((s) => s.dir);
}

/**
 * One artifacts directory per epoch of `selection`: where an epoch has several (a vetoed version and its
 * replacement under `--artifacts-root`), the one whose root is the epoch's live root on chain
 * (`getEpoch(N).root`). An epoch with no live root (vetoed, or not proposed) keeps its first directory: the claim
 * skips it anyway. Several directories and none with the live root is an error naming the option to use. `notes`
 * says which directory was picked and which were left out.
 */
export async function liveArtifactDirs(
  pool: { getEpoch(epoch: number): Promise<RawEpochView> },
  selection: ArtifactSelection,
): Promise<{ dirs: string[]; notes: string[] }> {
  const byEpoch = new Map<number, ArtifactSource[]>();
  for (const source of selection.sources) byEpoch.set(source.epoch, [...(byEpoch.get(source.epoch) ?? []), source]);
  const dirs: string[] = [];
  const notes: string[] = [];
  const short = (root: string) => `${root.slice(0, 6)}…${root.slice(-4)}`;
  for (const [epoch, sources] of byEpoch) {
    if (sources.length === 1) {
      dirs.push(sources[0]!.dir);
      continue;
    }
    const chain = epochView(await pool.getEpoch(epoch));
    const live = chain.state !== "None" && chain.state !== "Vetoed";
    const listed = sources.map((s) => `${s.dir} (root ${short(s.root)})`).join(", ");
    if (!live) {
      dirs.push(sources[0]!.dir);
      notes.push(
        `epoch ${epoch}: ${sources.length} directories (${listed}) and no live root on chain (${chain.state})`,
      );
      continue;
    }
    const match = sources.find((s) => s.root === chain.root);
    if (!match) {
      throw new TaskError(
        `${selection.option} ${selection.root ?? ""}: epoch ${epoch} has ${sources.length} directories (${listed}) and none holds root ${chain.root}, the root on chain: publish that epoch's artifacts (sm:publish) or name the right directory with --artifacts`,
      );
    }
    dirs.push(match.dir);
    const others = sources.filter((s) => s !== match && s.root !== match.root);
    notes.push(
      `epoch ${epoch}: ${match.dir} (its root ${short(match.root)} is the one on chain)` +
        (others.length > 0 ? `; left out ${others.map((s) => `${s.dir} (root ${short(s.root)})`).join(", ")}` : ""),
    );
  }
  return { dirs, notes };
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function statIsFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
