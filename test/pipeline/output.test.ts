/**
 * The output directory: `--force` replaces only an epoch artifacts directory that holds no input,
 * two runs on one `--out` never both succeed, and what a killed run leaves is cleaned up (or
 * reported) by the next one. Runs are real child processes of the CLI.
 */
import { expect } from "chai";
import { spawn, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { allocateEpoch, OutputError, OutputLockedError, writeArtifacts } from "../../scripts/lib/index.js";
import { cleanup, list, tempDir } from "./helpers.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const bin = join(root, "bin/social-mining.js");
const example = (n: number) => ({
  works: join(root, `examples/epoch-${n}/works.csv`),
  votes: join(root, `examples/epoch-${n}/votes.csv`),
  teams: join(root, `examples/epoch-${n}/teams.csv`),
  config: join(root, `examples/epoch-${n}/epoch.json`),
});
const flags = (inputs: Record<string, string>) => Object.entries(inputs).flatMap(([k, v]) => [`--${k}`, v]);

interface Run {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

const runSync = (args: string[], cwd = root): Run => {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: "utf8" });
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
};

/** Starts the CLI as a child process; `pause` sets the test hook that makes it sleep at a point. */
function start(args: string[], pause?: string) {
  const env = { ...process.env };
  if (pause) env.SOCIAL_MINING_TEST_PAUSE = pause;
  else delete env.SOCIAL_MINING_TEST_PAUSE;
  const child = spawn(process.execPath, [bin, ...args], { cwd: root, env });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => (stderr += d));
  const done = new Promise<Run>((resolve) =>
    child.on("close", (status, signal) => resolve({ status, signal, stdout, stderr })),
  );
  return { child, done };
}

async function waitFor<T>(what: string, probe: () => T | undefined, ms = 30_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The hidden names next to `out` in `dir` (what a run leaves behind). */
const hidden = (dir: string) => list(dir).filter((f) => f.startsWith("."));

describe("output: --force replaces only an epoch artifacts directory", function () {
  this.timeout(120_000);
  let dir: string;
  let artifacts: string;
  before(() => {
    dir = tempDir();
    artifacts = join(dir, "e1");
    expect(runSync(["allocate", ...flags(example(1)), "--out", artifacts]).status).to.equal(0);
  });
  after(() => cleanup(dir));

  /** Runs allocate with --force and expects exit 3, a message naming `out` and `why`, and `out` untouched. */
  function refused(out: string, why: RegExp, inputs = example(1), cwd = root, extra: string[] = []) {
    const path = join(cwd, out);
    const before = existsSync(path) && statSync(path).isDirectory() ? readdirSync(path).sort() : undefined;
    const r = runSync(["allocate", ...flags(inputs), "--out", out, "--force", ...extra], cwd);
    expect(r.status, r.stderr).to.equal(3);
    expect(r.stderr).to.match(why);
    expect(r.stderr).to.not.match(/\n\s+at /);
    if (before) expect(readdirSync(path).sort()).to.deep.equal(before);
    return r;
  }

  it("not the working directory (no manifest there), nor the working directory inside an artifacts directory", () => {
    const work = join(dir, "work");
    mkdirSync(work);
    writeFileSync(join(work, "notes.txt"), "mine");
    refused(".", /cannot replace \.: it has no manifest\.json of this pipeline/, example(1), work);
    expect(readFileSync(join(work, "notes.txt"), "utf8")).to.equal("mine");
    refused(".", /cannot replace \.: the working directory is inside it/, example(1), artifacts);
    refused("..", /cannot replace \.\.: the working directory is inside it/, example(1), join(artifacts, "claims"));
  });

  it("not an input directory, nor a plain file", () => {
    const inputs = join(dir, "inputs-copy");
    cpSync(join(root, "examples/epoch-1"), inputs, { recursive: true });
    const copy = {
      works: join(inputs, "works.csv"),
      votes: join(inputs, "votes.csv"),
      teams: join(inputs, "teams.csv"),
      config: join(inputs, "epoch.json"),
    };
    refused(inputs, /cannot replace .*inputs-copy: it has no manifest\.json of this pipeline/, copy);
    refused(copy.works, /cannot replace .*works\.csv: it is a file, not an epoch artifacts directory/, copy);
    expect(existsSync(copy.works)).to.equal(true);
  });

  it("not an artifacts directory that holds an input, nor the --previous directory, nor one inside --previous", () => {
    // Recomputing from the directory's own inputs/ would delete them.
    const own = { ...example(1), works: join(artifacts, "inputs/works.csv") };
    refused(artifacts, /cannot replace .*e1: --works .*inputs\/works\.csv is inside it/, own);
    const next = { ...example(2), previous: artifacts };
    refused(artifacts, /cannot replace .*e1: it is --previous /, next);
    const r = runSync(["allocate", ...flags(next), "--out", join(artifacts, "e2")]);
    expect(r.status).to.equal(3);
    expect(r.stderr).to.match(/cannot write .*e1\/e2: it is inside --previous .*e1, which the run reads/);
    expect(existsSync(join(artifacts, "e2"))).to.equal(false);
  });

  it("a directory with a manifest that is not this pipeline's is not replaced", () => {
    const other = join(dir, "other");
    mkdirSync(other);
    writeFileSync(join(other, "manifest.json"), JSON.stringify({ format: "something-else", epoch: 1 }));
    refused(other, /cannot replace .*other: it has no manifest\.json of this pipeline/);
  });

  it("replaces an epoch artifacts directory and says what it replaced (text and --json)", () => {
    const manifest = JSON.parse(readFileSync(join(artifacts, "manifest.json"), "utf8"));
    const r = runSync(["allocate", ...flags(example(1)), "--out", artifacts, "--force"]);
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stdout).to.contain(`replaced    ${artifacts} of epoch 1, root ${manifest.root}`);
    const j = runSync(["allocate", ...flags(example(1)), "--out", artifacts, "--force", "--json"]);
    expect(JSON.parse(j.stdout).replaced).to.deep.equal({ epoch: 1, root: manifest.root });
    const fresh = runSync(["allocate", ...flags(example(1)), "--out", join(dir, "fresh"), "--json"]);
    expect(JSON.parse(fresh.stdout).replaced).to.equal(null);
    expect(hidden(dir)).to.deep.equal([]);
  });

  it("writeArtifacts refuses the same way (library)", () => {
    const result = allocateEpoch(example(1));
    const plain = join(dir, "plain");
    mkdirSync(plain);
    expect(() => writeArtifacts(plain, result, { force: true })).to.throw(OutputError, /no manifest\.json/);
    expect(() =>
      writeArtifacts(artifacts, result, { force: true, protect: [{ path: join(artifacts, "inputs"), what: "--x" }] }),
    ).to.throw(OutputError, /--x .* is inside it/);
    expect(writeArtifacts(artifacts, result, { force: true }).replaced).to.include({ epoch: 1 });
  });
});

