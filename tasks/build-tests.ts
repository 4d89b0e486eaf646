/**
 * Override of Hardhat's `build` task (so of `hardhat build`, `hardhat compile` and the build that `hardhat test`
 * runs): a full build of the Solidity tests is compiled one folder per solc job instead of in one job.
 *
 * Why: in a full build Hardhat merges every test file into one solc job, and with this many test contracts that job
 * overflows solc-js's WebAssembly memory ("memory access out of bounds", HHE908) on a clean clone. Contracts and
 * tests already compile as separate jobs (`splitTestsCompilation` in hardhat.config.ts).
 *
 * How: the contracts first (`--no-tests`), then each folder holding test roots that need compiling (`test/fuzz`, …)
 * as its own build, then the full tests build Hardhat would have run. Hardhat caches compilation per root file, so
 * that last build compiles nothing: it only returns every test root and deletes stale artifacts, as a full build
 * does. A build of named files (`hardhat build <files>`, `hardhat test solidity <files>`), a contracts-only build
 * (`--no-tests`) and a project without split test compilation go to Hardhat's own action unchanged.
 */
import { dirname } from "node:path";
import type { TaskOverrideActionFunction } from "hardhat/types/tasks";

interface BuildArguments {
  files: string[];
  noTests: boolean;
  noContracts: boolean;
  quiet: boolean;
  force: boolean;
  defaultBuildProfile: string;
  [key: string]: unknown;
}

interface BuildResult {
  contractRootPaths: string[];
  testRootPaths: string[];
}

/** Groups root files (absolute paths) by folder: folders and files sorted. */
function byFolder(roots: Iterable<string>): string[][] {
  const folders = new Map<string, string[]>();
  for (const root of roots) folders.set(dirname(root), [...(folders.get(dirname(root)) ?? []), root]);
  return [...folders.keys()].sort().map((folder) => folders.get(folder)!.sort());
}

const build: TaskOverrideActionFunction = async (taskArguments, hre, runSuper): Promise<BuildResult> => {
  const args = taskArguments as BuildArguments;
  const fullTestsBuild = hre.config.solidity.splitTestsCompilation && args.files.length === 0 && !args.noTests;
  if (!fullTestsBuild) return await runSuper(args);

  const contracts = args.noContracts
    ? { contractRootPaths: [], testRootPaths: [] }
    : await runSuper({ ...args, noTests: true });

  // The test roots that are not compiled yet (or changed, or all of them with --force), one build per folder.
  // Absolute paths: Hardhat resolves relative ones from the working directory, not from the project root.
  const roots = await hre.solidity.getRootFilePaths({ scope: "tests" });
  const jobs = await hre.solidity.getCompilationJobs(roots, {
    buildProfile: hre.globalOptions.buildProfile ?? args.defaultBuildProfile,
    scope: "tests",
    force: args.force,
    quiet: args.quiet,
  });
  // (On a failure to plan the jobs, e.g. a bad pragma, the build below reports it the way Hardhat does.)
  const stale = jobs.success ? byFolder(jobs.compilationJobsPerFile.keys()) : [];
  for (const files of stale) await runSuper({ ...args, noContracts: true, files });

  // The full tests build: after the folders it compiles nothing, returns every test root and removes stale artifacts.
  const tests = await runSuper({ ...args, noContracts: true, force: false, quiet: args.quiet || stale.length > 0 });
  return { contractRootPaths: contracts.contractRootPaths, testRootPaths: tests.testRootPaths };
};

export default build;
