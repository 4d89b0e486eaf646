/**
 * `verify`: recompute an epoch from the inputs recorded in its own artifacts directory
 * (inputs/, listed in manifest.json) and compare every file byte for byte; then prove its prior
 * reputation, epoch by epoch down to the first one (history.ts).
 */
import { readFileSync, readdirSync } from "node:fs";
import { join, normalize, isAbsolute, sep } from "node:path";
import { readManifest, renderArtifacts } from "./artifacts.js";
import { PIPELINE_VERSION } from "./version.js";
import { computeEpoch, type ProgressListener } from "./epoch.js";
import { ArtifactsError, InputError } from "./errors.js";
import type { Source } from "./inputs.js";
import type { Manifest } from "./manifest.js";
import { PREVIOUS_REPUTATION_FILE, REPUTATION_FILE, parsePreviousReputation, previousRecoveries } from "./previous.js";
import { parseRecordedRecoveries, type Recovery } from "./recoveries.js";
import { priorDifference, proveChain, type EpochCheck, type Prior } from "./history.js";

export interface VerifyOptions {
  /** The root expected on-chain (0x…); the recomputed root must equal it. */
  root?: string;
  /**
   * The previous epoch's artifacts directory. Without it, the previous epoch is looked for next to `dir` (history.ts);
   * either way it is recomputed, down to the first epoch, and must hand over exactly the prior reputation recorded.
   */
  previous?: string;
  onProgress?: ProgressListener;
}

/** A file that differs from its recomputation, or a check that failed, and why. */
export interface Difference {
  file: string;
  reason: string;
}

export interface VerifyResult {
  ok: boolean;
  /** The recomputed root. */
  root: string;
  epoch: number;
  /** Files compared. */
  files: number;
  /** Differences in file order, then the prior reputation's; the first one is what `verify` reports. */
  differences: Difference[];
  /** How the epoch's prior reputation is established: first epoch, proven from the previous one, or not. */
  prior: Prior;
  /** Every epoch recomputed to prove it, the first one first and this one last. */
  epochs: EpochCheck[];
}

/** One directory recomputed from its own inputs/, without looking at any other directory. */
export interface Recomputed {
  dir: string;
  manifest: Manifest;
  /** The recomputed root ("" when the recorded inputs no longer validate). */
  root: string;
  files: number;
  differences: Difference[];
  /** What the epoch took over from the previous one, as its inputs/ hold it. */
  received: { reputation?: Uint8Array; recoveries?: Uint8Array };
  /** What it hands over to the next epoch, as recomputed; absent when its inputs no longer validate. */
  handover?: { reputation: Buffer; recoveries: Recovery[] };
}

function listFiles(dir: string, prefix = ""): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(dir, prefix), { withFileTypes: true })) {
    const path = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...listFiles(dir, path));
    else out.push(path);
  }
  return out;
}

function firstDifference(actual: Buffer, expected: Buffer): string {
  const n = Math.min(actual.length, expected.length);
  let i = 0;
  while (i < n && actual[i] === expected[i]) i++;
  const line = actual.subarray(0, i).toString("utf8").split("\n").length;
  if (i === n) return `differs in length (${actual.length} bytes, expected ${expected.length})`;
  return `differs from the recomputed file at byte ${i} (line ${line})`;
}

function inputPath(dir: string, file: string): string {
  const path = normalize(file);
  if (isAbsolute(path) || path.startsWith("..") || !path.startsWith(`inputs${sep}`)) {
    throw new ArtifactsError(`manifest.json: input ${JSON.stringify(file)} is not inside inputs/`);
  }
  return join(dir, path);
}

/**
 * Recomputes the artifacts of `dir` from its inputs/ and proves its prior reputation from the previous epochs
 * (history.ts). Never writes.
 */
export function verifyArtifacts(dir: string, options: VerifyOptions = {}): VerifyResult {
  return verifyResultOf(proveChain(dir, options));
}

/** The result of `verify` for the epochs proving a directory (the directory's last). */
export function verifyResultOf(epochs: EpochCheck[]): VerifyResult {
  const top = epochs.at(-1)!;
  const prior = priorDifference(top);
  return {
    ok: top.ok,
    root: top.recomputedRoot,
    epoch: top.epoch,
    files: top.files,
    differences: [...top.differences, ...(prior ? [prior] : [])],
    prior: top.prior,
    epochs,
  };
}

/** Files that describe a run rather than prove it: neither the root nor inputsHash commits to them. */
const PRESENTATION_FILES = new Set(["report.md", "excluded.csv"]);

/** Whether two pipeline versions share their major version (the artifact format). */
function sameMajor(a: string, b: string): boolean {
  return a.split(".")[0] === b.split(".")[0];
}

