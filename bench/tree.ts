/**
 * Merkle tree benchmark: the project's builder (scripts/lib/merkle.ts) at 100k and 1M leaves — tree plus every
 * proof, by stage — next to its baselines in the same run: OpenZeppelin's StandardMerkleTree.of at the smallest size
 * (same root), the previous implementation (the builder of commit BASELINE_COMMIT, bench/baseline.ts) and the
 * builder on one thread, at every size. Each measurement runs in its own child process so that its peak memory
 * (maxRSS) is its own.
 *
 *   npm run bench:tree                       # 100k and 1M
 *   npm run bench:tree -- 10000              # other sizes
 *   npm run bench:tree -- --runs 3           # best of 3 runs of each measurement (by wall time)
 *   npm run bench:tree -- --no-baseline      # without the previous implementation
 */
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { LEAF_ENCODING, type Leaf } from "../scripts/lib/merkle.js";
import { leafTuple } from "../protocol/leaf.js";
import { prng, randomHex } from "../test/support/random.js";
import { cpuMs, formatStages, StageClock, type Stage } from "../test/support/stages.js";
import { BASELINE_COMMIT, baselineRoot, resolveCommit } from "./baseline.js";

interface Measurement {
  mode: string;
  leaves: number;
  ms: number;
  /** CPU time of the process (every thread: GC helpers and the tree's helper thread included) over the same span. */
  cpuMs: number;
  proofMs: number;
  /** The builder's stages and the proofs. */
  stages?: Stage[];
  maxRssMb: number;
  root: string;
  note?: string;
}

interface Builder {
  buildTree(
    leaves: Leaf[],
    onProgress?: undefined,
    onStage?: (stage: string, ms: number) => void,
    options?: { threads?: number },
  ): { root: string; getProof(i: number): string[] };
}

/**
 * Deterministic leaves: distinct pseudo-random (lowercase) addresses sorted as the pipeline sorts them. (A million
 * random 160-bit values do not collide; a neighbour check after sorting makes sure, without a Set of them all.)
 */
function makeLeaves(n: number): Leaf[] {
  const rand = prng(0x9e3779b9);
  const accounts: string[] = new Array(n);
  for (let i = 0; i < n; i++) accounts[i] = randomHex(rand, 20);
  accounts.sort();
  for (let i = 1; i < n; i++) if (accounts[i] === accounts[i - 1]) throw new Error("two equal random addresses");
  return accounts.map((account, index) => ({
    index,
    account,
    amount: BigInt(index + 1) * 1_000_000_000_000n,
    reputation: BigInt(index % 1000),
  }));
}

async function child(mode: string, n: number, libRoot: string): Promise<Measurement> {
  const leaves = makeLeaves(n);
  // Collect the garbage of making the leaves (a Set and arrays of a million strings) now, so that
  // the measurement does not pay for the bench's own setup.
  (globalThis as { gc?: () => void }).gc?.();
  if (mode !== "openzeppelin") {
    const { buildTree } = (await import(pathToFileURL(join(libRoot, "scripts/lib/merkle.ts")).href)) as Builder;
    const clock = new StageClock();
    const t0 = performance.now();
    const tree = buildTree(leaves, undefined, clock.stage, mode === "one-thread" ? { threads: 1 } : {});
    const t1 = performance.now();
    const proofs: string[][] = new Array(n);
    for (let i = 0; i < n; i++) proofs[i] = tree.getProof(i);
    const t2 = performance.now();
    clock.stage("proofs", t2 - t1);
    return {
      mode,
      leaves: n,
      ms: t2 - t0,
      cpuMs: clock.cpuSinceStart(),
      stages: clock.stages,
      proofMs: t2 - t1,
      maxRssMb: process.resourceUsage().maxRSS / 1024,
      root: tree.root,
    };
  }
  const values = leaves.map(leafTuple);
  const c0 = cpuMs();
  const t0 = performance.now();
  const tree = StandardMerkleTree.of(values, [...LEAF_ENCODING]);
  const t1 = performance.now();
  const sample = 1000;
  for (let i = 0; i < sample; i++) tree.getProof(Math.floor((i * n) / sample));
  const perProof = (performance.now() - t1) / sample;
  return {
    mode,
    leaves: n,
    ms: t1 - t0,
    cpuMs: cpuMs() - c0,
    proofMs: perProof * n,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    root: tree.root,
    note: `of() only; getProof ${perProof.toFixed(2)} ms each (every proof would add ${((perProof * n) / 1000).toFixed(0)} s)`,
  };
}

