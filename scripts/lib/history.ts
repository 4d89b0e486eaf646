/**
 * A chain of epochs anyone can prove (docs/pipeline.md, Proving an epoch's history). An epoch's artifacts
 * directory recomputes from its own inputs/, but one of those inputs, the prior reputation
 * (inputs/previous-reputation.csv, and the recoveries carried in inputs/previous-recoveries.csv), comes from the
 * previous epoch. So an epoch is proven only when:
 *
 * - its directory recomputes byte for byte from its inputs/ (verify.ts), and
 * - it is epoch 1, with no previous epoch; or the directory of the previous epoch, the one its manifest records
 *   (`previous`: epoch and root), is proven itself and hands over, as recomputed, exactly the prior reputation and
 *   recoveries this epoch copied.
 *
 * Proving an epoch therefore recomputes every epoch down to the first. The previous epoch's directory is the one
 * given (`verify --previous`), else found next to the epoch's own directory: `epoch-<N−1>` if it holds the recorded
 * epoch and root, else any directory next to it that does. `verify --history ROOT` walks `ROOT/epoch-1`,
 * `ROOT/epoch-2`, … in order instead. `allocate --previous DIR` refuses a directory that is not proven.
 */
import { readFileSync, readdirSync, statSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { readManifest } from "./artifacts.js";
import type { ProgressListener } from "./epoch.js";
import { ArtifactsError, ExitCode, PipelineError } from "./errors.js";
import type { Manifest } from "./manifest.js";
import {
  PREVIOUS_REPUTATION_FILE,
  parsePreviousReputation,
  previousRecoveries,
  readPreviousEpoch,
  type PreviousEpoch,
} from "./previous.js";
import { PREVIOUS_RECOVERIES_FILE, renderRecoveries } from "./recoveries.js";
import { recomputeArtifacts, type Difference, type Recomputed } from "./verify.js";

/** How an epoch's prior reputation is established. */
export type Prior =
  /** Epoch 1: no previous epoch, no prior reputation. */
  | { status: "first" }
  /** Chained to the previous epoch's directory, itself proven. */
  | { status: "proven"; epoch: number; dir: string }
  /** Nothing to prove it from: no previous epoch recorded (after epoch 1), or no directory holding it. */
  | { status: "unproven"; file: string; reason: string }
  /**
   * The previous epoch's directory was found but does not prove it: it hands over something else, or is not proven
   * itself (`inherited`: the failure is further down, in `reason`).
   */
  | { status: "failed"; epoch: number; dir: string; file: string; reason: string; inherited: boolean };

/** One epoch directory, recomputed and chained. */
export interface EpochCheck {
  dir: string;
  epoch: number;
  /** The root manifest.json records. */
  root: string;
  /** The root recomputed from inputs/ ("" when they no longer validate). */
  recomputedRoot: string;
  total: string;
  reputationTotal: string;
  inputsHash: string;
  chainId: number;
  distributor: string;
  decayBps: number;
  /** The previous epoch manifest.json records. */
  previous: { epoch: number; root: string } | null;
  /** The recoveries manifest.json records (every one up to this epoch), as it records them. */
  recoveries: NonNullable<Manifest["recoveries"]>;
  /** Files compared. */
  files: number;
  /** The directory's own differences from its recomputation (paths relative to `dir`), then the chain's checks. */
  differences: Difference[];
  prior: Prior;
  /** No difference, and the prior reputation is the first epoch's or proven. */
  ok: boolean;
  /** The first problem at or below this epoch, `epoch N (dir): file: reason`; absent when ok. */
  cause?: string;
  /** What the chain holds for this epoch (set by `verify --rpc`, chain.ts). */
  onChain?: { state: string; root: string; total: string; reputationTotal: string };
}

/** `allocate --previous DIR`: the directory does not prove (a forged or broken history). Exit 1. */
export class PreviousUnprovenError extends PipelineError {
  override readonly exitCode = ExitCode.Mismatch;
  constructor(
    readonly dir: string,
    readonly problem: string,
  ) {
    super(`--previous ${dir} does not prove: ${problem}`);
  }
}

const describe = (c: { epoch: number; dir: string }) => `epoch ${c.epoch} (${c.dir})`;

function finish(check: EpochCheck): EpochCheck {
  const prior = check.prior;
  check.ok = check.differences.length === 0 && (prior.status === "first" || prior.status === "proven");
  if (check.ok) delete check.cause;
  else if (check.differences.length > 0) {
    check.cause = `${describe(check)}: ${check.differences[0]!.file}: ${check.differences[0]!.reason}`;
  } else if (prior.status === "failed" && prior.inherited) check.cause = prior.reason;
  else if (prior.status === "failed" || prior.status === "unproven") {
    check.cause = `${describe(check)}: ${prior.file}: ${prior.reason}`;
  }
  return check;
}

/** Adds `differences` (the chain's checks) to an epoch's own and settles whether it is ok. */
export function settle(check: EpochCheck, differences: readonly Difference[]): EpochCheck {
  check.differences.push(...differences);
  return finish(check);
}

function checkOf(recomputed: Recomputed): EpochCheck {
  const m = recomputed.manifest;
  return {
    dir: recomputed.dir,
    epoch: m.epoch,
    root: m.root,
    recomputedRoot: recomputed.root,
    total: m.total,
    reputationTotal: m.reputationTotal,
    inputsHash: m.inputsHash,
    chainId: m.chainId,
    distributor: m.distributor,
    decayBps: m.rules.decayBps,
    previous: m.previous,
    recoveries: m.recoveries ?? [],
    files: recomputed.files,
    differences: recomputed.differences,
    prior: { status: "first" },
    ok: false,
  };
}

/** The prior of an epoch with nothing below it: the first epoch's, or unproven. */
function startOf(manifest: Manifest): Prior {
  if (manifest.previous === null) {
    if (manifest.epoch === 1) return { status: "first" };
    return {
      status: "unproven",
      file: "manifest.json",
      reason: `records no previous epoch: the prior reputation of epoch ${manifest.epoch} is unproven (only epoch 1 starts without a previous epoch)`,
    };
  }
  return {
    status: "unproven",
    file: "manifest.json",
    reason: `the previous epoch ${manifest.previous.epoch} (root ${manifest.previous.root}) was not given and is not next to this directory: its prior reputation is unproven`,
  };
}

const sameBytes = (a: Uint8Array | undefined, b: Uint8Array | undefined) =>
  a === undefined || b === undefined ? a === b : Buffer.from(a).equals(Buffer.from(b));

/**
 * Chains `upper` to the previous epoch `below` (both recomputed): `upper` must record `below`'s epoch and root and
 * hold, as its prior reputation and recoveries, what `below` hands over.
 */
function link(upper: Recomputed, below: Recomputed, belowCheck: EpochCheck): Prior {
  const at = { epoch: belowCheck.epoch, dir: belowCheck.dir };
  const fail = (file: string, reason: string, inherited = false): Prior => ({
    status: "failed",
    ...at,
    file,
    reason,
    inherited,
  });
  const recorded = upper.manifest.previous;
  if (!recorded) {
    return fail(
      "manifest.json",
      `records no previous epoch, but epoch ${upper.manifest.epoch} follows ${describe(belowCheck)}`,
    );
  }
  if (recorded.epoch !== belowCheck.epoch || recorded.root.toLowerCase() !== belowCheck.root.toLowerCase()) {
    return fail(
      "manifest.json",
      `previous epoch ${recorded.epoch} root ${recorded.root} ≠ ${belowCheck.dir} (epoch ${belowCheck.epoch} root ${belowCheck.root})`,
    );
  }
  if (!belowCheck.ok) {
    return fail(`inputs/${PREVIOUS_REPUTATION_FILE}`, `the previous epochs do not prove: ${belowCheck.cause}`, true);
  }
  const handover = below.handover!;
  if (!sameBytes(upper.received.reputation, handover.reputation)) {
    return fail(
      `inputs/${PREVIOUS_REPUTATION_FILE}`,
      upper.received.reputation === undefined
        ? `missing: the prior reputation must be the reputation.csv of ${describe(belowCheck)}`
        : `differs from the reputation.csv of ${describe(belowCheck)}, as recomputed`,
    );
  }
  const recoveries = handover.recoveries.length > 0 ? Buffer.from(renderRecoveries(handover.recoveries)) : undefined;
  if (!sameBytes(upper.received.recoveries, recoveries)) {
    return fail(
      `inputs/${PREVIOUS_RECOVERIES_FILE}`,
      recoveries === undefined
        ? `${describe(belowCheck)} records no recovery to carry over`
        : upper.received.recoveries === undefined
          ? `missing: ${describe(belowCheck)} records recoveries (${handover.recoveries.length}) that every later epoch carries`
          : `differs from the recoveries recorded by ${describe(belowCheck)}`,
    );
  }
  return { status: "proven", ...at };
}

/** The directories next to one, by parent, with the epoch and root of their manifest.json (read once). */
type Siblings = Map<string, { name: string; epoch: unknown; root: unknown }[]>;

function looseManifest(dir: string): { epoch: unknown; root: unknown } | undefined {
  try {
    const m = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) as Record<string, unknown>;
    return { epoch: m.epoch, root: m.root };
  } catch {
    return undefined;
  }
}

