/**
 * `verify`: recompute an epoch from the inputs recorded in its own artifacts directory
 * (inputs/, listed in manifest.json) and compare every file byte for byte.
 */
import { readFileSync, readdirSync } from "node:fs";
import { join, normalize, isAbsolute, sep } from "node:path";
import { readManifest, renderArtifacts } from "./artifacts.js";
import { computeEpoch, type ProgressListener } from "./epoch.js";
import { ArtifactsError, InputError } from "./errors.js";
import type { Source } from "./inputs.js";
import { PREVIOUS_REPUTATION_FILE, parsePreviousReputation, readPreviousEpoch } from "./previous.js";

export interface VerifyOptions {
  /** The root expected on-chain (0x…); the recomputed root must equal it. */
  root?: string;
  /** The previous epoch's artifacts: its reputation must equal the recorded inputs/previous-reputation.csv. */
  previous?: string;
  onProgress?: ProgressListener;
}

export interface VerifyResult {
  ok: boolean;
  /** The recomputed root. */
  root: string;
  epoch: number;
  /** Files compared. */
  files: number;
  /** Differences in file order; the first one is what `verify` reports. */
  differences: { file: string; reason: string }[];
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

/** Recomputes the artifacts of `dir` from its inputs/ and compares them. Never writes. */
export function verifyArtifacts(dir: string, options: VerifyOptions = {}): VerifyResult {
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

  const differences: VerifyResult["differences"] = [];
  let previous;
  const previousSource = sources.get("previous");
  if (previousSource) {
    if (!manifest.previous)
      throw new ArtifactsError("manifest.json has a previous-reputation input but no previous epoch");
    previous = {
      ...manifest.previous,
      reputation: parsePreviousReputation(previousSource),
      source: { name: PREVIOUS_REPUTATION_FILE, bytes: previousSource.bytes },
    };
  }
  if (options.previous !== undefined) {
    const actual = readPreviousEpoch(options.previous);
    if (!previous)
      differences.push({
        file: "manifest.json",
        reason: `records no previous epoch, but --previous was given`,
      });
    else if (actual.root !== previous.root || actual.epoch !== previous.epoch) {
      differences.push({
        file: "manifest.json",
        reason: `previous epoch ${previous.epoch} root ${previous.root} ≠ ${options.previous} (epoch ${actual.epoch} root ${actual.root})`,
      });
    } else if (!Buffer.from(actual.source.bytes).equals(Buffer.from(previous.source.bytes))) {
      differences.push({
        file: `inputs/${PREVIOUS_REPUTATION_FILE}`,
        reason: `differs from the reputation in ${options.previous}`,
      });
    }
  }

  let result;
  try {
    result = computeEpoch({
      works: get("works"),
      votes: get("votes"),
      teams: sources.get("teams"),
      config: get("epoch"),
      previous,
      onProgress: options.onProgress,
    });
  } catch (error) {
    if (error instanceof InputError) {
      // Inputs that no longer validate were tampered with: a verification failure, not bad usage.
      return {
        ok: false,
        root: "",
        epoch: manifest.epoch,
        files: 0,
        differences: [...differences, { file: error.file, reason: error.message }],
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
  for (const file of expected) {
    let actual: Buffer;
    try {
      actual = readFileSync(join(dir, file.path));
    } catch {
      differences.push({ file: file.path, reason: "missing" });
      continue;
    }
    const pieces = [...file.render()].map((p) => (typeof p === "string" ? Buffer.from(p) : Buffer.from(p)));
    const bytes = Buffer.concat(pieces);
    if (!actual.equals(bytes))
      differences.push({
        file: file.path,
        reason: firstDifference(actual, bytes),
      });
  }
  for (const path of listFiles(dir)) {
    if (!expectedPaths.has(path))
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
    ok: differences.length === 0,
    root: result.root,
    epoch: result.config.epoch,
    files: expected.length,
    differences,
  };
}
