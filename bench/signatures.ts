/**
 * Signed votes benchmark: an epoch of N votes in signed ballots (EIP-712, protocol/typed-data.ts) with
 * `rules.signatures: "required"`, through the library the way `social-mining allocate` runs it, by stage, against
 * the target of 60 s for a million signed votes. Each run is a child process of its own, so that its peak memory
 * (maxRSS) is its own.
 *
 *   npm run bench:signatures                         # 1M votes: ballots of 1 vote (one signature a vote), then of 20
 *   npm run bench:signatures -- --votes 100000       # fewer votes
 *   npm run bench:signatures -- --ballot 20          # only ballots of 20 votes
 *
 * Options: --votes N (default 1,000,000), --ballot K (votes a ballot; default both 1 and 20), --voters N (default
 * 5,000), --works N (default 2,000). The keys are real secp256k1 keys; the inputs are signed with libsecp256k1 over
 * the pipeline's own digests (test/pipeline/signatures.test.ts checks them against the protocol's). A voter's newer
 * ballot replaces the older one (docs/rules.md): with a few thousand voters most ballots are superseded, but every
 * signature is still recovered, which is what is measured.
 */
import { execFileSync } from "node:child_process";
import { closeSync, mkdtempSync, openSync, rmSync, statSync, writeFileSync, writeSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createHash } from "node:crypto";
import { createRequire } from "node:module";
import { getAddress } from "ethers";
import { isoSeconds, typedDataDomain } from "../protocol/typed-data.js";
import { allocateEpoch, writeArtifacts } from "../scripts/lib/index.js";
import { keccakDirect } from "../scripts/lib/keccak.js";
import {
  ballotDigestOf,
  domainSeparator,
  fastWorkReportDigest,
  signatureStats,
  voteStructHash,
} from "../scripts/lib/signatures.js";
import { cpuMs } from "../test/support/stages.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const SELF = fileURLToPath(import.meta.url);
const secp256k1 = createRequire(import.meta.url)("secp256k1") as typeof import("secp256k1");

/** The target: a million signed votes in a minute on the project's 2-core machine. */
const TARGET_MS = 60_000;
const TARGET_VOTES = 1_000_000;

const CHAIN_ID = 31337;
const POOL = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
const EPOCH = 1;
const START = Date.parse("2025-01-01T00:00:00Z") / 1000;

// ---------------------------------------------------------------------------------------------
// Inputs
// ---------------------------------------------------------------------------------------------

interface Key {
  secret: Uint8Array;
  address: string;
}

function key(name: string): Key {
  const secret = createHash("sha256").update(name).digest();
  const pub = secp256k1.publicKeyCreate(secret, false);
  return {
    secret,
    address: getAddress(
      "0x" +
        Buffer.from(keccakDirect(pub.subarray(1)))
          .subarray(12)
          .toString("hex"),
    ),
  };
}

/** 0x r ‖ s ‖ v of a libsecp256k1 signature of `digest` (low s, v 27 or 28). */
function sign(digest: Uint8Array, secret: Uint8Array): string {
  const { signature, recid } = secp256k1.ecdsaSign(digest, secret);
  return "0x" + Buffer.from(signature).toString("hex") + (27 + recid).toString(16);
}

/** Writes lines to a file in chunks. */
class LineWriter {
  private readonly fd: number;
  private chunk: string[] = [];
  constructor(path: string, header: string) {
    this.fd = openSync(path, "w");
    this.chunk.push(header);
  }
  line(text: string): void {
    this.chunk.push(text);
    if (this.chunk.length === 65_536) this.flush();
  }
  private flush(): void {
    writeSync(this.fd, this.chunk.join("\n") + "\n");
    this.chunk = [];
  }
  close(): void {
    if (this.chunk.length > 0) this.flush();
    closeSync(this.fd);
  }
}

