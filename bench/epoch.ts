/**
 * Whole-epoch benchmark (targets: docs/design.md §7): 1M votes on 100k works by 100k contributors, from CSV files to
 * a written artifacts directory, through the library (the same calls as `social-mining allocate`).
 *
 *   npm run bench:epoch              # 100k works, 10 votes each
 *   npm run bench:epoch -- 10000 10  # works, votes per work
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { allocateEpoch, writeArtifacts } from "../scripts/lib/index.js";

const works = Number(process.argv[2] ?? 100_000);
const votesPerWork = Number(process.argv[3] ?? 10);
const dir = mkdtempSync(join(tmpdir(), "social-mining-bench-"));

/** Writes the bench inputs; in a function so that its million strings are garbage before the run. */
function writeInputs(): void {
  const account = (i: number) => "0x" + (0x1000000 + i).toString(16).padStart(40, "a");
  const w: string[] = ["work_id,contributor,category,title,pov_url,submitted_at"];
  const v: string[] = ["work_id,voter,points,cast_at"];
  for (let i = 0; i < works; i++) {
    w.push(`w${i},${account(i)},article,Work ${i},https://example.org/${i},2025-01-02T00:00:00Z`);
    for (let k = 1; k <= votesPerWork; k++) {
      const voter = account((i + k * 7919) % works);
      const minute = String((i + k) % 60).padStart(2, "0");
      v.push(
        `w${i},${voter},${1 + ((i * 31 + k * 17) % 10)},2025-01-${String(1 + ((i + k) % 28)).padStart(2, "0")}T12:${minute}:00Z`,
      );
    }
  }
  writeFileSync(join(dir, "works.csv"), w.join("\n") + "\n");
  writeFileSync(join(dir, "votes.csv"), v.join("\n") + "\n");
  writeFileSync(
    join(dir, "epoch.json"),
    JSON.stringify({
      epoch: 1,
      pool: "1000000000000000000000000",
      start: "2025-01-01T00:00:00Z",
      end: "2025-01-31T23:59:59Z",
      rules: { maxPoints: "10" },
    }),
  );
}

try {
  writeInputs();

  // CPU time next to wall time: on a shared machine the wall time mostly measures the neighbours.
  const cpu = () => {
    const { user, system } = process.cpuUsage();
    return (user + system) / 1000;
  };
  const stages: [string, number, number][] = [];
  let stageCpu = 0;
  const c0 = cpu();
  stageCpu = c0;
  const t0 = performance.now();
  const result = allocateEpoch({
    works: join(dir, "works.csv"),
    votes: join(dir, "votes.csv"),
    config: join(dir, "epoch.json"),
    onStage: (stage, ms) => {
      const now = cpu();
      stages.push([stage, ms, now - stageCpu]);
      stageCpu = now;
    },
  });
  const t1 = performance.now();
  writeArtifacts(join(dir, "out"), result);
  const t2 = performance.now();
  const c2 = cpu();
  stages.push(["write", t2 - t1, c2 - stageCpu]);
  const votes = works * votesPerWork;
  console.log(
    `${votes} votes on ${works} works by ${works} contributors → ${result.accounts.length} leaves, root ${result.root}`,
  );
  console.log(`allocate (read, validate, score, split, tree): ${((t1 - t0) / 1000).toFixed(2)} s`);
  for (const [stage, ms, cpuMs] of stages)
    console.log(`  ${stage.padEnd(12)} ${(ms / 1000).toFixed(2)} s (CPU ${(cpuMs / 1000).toFixed(2)} s)`);
  console.log(
    `write artifacts (tree.json, claims.json, 256 shards, csv, report, inputs): ${((t2 - t1) / 1000).toFixed(2)} s`,
  );
  console.log(
    `total ${((t2 - t0) / 1000).toFixed(2)} s (CPU ${((c2 - c0) / 1000).toFixed(2)} s), maxRSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
