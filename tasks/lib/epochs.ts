/**
 * Running the pipeline library from the demo and the tests: an export directory (works.csv, votes.csv, optional
 * teams.csv, epoch.json) into an artifacts directory, with the real pool address and chain id as overrides.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { allocateEpoch, writeArtifacts, type ConfigOverrides, type EpochResult } from "../../scripts/lib/index.js";

/** Allocates the epoch exported in `inputDir` into `outDir`, chaining `previous` (the last epoch's artifacts). */
export function allocateExport(options: {
  inputDir: string;
  outDir: string;
  previous?: string;
  overrides?: ConfigOverrides;
}): EpochResult {
  const { inputDir } = options;
  const teams = join(inputDir, "teams.csv");
  const result = allocateEpoch({
    works: join(inputDir, "works.csv"),
    votes: join(inputDir, "votes.csv"),
    teams: existsSync(teams) ? teams : undefined,
    config: join(inputDir, "epoch.json"),
    previous: options.previous,
    overrides: options.overrides,
  });
  writeArtifacts(options.outDir, result);
  return result;
}
