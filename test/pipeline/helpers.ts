import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  computeEpoch,
  toChecksumAddress,
  keccak256Hex,
  type EpochSources,
  type Source,
} from "../../scripts/lib/index.js";
import { EXPORT_FILES, renderExport, writeExport, type EpochExport, type ExportFiles } from "../support/exports.js";

export { csv } from "../support/exports.js";

/** A deterministic checksummed address for test account `n`. */
export const addr = (n: number) => toChecksumAddress("0x" + keccak256Hex(`test account ${n}`).slice(-40));

export const src = (name: string, text: string): Source => ({ name, bytes: Buffer.from(text) });

export const WINDOW = { start: "2025-01-01T00:00:00Z", end: "2025-01-31T23:59:59Z" };

export function epochJson(extra: Record<string, unknown> = {}, rules: Record<string, unknown> = {}): string {
  return JSON.stringify({ epoch: 1, pool: "1000", tokenDecimals: 18, chainId: 31337, ...WINDOW, rules, ...extra });
}

export interface SmallEpoch {
  works: (string | number)[][];
  votes: (string | number)[][];
  teams?: (string | number)[][];
  config?: string;
}

/** The export of a small epoch: works get a category, title, link and time, votes without a time one in the window. */
export function smallExport(e: SmallEpoch): EpochExport {
  return {
    works: e.works.map((w) => [...w, "article", "t", "https://x", "2025-01-02T00:00:00Z"].slice(0, 6)),
    votes: e.votes.map((v) => (v.length === 3 ? [...v, "2025-01-10T00:00:00Z"] : v)),
    teams: e.teams,
    config: e.config ?? epochJson(),
  };
}

/** The small epoch's files in memory, as `computeEpoch` reads them. */
export function sources(e: SmallEpoch): EpochSources {
  const texts = renderExport(smallExport(e));
  return {
    works: src(EXPORT_FILES.works, texts.works),
    votes: src(EXPORT_FILES.votes, texts.votes),
    teams: texts.teams === undefined ? undefined : src(EXPORT_FILES.teams, texts.teams),
    config: src(EXPORT_FILES.config, texts.config),
  };
}

/** Writes the small epoch's files into `dir`, `replace` giving some of them verbatim; returns their paths. */
export function writeSmallEpoch(dir: string, e: SmallEpoch, replace: Partial<ExportFiles> = {}): ExportFiles {
  return writeExport(dir, smallExport(e), replace);
}

export const compute = (e: SmallEpoch) => computeEpoch(sources(e));

/** A fresh empty temp directory; its contents are listed to prove nothing was left behind. */
export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "social-mining-test-"));
}

export function cleanup(dir: string): void {
  if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
}

export const list = (dir: string) => readdirSync(dir).sort();
