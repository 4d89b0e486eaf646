/**
 * The output directory of an epoch (docs/cli.md, Output directory). Artifacts are written into a
 * temporary directory next to the target and renamed into place when complete, under a lock file
 * that keeps two runs from writing the same target. `force` replaces only an existing epoch
 * artifacts directory, and never one holding an input or the working directory.
 *
 * Names next to a target `DIR` (all hidden, all starting with `.DIR.`):
 *
 * - `.DIR.lock`: the lock, created exclusively (`wx`). It records the run's process id, host and
 *   run id, and so names the run's other files: `.DIR.tmp-<id>` (the artifacts being written) and
 *   `.DIR.old-<id>` (the replaced directory, between the two renames of a replace).
 * - `.DIR.lock.takeover`: held for the moment a run takes over the lock of a run that no longer
 *   exists, so that two runs never take it over together.
 *
 * A run killed before it released its lock leaves the lock behind. The next run on the same target
 * (same host) sees that the recorded process is gone, removes that run's temporary directory, puts
 * back a replaced directory the run had moved aside (or removes it if the new one was already in
 * place), then takes the lock. Anything else that looks like a leftover is reported, never removed.
 */
import { randomBytes } from "node:crypto";
import {
  lstatSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { hostname } from "node:os";
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { ArtifactsError, OutputError, OutputExistsError, OutputLockedError, PipelineError } from "./errors.js";

/** A path that the output must neither contain nor lie inside: an input file, `--previous`. */
export interface ProtectedPath {
  path: string;
  /** How the user gave it, for messages: "--works", "--previous". */
  what: string;
}

export interface OutputOptions {
  /** Replace an existing epoch artifacts directory (never anything else). */
  force?: boolean;
  /** The inputs and the previous epoch's directory: a replaced directory must not hold them. */
  protect?: readonly ProtectedPath[];
}

/** The artifacts directory a write replaced. */
export interface ReplacedArtifacts {
  dir: string;
  epoch: number | null;
  root: string | null;
}

/** What a write did besides writing the artifacts. */
export interface WriteReport {
  /** The directory replaced (`force`), or null if the target did not exist. */
  replaced: ReplacedArtifacts | null;
  /** Leftovers of interrupted runs that were removed or put back, one sentence each. */
  cleaned: string[];
  /** Paths next to the target that look like leftovers of a run this one cannot identify: left alone. */
  leftovers: string[];
}

const TOOL = "social-mining";
/** A run id: process id and 8 random hex digits. */
const RUN_ID = /^[0-9]+-[0-9a-f]{8}$/;
/** The manifest formats of this pipeline: a directory with such a manifest.json is one `force` may replace. */
const MANIFEST_FORMATS = /^social-mining-epoch-v[0-9]+$/;

interface Target {
  dir: string;
  path: string;
  parent: string;
  base: string;
  lock: string;
  takeover: string;
}

function targetOf(dir: string): Target {
  const path = resolve(dir);
  const parent = dirname(path);
  const base = basename(path);
  if (path === parent || base === "") {
    throw new OutputError(dir, `cannot write the artifacts to ${dir}: it is the root of the file system`);
  }
  return {
    dir,
    path,
    parent,
    base,
    lock: join(parent, `.${base}.lock`),
    takeover: join(parent, `.${base}.lock.takeover`),
  };
}

/** A path as messages show it: absolute if `--out` was given absolute, else relative to the working directory. */
function show(t: Target, path: string): string {
  return isAbsolute(t.dir) ? path : relative(process.cwd(), path) || ".";
}

const tempName = (t: Target, id: string) => `.${t.base}.tmp-${id}`;
const oldName = (t: Target, id: string) => `.${t.base}.old-${id}`;

const codeOf = (error: unknown) => (error as NodeJS.ErrnoException).code ?? (error as Error).message;

function lstatOrUndefined(path: string): ReturnType<typeof lstatSync> | undefined {
  try {
    return lstatSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return undefined;
    throw error;
  }
}

/** `inner` is `outer` or inside it (both absolute and real). */
function within(inner: string, outer: string): boolean {
  return inner === outer || inner.startsWith(outer.endsWith(sep) ? outer : outer + sep);
}

/** The nearest existing ancestor of the target's parent, which must be a directory. */
function existingAncestor(t: Target): string {
  let path = t.parent;
  while (lstatOrUndefined(path) === undefined && dirname(path) !== path) path = dirname(path);
  let isDirectory: boolean;
  try {
    isDirectory = statSync(path).isDirectory();
  } catch (error) {
    throw new OutputError(t.dir, `cannot write ${t.dir}: cannot read ${show(t, path)} (${codeOf(error)})`, {
      cause: error,
    });
  }
  if (!isDirectory) throw new OutputError(t.dir, `cannot write ${t.dir}: ${show(t, path)} is a file, not a directory`);
  return path;
}

/** The target's real path (symbolic links of its ancestors resolved), whether it exists or not. */
function realTarget(t: Target, exists: boolean): string {
  if (exists) return realpathSync(t.path);
  const ancestor = existingAncestor(t);
  return join(realpathSync(ancestor), relative(ancestor, t.path));
}

/** The format, epoch and root of `dir/manifest.json`, if it is a manifest of this pipeline. */
function readArtifactsManifest(path: string): { epoch: number | null; root: string | null } | undefined {
  let manifest: unknown;
  try {
    manifest = JSON.parse(readFileSync(join(path, "manifest.json"), "utf8"));
  } catch {
    return undefined;
  }
  if (typeof manifest !== "object" || manifest === null) return undefined;
  const { format, epoch, root } = manifest as Record<string, unknown>;
  if (typeof format !== "string" || !MANIFEST_FORMATS.test(format)) return undefined;
  return {
    epoch: typeof epoch === "number" ? epoch : null,
    root: typeof root === "string" ? root : null,
  };
}

/**
 * Checks, without writing anything, that `dir` may be written with `options`: its parent can be a
 * directory; it does not exist, or `force` is given and it is an epoch artifacts directory that
 * holds no protected path and not the working directory; it is not inside a protected path.
 * Returns what would be replaced. Throws an {@link OutputError} naming the path and why.
 */
export function checkOutput(dir: string, options: OutputOptions = {}): ReplacedArtifacts | null {
  const t = targetOf(dir);
  existingAncestor(t);
  let stat: ReturnType<typeof lstatSync> | undefined;
  try {
    stat = lstatOrUndefined(t.path);
  } catch (error) {
    throw new OutputError(dir, `cannot write ${dir}: ${codeOf(error)}`, { cause: error });
  }
  const refuse = (why: string): never => {
    throw new OutputError(dir, `cannot replace ${dir}: ${why}`);
  };
  let replaced: ReplacedArtifacts | null = null;
  if (stat !== undefined) {
    if (!options.force) throw new OutputExistsError(dir);
    if (stat.isSymbolicLink())
      refuse("it is a symbolic link; --force replaces only an epoch artifacts directory itself");
    if (!stat.isDirectory()) refuse("it is a file, not an epoch artifacts directory; --force replaces only those");
    const manifest = readArtifactsManifest(t.path);
    if (!manifest) {
      refuse(
        "it has no manifest.json of this pipeline (format social-mining-epoch-v…), so it is not an epoch artifacts directory; --force replaces only those",
      );
    }
    replaced = { dir, ...manifest! };
  }
  const real = realTarget(t, stat !== undefined);
  if (stat !== undefined && within(realpathSync(process.cwd()), real)) {
    refuse("the working directory is inside it");
  }
  for (const { path, what } of options.protect ?? []) {
    let protectedPath: string;
    try {
      protectedPath = realpathSync(path);
    } catch {
      continue; // Not there: nothing to protect.
    }
    if (protectedPath === real) refuse(`it is ${what} ${path}`);
    if (within(protectedPath, real)) refuse(`${what} ${path} is inside it`);
    if (within(real, protectedPath)) {
      throw new OutputError(dir, `cannot write ${dir}: it is inside ${what} ${path}, which the run reads`);
    }
  }
  return replaced;
}

// ---------------------------------------------------------------------------------------------
// The lock
// ---------------------------------------------------------------------------------------------

interface LockRecord {
  tool: typeof TOOL;
  pid: number;
  host: string;
  id: string;
}

/** The run holding a lock file; "gone" if there is none; undefined if the file is not a lock of this pipeline. */
function readLock(path: string): LockRecord | "gone" | undefined {
  // A lock is created, then written: a reader may see it empty for a moment.
  for (let attempt = 0; ; attempt++) {
    let text: string;
    try {
      text = readFileSync(path, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return "gone";
      throw error;
    }
    try {
      const r = JSON.parse(text) as Partial<LockRecord>;
      if (
        r.tool === TOOL &&
        Number.isSafeInteger(r.pid) &&
        typeof r.host === "string" &&
        typeof r.id === "string" &&
        RUN_ID.test(r.id)
      ) {
        return r as LockRecord;
      }
      return undefined;
    } catch {
      if (attempt >= 20) return undefined;
      sleep(25);
    }
  }
}

/** Creates `path` with `record` unless it exists. */
function createExclusive(t: Target, path: string, record: string): boolean {
  try {
    writeFileSync(path, record, { flag: "wx" });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw new OutputError(t.dir, `cannot write ${t.dir}: cannot create ${show(t, path)} (${codeOf(error)})`, {
      cause: error,
    });
  }
}

/** Whether the run of a lock may still be running: on another host it cannot be told, so yes. */
function mayBeRunning(holder: LockRecord): boolean {
  if (holder.host !== hostname()) return true;
  try {
    process.kill(holder.pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function describeRun(holder: LockRecord): string {
  return `run ${holder.id} (process ${holder.pid}${holder.host === hostname() ? "" : ` on ${holder.host}`})`;
}

/** Removes or puts back what the interrupted run of `holder` left next to the target. */
function cleanUpAfter(t: Target, holder: LockRecord, cleaned: string[]): void {
  const temp = join(t.parent, tempName(t, holder.id));
  const old = join(t.parent, oldName(t, holder.id));
  const run = describeRun(holder);
  try {
    if (lstatOrUndefined(old)) {
      if (!lstatOrUndefined(t.path)) {
        renameSync(old, t.path);
        cleaned.push(`put back ${t.dir} from ${show(t, old)}: ${run} was interrupted while replacing it`);
      } else {
        rmSync(old, { recursive: true, force: true });
        cleaned.push(`removed ${show(t, old)}, the copy ${run} replaced before it was interrupted`);
      }
    }
    if (lstatOrUndefined(temp)) {
      rmSync(temp, { recursive: true, force: true });
      cleaned.push(`removed ${show(t, temp)}, the unfinished artifacts of ${run}, which was interrupted`);
    }
  } catch (error) {
    throw new OutputError(t.dir, `cannot clean up after ${run} next to ${t.dir}: ${codeOf(error)}`, { cause: error });
  }
}

/**
 * Takes over the lock of a run that no longer exists: under `.DIR.lock.takeover`, checks that the
 * lock is still that run's, cleans up after it and removes the lock.
 */
function takeOver(t: Target, holder: LockRecord, record: string, cleaned: string[]): void {
  if (!createExclusive(t, t.takeover, record)) {
    throw new OutputLockedError(
      t.dir,
      `another run is taking over the lock of an interrupted run on ${t.dir}; if no run is writing it, remove ${show(t, t.takeover)}`,
    );
  }
  try {
    const current = readLock(t.lock);
    if (typeof current === "object" && current.id === holder.id) {
      cleanUpAfter(t, holder, cleaned);
      unlinkSync(t.lock);
      cleaned.push(`removed the lock ${show(t, t.lock)} of ${describeRun(holder)}, which no longer exists`);
    }
  } finally {
    unlinkSync(t.takeover);
  }
}

function acquireLock(t: Target, id: string, cleaned: string[]): void {
  const record = JSON.stringify({ tool: TOOL, pid: process.pid, host: hostname(), id }) + "\n";
  for (let attempt = 0; attempt < 5; attempt++) {
    if (createExclusive(t, t.lock, record)) return;
    const holder = readLock(t.lock);
    if (holder === "gone") continue;
    if (holder === undefined) {
      throw new OutputLockedError(
        t.dir,
        `${t.dir} is locked by ${show(t, t.lock)}, which is not a lock file of this pipeline; remove it if no run is writing ${t.dir}`,
      );
    }
    if (mayBeRunning(holder)) {
      throw new OutputLockedError(
        t.dir,
        `another run is writing ${t.dir}: ${describeRun(holder)} holds its lock ${show(t, t.lock)}` +
          (holder.host === hostname() ? "" : `; if that run is over, remove the lock`),
      );
    }
    takeOver(t, holder, record, cleaned);
  }
  throw new OutputLockedError(t.dir, `cannot lock ${t.dir}: its lock ${show(t, t.lock)} keeps changing`);
}

function releaseLock(t: Target, id: string): void {
  try {
    const holder = readLock(t.lock);
    if (typeof holder === "object" && holder.id === id) unlinkSync(t.lock);
  } catch {
    // Left behind, the lock is recognised as stale by the next run.
  }
}

/** Names next to the target that look like a run's leftovers but that no lock names (except ours). */
function unidentifiedLeftovers(t: Target, id: string): string[] {
  const prefix = `.${t.base}.`;
  const ours = new Set([tempName(t, id), oldName(t, id), basename(t.lock)]);
  return readdirSync(t.parent)
    .filter((name) => name.startsWith(prefix) && !ours.has(name))
    .filter((name) => /^(?:tmp|old)-/.test(name.slice(prefix.length)) || name === basename(t.takeover))
    .sort()
    .map((name) => show(t, join(t.parent, name)));
}

/**
 * Cleans up after interrupted runs on `dir` (as {@link writeOutput} does first) and lists the
 * leftovers it cannot identify, without writing the directory: a caller runs it before a long
 * computation, so that a run holding the lock is reported at once and a replaced directory that an
 * interrupted run moved aside is back in place before `dir` is checked.
 */
export function recoverOutput(dir: string): { cleaned: string[]; leftovers: string[] } {
  const t = targetOf(dir);
  let isDirectory = false;
  try {
    isDirectory = statSync(t.parent).isDirectory();
  } catch {
    // Not there: nothing to recover.
  }
  // No directory to look in: nothing to recover (checkOutput names a parent that is a file).
  if (!isDirectory) return { cleaned: [], leftovers: [] };
  const id = `${process.pid}-${randomBytes(4).toString("hex")}`;
  const cleaned: string[] = [];
  acquireLock(t, id, cleaned);
  try {
    return { cleaned, leftovers: unidentifiedLeftovers(t, id) };
  } finally {
    releaseLock(t, id);
  }
}

// ---------------------------------------------------------------------------------------------
// Writing
// ---------------------------------------------------------------------------------------------

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * For tests of interrupted runs: `SOCIAL_MINING_TEST_PAUSE=<point>:<ms>` makes a run sleep at that
 * point, so that a test can kill it there. Points: `write` (the temporary directory holds its
 * first file), `swap` (a replaced directory is moved aside, the new one not yet in place),
 * `remove` (the new one is in place, the replaced one not yet removed).
 */
export function testPause(point: "write" | "swap" | "remove"): void {
  const setting = process.env.SOCIAL_MINING_TEST_PAUSE;
  if (!setting) return;
  const [at, ms] = setting.split(":");
  if (at === point) sleep(Number(ms) || 0);
}

/**
 * Writes a directory at `dir` atomically: `write` fills a temporary directory next to it, which is
 * then renamed into place; with `force`, an existing epoch artifacts directory is moved aside
 * first and removed last. The whole write holds the target's lock.
 */
export function writeOutput(dir: string, options: OutputOptions, write: (temp: string) => void): WriteReport {
  const t = targetOf(dir);
  existingAncestor(t);
  try {
    mkdirSync(t.parent, { recursive: true });
  } catch (error) {
    throw new OutputError(dir, `cannot write ${dir}: cannot create ${t.parent} (${codeOf(error)})`, { cause: error });
  }
  const id = `${process.pid}-${randomBytes(4).toString("hex")}`;
  const cleaned: string[] = [];
  acquireLock(t, id, cleaned);
  try {
    const leftovers = unidentifiedLeftovers(t, id);
    const replaced = checkOutput(dir, options);
    const temp = join(t.parent, tempName(t, id));
    const old = join(t.parent, oldName(t, id));
    try {
      mkdirSync(temp);
      write(temp);
      if (replaced) {
        renameSync(t.path, old);
        testPause("swap");
        try {
          renameSync(temp, t.path);
        } catch (error) {
          renameSync(old, t.path);
          throw error;
        }
        testPause("remove");
        try {
          rmSync(old, { recursive: true, force: true });
        } catch {
          // The new directory is in place: the old copy is reported, not an error.
          leftovers.push(show(t, old));
        }
      } else {
        // rename(2) would replace an empty directory: check once more, under the lock.
        if (lstatOrUndefined(t.path)) throw new OutputExistsError(dir);
        renameSync(temp, t.path);
      }
    } catch (error) {
      rmSync(temp, { recursive: true, force: true });
      if (error instanceof PipelineError) throw error;
      throw new ArtifactsError(`cannot write ${dir}: ${(error as Error).message}`, { cause: error });
    }
    return { replaced, cleaned, leftovers };
  } finally {
    releaseLock(t, id);
  }
}
