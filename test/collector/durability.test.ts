/**
 * `social-mining serve` as a child process: usage errors, a clean stop on SIGTERM, and durability — eight
 * concurrent clients post signed reports and ballots, the server is killed with SIGKILL mid-stream, restarted
 * on the same database, and every submission that was answered 201 is there (SQLite and PostgreSQL).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "chai";
import { BallotBody, COLLECTOR_ROUTES } from "../../protocol/collector-api.js";
import type { Ballot } from "../../protocol/typed-data.js";
import { parseVotes, parseWorks } from "../../scripts/lib/inputs.js";
import { main } from "../../scripts/cli.js";
import {
  CHAIN_ID,
  call,
  lower,
  POOL,
  postgresDatabase,
  randomToken,
  signBallot,
  signReport,
  tempDir,
  wallet,
} from "./support.js";

const ROOT = join(import.meta.dirname, "..", "..");
const NODE = join(ROOT, "node_modules", ".bin", "node");

interface Served {
  child: ChildProcess;
  url: string;
  stdout: () => string;
  stderr: () => string;
  exit: Promise<number | null>;
}

/** Starts `social-mining serve ARGS` and waits for the URL it listens on. */
function serve(args: string[], env: Record<string, string> = {}): Promise<Served> {
  const child = spawn(NODE, ["bin/social-mining.js", "serve", ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout!.on("data", (c) => (out += c));
  child.stderr!.on("data", (c) => (err += c));
  const exit = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start: ${out}${err}`)), 20_000);
    const check = () => {
      const match = /collector listening on (http:\/\/\S+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        child.stdout!.off("data", check);
        resolve({ child, url: match[1]!, stdout: () => out, stderr: () => err, exit });
      }
    };
    child.stdout!.on("data", check);
    void exit.then((code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${code}: ${out}${err}`));
    });
  });
}

/** Runs `social-mining serve ARGS` in this process, expecting it to stop by itself: its exit code and stderr. */
async function serveFails(args: string[]): Promise<{ code: number; stderr: string }> {
  const write = process.stderr.write;
  let stderr = "";
  process.stderr.write = ((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  }) as typeof process.stderr.write;
  try {
    return { code: await main(["serve", ...args]), stderr };
  } finally {
    process.stderr.write = write;
  }
}

