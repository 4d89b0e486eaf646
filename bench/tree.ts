/**
 * Merkle tree benchmark (targets: docs/design.md §7): the project's builder (scripts/lib/merkle.ts) at 100k and 1M
 * leaves — tree plus every proof — and StandardMerkleTree.of at 100k in the same run, same root.
 * Each measurement runs in its own child process so that its peak memory (maxRSS) is its own.
 *
 *   npm run bench:tree             # 100k and 1M
 *   npm run bench:tree -- 10000    # other sizes
 */
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { buildTree, EpochTree, LEAF_ENCODING, type Leaf } from "../scripts/lib/merkle.js";

interface Measurement {
  mode: string;
  leaves: number;
  ms: number;
  /** CPU time of the process (every thread: GC helpers included) over the same span. */
  cpuMs: number;
  proofMs: number;
  /** The builder's stages and the proofs: [name, wall ms, CPU ms]. */
  stages?: [string, number, number][];
  maxRssMb: number;
  root: string;
  note?: string;
}

/** Deterministic leaves: distinct pseudo-random addresses sorted as the pipeline sorts them. */
function makeLeaves(n: number): Leaf[] {
  let seed = 0x9e3779b9;
  const next = () => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0).toString(16).padStart(8, "0");
  };
  const accounts = new Set<string>();
  while (accounts.size < n) accounts.add("0x" + next() + next() + next() + next() + next());
  return [...accounts].sort().map((account, index) => ({
    index,
    account,
    amount: BigInt(index + 1) * 1_000_000_000_000n,
    reputation: BigInt(index % 1000),
  }));
}

const cpu = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

function child(mode: string, n: number): Measurement {
  const leaves = makeLeaves(n);
  // Collect the garbage of making the leaves (a Set and arrays of a million strings) now, so that
  // the measurement does not pay for the bench's own setup.
  (globalThis as { gc?: () => void }).gc?.();
  if (mode === "fast") {
    const stages: [string, number, number][] = [];
    const c0 = cpu();
    let stageCpu = c0;
    const t0 = performance.now();
    const tree = buildTree(leaves, undefined, (stage, ms) => {
      const now = cpu();
      stages.push([stage, ms, now - stageCpu]);
      stageCpu = now;
    });
    const t1 = performance.now();
    const proofs: string[][] = new Array(n);
    for (let i = 0; i < n; i++) proofs[i] = tree.getProof(i);
    const t2 = performance.now();
    const c2 = cpu();
    stages.push(["proofs", t2 - t1, c2 - stageCpu]);
    return {
      mode,
      leaves: n,
      ms: t2 - t0,
      cpuMs: c2 - c0,
      stages,
      proofMs: t2 - t1,
      maxRssMb: process.resourceUsage().maxRSS / 1024,
      root: tree.root,
    };
  }
  const values = leaves.map(EpochTree.tuple);
  const c0 = cpu();
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
    cpuMs: cpu() - c0,
    proofMs: perProof * n,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    root: tree.root,
    note: `of() only; getProof ${perProof.toFixed(2)} ms each (every proof would add ${((perProof * n) / 1000).toFixed(0)} s)`,
  };
}

function run(mode: string, n: number): Measurement {
  const out = execFileSync(
    process.execPath,
    ["--expose-gc", "--import", "tsx", fileURLToPath(import.meta.url), "--child", mode, String(n)],
    {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "inherit"],
      maxBuffer: 1 << 20,
    },
  );
  return JSON.parse(out.trim().split("\n").pop()!) as Measurement;
}

const args = process.argv.slice(2);
if (args[0] === "--child") {
  console.log(JSON.stringify(child(args[1]!, Number(args[2]))));
} else {
  const sizes = args.length > 0 ? args.map(Number) : [100_000, 1_000_000];
  const compareAt = Math.min(...sizes);
  const rows: Measurement[] = [];
  for (const n of sizes) {
    const m = run("fast", n);
    rows.push(m);
    console.log(
      `fast  ${n} leaves: tree + ${n} proofs ${(m.ms / 1000).toFixed(2)} s (CPU ${(m.cpuMs / 1000).toFixed(2)} s; proofs ${(m.proofMs / 1000).toFixed(2)} s), maxRSS ${m.maxRssMb.toFixed(0)} MB`,
    );
    for (const [stage, ms, cpuMs] of m.stages ?? [])
      console.log(`  ${stage.padEnd(12)} ${(ms / 1000).toFixed(2)} s (CPU ${(cpuMs / 1000).toFixed(2)} s)`);
  }
  const oz = run("openzeppelin", compareAt);
  console.log(
    `StandardMerkleTree.of ${compareAt} leaves: ${(oz.ms / 1000).toFixed(2)} s, maxRSS ${oz.maxRssMb.toFixed(0)} MB (${oz.note})`,
  );
  const fast = rows.find((r) => r.leaves === compareAt)!;
  if (fast.root !== oz.root) {
    console.error(`ROOT MISMATCH at ${compareAt}: ${fast.root} ≠ ${oz.root}`);
    process.exit(1);
  }
  console.log(`same root ${oz.root}`);
  console.log(`speed-up at ${compareAt}: ${(oz.ms / fast.ms).toFixed(1)}× (OZ of() alone vs fast tree + every proof)`);
}
