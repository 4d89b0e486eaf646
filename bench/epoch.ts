/**
 * Whole-epoch benchmark: CSV exports to a written artifacts directory through the library (the same calls as
 * `social-mining allocate`), by stage, next to the named baseline (the library of commit BASELINE_COMMIT, the
 * implementation before this one) on the same inputs in the same run. Each run is a child process of its own, so
 * that its peak memory (maxRSS) is its own.
 *
 *   npm run bench:epoch                              # 1M votes on 100k works by 100k contributors
 *   npm run bench:epoch -- --votes 10000000          # 10M votes on 1M works by 1M contributors
 *   npm run bench:epoch -- --junk 2600000            # a 2.6M-row votes file of mostly excluded rows
 *
 * Options: --works N (default votes / 10: one work a contributor, ten votes a work), --runs N (best of N runs of
 * each implementation, by total wall time; default 1), --baseline-runs N (of the baseline; default --runs),
 * --baseline REV (default BASELINE_COMMIT), --no-baseline.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { BASELINE_COMMIT, baselineRoot, resolveCommit } from "./baseline.js";
import { writeExport, type Row } from "../test/support/exports.js";
import { cpuMs } from "../test/support/stages.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const SELF = fileURLToPath(import.meta.url);

/** The stages every run is reported by, in order. */
const STAGES = ["read", "validate", "score", "allocate", "reputation", "tree", "inputs hash", "proofs", "write"];

/** A library stage name (this implementation's or the baseline's) → the bench's stage. */
function stageOf(name: string): string {
  if (name.startsWith("read")) return "read";
  if (name === "leaves") return "reputation";
  return name;
}

interface Measurement {
  leaves: number;
  root: string;
  excluded: number;
  /** stage → [wall ms, CPU ms] */
  stages: Record<string, [number, number]>;
  ms: number;
  cpuMs: number;
  maxRssMb: number;
  /** Sizes of some artifacts, bytes. */
  sizes: Record<string, number>;
}

// ---------------------------------------------------------------------------------------------
// Child: one run of one implementation
// ---------------------------------------------------------------------------------------------

interface Lib {
  allocateEpoch(options: object): {
    root: string;
    accounts: unknown[];
    counts: { excluded: number }[];
  };
  renderArtifacts(result: unknown): { path: string }[];
  writeArtifacts(dir: string, result: unknown, options?: object): unknown;
}

async function child(libRoot: string, dir: string): Promise<Measurement> {
  const lib = (await import(pathToFileURL(join(libRoot, "scripts/lib/index.ts")).href)) as Lib;
  const stages: Record<string, [number, number]> = {};
  let lastCpu = cpuMs();
  const add = (name: string, ms: number) => {
    const now = cpuMs();
    const s = (stages[stageOf(name)] ??= [0, 0]);
    s[0] += ms;
    s[1] += now - lastCpu;
    lastCpu = now;
  };
  const c0 = cpuMs();
  const t0 = performance.now();
  const result = lib.allocateEpoch({
    works: join(dir, "works.csv"),
    votes: join(dir, "votes.csv"),
    config: join(dir, "epoch.json"),
    onStage: add,
  });
  // Writing, by file: claims.json and the 256 shards (every proof, twice) are "proofs", the rest "write".
  const paths = lib.renderArtifacts(result).map((f) => f.path);
  const out = join(dir, `out-${process.pid}`);
  let clock = performance.now();
  lastCpu = cpuMs();
  lib.writeArtifacts(out, result, {
    onProgress: (step: string, done: number) => {
      if (step !== "write") return;
      const now = performance.now();
      const path = paths[done - 1] ?? "";
      add(path === "claims.json" || path.startsWith("claims/") ? "proofs" : "write", now - clock);
      clock = now;
    },
  });
  const ms = performance.now() - t0;
  const cpu = cpuMs() - c0;
  const sizes: Record<string, number> = {};
  for (const file of ["report.md", "excluded.csv", "claims.json", "tree.json"]) {
    try {
      sizes[file] = statSync(join(out, file)).size;
    } catch {
      // not written by this implementation
    }
  }
  rmSync(out, { recursive: true, force: true });
  return {
    leaves: result.accounts.length,
    root: result.root,
    excluded: result.counts.reduce((s, c) => s + c.excluded, 0),
    stages,
    ms,
    cpuMs: cpu,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    sizes,
  };
}