/** Writes works.csv, votes.csv and epoch.json, every report and ballot signed; returns the number of ballots. */
function writeInputs(dir: string, votes: number, ballotSize: number, voterCount: number, workCount: number): number {
  const domain = typedDataDomain(CHAIN_ID, POOL);
  const separator = domainSeparator(CHAIN_ID, POOL);
  const workIds = Array.from({ length: workCount }, (_, w) => `w${w}`);
  const works = new LineWriter(
    join(dir, "works.csv"),
    "work_id,contributor,category,title,pov_url,submitted_at,signature",
  );
  for (let w = 0; w < workCount; w++) {
    const contributor = key(`bench contributor ${w}`);
    const report = {
      epoch: EPOCH,
      workId: workIds[w]!,
      contributor: contributor.address.toLowerCase(),
      category: "article",
      title: `Work ${w}`,
      pov: [`https://example.org/${w}`, `https://example.org/${w}/more`],
      submittedAt: START + 3600,
    };
    const signature = sign(Buffer.from(fastWorkReportDigest(domain, report).slice(2), "hex"), contributor.secret);
    works.line(
      [
        w,
        contributor.address,
        report.category,
        report.title,
        report.pov.join(" "),
        isoSeconds(report.submittedAt),
        signature,
      ]
        .map((x, k) => (k === 0 ? workIds[w] : x))
        .join(","),
    );
  }
  works.close();

  const voters = Array.from({ length: voterCount }, (_, v) => key(`bench voter ${v}`));
  const voterBytes = voters.map((v) => Buffer.from(v.address.slice(2), "hex"));
  const idHashes = workIds.map((id) => keccakDirect(Buffer.from(id, "utf8")));
  const out = new LineWriter(join(dir, "votes.csv"), "work_id,voter,points,cast_at,signature");
  const ballots = Math.ceil(votes / ballotSize);
  const hashes = new Uint8Array(32 * ballotSize);
  const digest = new Uint8Array(32);
  const picked: [work: number, points: number][] = [];
  for (let b = 0; b < ballots; b++) {
    const v = b % voterCount;
    const size = Math.min(ballotSize, votes - b * ballotSize);
    // Distinct works, in the signed order (ids w0…: byte order, sorted here as text).
    picked.length = 0;
    for (let j = 0; j < size; j++) picked.push([(b * 7 + j * 97) % workCount, 1 + ((b + j) % 10)]);
    picked.sort((x, y) => (workIds[x[0]]! < workIds[y[0]]! ? -1 : 1));
    picked.forEach(([w, points], j) => voteStructHash(idHashes[w]!, points, hashes, 32 * j));
    // Each ballot a second after the one before: a voter's last ballot is its newest.
    const castAt = START + 86_400 + b;
    ballotDigestOf(separator, voterBytes[v]!, EPOCH, castAt, hashes.subarray(0, 32 * size), digest, 0);
    const signature = sign(digest, voters[v]!.secret);
    const cast = isoSeconds(castAt);
    // Rows in another order than signed: the pipeline sorts them back.
    for (let j = size - 1; j >= 0; j--) {
      out.line(`${workIds[picked[j]![0]]},${voters[v]!.address},${picked[j]![1]},${cast},${signature}`);
    }
  }
  out.close();
  writeFileSync(
    join(dir, "epoch.json"),
    JSON.stringify(
      {
        epoch: EPOCH,
        pool: "1000000000000000000000000",
        chainId: CHAIN_ID,
        distributor: POOL,
        start: isoSeconds(START),
        end: isoSeconds(START + 31 * 86_400 - 1),
        rules: { maxPoints: "10", signatures: "required" },
      },
      null,
      2,
    ) + "\n",
  );
  return ballots;
}

// ---------------------------------------------------------------------------------------------
// Child: one run
// ---------------------------------------------------------------------------------------------

interface Measurement {
  /** [stage, wall ms, CPU ms, maxRSS MB at its end] */
  stages: [string, number, number, number][];
  signatureSteps: [string, number][];
  recoveries: number;
  threads: number;
  recoveredByHelpers: number;
  ms: number;
  cpuMs: number;
  maxRssMb: number;
  excluded: Record<string, number>;
  accepted: number;
  root: string;
}

const rssMb = () => process.resourceUsage().maxRSS / 1024;

