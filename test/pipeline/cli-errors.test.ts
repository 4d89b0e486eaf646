/**
 * The CLI's errors: `proof` prints only a claim that proves against the epoch's root, exit codes
 * are those of docs/cli.md, no stack trace for any input or path, and `--json` also for usage
 * errors and for a run with many input errors.
 */
import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ExitCode, InternalError, invariant, PipelineError } from "../../scripts/lib/index.js";
import { cleanup, tempDir } from "./helpers.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const bin = join(root, "bin/social-mining.js");
const run = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { cwd: root, encoding: "utf8" });
const example = [
  "--works",
  "examples/epoch-1/works.csv",
  "--votes",
  "examples/epoch-1/votes.csv",
  "--teams",
  "examples/epoch-1/teams.csv",
  "--config",
  "examples/epoch-1/epoch.json",
];
const ACCOUNT = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
const SHARD = "claims/f3.json";
const noStack = (stderr: string) => expect(stderr).to.not.match(/\n\s+at /);

describe("CLI: proof checks the claim against the epoch's root", function () {
  this.timeout(60_000);
  let dir: string;
  let e1: string;
  let shard: string;
  before(() => {
    dir = tempDir();
    e1 = join(dir, "e1");
    expect(run("allocate", ...example, "--out", e1).status).to.equal(0);
    shard = readFileSync(join(e1, SHARD), "utf8");
  });
  afterEach(() => writeFileSync(join(e1, SHARD), shard));
  after(() => cleanup(dir));

  const tamper = (edit: (file: { root: string; claims: Record<string, Record<string, unknown>> }) => void) => {
    const file = JSON.parse(shard);
    edit(file);
    writeFileSync(join(e1, SHARD), JSON.stringify(file));
  };

  it("an untouched shard: the claim is printed", () => {
    const r = run("proof", e1, ACCOUNT, "--json");
    expect(r.status, r.stderr).to.equal(0);
    expect(JSON.parse(r.stdout).root).to.equal(JSON.parse(readFileSync(join(e1, "manifest.json"), "utf8")).root);
  });

  it("a tampered amount is refused (exit 1), nothing printed on stdout", () => {
    tamper((f) => (f.claims[ACCOUNT]!.amount = (BigInt(f.claims[ACCOUNT]!.amount as string) + 1n).toString()));
    const r = run("proof", e1, ACCOUNT);
    expect(r.status).to.equal(ExitCode.Mismatch);
    expect(r.stdout).to.equal("");
    expect(r.stderr).to.match(
      /^error: claims\/f3\.json: the claim of 0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266 .* does not prove against the root 0x[0-9a-f]{64} of manifest\.json/,
    );
    noStack(r.stderr);
    const j = run("proof", e1, ACCOUNT, "--json");
    expect(JSON.parse(j.stdout)).to.deep.include({ ok: false, exitCode: 1 });
    expect(JSON.parse(j.stdout).error.name).to.equal("VerificationError");
  });

  it("a tampered proof, reputation or index is refused", () => {
    tamper((f) => ((f.claims[ACCOUNT]!.proof as string[])[0] = "0x" + "11".repeat(32)));
    expect(run("proof", e1, ACCOUNT).status).to.equal(1);
    tamper((f) => (f.claims[ACCOUNT]!.reputation = "1000"));
    expect(run("proof", e1, ACCOUNT).status).to.equal(1);
    tamper((f) => (f.claims[ACCOUNT]!.index = 0));
    expect(run("proof", e1, ACCOUNT).status).to.equal(1);
  });

  it("a shard of another root is refused, even with a consistent proof", () => {
    tamper((f) => (f.root = "0x" + "ab".repeat(32)));
    const r = run("proof", e1, ACCOUNT);
    expect(r.status).to.equal(1);
    expect(r.stderr).to.match(/claims\/f3\.json: root 0xabab.* is not the root 0x[0-9a-f]{64} of manifest\.json/);
  });
});