// ---------------------------------------------------------------------------------------------
// Parent: inputs, runs, table
// ---------------------------------------------------------------------------------------------

const account = (i: number) => "0x" + (0x1000000 + i).toString(16).padStart(40, "a");
const two = (n: number) => String(n).padStart(2, "0");

/** The rows `row(0..n−1)`, made one at a time as the export is written (a 10M-row file is larger than a string may be). */
function* rows(n: number, row: (i: number) => Row): Generator<Row> {
  for (let i = 0; i < n; i++) yield row(i);
}

/**
 * The inputs: `works` works, work i by contributor i. Normal mode: `votes` votes spread evenly over the works, by
 * voters, points and times spread over the contributors and January (every vote accepted). Junk mode: one accepted
 * vote a work, then rounds of rows that are all excluded — duplicates, votes cast outside the window, points out of
 * range, self-votes — in turn.
 */
function writeInputs(dir: string, works: number, votes: number, junk: boolean): void {
  writeExport(dir, {
    works: rows(works, (i) => [
      `w${i}`,
      account(i),
      "article",
      `Work ${i}`,
      `https://example.org/${i}`,
      "2025-01-02T00:00:00Z",
    ]),
    votes: rows(votes, (r): Row => {
      const i = r % works;
      const k = 1 + Math.floor(r / works);
      const w = `w${i}`;
      if (!junk) {
        const voter = account((i + k * 7919) % works);
        return [
          w,
          voter,
          1 + ((i * 31 + k * 17) % 10),
          `2025-01-${two(1 + ((i + k) % 28))}T12:${two((i + k) % 60)}:00Z`,
        ];
      }
      const voter = account((i + 7919) % works);
      if (k === 1) return [w, voter, 1 + (i % 10), `2025-01-10T12:${two(i % 60)}:00Z`];
      switch (k % 4) {
        case 0: // duplicate of the accepted vote, cast later
          return [w, voter, 5, `2025-01-${two(11 + (k % 17))}T08:${two(k % 60)}:00Z`];
        case 1: // outside the window
          return [w, account((i + k) % works), 5, `2024-12-${two(1 + (k % 28))}T08:${two(i % 60)}:00Z`];
        case 2: // points out of range
          return [w, account((i + k) % works), 11 + (k % 89), `2025-01-${two(1 + (k % 28))}T09:00:00Z`];
        default: // self-vote
          return [w, account(i), 3, `2025-01-${two(1 + (k % 28))}T10:${two(k % 60)}:00Z`];
      }
    }),
    config: {
      epoch: 1,
      pool: "1000000000000000000000000",
      start: "2025-01-01T00:00:00Z",
      end: "2025-01-31T23:59:59Z",
      rules: { maxPoints: "10" },
    },
  });
}

function run(libRoot: string, dir: string): Measurement {
  const out = execFileSync(process.execPath, ["--import", "tsx", SELF, "--child", libRoot, dir], {
    cwd: ROOT,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
    maxBuffer: 1 << 20,
  });
  return JSON.parse(out.trim().split("\n").pop()!) as Measurement;
}