const holds = (m: { epoch: unknown; root: unknown } | undefined, want: { epoch: number; root: string }) =>
  m !== undefined &&
  m.epoch === want.epoch &&
  typeof m.root === "string" &&
  m.root.toLowerCase() === want.root.toLowerCase();

/**
 * The directory of the previous epoch `want` next to `dir`: `epoch-<N>` if it holds it, else the first by name
 * that does; or why there is none.
 */
function locatePrevious(
  dir: string,
  want: { epoch: number; root: string },
  siblings: Siblings,
): { dir: string } | { reason: string } {
  const parent = dirname(resolve(dir));
  const self = basename(resolve(dir));
  const near = (name: string) => join(dirname(dir), name);
  const conventional = `epoch-${want.epoch}`;
  if (conventional !== self && holds(looseManifest(near(conventional)), want)) return { dir: near(conventional) };
  let entries = siblings.get(parent);
  if (!entries) {
    entries = [];
    let names: string[] = [];
    try {
      names = readdirSync(parent).sort();
    } catch {
      // An unreadable parent holds nothing we can use.
    }
    for (const name of names) {
      // Hidden names are an interrupted run's leftovers (.DIR.tmp-…, .DIR.old-…), never an epoch.
      if (name.startsWith(".")) continue;
      try {
        if (!statSync(join(parent, name)).isDirectory()) continue;
      } catch {
        continue;
      }
      const m = looseManifest(join(parent, name));
      if (m) entries.push({ name, ...m });
    }
    siblings.set(parent, entries);
  }
  const match = entries.find((e) => e.name !== self && holds(e, want));
  if (match) return { dir: near(match.name) };
  const others = entries.filter((e) => e.name !== self && e.epoch === want.epoch);
  return {
    reason:
      `unproven: no directory next to ${dir} holds the previous epoch ${want.epoch} with root ${want.root}` +
      (others.length > 0 ? ` (${others.map((o) => `${o.name} has root ${String(o.root)}`).join("; ")})` : "") +
      `; give it with --previous, or keep each epoch's artifacts directory next to the previous one's`,
  };
}

