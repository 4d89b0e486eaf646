/**
 * Publishing epoch artifacts where contributors, auditors and the claim page read them (`sm:publish`): under a
 * publish root, `epochs/epoch-N/` holds the artifacts of epoch N's live root, checked against the chain
 * (`getEpoch(N).root` equals the manifest's root), and `retired/epoch-N-<first 8 hex digits of the root>/` every
 * version the guardian vetoed (docs/formats.md, Published layout). Each version is classified by the chain:
 *
 * - `live`: the epoch is proposed (not vetoed) with this root;
 * - `vetoed`: an `EpochVetoed` event rejected this root for the epoch;
 * - `pending`: the epoch awaits a proposal (never proposed, or vetoed) and this root was not vetoed;
 * - `superseded`: another root is live for the epoch and this one was never proposed.
 *
 * The plan copies live and vetoed sources into place, moves a published `epochs/epoch-N/` that is no longer live
 * into `retired/`, and leaves the rest out, saying why. Nothing is ever deleted or overwritten: a destination that
 * exists with other files is a conflict, and any conflict refuses the whole plan before anything changes.
 */
import { createHash } from "node:crypto";
import { cpSync, mkdirSync, readdirSync, readFileSync, realpathSync, renameSync, rmSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import type { EpochRewards } from "../../typechain-types/index.js";
import { epochView, type EpochView } from "../../protocol/epoch.js";
import { readManifest } from "../../scripts/lib/index.js";
import {
  liveEpochPath,
  PUBLISHED_EPOCHS,
  PUBLISHED_RETIRED,
  retiredEpochPath,
  type ArtifactSource,
} from "./artifacts.js";
import { TaskError } from "./errors.js";
import { vetoedLogs, type VetoedLog } from "./events.js";
import type { Log } from "./ops/outcome.js";

export type VersionStatus = "live" | "vetoed" | "pending" | "superseded" | "unknown";

/** What the chain says about one epoch: its state and root, and the roots vetoed for it (undefined: no logs). */
export interface EpochFacts {
  chain: EpochView;
  vetoed: VetoedLog[] | undefined;
}

/** A version of an epoch's artifacts by what the chain says of its root. */
export function versionStatus(root: string, facts: EpochFacts): VersionStatus {
  const { chain, vetoed } = facts;
  const live = chain.state !== "None" && chain.state !== "Vetoed";
  if (live && chain.root === root) return "live";
  if (vetoed?.some((v) => v.root === root)) return "vetoed";
  if (vetoed === undefined) return "unknown";
  return live ? "superseded" : "pending";
}

/** One step of a publication: what happens to one version, and why. */
export interface PublishStep {
  action: "publish" | "retire" | "keep" | "skip";
  epoch: number;
  root: string;
  status: VersionStatus;
  /** The source directory (publish, skip) or the published one (retire, keep). */
  from: string;
  /** Where it goes (publish, retire) or is (keep), relative to the publish root. */
  to?: string;
  /** Why, for the operator. */
  reason: string;
}

export interface PublishPlan {
  root: string;
  steps: PublishStep[];
}

const short = (root: string) => `${root.slice(0, 6)}…${root.slice(-4)}`;

/** Every file under `dir` (relative path, sha-256 of the bytes), sorted: two directories hold the same files. */
function treeDigest(dir: string): string {
  const files: string[] = [];
  const walk = (sub: string) => {
    for (const name of readdirSync(join(dir, sub)).sort()) {
      const rel = sub ? `${sub}/${name}` : name;
      const stat = statSync(join(dir, rel));
      if (stat.isDirectory()) walk(rel);
      else
        files.push(
          `${rel} ${createHash("sha256")
            .update(readFileSync(join(dir, rel)))
            .digest("hex")}`,
        );
    }
  };
  walk("");
  return createHash("sha256").update(files.join("\n")).digest("hex");
}

function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}

function realpath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}

/** A directory of the publish root as a version: its epoch and root from its manifest. */
function publishedVersion(root: string, rel: string, conflicts: string[]): ArtifactSource | undefined {
  const dir = join(root, rel);
  try {
    const manifest = readManifest(dir);
    return { dir, epoch: manifest.epoch, root: manifest.root.toLowerCase() };
  } catch (error) {
    conflicts.push(
      `${dir} is not an artifacts directory (${(error as Error).message}): move it out of the publish root`,
    );
    return undefined;
  }
}

/** What the chain says about each of `epochs` (one `getEpoch` each, the `EpochVetoed` logs once). */
export async function epochFacts(pool: EpochRewards, epochs: Iterable<number>): Promise<Map<number, EpochFacts>> {
  const vetoed = await vetoedLogs(pool);
  const facts = new Map<number, EpochFacts>();
  for (const epoch of [...new Set(epochs)].sort((a, b) => a - b)) {
    facts.set(epoch, {
      chain: epochView(await pool.getEpoch(epoch)),
      vetoed: vetoed ? (vetoed.get(epoch) ?? []) : undefined,
    });
  }
  return facts;
}

