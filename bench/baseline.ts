/**
 * The benches' named baseline: the pipeline library (scripts/lib) as of a git commit, extracted read-only with
 * `git archive` into a temporary directory and imported from there, so that one bench run measures the previous
 * implementation and the current one on the same inputs, on the same machine, at the same time.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The commit holding the implementation before the "ten times the scale" work (the previous implementation). */
export const BASELINE_COMMIT = "77b359e";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

/** Resolves a revision to its full commit id, or undefined when there is no git history here. */
export function resolveCommit(rev: string): string | undefined {
  try {
    return execFileSync("git", ["rev-parse", "--verify", `${rev}^{commit}`], { cwd: ROOT, encoding: "utf8" }).trim();
  } catch {
    return undefined;
  }
}

/**
 * The directory holding `scripts/lib` (and `protocol/`, if the commit has it) of `commit`, extracted once per
 * commit; it links this checkout's node_modules, so that the old library finds its dependencies.
 */
export function baselineRoot(commit: string): string {
  const dir = join(tmpdir(), `social-mining-baseline-${commit.slice(0, 12)}`);
  if (existsSync(join(dir, "scripts/lib/index.ts"))) return dir;
  mkdirSync(dir, { recursive: true });
  const paths = ["scripts/lib"];
  const tree = execFileSync("git", ["ls-tree", "--name-only", commit], { cwd: ROOT, encoding: "utf8" });
  if (tree.split("\n").includes("protocol")) paths.push("protocol");
  const archive = execFileSync("git", ["archive", "--format=tar", commit, ...paths], {
    cwd: ROOT,
    maxBuffer: 64 << 20,
  });
  execFileSync("tar", ["-x", "-C", dir], { input: archive });
  if (!existsSync(join(dir, "node_modules"))) symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"));
  // The root's package.json makes the extracted .ts files ES modules, as in the checkout.
  execFileSync("cp", [join(ROOT, "package.json"), join(dir, "package.json")]);
  return dir;
}