/** Recomputes a directory below the one being proven: a directory that cannot be read is a difference, not a crash. */
function recomputeBelow(dir: string): Recomputed | { dir: string; error: string } {
  try {
    return recomputeArtifacts(dir);
  } catch (error) {
    if (error instanceof PipelineError) return { dir, error: error.message };
    throw error;
  }
}

export interface ProveOptions {
  /** The previous epoch's directory; found next to `dir` when not given. */
  previous?: string;
  /** The root `dir` must recompute to. */
  root?: string;
  onProgress?: ProgressListener;
}

/**
 * Proves `dir`: recomputes it and every epoch below it (each previous epoch as its manifest records it, given or
 * found next to it), the first one first, and chains each to the one before. Returns every epoch checked, the first
 * one first and `dir` last; `dir` is proven when the last one is `ok`.
 */
export function proveChain(dir: string, options: ProveOptions = {}): EpochCheck[] {
  return proveWithHandover(dir, options).checks;
}

function proveWithHandover(dir: string, options: ProveOptions): { checks: EpochCheck[]; top: Recomputed } {
  // 1. Locate the chain, from `dir` down, reading manifests only.
  const located: { dir: string; manifest: Manifest }[] = [{ dir, manifest: readManifest(dir) }];
  const siblings: Siblings = new Map();
  let bottom: Prior | undefined;
  for (;;) {
    const { dir: current, manifest } = located.at(-1)!;
    const recorded = manifest.previous;
    if (!recorded) break;
    if (recorded.epoch !== manifest.epoch - 1) {
      bottom = {
        status: "unproven",
        file: "manifest.json",
        reason: `records the previous epoch ${recorded.epoch}, not ${manifest.epoch - 1}`,
      };
      break;
    }
    let found: string;
    if (located.length === 1 && options.previous !== undefined) {
      found = options.previous;
    } else {
      const where = locatePrevious(current, recorded, siblings);
      if ("reason" in where) {
        bottom = { status: "unproven", file: "manifest.json", reason: where.reason };
        break;
      }
      found = where.dir;
    }
    let previousManifest: Manifest;
    try {
      previousManifest = readManifest(found);
    } catch (error) {
      // The directory given with --previous must be one: as before, an I/O error (exit 3).
      if (located.length === 1 && options.previous !== undefined) throw error;
      bottom = { status: "unproven", file: "manifest.json", reason: `${found}: ${(error as Error).message}` };
      break;
    }
    located.push({ dir: found, manifest: previousManifest });
    if (
      previousManifest.epoch !== recorded.epoch ||
      previousManifest.root.toLowerCase() !== recorded.root.toLowerCase()
    )
      break; // link() names the mismatch
  }

  // 2. Recompute from the oldest up, chaining each epoch to the one below.
  const checks: EpochCheck[] = [];
  let below: { recomputed: Recomputed; check: EpochCheck } | undefined;
  let top: Recomputed | undefined;
  for (let i = located.length - 1; i >= 0; i--) {
    const isTop = i === 0;
    const result = isTop
      ? recomputeArtifacts(located[i]!.dir, { root: options.root, onProgress: options.onProgress })
      : recomputeBelow(located[i]!.dir);
    if ("error" in result) {
      // Unreadable: the epochs above it are not proven (their link names it).
      const m = located[i]!.manifest;
      const check = finish({
        ...checkOf({
          dir: result.dir,
          manifest: m,
          root: "",
          files: 0,
          differences: [{ file: "manifest.json", reason: result.error }],
          received: {},
        }),
      });
      checks.push(check);
      below = {
        recomputed: { dir: result.dir, manifest: m, root: "", files: 0, differences: [], received: {} },
        check,
      };
      continue;
    }
    const check = checkOf(result);
    check.prior = below ? link(result, below.recomputed, below.check) : (bottom ?? startOf(result.manifest));
    checks.push(finish(check));
    // Keep only what the next epoch needs: the handover of the epoch just below.
    below = { recomputed: result, check };
    if (isTop) top = result;
  }
  return { checks, top: top! };
}

