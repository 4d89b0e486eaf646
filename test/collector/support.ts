/**
 * Shared helpers of the collector's tests: a throwaway PostgreSQL cluster, keys that sign, and a small HTTP
 * client that keeps every answer's text (to check that none carries a stack trace).
 */
import { execFileSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { keccak256, toUtf8Bytes, Wallet } from "ethers";
import pg from "pg";
import {
  BALLOT_TYPES,
  typedDataDomain,
  WORK_REPORT_TYPES,
  type Ballot,
  type WorkReport,
} from "../../protocol/typed-data.js";

export const CHAIN_ID = 31337n;
export const POOL = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
export const DOMAIN = typedDataDomain(CHAIN_ID, POOL);

/** A wallet with a fixed key, `n` ≥ 0. */
export function wallet(n: number): Wallet {
  return new Wallet(keccak256(toUtf8Bytes(`social mining collector test key ${n}`)));
}

export const lower = (w: Wallet) => w.address.toLowerCase();

export async function signReport(w: Wallet, report: WorkReport): Promise<{ report: WorkReport; signature: string }> {
  return { report, signature: await w.signTypedData(DOMAIN, WORK_REPORT_TYPES, report) };
}

export async function signBallot(w: Wallet, ballot: Ballot): Promise<{ ballot: Ballot; signature: string }> {
  return { ballot, signature: await w.signTypedData(DOMAIN, BALLOT_TYPES, ballot) };
}

/** A random admin token for one test run. */
export function randomToken(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(24))).toString("hex");
}

export interface Reply {
  status: number;
  headers: Headers;
  text: string;
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** Every answer's text, checked at the end of a suite for stack traces. */
export const SEEN: string[] = [];

export async function call(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Reply> {
  const res = await fetch(base + path, {
    method,
    headers: body === undefined ? headers : { "content-type": "application/json", ...headers },
    body:
      body === undefined
        ? undefined
        : typeof body === "string" || body instanceof Uint8Array
          ? body
          : JSON.stringify(body),
  });
  const text = await res.text();
  SEEN.push(text);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

/** A stack trace as Node prints it. */
export const STACK_TRACE = /\n\s+at |\bat [\w.<>]+ \(.*:\d+:\d+\)|node:internal|\.ts:\d+/;

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

// ---------------------------------------------------------------------------------------------
// A throwaway PostgreSQL cluster
// ---------------------------------------------------------------------------------------------

/** The directory of PostgreSQL's programs (initdb, pg_ctl): the newest /usr/lib/postgresql/<version>/bin. */
export function postgresBin(): string {
  const root = "/usr/lib/postgresql";
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => /^[0-9]+(\.[0-9]+)?$/.test(v) && existsSync(join(root, v, "bin", "initdb")))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions.length === 0) {
    throw new Error(
      "PostgreSQL is not installed: the collector's PostgreSQL tests need initdb and pg_ctl under " +
        "/usr/lib/postgresql/<version>/bin (Debian/Ubuntu: apt-get install postgresql)",
    );
  }
  return join(root, versions[0]!, "bin");
}

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** Runs a PostgreSQL program; as root, as the user postgres (the server refuses to run as root). */
function pgRun(bin: string, program: string, args: string[]): void {
  const command = [join(bin, program), ...args];
  if (process.getuid?.() === 0) {
    execFileSync("su", ["postgres", "-s", "/bin/bash", "-c", command.map(quote).join(" ")], { stdio: "pipe" });
  } else {
    execFileSync(command[0]!, command.slice(1), { stdio: "pipe" });
  }
}

interface Cluster {
  url: string;
  dir: string;
  bin: string;
}

let cluster: Promise<Cluster> | undefined;

/** The cluster of this test process, started once and stopped when the process exits. */
export function postgresCluster(): Promise<Cluster> {
  return (cluster ??= (async () => {
    const bin = postgresBin();
    const dir = mkdtempSync(join(tmpdir(), "social-mining-pg-"));
    if (process.getuid?.() === 0) {
      const uid = Number(execFileSync("id", ["-u", "postgres"]).toString().trim());
      const gid = Number(execFileSync("id", ["-g", "postgres"]).toString().trim());
      chownSync(dir, uid, gid);
    }
    const port = await freePort();
    const data = join(dir, "data");
    try {
      pgRun(bin, "initdb", ["-D", data, "-A", "trust", "-U", "postgres", "--no-sync", "--no-locale", "-E", "UTF8"]);
      pgRun(bin, "pg_ctl", [
        "-D",
        data,
        "-l",
        join(dir, "log"),
        "-w",
        "-o",
        `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1`,
        "start",
      ]);
    } catch (error) {
      rmSync(dir, { recursive: true, force: true });
      const e = error as { stderr?: Buffer; message: string };
      throw new Error(`cannot start a PostgreSQL cluster: ${e.stderr?.toString() || e.message}`);
    }
    process.once("exit", () => {
      try {
        pgRun(bin, "pg_ctl", ["-D", data, "-m", "fast", "-w", "stop"]);
      } catch {
        // stopped already
      }
      rmSync(dir, { recursive: true, force: true });
    });
    return { url: `postgresql://postgres@127.0.0.1:${port}`, dir, bin };
  })());
}

/** A fresh, empty database in the cluster: its URL. */
export async function postgresDatabase(): Promise<string> {
  const { url } = await postgresCluster();
  const name = `collector_${Date.now()}_${Math.floor(Math.random() * 1e9)}`;
  const client = new pg.Client({ connectionString: `${url}/postgres` });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  return `${url}/${name}`;
}

/** A fresh temp directory. */
export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "social-mining-collector-"));
}