/**
 * Plans the publication of `sources` under `publishRoot`, checked against the chain: the live version of each epoch
 * to `epochs/epoch-N/`, vetoed versions to `retired/`, a published `epochs/epoch-N/` that is no longer live moved to
 * `retired/`. Throws {@link TaskError} listing every conflict (a destination that exists with other files, a
 * directory of the publish root that is not artifacts) before anything is changed.
 */
export async function planPublish(
  pool: EpochRewards,
  publishRoot: string,
  sources: ArtifactSource[],
): Promise<PublishPlan> {
  const root = resolve(publishRoot);
  const conflicts: string[] = [];
  const steps: PublishStep[] = [];

  // What is published already.
  const published = new Map<number, ArtifactSource>();
  const epochsDir = join(root, PUBLISHED_EPOCHS);
  if (exists(epochsDir)) {
    for (const name of readdirSync(epochsDir).sort()) {
      const match = /^epoch-([1-9][0-9]*)$/.exec(name);
      if (!match || !statSync(join(epochsDir, name)).isDirectory()) continue;
      const version = publishedVersion(root, join(PUBLISHED_EPOCHS, name), conflicts);
      if (!version) continue;
      if (version.epoch !== Number(match[1])) {
        conflicts.push(`${version.dir} holds the artifacts of epoch ${version.epoch}, not ${match[1]}: move it out`);
        continue;
      }
      published.set(version.epoch, version);
    }
  }
  const inRoot = (dir: string) => {
    const real = realpath(dir);
    const base = realpath(root);
    return real === base || real.startsWith(base + sep);
  };
  const insidePublished = sources.filter((s) => inRoot(s.dir));
  for (const s of insidePublished) {
    const rel = relative(realpath(root), realpath(s.dir));
    if (!rel.startsWith(PUBLISHED_EPOCHS + sep) && !rel.startsWith(PUBLISHED_RETIRED + sep)) {
      conflicts.push(
        `${s.dir} is inside the publish root ${root} but not under ${PUBLISHED_EPOCHS}/ or ${PUBLISHED_RETIRED}/`,
      );
    }
  }
  const outside = sources.filter((s) => !inRoot(s.dir));

  const facts = await epochFacts(pool, [...published.keys(), ...outside.map((s) => s.epoch)]);
  const factsOf = (epoch: number) => facts.get(epoch)!;
  /** Destinations (relative) claimed by this plan, with the digest of what goes there. */
  const claimed = new Map<string, { digest: string; from: string; how?: string }>();
  /** Destinations (relative) that this plan empties, by moving what is there into retired/. */
  const vacated = new Set<string>();
  const digests = new Map<string, string>();
  const digestOf = (dir: string) => {
    const key = realpath(dir);
    if (!digests.has(key)) digests.set(key, treeDigest(dir));
    return digests.get(key)!;
  };
  const vetoReason = (epoch: number, versionRoot: string) => {
    const veto = factsOf(epoch).vetoed?.find((v) => v.root === versionRoot);
    return veto ? `vetoed by ${veto.guardian}: ${JSON.stringify(veto.reason)}` : "vetoed";
  };

  // Published versions that are no longer live move to retired/.
  for (const [epoch, version] of published) {
    const f = factsOf(epoch);
    const status = versionStatus(version.root, f);
    const rel = liveEpochPath(epoch);
    if (status === "live" || status === "pending") {
      claimed.set(rel, { digest: digestOf(version.dir), from: version.dir });
      steps.push({
        action: "keep",
        epoch,
        root: version.root,
        status,
        from: version.dir,
        to: rel,
        reason:
          status === "live"
            ? `live on chain, ${f.chain.state}`
            : `not proposed yet (epoch ${epoch} is ${f.chain.state}): it stays until it is proposed or another root is`,
      });
      continue;
    }
    if (status === "unknown") {
      conflicts.push(
        `${version.dir}: root ${version.root} is not live for epoch ${epoch} and the node cannot search logs to tell whether it was vetoed`,
      );
      continue;
    }
    const target = retiredEpochPath(epoch, version.root);
    if (exists(join(root, target))) {
      conflicts.push(`${version.dir} is no longer live but ${join(root, target)} exists already: not moved`);
      continue;
    }
    claimed.set(target, { digest: digestOf(version.dir), from: rel, how: "which moves there" });
    vacated.add(rel);
    steps.push({
      action: "retire",
      epoch,
      root: version.root,
      status,
      from: version.dir,
      to: target,
      reason:
        status === "vetoed"
          ? vetoReason(epoch, version.root)
          : `never proposed: the root on chain is ${short(factsOf(epoch).chain.root)}`,
    });
  }

  // The sources: live ones to epochs/, vetoed ones to retired/, the rest left out.
  for (const source of outside) {
    const { epoch } = source;
    const f = factsOf(epoch);
    const status = versionStatus(source.root, f);
    const skip = (reason: string) =>
      steps.push({ action: "skip", epoch, root: source.root, status, from: source.dir, reason });
    let target: string;
    if (status === "live") {
      target = liveEpochPath(epoch);
    } else if (status === "vetoed") {
      target = retiredEpochPath(epoch, source.root);
    } else if (status === "pending") {
      skip(
        `not proposed yet (epoch ${epoch} is ${f.chain.state}): propose it (its uri may already be <base>/${liveEpochPath(epoch).split(sep).join("/")}/), then publish again`,
      );
      continue;
    } else if (status === "superseded") {
      skip(`never proposed: the root of epoch ${epoch} on chain is ${f.chain.root}`);
      continue;
    } else {
      skip(`epoch ${epoch} has no live root and the node cannot search logs to tell whether this root was vetoed`);
      continue;
    }
    const digest = digestOf(source.dir);
    const taken = claimed.get(target);
    if (taken) {
      if (taken.digest === digest) {
        skip(`already published as ${target} (same files as ${taken.from}${taken.how ? `, ${taken.how}` : ""})`);
      } else {
        conflicts.push(
          `${source.dir} and ${taken.from} both go to ${join(root, target)} with different files: not overwritten`,
        );
      }
      continue;
    }
    const destination = join(root, target);
    if (exists(destination) && !vacated.has(target)) {
      if (statSync(destination).isDirectory() && treeDigest(destination) === digest) {
        claimed.set(target, { digest, from: destination });
        skip(`already published as ${target}`);
      } else {
        conflicts.push(`${destination} exists with other files than ${source.dir}: not overwritten`);
      }
      continue;
    }
    claimed.set(target, { digest, from: source.dir });
    steps.push({
      action: "publish",
      epoch,
      root: source.root,
      status,
      from: source.dir,
      to: target,
      reason: status === "live" ? `live on chain, ${f.chain.state}` : vetoReason(epoch, source.root),
    });
  }

  if (conflicts.length > 0) {
    throw new TaskError(`nothing was published or moved in ${root}:\n${conflicts.map((c) => `  - ${c}`).join("\n")}`);
  }
  const order = { retire: 0, publish: 1, keep: 2, skip: 3 } as const;
  steps.sort((a, b) => a.epoch - b.epoch || order[a.action] - order[b.action]);
  return { root, steps };
}