/** The difference `verify` reports for an epoch whose prior reputation is not proven, if it is not. */
export function priorDifference(check: EpochCheck): Difference | undefined {
  const prior = check.prior;
  if (prior.status === "unproven" || prior.status === "failed") return { file: prior.file, reason: prior.reason };
  return undefined;
}

/**
 * The previous epoch of `allocate --previous DIR`, proven: `DIR` and every epoch below it recompute and chain.
 * What the new epoch takes over is what `DIR`'s recomputation hands over (byte for byte its reputation.csv).
 * Throws {@link PreviousUnprovenError} (exit 1) otherwise.
 */
export function provePreviousEpoch(dir: string): PreviousEpoch {
  // The checks and errors of reading it come first: a directory that is not one, without reputation.csv, …
  const read = readPreviousEpoch(dir);
  const { checks, top } = proveWithHandover(dir, {});
  const check = checks.at(-1)!;
  if (!check.ok) throw new PreviousUnprovenError(dir, check.cause!);
  const handover = top.handover!;
  if (!sameBytes(read.source.bytes, handover.reputation)) {
    throw new PreviousUnprovenError(dir, `${describe(check)}: reputation.csv changed while it was being proven`);
  }
  return {
    epoch: check.epoch,
    root: check.root,
    reputation: parsePreviousReputation({ name: read.source.name, bytes: handover.reputation }),
    source: { name: read.source.name, bytes: handover.reputation },
    ...previousRecoveries(handover.recoveries),
  };
}

