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

/** A deterministic checksummed address for test account `n`. */
export const addr = (n: number) => toChecksumAddress("0x" + keccak256Hex(`test account ${n}`).slice(-40));

export const src = (name: string, text: string): Source => ({ name, bytes: Buffer.from(text) });

export const csv = (header: string, rows: (string | number)[][]) =>
  [header, ...rows.map((r) => r.join(","))].join("\n") + "\n";

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

export function sources(e: SmallEpoch): EpochSources {
  return {
    works: src(
      "works.csv",
      csv(
        "work_id,contributor,category,title,pov_url,submitted_at",
        e.works.map((w) => [...w, "article", "t", "https://x", "2025-01-02T00:00:00Z"].slice(0, 6)),
      ),
    ),
    votes: src(
      "votes.csv",
      csv(
        "work_id,voter,points,cast_at",
        e.votes.map((v) => (v.length === 3 ? [...v, "2025-01-10T00:00:00Z"] : v)),
      ),
    ),
    teams: e.teams ? src("teams.csv", csv("team,member,share_bps", e.teams)) : undefined,
    config: src("epoch.json", e.config ?? epochJson()),
  };
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