describe("CLI: exit codes and messages", function () {
  this.timeout(60_000);
  let dir: string;
  before(() => {
    dir = tempDir();
    expect(run("allocate", ...example, "--out", join(dir, "e1")).status).to.equal(0);
  });
  after(() => cleanup(dir));

  it("an invalid address is a usage error (exit 2), not an I/O error", () => {
    for (const bad of [
      "0x1234",
      "0xF39FD6E51AAD88F6F4CE6AB8827279CFFFB9226G",
      "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92267".replace("f39F", "F39f"),
    ]) {
      const r = run("proof", join(dir, "e1"), bad);
      expect(r.status, bad).to.equal(2);
      expect(r.stderr).to.match(/invalid for argument 'account'/);
      noStack(r.stderr);
    }
  });

  it("a malformed --root is a usage error (exit 2), not a mismatch", () => {
    for (const bad of ["0x12", "ab".repeat(32), "0x" + "zz".repeat(32)]) {
      const r = run("verify", join(dir, "e1"), "--root", bad);
      expect(r.status, bad).to.equal(2);
      expect(r.stderr).to.match(/is not a root \(0x followed by 64 hex digits\)/);
    }
    expect(run("verify", join(dir, "e1"), "--root", "0x" + "AB".repeat(32)).status).to.equal(1);
  });

  it("--out under a plain file: a clear I/O error (exit 3), no stack trace", () => {
    const r = run("allocate", ...example, "--out", "examples/epoch-1/works.csv/out");
    expect(r.status).to.equal(3);
    expect(r.stderr).to.equal(
      "error: cannot write examples/epoch-1/works.csv/out: examples/epoch-1/works.csv is a file, not a directory\n",
    );
    const deeper = run("allocate", ...example, "--out", "examples/epoch-1/works.csv/a/b", "--json");
    expect(deeper.status).to.equal(3);
    expect(JSON.parse(deeper.stdout).error).to.include({ name: "OutputError" });
    noStack(deeper.stderr);
  });

  it("paths that cannot be read: exit 3 with the path, no stack trace", () => {
    for (const args of [
      ["allocate", "--works", "examples", ...example.slice(2), "--out", join(dir, "x")],
      ["allocate", ...example, "--previous", join(dir, "missing"), "--out", join(dir, "x")],
      ["verify", join(dir, "missing")],
      ["verify", "examples/epoch-1/works.csv"],
      ["proof", join(dir, "missing"), ACCOUNT],
    ]) {
      const r = run(...args);
      expect(r.status, args.join(" ")).to.equal(3);
      expect(r.stderr).to.match(/^error: .*(examples|missing|works\.csv)/);
      noStack(r.stderr);
    }
    expect(readdirSync(dir)).to.deep.equal(["e1"]);
  });

  it("--json: usage errors print the JSON error shape too, and nothing on stderr", () => {
    for (const args of [
      ["allocate", "--works", "x", "--json"],
      ["allocate", ...example, "--out", join(dir, "x"), "--colour", "--json"],
      ["frobnicate", "--json"],
      ["proof", join(dir, "e1"), "0x1234", "--json"],
      ["verify", join(dir, "e1"), "--root", "0x12", "--json"],
      ["allocate", ...example, "--out", join(dir, "x"), "--chain-id", "-1", "--json"],
    ]) {
      const r = run(...args);
      expect(r.status, args.join(" ")).to.equal(2);
      const doc = JSON.parse(r.stdout);
      expect(doc).to.deep.include({ ok: false, exitCode: 2 });
      expect(doc.error.name).to.equal("UsageError");
      expect(doc.error.message)
        .to.be.a("string")
        .and.not.match(/^error: /);
      expect(doc.error.code).to.match(/^commander\./);
      expect(r.stderr).to.equal("");
    }
    // Without --json, commander's message and the help go to stderr, as before.
    const text = run("frobnicate");
    expect(text.status).to.equal(2);
    expect(text.stderr).to.match(/^error: unknown command 'frobnicate'/);
  });

  it("many input errors: every one, in text (one line each) and in --json (errors, more)", () => {
    const votes = join(dir, "votes.csv");
    writeFileSync(
      votes,
      "work_id,voter,points,cast_at\n" +
        Array.from({ length: 55 }, (_, i) => `e1-w001,0x${i},5,2025-01-24T15:16:00Z\n`).join(""),
    );
    const args = [
      "allocate",
      "--works",
      "examples/epoch-1/works.csv",
      "--votes",
      votes,
      "--config",
      "examples/epoch-1/epoch.json",
      "--out",
      join(dir, "bad"),
    ];
    const text = run(...args);
    expect(text.status).to.equal(2);
    const lines = text.stderr.trimEnd().split("\n");
    expect(lines).to.have.length(51);
    expect(lines[0]).to.match(/^error: .*votes\.csv row 1 \(line 2\), column voter: "0x0" is not an address/);
    expect(lines[49]).to.match(/^error: .*votes\.csv row 50 \(line 51\), column voter/);
    expect(lines[50]).to.equal("error: … and 5 more errors");
    const json = JSON.parse(run(...args, "--json").stdout);
    expect(json).to.deep.include({ ok: false, exitCode: 2 });
    expect(json.error).to.include({ name: "InputErrors", row: 1, column: "voter", more: 5 });
    expect(json.error.errors).to.have.length(50);
    expect(json.error.errors[49]).to.include({ row: 50, line: 51, column: "voter" });
    expect(readdirSync(dir).sort()).to.deep.equal(["e1", "votes.csv"]);
  });
});

describe("errors.ts", () => {
  it("invariant throws an InternalError (exit 70) without writing a readonly field", () => {
    let thrown: unknown;
    try {
      invariant(false, "a bug");
    } catch (error) {
      thrown = error;
    }
    expect(thrown).to.be.instanceOf(InternalError).and.instanceOf(PipelineError);
    expect((thrown as InternalError).exitCode).to.equal(ExitCode.Internal);
    expect((thrown as Error).message).to.equal("internal error: a bug");
    expect(new PipelineError("x").exitCode).to.equal(ExitCode.BadInput);
    const source = readFileSync(join(root, "scripts/lib/errors.ts"), "utf8");
    expect(source).to.not.match(/as \{ exitCode/);
  });

  it("every error class of errors.ts is used", () => {
    const lib = join(root, "scripts");
    const files = readdirSync(lib, { recursive: true, encoding: "utf8" })
      .filter((f) => f.endsWith(".ts"))
      .map((f) => readFileSync(join(lib, f), "utf8"));
    const source = readFileSync(join(lib, "lib/errors.ts"), "utf8");
    const classes = [...source.matchAll(/export class (\w+)/g)].map((m) => m[1]!);
    expect(classes.length).to.be.greaterThan(5);
    for (const name of classes) {
      const uses = files.reduce((n, text) => n + (text.match(new RegExp(`\\b${name}\\b`, "g"))?.length ?? 0), 0);
      // The declaration is one occurrence; a used class has more.
      expect(uses, name).to.be.greaterThan(1);
    }
  });
});
