/**
 * Collector benchmark: how many signed ballots a second the collector accepts on one core, each committed to
 * SQLite (WAL, synchronous = FULL) before its 201, against the target of 1,000 signed votes a second.
 *
 *   npm run bench:collector                                  # 12,000 one-vote ballots, 32 connections
 *   npm run bench:collector -- --ballots 30000 --concurrency 64 --votes 1
 *
 * The collector runs as `social-mining serve` in a child process pinned to one CPU (taskset, when there is
 * one); this process pins itself to the others, pre-signs every ballot with real keys (each ballot by its own
 * voter, `--votes` votes each; with one vote a ballot, signed votes = ballots = signatures checked), then fires
 * them over keep-alive HTTP with at most `--concurrency` requests in flight. It prints the accepted rate, the
 * p50/p99 latency and the server's CPU time per ballot.
 */
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { Agent, request } from "node:http";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { keccak256, toUtf8Bytes } from "ethers";
import secp256k1 from "secp256k1";
import { COLLECTOR_ROUTES } from "../protocol/collector-api.js";
import { fastBallotDigest } from "../scripts/lib/signatures.js";
import {
  recoverBallotSigner,
  sortBallotVotes,
  typedDataDomain,
  workReportDigest,
  type Ballot,
  type WorkReport,
} from "../protocol/typed-data.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const NODE = process.execPath;
const CHAIN_ID = 31337n;
const POOL = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
const DOMAIN = typedDataDomain(CHAIN_ID, POOL);
const TARGET = 1000;
const WORKS = 100;

function option(args: string[], name: string, fallback: number): number {
  const i = args.indexOf(name);
  const value = i >= 0 ? Number(args[i + 1]) : fallback;
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`${name} takes a positive integer`);
  return value;
}

/** A real key and its lowercase address. */
function key(label: string): { key: Buffer; address: string } {
  const k = Buffer.from(keccak256(toUtf8Bytes(`social mining collector bench ${label}`)).slice(2), "hex");
  const publicKey = secp256k1.publicKeyCreate(k, false);
  return { key: k, address: "0x" + keccak256(publicKey.subarray(1)).slice(-40) };
}

/** Signs an EIP-712 digest: 65 bytes (r, s, v) as hex, s in the lower half (libsecp256k1 normalises it). */
function sign(digest: string, k: Buffer): string {
  const { signature, recid } = secp256k1.ecdsaSign(Buffer.from(digest.slice(2), "hex"), k);
  return "0x" + Buffer.from(signature).toString("hex") + (27 + recid).toString(16);
}