describe("collector: social-mining serve", function () {
  this.timeout(60_000);
  let dir: string;

  before(function () {
    dir = tempDir();
  });
  after(function () {
    rmSync(dir, { recursive: true, force: true });
  });

  it("refuses bad options with a usage error (exit 2) and an unusable database with an I/O error (exit 3)", async function () {
    const common = ["--chain-id", "31337", "--pool", POOL];
    const results = [];
    for (const args of [
      common,
      ["--db", join(dir, "a.db"), "--database-url", "postgres://x/y", ...common],
      ["--db", join(dir, "a.db"), "--chain-id", "0", "--pool", POOL],
      ["--db", join(dir, "a.db"), "--chain-id", "31337", "--pool", "0x1234"],
      ["--db", join(dir, "a.db"), ...common, "--port", "70000"],
      ["--database-url", "mysql://x", ...common],
      ["--db", join(dir, "a.db"), ...common, "--admin-token-file", join(dir, "no-such-file")],
      ["--db", join(dir, "missing", "dir", "a.db"), ...common],
    ]) {
      results.push(await serveFails(args));
    }
    expect(results.map((r) => r.code)).to.deep.equal([2, 2, 2, 2, 2, 2, 3, 3]);
    expect(results[0]!.stderr).to.include("--db FILE or --database-url URL");
    expect(results[6]!.stderr).to.match(/^error: --admin-token-file .*no-such-file: cannot read it \(no such file\)/m);
    expect(results[7]!.stderr).to.match(/^error: cannot open the database/m);
    for (const r of results) expect(r.stderr).not.to.match(/\n\s+at /);
  });

  for (const kind of ["SQLite", "PostgreSQL"] as const) {
    it(`keeps every submission it answered 201 through a SIGKILL (${kind})`, async function () {
      const token = randomToken();
      const tokenFile = join(dir, `token-${kind}`);
      writeFileSync(tokenFile, token + "\n");
      const database =
        kind === "SQLite" ? ["--db", join(dir, "durable.sqlite")] : ["--database-url", await postgresDatabase()];
      const args = [
        ...database,
        "--chain-id",
        String(CHAIN_ID),
        "--pool",
        POOL,
        "--port",
        "0",
        "--admin-token-file",
        tokenFile,
      ];
      const now = Math.floor(Date.now() / 1000);
      // The server starts while the traffic is signed.
      const starting = serve(args);
      starting.catch(() => {});

      // Seed works by their authors, and pre-signed traffic: 8 clients, each a stream of new reports and of
      // ballots of 4 voters, every ballot replacing the voter's previous one.
      const authors = Array.from({ length: 12 }, (_, i) => wallet(500 + i));
      const seeds = await Promise.all(
        authors.map((w, i) =>
          signReport(w, {
            epoch: 1,
            workId: `seed-${i}`,
            contributor: lower(w),
            category: "code",
            title: `seed ${i}`,
            pov: [`https://example.org/seed/${i}`],
            submittedAt: now - 600,
          }),
        ),
      );
      const CLIENTS = 8;
      // Answers after which the server is killed, of CLIENTS × STEPS × 2 requests.
      const KILL_AT = 110;
      const STEPS = 12;
      const traffic = await Promise.all(
        Array.from({ length: CLIENTS }, async (_, c) => {
          const author = wallet(600 + c);
          const voters = Array.from({ length: 4 }, (_, k) => wallet(700 + c * 4 + k));
          const steps = [];
          for (let j = 0; j < STEPS; j++) {
            const voter = voters[j % voters.length]!;
            const votes = [
              { workId: `seed-${(c + j) % 12}`, points: String(j) },
              { workId: `seed-${(c + j + 5) % 12}`, points: String(c) },
            ].sort((a, b) => (a.workId < b.workId ? -1 : 1));
            const ballot: Ballot = { voter: voter.address, epoch: 1, castAt: now - 500 + j, votes };
            steps.push({
              report: await signReport(author, {
                epoch: 1,
                workId: `c${c}-w${j}`,
                contributor: lower(author),
                category: "docs",
                title: `client ${c}, work ${j}`,
                pov: [`https://example.org/${c}/${j}`],
                submittedAt: now - 400,
              }),
              ballot: await signBallot(voter, ballot),
            });
          }
          return steps;
        }),
      );

      const first = await starting;
      try {
        const admin = { authorization: `Bearer ${token}` };
        const opened = await call(
          first.url,
          "POST",
          COLLECTOR_ROUTES.epochs,
          { epoch: 1, start: now - 3600, end: now + 3600 },
          admin,
        );
        expect(opened.status, opened.text).to.equal(201);
        for (const seed of seeds)
          expect((await call(first.url, "POST", COLLECTOR_ROUTES.reports, seed)).status).to.equal(201);

        const acceptedReports: string[] = [];
        const acceptedBallots: BallotBody[] = [];
        let answered = 0;
        let killed = false;
        const clients = traffic.map(async (steps) => {
          for (const step of steps) {
            for (const [path, body] of [
              [COLLECTOR_ROUTES.reports, step.report],
              [COLLECTOR_ROUTES.ballots, step.ballot],
            ] as const) {
              let status: number;
              try {
                status = (await call(first.url, "POST", path, body)).status;
              } catch {
                return; // the server is gone
              }
              expect(status).to.be.oneOf(killed ? [201, 500] : [201]);
              if (status === 201) {
                if ("report" in body) acceptedReports.push(body.report.workId);
                else acceptedBallots.push(body as BallotBody);
              }
              if (++answered === KILL_AT) {
                killed = true;
                first.child.kill("SIGKILL");
              }
            }
          }
        });
        await Promise.all(clients);
        expect(killed, "the server was killed mid-stream").to.equal(true);
        expect(await first.exit).to.equal(null);
        expect(acceptedReports.length + acceptedBallots.length).to.be.at.least(KILL_AT);
        expect(acceptedReports.length + acceptedBallots.length).to.be.below(CLIENTS * STEPS * 2);

        const second = await serve(args);
        try {
          const works = parseWorks({
            name: "works.csv",
            bytes: Buffer.from((await call(second.url, "GET", COLLECTOR_ROUTES.export(1, "works.csv"))).text),
          });
          const ids = new Set(works.map((w) => w.workId));
          for (const id of acceptedReports) expect(ids.has(id), id).to.equal(true);
          const votes = parseVotes({
            name: "votes.csv",
            bytes: Buffer.from((await call(second.url, "GET", COLLECTOR_ROUTES.export(1, "votes.csv"))).text),
          });
          // Each voter's current ballot is its latest accepted one, or a later one committed when the answer was lost.
          const latest = new Map<string, BallotBody>();
          for (const b of acceptedBallots) {
            const voter = b.ballot.voter.toLowerCase();
            if ((latest.get(voter)?.ballot.castAt ?? -1) < b.ballot.castAt) latest.set(voter, b);
          }
          for (const [voter, b] of latest) {
            const stored = BallotBody.parse((await call(second.url, "GET", COLLECTOR_ROUTES.ballot(1, voter))).json);
            expect(stored.ballot.castAt).to.be.at.least(b.ballot.castAt);
            if (stored.ballot.castAt === b.ballot.castAt) expect(stored.signature).to.equal(b.signature.toLowerCase());
            const rows = votes.filter((v) => v.voter.toLowerCase() === voter);
            expect(rows.map((r) => r.castAt / 1000)).to.deep.equal(stored.ballot.votes.map(() => stored.ballot.castAt));
          }
          expect(second.stderr()).to.equal("");
        } finally {
          second.child.kill("SIGTERM");
          expect(await second.exit).to.equal(0);
          expect(second.stdout()).to.include("collector stopped");
        }
      } finally {
        first.child.kill("SIGKILL");
      }
    });
  }
});