describe("output: two runs on one --out", function () {
  this.timeout(120_000);
  let dir: string;
  beforeEach(() => (dir = tempDir()));
  afterEach(() => cleanup(dir));

  it("never both succeed: exactly one wins, and the root on disk is the winner's", async () => {
    // Two epochs with different roots: the pool differs.
    const config = JSON.parse(readFileSync(example(1).config, "utf8"));
    writeFileSync(join(dir, "double.json"), JSON.stringify({ ...config, pool: String(BigInt(config.pool) * 2n) }));
    // Once with both runs held inside the write, twice as they come (a race either way).
    for (const [round, pause] of ["write:1500", undefined, undefined].entries()) {
      const out = join(dir, `out-${round}`);
      const a = start(["allocate", ...flags(example(1)), "--out", out, "--json"], pause);
      const b = start(
        ["allocate", ...flags({ ...example(1), config: join(dir, "double.json") }), "--out", out, "--json"],
        pause,
      );
      const runs = await Promise.all([a.done, b.done]);
      const docs = runs.map((r) => JSON.parse(r.stdout));
      expect(runs.map((r) => r.status).sort(), `round ${round}: ${runs.map((r) => r.stderr).join("\n")}`).to.deep.equal(
        [0, 3],
      );
      const winner = docs.find((d) => d.ok)!;
      const loser = docs.find((d) => !d.ok)!;
      expect(loser.error.message).to.match(/another run is writing .*out|already exists/);
      expect(JSON.parse(readFileSync(join(out, "manifest.json"), "utf8")).root).to.equal(winner.root);
    }
    expect(hidden(dir)).to.deep.equal([]);
  });

  it("a run holding the lock is reported at once; an empty directory made meanwhile is not replaced", async () => {
    const out = join(dir, "out");
    const a = start(["allocate", ...flags(example(1)), "--out", out], "write:3000");
    await waitFor("the first run's temporary directory", () =>
      hidden(dir).some((f) => f.startsWith(".out.tmp-")) ? true : undefined,
    );
    const b = runSync(["allocate", ...flags(example(1)), "--out", out, "--force"]);
    expect(b.status).to.equal(3);
    expect(b.stderr).to.match(
      /another run is writing .*out: run [0-9]+-[0-9a-f]{8} \(process [0-9]+\) holds its lock .*\.out\.lock/,
    );
    // rename(2) would put the new directory in place of an empty one: the run must see it.
    mkdirSync(out);
    const first = await a.done;
    expect(first.status, first.stderr).to.equal(3);
    expect(first.stderr).to.match(/output directory .*out already exists/);
    expect(readdirSync(out)).to.deep.equal([]);
    expect(hidden(dir)).to.deep.equal([]);
  });

  it("a lock held by a live process is not taken over (library)", () => {
    const out = join(dir, "out");
    writeFileSync(
      join(dir, ".out.lock"),
      JSON.stringify({ tool: "social-mining", pid: process.pid, host: hostname(), id: `${process.pid}-0badc0de` }),
    );
    expect(() => writeArtifacts(out, allocateEpoch(example(1)))).to.throw(OutputLockedError, /another run is writing/);
    writeFileSync(join(dir, ".out.lock"), "not ours");
    expect(() => writeArtifacts(out, allocateEpoch(example(1)))).to.throw(
      OutputLockedError,
      /not a lock file of this pipeline/,
    );
    expect(existsSync(join(dir, ".out.lock"))).to.equal(true);
    expect(existsSync(out)).to.equal(false);
  });
});