/** Recomputes the artifacts of `dir` from its inputs/ and compares them, byte for byte. Never writes. */
export function recomputeArtifacts(
  dir: string,
  options: { root?: string; onProgress?: ProgressListener } = {},
): Recomputed {
  const manifest = readManifest(dir);
  const sources = new Map<string, Source>();
  for (const input of manifest.inputs) {
    const path = inputPath(dir, input.file);
    let bytes: Buffer;
    try {
      bytes = readFileSync(path);
    } catch (error) {
      throw new ArtifactsError(`${input.file}: cannot read (${(error as NodeJS.ErrnoException).code})`, {
        cause: error,
      });
    }
    sources.set(input.role, { name: input.file, bytes });
  }
  const get = (role: string) => {
    const source = sources.get(role);
    if (!source) throw new ArtifactsError(`manifest.json lists no ${role} input`);
    return source;
  };

  const differences: Difference[] = [];
  const previousSource = sources.get("previous");
  const recoveredSource = sources.get("previous-recoveries");
  const received = { reputation: previousSource?.bytes, recoveries: recoveredSource?.bytes };

  let result;
  try {
    let previous;
    if (previousSource) {
      if (!manifest.previous)
        throw new ArtifactsError("manifest.json has a previous-reputation input but no previous epoch");
      previous = {
        ...manifest.previous,
        reputation: parsePreviousReputation(previousSource),
        source: { name: PREVIOUS_REPUTATION_FILE, bytes: previousSource.bytes },
        ...previousRecoveries(recoveredSource ? parseRecordedRecoveries(recoveredSource) : []),
      };
      // The copy is what the epoch hashed: recompute from it as it is, not from its re-rendering.
      if (previous.recoveries && recoveredSource) previous.recoveries.source = recoveredSource;
    } else if (recoveredSource) {
      throw new ArtifactsError("manifest.json has a previous-recoveries input but no previous-reputation input");
    }
    result = computeEpoch({
      works: get("works"),
      votes: get("votes"),
      teams: sources.get("teams"),
      config: get("epoch"),
      previous,
      recoveries: sources.get("recoveries"),
      onProgress: options.onProgress,
    });
  } catch (error) {
    if (error instanceof InputError) {
      // Inputs that no longer validate were tampered with: a verification failure, not bad usage.
      return {
        dir,
        manifest,
        root: "",
        files: 0,
        differences: [...differences, { file: error.file, reason: error.message }],
        received,
      };
    }
    throw error;
  }

  const recomputedTotal = result.reputationTotal.toString();
  if (manifest.reputationTotal !== recomputedTotal) {
    differences.push({
      file: "manifest.json",
      reason: `reputationTotal ${JSON.stringify(manifest.reputationTotal)} ≠ recomputed ${recomputedTotal}`,
    });
  }
  const expected = renderArtifacts(result);
  const expectedPaths = new Set(expected.map((f) => f.path));
  // An epoch written by an earlier release of this major version proves the same way: its presentation files
  // (which neither the root nor inputsHash commits to) may be worded differently or absent, and its manifest
  // names the release that wrote it.
  const earlier =
    manifest.pipelineVersion !== PIPELINE_VERSION && sameMajor(manifest.pipelineVersion, PIPELINE_VERSION);
  let reputation: Buffer | undefined;
  for (const file of expected) {
    if (earlier && PRESENTATION_FILES.has(file.path)) continue;
    let actual: Buffer;
    try {
      actual = readFileSync(join(dir, file.path));
    } catch {
      differences.push({ file: file.path, reason: "missing" });
      continue;
    }
    const pieces = [...file.render()].map((p) => (typeof p === "string" ? Buffer.from(p, "utf8") : Buffer.from(p)));
    let bytes = Buffer.concat(pieces);
    if (earlier && file.path === "manifest.json") {
      bytes = Buffer.from(
        bytes
          .toString("utf8")
          .replace(
            `"pipelineVersion": ${JSON.stringify(PIPELINE_VERSION)}`,
            `"pipelineVersion": ${JSON.stringify(manifest.pipelineVersion)}`,
          ),
        "utf8",
      );
    }
    if (file.path === REPUTATION_FILE) reputation = bytes;
    if (!actual.equals(bytes))
      differences.push({
        file: file.path,
        reason: firstDifference(actual, bytes),
      });
  }
  for (const path of listFiles(dir)) {
    if (!expectedPaths.has(path) && !(earlier && PRESENTATION_FILES.has(path)))
      differences.push({
        file: path,
        reason: "not part of the recomputed artifacts",
      });
  }
  if (options.root !== undefined && options.root.toLowerCase() !== result.root) {
    differences.push({
      file: "tree.json",
      reason: `root ${result.root} ≠ expected ${options.root}`,
    });
  }
  return {
    dir,
    manifest,
    root: result.root,
    files: expected.length,
    differences,
    received,
    handover: reputation && { reputation, recoveries: result.recoveries },
  };
}