/** The lines that describe a plan, one per version, then the counts (`done`: as done, else as it would be). */
export function describePublish(plan: PublishPlan, done: boolean): string[] {
  const rel = (path: string) => relative(plan.root, path) || ".";
  const lines = plan.steps.map((step) => {
    const head = `epoch ${step.epoch}  ${step.action.padEnd(7)}`;
    const root = `root ${short(step.root)}`;
    switch (step.action) {
      case "retire":
        return `${head} ${rel(step.from)} → ${step.to} (${root}, ${step.reason})`;
      case "publish":
        return `${head} ${step.from} → ${step.to} (${root}, ${step.reason})`;
      case "keep":
        return `${head} ${step.to} (${root}, ${step.reason})`;
      default:
        return `${head} ${step.from} (${root}): ${step.reason}`;
    }
  });
  const count = (action: PublishStep["action"]) => plan.steps.filter((s) => s.action === action).length;
  const verb = done ? "" : "would be ";
  lines.push(
    `${count("publish")} ${verb}published, ${count("retire")} ${verb}retired, ${count("keep")} kept, ${count("skip")} left out (${plan.root})`,
  );
  return lines;
}

/**
 * Carries out a plan: first the moves into `retired/`, then the copies (each into a temporary directory next to its
 * destination, renamed into place once complete). Removes only the temporary directory of a copy that failed.
 */
export function applyPublish(plan: PublishPlan, log: Log): void {
  for (const step of plan.steps.filter((s) => s.action === "retire")) {
    const destination = join(plan.root, step.to!);
    mkdirSync(dirname(destination), { recursive: true });
    if (exists(destination)) throw new TaskError(`${destination} appeared meanwhile: ${step.from} not moved`);
    renameSync(step.from, destination);
    log(`moved ${relative(plan.root, step.from)} to ${step.to}`);
  }
  for (const step of plan.steps.filter((s) => s.action === "publish")) {
    const destination = join(plan.root, step.to!);
    mkdirSync(dirname(destination), { recursive: true });
    const partial = join(dirname(destination), `.${step.to!.split(sep).at(-1)}.partial-${process.pid}`);
    if (exists(partial))
      throw new TaskError(`${partial} exists (left by an interrupted run?): remove it, then publish again`);
    try {
      cpSync(step.from, partial, { recursive: true, dereference: true, errorOnExist: true, force: false });
      if (exists(destination)) throw new TaskError(`${destination} appeared meanwhile: not overwritten`);
      renameSync(partial, destination);
    } catch (error) {
      rmSync(partial, { recursive: true, force: true });
      throw error;
    }
    log(`copied ${step.from} to ${step.to}`);
  }
}
