/**
 * `hardhat sm:build-tests`: compiles the contracts, then the Solidity tests one folder at a time.
 *
 * Why: Hardhat merges every test file into one solc job, and with this many test contracts that job overflows
 * solc-js's WebAssembly memory ("memory access out of bounds", HHE908) on a clean build. Hardhat caches
 * compilation per root file, so after this task `hardhat test` finds everything compiled and starts at once.
 * `npm test` and `npm run coverage` run it first (with `--coverage` for the instrumented build).
 */
import { readdirSync } from "node:fs";
import { join, relative } from "node:path";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

/** The folders under test/ that hold Solidity files, each with its .sol files (one solc job per folder). */
function solidityFolders(root: string): string[][] {
  const groups: string[][] = [];
  const visit = (dir: string) => {
    const entries = readdirSync(dir, { withFileTypes: true });
    const files = entries.filter((e) => e.isFile() && e.name.endsWith(".sol")).map((e) => join(dir, e.name));
    if (files.length > 0) groups.push(files.sort());
    for (const e of entries) if (e.isDirectory()) visit(join(dir, e.name));
  };
  visit(root);
  return groups;
}

export default async function buildTests(_args: Record<string, unknown>, hre: HardhatRuntimeEnvironment) {
  const build = hre.tasks.getTask("build");
  await build.run({ noTests: true, quiet: true });
  const root = hre.config.paths.root;
  for (const files of solidityFolders(join(root, "test"))) {
    await build.run({ noContracts: true, quiet: true, files: files.map((f) => relative(root, f)) });
  }
}