function best(libRoot: string, dir: string, runs: number): Measurement {
  let chosen: Measurement | undefined;
  for (let i = 0; i < runs; i++) {
    const m = run(libRoot, dir);
    if (!chosen || m.ms < chosen.ms) chosen = m;
  }
  return chosen!;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const mb = (bytes: number) => (bytes < 1e6 ? `${(bytes / 1e3).toFixed(1)} kB` : `${(bytes / 1e6).toFixed(1)} MB`);

function table(current: Measurement, baseline: Measurement | undefined, baselineName: string): string[] {
  const cell = (m: Measurement | undefined, stage: string) => {
    const s = m?.stages[stage];
    return s ? `${seconds(s[0])} (CPU ${seconds(s[1])})` : "—";
  };
  // A ratio of two hundredths of a second says nothing: shown from 0.05 s; a stage that went from 0.05 s or more
  // to under 5 ms was moved off the main thread.
  const ratio = (a: number | undefined, b: number | undefined) =>
    a === undefined || b === undefined || Math.max(a, b) < 50
      ? ""
      : a < 5
        ? "(moved off the main thread)"
        : `${(b / a).toFixed(1)}×`;
  const lines = [
    `${"stage".padEnd(12)} ${"current".padEnd(24)} ${baseline ? `${baselineName}`.padEnd(24) + " speed-up" : ""}`,
  ];
  for (const stage of STAGES) {
    if (!current.stages[stage] && !baseline?.stages[stage]) continue;
    lines.push(
      `${stage.padEnd(12)} ${cell(current, stage).padEnd(24)} ${
        baseline
          ? cell(baseline, stage).padEnd(24) + " " + ratio(current.stages[stage]?.[0], baseline.stages[stage]?.[0])
          : ""
      }`,
    );
  }
  const total = (m: Measurement) => `${seconds(m.ms)} (CPU ${seconds(m.cpuMs)})`;
  lines.push(
    `${"total".padEnd(12)} ${total(current).padEnd(24)} ${baseline ? total(baseline).padEnd(24) + " " + ratio(current.ms, baseline.ms) : ""}`,
  );
  const rss = (m: Measurement) => `${m.maxRssMb.toFixed(0)} MB`;
  lines.push(
    `${"maxRSS".padEnd(12)} ${rss(current).padEnd(24)} ${baseline ? rss(baseline).padEnd(24) + " " + ratio(current.maxRssMb, baseline.maxRssMb) : ""}`,
  );
  for (const file of ["report.md", "excluded.csv", "claims.json"]) {
    const a = current.sizes[file];
    const b = baseline?.sizes[file];
    if (a === undefined && b === undefined) continue;
    lines.push(
      `${file.padEnd(12)} ${(a === undefined ? "—" : mb(a)).padEnd(24)} ${baseline ? (b === undefined ? "—" : mb(b)) : ""}`,
    );
  }
  return lines;
}

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === "--child") {
    console.log(JSON.stringify(await child(args[1]!, args[2]!)));
    return;
  }
  const junkRows = option(args, "--junk");
  const junk = junkRows !== undefined;
  const votes = Number(junkRows ?? option(args, "--votes") ?? 1_000_000);
  const works = Number(option(args, "--works") ?? (junk ? 100_000 : Math.max(1, Math.round(votes / 10))));
  const runs = Number(option(args, "--runs") ?? 1);
  const baselineRuns = Number(option(args, "--baseline-runs") ?? runs);
  const baselineRev = args.includes("--no-baseline") ? undefined : (option(args, "--baseline") ?? BASELINE_COMMIT);
  const baselineCommit = baselineRev === undefined ? undefined : resolveCommit(baselineRev);
  if (baselineRev !== undefined && baselineCommit === undefined) {
    console.log(`baseline ${baselineRev}: not found (no git history here?); measuring the current implementation only`);
  }

  const dir = mkdtempSync(join(tmpdir(), "social-mining-bench-"));
  try {
    const g0 = performance.now();
    writeInputs(dir, works, votes, junk);
    const bytes = statSync(join(dir, "votes.csv")).size;
    console.log(
      `${junk ? "junk: " : ""}${votes} votes (${mb(bytes)}) on ${works} works by ${works} contributors` +
        ` (inputs written in ${seconds(performance.now() - g0)}); best of ${runs} run(s)` +
        (baselineCommit ? `, baseline best of ${baselineRuns}` : ""),
    );
    const current = best(ROOT, dir, runs);
    const baseline = baselineCommit === undefined ? undefined : best(baselineRoot(baselineCommit), dir, baselineRuns);
    console.log(
      `→ ${current.leaves} leaves, ${current.excluded} votes excluded, root ${current.root}` +
        (baseline ? (baseline.root === current.root ? " (same as the baseline's)" : "") : ""),
    );
    for (const line of table(current, baseline, `baseline ${baselineCommit?.slice(0, 7)}`)) {
      console.log(line);
    }
    if (baseline && baseline.root !== current.root) {
      console.error(`ROOT MISMATCH: ${current.root} ≠ baseline ${baseline.root}`);
      process.exitCode = 1;
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