function child(dir: string): Measurement {
  const stages: Measurement["stages"] = [];
  let lastCpu = cpuMs();
  const add = (name: string, ms: number) => {
    const now = cpuMs();
    stages.push([name, ms, now - lastCpu, rssMb()]);
    lastCpu = now;
  };
  const c0 = cpuMs();
  const t0 = performance.now();
  const result = allocateEpoch({
    works: join(dir, "works.csv"),
    votes: join(dir, "votes.csv"),
    config: join(dir, "epoch.json"),
    onStage: add,
  });
  const w0 = performance.now();
  lastCpu = cpuMs();
  const out = join(dir, `out-${process.pid}`);
  writeArtifacts(out, result);
  add("write", performance.now() - w0);
  rmSync(out, { recursive: true, force: true });
  const excluded: Record<string, number> = {};
  for (const w of result.excluded.works) excluded[w.code] = (excluded[w.code] ?? 0) + 1;
  for (let j = 0; j < result.excluded.length; j++) {
    const code = result.excluded.codeOf(j);
    excluded[code] = (excluded[code] ?? 0) + 1;
  }
  return {
    stages,
    signatureSteps: signatureStats.steps,
    recoveries: signatureStats.recoveries,
    threads: signatureStats.threads,
    recoveredByHelpers: signatureStats.recoveredByHelpers,
    ms: performance.now() - t0,
    cpuMs: cpuMs() - c0,
    maxRssMb: rssMb(),
    excluded,
    accepted: result.counts[1]!.accepted,
    root: result.root,
  };
}

// ---------------------------------------------------------------------------------------------
// Parent
// ---------------------------------------------------------------------------------------------

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

function runOnce(votes: number, ballotSize: number, voterCount: number, workCount: number): void {
  const dir = mkdtempSync(join(tmpdir(), "social-mining-bench-signatures-"));
  try {
    const g0 = performance.now();
    const ballots = writeInputs(dir, votes, ballotSize, voterCount, workCount);
    const size = statSync(join(dir, "votes.csv")).size;
    console.log(
      `\n${votes} signed votes in ${ballots} ballots of ${ballotSize} (${(size / 1e6).toFixed(1)} MB) by ${voterCount} voters` +
        ` on ${workCount} signed works (inputs signed and written in ${seconds(performance.now() - g0)})`,
    );
    const load0 = loadavg()[0]!;
    const output = execFileSync(process.execPath, ["--import", "tsx", SELF, "--child", dir], {
      cwd: ROOT,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "inherit"],
      maxBuffer: 1 << 20,
    });
    const m = JSON.parse(output.trim().split("\n").pop()!) as Measurement;
    console.log(
      `→ ${m.recoveries} signatures recovered on ${m.threads} thread(s) (${m.recoveredByHelpers} by the helpers),` +
        ` ${m.accepted} votes accepted, excluded ${JSON.stringify(m.excluded)}, root ${m.root}`,
    );
    console.log(`${"stage".padEnd(14)} ${"wall".padStart(9)} ${"CPU".padStart(9)} ${"maxRSS".padStart(9)}`);
    for (const [name, ms, cpu, rss] of m.stages) {
      console.log(
        `${name.padEnd(14)} ${seconds(ms).padStart(9)} ${seconds(cpu).padStart(9)} ${`${rss.toFixed(0)} MB`.padStart(9)}`,
      );
      if (name === "validate") {
        for (const [step, stepMs] of m.signatureSteps) {
          console.log(`  signatures: ${step.padEnd(9)} ${seconds(stepMs).padStart(7)}`);
        }
      }
    }
    const signatureMs = m.signatureSteps.reduce((s, [, ms]) => s + ms, 0);
    // On a shared machine the wall time mostly measures the neighbours: the load says how shared it was.
    console.log(`load average (1 min) ${load0.toFixed(1)} before the run, ${loadavg()[0]!.toFixed(1)} after`);
    const target = (TARGET_MS * votes) / TARGET_VOTES;
    console.log(
      `${"total".padEnd(14)} ${seconds(m.ms).padStart(9)} ${seconds(m.cpuMs).padStart(9)} ${`${m.maxRssMb.toFixed(0)} MB`.padStart(9)}`,
    );
    console.log(
      `target ${seconds(target)} for ${votes} votes: the whole run at ${(m.ms / target).toFixed(2)}× the target,` +
        ` the signature checks alone (${seconds(signatureMs)}) at ${(signatureMs / target).toFixed(2)}×`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function main(): void {
  const args = process.argv.slice(2);
  if (args[0] === "--child") {
    console.log(JSON.stringify(child(args[1]!)));
    return;
  }
  const votes = Number(option(args, "--votes") ?? TARGET_VOTES);
  const voters = Number(option(args, "--voters") ?? 5000);
  const works = Number(option(args, "--works") ?? 2000);
  const ballot = option(args, "--ballot");
  const sizes = ballot === undefined ? [1, 20] : [Number(ballot)];
  for (const size of sizes) {
    if (size > works) throw new Error(`a ballot of ${size} votes needs as many works (--works ${works})`);
    runOnce(votes, size, voters, works);
  }
}

main();