describe("output: a killed run's leftovers", function () {
  this.timeout(120_000);
  let dir: string;
  beforeEach(() => (dir = tempDir()));
  afterEach(() => cleanup(dir));

  /** Starts a run that pauses at `point`, waits until `ready` holds, kills it with SIGKILL. */
  async function kill(args: string[], point: string, ready: (names: string[]) => boolean): Promise<string[]> {
    const run = start(["allocate", ...flags(example(1)), ...args], `${point}:60000`);
    await waitFor(`the run to reach ${point}`, () => (ready(list(dir)) ? true : undefined));
    run.child.kill("SIGKILL");
    const r = await run.done;
    expect(r.signal).to.equal("SIGKILL");
    return hidden(dir);
  }

  it("killed while writing: the next run removes the temporary directory and the lock, and writes", async () => {
    const out = join(dir, "out");
    const left = await kill(["--out", out], "write", (names) => names.some((n) => n.startsWith(".out.tmp-")));
    expect(left).to.have.length(2);
    expect(left[0]).to.equal(".out.lock");
    expect(left[1]).to.match(/^\.out\.tmp-[0-9]+-[0-9a-f]{8}$/);
    expect(readdirSync(join(dir, left[1]!))).to.include("manifest.json");
    const r = runSync(["allocate", ...flags(example(1)), "--out", out]);
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stderr).to.contain(`note: removed ${join(dir, left[1]!)}, the unfinished artifacts of run`);
    expect(r.stderr).to.match(/note: removed the lock .*\.out\.lock of run .*, which no longer exists/);
    expect(list(dir)).to.deep.equal(["out"]);
    expect(runSync(["verify", out]).status).to.equal(0);
  });

  it("killed between the two renames of a replace: the next run puts the old copy back", async () => {
    const out = join(dir, "out");
    expect(runSync(["allocate", ...flags(example(1)), "--out", out]).status).to.equal(0);
    const manifest = readFileSync(join(out, "manifest.json"));
    const left = await kill(["--out", out, "--force", "--chain-id", "7"], "swap", (names) =>
      names.some((n) => n.startsWith(".out.old-")),
    );
    expect(existsSync(out)).to.equal(false);
    expect(left.map((n) => n.replace(/-[0-9]+-[0-9a-f]{8}$/, ""))).to.deep.equal([".out.lock", ".out.old", ".out.tmp"]);
    // Without --force the next run refuses to write, but only after putting the directory back.
    const r = runSync(["allocate", ...flags(example(1)), "--out", out]);
    expect(r.status).to.equal(3);
    expect(r.stderr).to.match(
      /note: put back .*out from .*\.out\.old-[0-9]+-[0-9a-f]{8}: run .* was interrupted while replacing it/,
    );
    expect(r.stderr).to.match(/error: output directory .*out already exists/);
    expect(readFileSync(join(out, "manifest.json")).equals(manifest)).to.equal(true);
    expect(list(dir)).to.deep.equal(["out"]);
    expect(runSync(["verify", out]).status).to.equal(0);
  });

  it("killed after the new copy is in place: the next run removes the old one", async () => {
    const out = join(dir, "out");
    expect(runSync(["allocate", ...flags(example(1)), "--out", out]).status).to.equal(0);
    // Paused after both renames: the old copy is aside and the new one in place (the first rename alone would
    // show the old copy with no `out` yet).
    await kill(
      ["--out", out, "--force", "--chain-id", "7"],
      "remove",
      (names) => names.some((n) => n.startsWith(".out.old-")) && names.includes("out"),
    );
    expect(JSON.parse(readFileSync(join(out, "manifest.json"), "utf8")).chainId).to.equal(7);
    const r = runSync(["allocate", ...flags(example(1)), "--out", out, "--force", "--json"]);
    expect(r.status, r.stderr).to.equal(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.cleaned.join("\n")).to.match(
      /removed .*\.out\.old-.*, the copy run .* replaced before it was interrupted/,
    );
    expect(doc.replaced.epoch).to.equal(1);
    expect(list(dir)).to.deep.equal(["out"]);
  });

  it("what no lock names is reported, never removed", () => {
    const out = join(dir, "out");
    mkdirSync(join(dir, ".out.tmp-1-deadbeef"));
    mkdirSync(join(dir, ".other.tmp-1-deadbeef"));
    const r = runSync(["allocate", ...flags(example(1)), "--out", out, "--json"]);
    expect(r.status, r.stderr).to.equal(0);
    expect(JSON.parse(r.stdout).leftovers).to.deep.equal([join(dir, ".out.tmp-1-deadbeef")]);
    expect(r.stderr).to.match(
      /warning: .*\.out\.tmp-1-deadbeef looks like what an interrupted run leaves, but no lock file names it/,
    );
    expect(list(dir)).to.deep.equal([".other.tmp-1-deadbeef", ".out.tmp-1-deadbeef", "out"]);
  });
});