const SELF = fileURLToPath(import.meta.url);
const ROOT = fileURLToPath(new URL("..", import.meta.url));

function run(mode: string, n: number, libRoot: string, runs: number): Measurement {
  let best: Measurement | undefined;
  for (let r = 0; r < runs; r++) {
    const out = execFileSync(
      process.execPath,
      ["--expose-gc", "--import", "tsx", SELF, "--child", mode, String(n), libRoot],
      { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], maxBuffer: 1 << 20 },
    );
    const m = JSON.parse(out.trim().split("\n").pop()!) as Measurement;
    if (!best || m.ms < best.ms) best = m;
  }
  return best!;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

function line(label: string, m: Measurement): string {
  return `${label.padEnd(22)} ${String(m.leaves).padStart(8)} leaves: tree + every proof ${seconds(m.ms)} (CPU ${seconds(m.cpuMs)}; proofs ${seconds(m.proofMs)}), maxRSS ${m.maxRssMb.toFixed(0)} MB`;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === "--child") {
    console.log(JSON.stringify(await child(args[1]!, Number(args[2]), args[3]!)));
    return;
  }
  const runsAt = args.indexOf("--runs");
  const runs = runsAt >= 0 ? Number(args[runsAt + 1]) : 1;
  const sizes = args.filter((a, i) => /^[0-9]+$/.test(a) && args[i - 1] !== "--runs").map(Number);
  if (sizes.length === 0) sizes.push(100_000, 1_000_000);
  const commit = args.includes("--no-baseline") ? undefined : resolveCommit(BASELINE_COMMIT);
  const previousRoot = commit && baselineRoot(commit);
  const compareAt = Math.min(...sizes);
  console.log(`best of ${runs} run(s) each; baseline: the builder of ${commit ? commit.slice(0, 7) : "(none)"}`);
  const fast = new Map<number, Measurement>();
  let failed = false;
  for (const n of sizes) {
    const m = run("fast", n, ROOT, runs);
    fast.set(n, m);
    console.log(line("fast (2 threads)", m));
    for (const l of formatStages(m.stages ?? [])) console.log(l);
    const one = run("one-thread", n, ROOT, runs);
    console.log(`${line("fast, 1 thread", one)}  → 2 threads ${(one.ms / m.ms).toFixed(2)}× faster`);
    if (previousRoot) {
      const p = run("previous", n, previousRoot, runs);
      console.log(`${line(`previous (${commit!.slice(0, 7)})`, p)}  → ${(p.ms / m.ms).toFixed(1)}× faster now`);
      if (p.root !== m.root) {
        console.error(`ROOT MISMATCH at ${n}: ${m.root} ≠ previous ${p.root}`);
        failed = true;
      }
    }
    if (one.root !== m.root) {
      console.error(`ROOT MISMATCH at ${n}: 2 threads ${m.root} ≠ 1 thread ${one.root}`);
      failed = true;
    }
  }
  const oz = run("openzeppelin", compareAt, ROOT, 1);
  console.log(
    `StandardMerkleTree.of ${compareAt} leaves: ${seconds(oz.ms)}, maxRSS ${oz.maxRssMb.toFixed(0)} MB (${oz.note})`,
  );
  const f = fast.get(compareAt)!;
  if (f.root !== oz.root) {
    console.error(`ROOT MISMATCH at ${compareAt}: ${f.root} ≠ ${oz.root}`);
    failed = true;
  } else {
    console.log(`same root ${oz.root}`);
  }
  console.log(`speed-up at ${compareAt}: ${(oz.ms / f.ms).toFixed(1)}× (OZ of() alone vs fast tree + every proof)`);
  if (failed) process.exit(1);
}

await main();