function pin(pid: number, cpus: string): boolean {
  try {
    execFileSync("taskset", ["-a", "-p", "-c", cpus, String(pid)], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** CPU time (user + system) of a Linux process so far, in ms. */
function processCpuMs(pid: number): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return undefined;
  }
}

interface Reply {
  status: number;
  ms: number;
}

function post(
  agent: Agent,
  url: URL,
  path: string,
  body: string,
  headers: Record<string, string> = {},
): Promise<Reply> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(
      {
        agent,
        host: url.hostname,
        port: url.port,
        path,
        method: "POST",
        headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body), ...headers },
      },
      (res) => {
        res.resume();
        res.on("end", () => resolve({ status: res.statusCode!, ms: performance.now() - t0 }));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const ballots = option(args, "--ballots", 12_000);
  const concurrency = option(args, "--concurrency", 32);
  const votesPerBallot = Math.min(option(args, "--votes", 1), WORKS);
  const cpus = availableParallelism();
  const dir = mkdtempSync(join(tmpdir(), "social-mining-bench-collector-"));
  const token = Buffer.from(crypto.getRandomValues(new Uint8Array(24))).toString("hex");
  const now = Math.floor(Date.now() / 1000);

  // The server: one core.
  const serverCpu = cpus > 1 ? "0" : undefined;
  const child = spawn(
    NODE,
    [
      "bin/social-mining.js",
      "serve",
      "--db",
      join(dir, "collector.sqlite"),
      "--chain-id",
      String(CHAIN_ID),
      "--pool",
      POOL,
      "--port",
      "0",
    ],
    { cwd: ROOT, env: { ...process.env, SOCIAL_MINING_ADMIN_TOKEN: token }, stdio: ["ignore", "pipe", "inherit"] },
  );
  const pinned = serverCpu !== undefined && pin(child.pid!, serverCpu) && pin(process.pid, `1-${cpus - 1}`);
  try {
    const url = await new Promise<URL>((resolve, reject) => {
      let out = "";
      child.stdout!.on("data", (c) => {
        out += c;
        const match = /collector listening on (http:\/\/\S+)/.exec(out);
        if (match) resolve(new URL(match[1]!));
      });
      child.on("exit", (code) => reject(new Error(`the collector exited with ${code}: ${out}`)));
    });

    // Pre-signed traffic: the works, then one ballot a voter.
    const s0 = performance.now();
    const works: string[] = [];
    const reports: string[] = [];
    for (let i = 0; i < WORKS; i++) {
      const author = key(`author ${i}`);
      const report: WorkReport = {
        epoch: 1,
        workId: `work-${String(i).padStart(3, "0")}`,
        contributor: author.address,
        category: "code",
        title: `work ${i}`,
        pov: [`https://example.org/${i}`],
        submittedAt: now - 60,
      };
      works.push(report.workId);
      reports.push(JSON.stringify({ report, signature: sign(workReportDigest(DOMAIN, report), author.key) }));
    }
    const bodies: string[] = [];
    for (let i = 0; i < ballots; i++) {
      const voter = key(`voter ${i}`);
      const ballot: Ballot = {
        voter: voter.address,
        epoch: 1,
        castAt: now - 30,
        votes: sortBallotVotes(
          Array.from({ length: votesPerBallot }, (_, j) => ({
            workId: works[(i + j) % WORKS]!,
            points: String(1 + (i % 100)),
          })),
        ),
      };
      const signature = sign(fastBallotDigest(DOMAIN, ballot), voter.key);
      // Real signatures: the protocol's own recovery finds their voter.
      if (i % 1000 === 0 && recoverBallotSigner(DOMAIN, ballot, signature) !== voter.address) {
        throw new Error("the bench's signatures do not recover their voter");
      }
      bodies.push(JSON.stringify({ ballot, signature }));
    }
    const signedMs = performance.now() - s0;

    const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
    const admin = { authorization: `Bearer ${token}` };
    const opened = await post(
      agent,
      url,
      COLLECTOR_ROUTES.epochs,
      JSON.stringify({ epoch: 1, start: now - 3600, end: now + 3600 }),
      admin,
    );
    if (opened.status !== 201) throw new Error(`opening the epoch answered ${opened.status}`);
    for (const body of reports) {
      const reply = await post(agent, url, COLLECTOR_ROUTES.reports, body);
      if (reply.status !== 201) throw new Error(`a report answered ${reply.status}`);
    }

    // Fire.
    const latencies: number[] = [];
    const statuses = new Map<number, number>();
    let next = 0;
    const cpu0 = processCpuMs(child.pid!);
    const client0 = process.cpuUsage();
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < bodies.length) {
          const body = bodies[next++]!;
          const reply = await post(agent, url, COLLECTOR_ROUTES.ballots, body);
          latencies.push(reply.ms);
          statuses.set(reply.status, (statuses.get(reply.status) ?? 0) + 1);
        }
      }),
    );
    const seconds = (performance.now() - t0) / 1000;
    const cpu1 = processCpuMs(child.pid!);
    const client = process.cpuUsage(client0);
    agent.destroy();

    const accepted = statuses.get(201) ?? 0;
    const rate = accepted / seconds;
    const votes = rate * votesPerBallot;
    latencies.sort((a, b) => a - b);
    const refused = [...statuses].filter(([s]) => s !== 201).map(([s, n]) => `${n} × ${s}`);
    console.log(
      `collector bench: ${ballots} ballots of ${votesPerBallot} vote${votesPerBallot === 1 ? "" : "s"} each ` +
        `(${ballots * votesPerBallot} signed votes, ${ballots} signatures), ${concurrency} keep-alive connections, ` +
        `SQLite (WAL, synchronous=FULL), ` +
        (pinned
          ? `server pinned to CPU ${serverCpu}, client to CPUs 1-${cpus - 1}`
          : "server not pinned (no taskset or one CPU)"),
    );
    console.log(`signed       ${ballots} ballots in ${(signedMs / 1000).toFixed(1)} s (before the clock starts)`);
    console.log(
      `accepted     ${accepted} of ${ballots} in ${seconds.toFixed(2)} s (201, each committed before its answer)` +
        (refused.length ? `; refused ${refused.join(", ")}` : ""),
    );
    console.log(
      `rate         ${rate.toFixed(0)} ballots/s = ${votes.toFixed(0)} signed votes/s ` +
        `(target ${TARGET} signed votes/s on one core: ${votes >= TARGET ? "met" : "NOT met"})`,
    );
    console.log(
      `latency      p50 ${percentile(latencies, 0.5).toFixed(1)} ms, p99 ${percentile(latencies, 0.99).toFixed(1)} ms, ` +
        `max ${latencies.at(-1)!.toFixed(1)} ms`,
    );
    if (cpu0 !== undefined && cpu1 !== undefined) {
      const cpuMs = cpu1 - cpu0;
      console.log(
        `server CPU   ${(cpuMs / 1000).toFixed(2)} s: ${(cpuMs / ballots).toFixed(3)} ms a ballot ` +
          `(${((ballots * 1000) / cpuMs).toFixed(0)} ballots per CPU-second)`,
      );
    }
    console.log(`client CPU   ${((client.user + client.system) / 1e6).toFixed(2)} s (this process, firing and timing)`);
    if (accepted !== ballots || votes < TARGET) process.exitCode = 1;
  } finally {
    child.kill("SIGTERM");
    await new Promise((resolve) => child.once("exit", resolve));
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