// ---------------------------------------------------------------------------------------------
// A whole history: ROOT/epoch-1, ROOT/epoch-2, …
// ---------------------------------------------------------------------------------------------

export interface HistoryResult {
  ok: boolean;
  /** The history's directory. */
  root: string;
  /** Every epoch directory, epoch 1 first. */
  epochs: EpochCheck[];
  /**
   * Every problem, each file named by its path in the history (`epoch-3/reputation.csv`); an epoch that is not proven
   * only because one below is not is not repeated.
   */
  differences: Difference[];
  /** Entries named `epoch-…` that are not `epoch-<N>` directories, left out of the walk. */
  ignored: string[];
}

const EPOCH_DIR = /^epoch-([0-9]+)$/;

/**
 * Walks a history: every directory `epoch-<N>` of `root`, from epoch 1 up, each recomputed from its inputs/ and
 * chained to the one before (manifest.previous and the prior reputation and recoveries handed over). A missing
 * epoch, a directory holding another epoch than its name, or two directories for one epoch are differences.
 * `onEpoch` is called with each epoch once checked.
 */
export function verifyHistory(root: string, options: { onEpoch?: (check: EpochCheck) => void } = {}): HistoryResult {
  let names: string[];
  try {
    names = readdirSync(root).sort();
  } catch (error) {
    throw new ArtifactsError(
      `--history ${root}: cannot read the directory (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
      { cause: error },
    );
  }
  const byEpoch = new Map<number, string[]>();
  const ignored: string[] = [];
  for (const name of names) {
    const match = EPOCH_DIR.exec(name);
    let isDirectory = false;
    try {
      isDirectory = statSync(join(root, name)).isDirectory();
    } catch {
      // Not readable: ignored below.
    }
    if (!match || !isDirectory || !Number.isSafeInteger(Number(match[1]))) {
      if (name.startsWith("epoch-")) ignored.push(name);
      continue;
    }
    const n = Number(match[1]);
    byEpoch.set(n, [...(byEpoch.get(n) ?? []), name]);
  }
  if (byEpoch.size === 0) throw new ArtifactsError(`--history ${root}: no epoch-<N> directory in it`);

  const differences: Difference[] = [];
  const epochs: EpochCheck[] = [];
  const last = Math.max(...byEpoch.keys());
  let below: { recomputed: Recomputed; check: EpochCheck } | undefined;
  let gap: string | undefined;
  for (let n = 1; n <= last; n++) {
    const found = byEpoch.get(n);
    if (!found) {
      differences.push({ file: `epoch-${n}`, reason: `missing: ${root} has no directory for epoch ${n}` });
      gap = `no directory for epoch ${n} in ${root}`;
      below = undefined;
      continue;
    }
    if (found.length > 1) {
      differences.push({ file: found.join(", "), reason: `${found.length} directories for epoch ${n}` });
    }
    const name = found[0]!;
    const dir = join(root, name);
    const result = recomputeBelow(dir);
    let check: EpochCheck;
    let recomputed: Recomputed;
    if ("error" in result) {
      differences.push({ file: `${name}/manifest.json`, reason: result.error });
      gap = `${name} cannot be read`;
      below = undefined;
      continue;
    }
    recomputed = result;
    check = checkOf(result);
    if (check.epoch !== n)
      check.differences.push({ file: "manifest.json", reason: `holds epoch ${check.epoch}, not ${n}` });
    if (below) check.prior = link(result, below.recomputed, below.check);
    else if (n === 1 || gap === undefined) check.prior = startOf(result.manifest);
    else check.prior = { status: "unproven", file: `inputs/${PREVIOUS_REPUTATION_FILE}`, reason: `unproven: ${gap}` };
    finish(check);
    for (const d of check.differences) differences.push({ file: `${name}/${d.file}`, reason: d.reason });
    const prior = check.prior;
    if ((prior.status === "failed" && !prior.inherited) || prior.status === "unproven") {
      differences.push({ file: `${name}/${prior.file}`, reason: prior.reason });
    }
    epochs.push(check);
    options.onEpoch?.(check);
    below = { recomputed, check };
    gap = undefined;
  }
  return { ok: differences.length === 0, root, epochs, differences, ignored };
}
