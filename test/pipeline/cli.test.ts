import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { cleanup, list, tempDir } from "./helpers.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const bin = join(root, "bin/social-mining.js");
const run = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { cwd: root, encoding: "utf8" });
const example = (n: number) => [
  "--works",
  `examples/epoch-${n}/works.csv`,
  "--votes",
  `examples/epoch-${n}/votes.csv`,
  "--teams",
  `examples/epoch-${n}/teams.csv`,
  "--config",
  `examples/epoch-${n}/epoch.json`,
];

describe("CLI social-mining", function () {
  this.timeout(60_000);
  let dir: string;
  before(() => (dir = tempDir()));
  after(() => cleanup(dir));

  it("allocate --json writes the artifacts and prints the root (exit 0)", () => {
    const r = run(
      "allocate",
      ...example(1),
      "--out",
      join(dir, "e1"),
      "--json",
      "--distributor",
      "0x5FbDB2315678afecb367f032d93F642f64180aa3",
      "--chain-id",
      "31337",
    );
    expect(r.status, r.stderr).to.equal(0);
    const out = JSON.parse(r.stdout);
    expect(out.ok).to.equal(true);
    expect(out.root).to.match(/^0x[0-9a-f]{64}$/);
    const manifest = JSON.parse(readFileSync(join(dir, "e1/manifest.json"), "utf8"));
    expect(manifest.distributor).to.equal("0x5FbDB2315678afecb367f032d93F642f64180aa3");
    expect(manifest.root).to.equal(out.root);
    expect(out.reputationTotal).to.match(/^[0-9]+$/);
    expect(out.reputationTotal).to.equal(manifest.reputationTotal);
  });

  it("allocate prints the reputation total", () => {
    const r = run("allocate", ...example(1), "--out", join(dir, "text"));
    expect(r.status, r.stderr).to.equal(0);
    const manifest = JSON.parse(readFileSync(join(dir, "text/manifest.json"), "utf8"));
    expect(r.stdout).to.contain(`reputation  ${manifest.reputationTotal} in total over `);
  });

  it("allocate --previous chains from reputation.csv, and a pool above 2^96 − 1 exits 2 writing nothing", () => {
    const r = run("allocate", ...example(2), "--previous", join(dir, "text"), "--out", join(dir, "e2"), "--json");
    expect(r.status, r.stderr).to.equal(0);
    expect(run("verify", join(dir, "e2"), "--previous", join(dir, "text")).status).to.equal(0);
    const config = join(dir, "big-pool.json");
    const epoch = JSON.parse(readFileSync(join(root, "examples/epoch-1/epoch.json"), "utf8"));
    writeFileSync(config, JSON.stringify({ ...epoch, pool: String(2n ** 96n) }));
    const big = run("allocate", ...example(1).slice(0, 6), "--config", config, "--out", join(dir, "big"), "--json");
    expect(big.status).to.equal(2);
    expect(JSON.parse(big.stdout).error).to.include({ column: "pool" });
    expect(JSON.parse(big.stdout).error.reason).to.match(/2\^96 − 1/);
    expect(existsSync(join(dir, "big"))).to.equal(false);
  });

  it("allocate into an existing directory exits 3; --force replaces it", () => {
    expect(run("allocate", ...example(1), "--out", join(dir, "e1")).status).to.equal(3);
    expect(
      run(
        "allocate",
        ...example(1),
        "--out",
        join(dir, "e1"),
        "--force",
        "--distributor",
        "0x5FbDB2315678afecb367f032d93F642f64180aa3",
        "--chain-id",
        "31337",
      ).status,
    ).to.equal(0);
  });

  it("verify exits 0 on untouched artifacts and 1 with a wrong --root", () => {
    expect(run("verify", join(dir, "e1")).status).to.equal(0);
    const r = run("verify", join(dir, "e1"), "--root", "0x" + "ab".repeat(32));
    expect(r.status).to.equal(1);
    expect(r.stdout).to.match(/MISMATCH: tree.json: root/);
  });

  it("proof prints a claim (exit 0) and exits 1 for an account without one", () => {
    const r = run("proof", join(dir, "e1"), "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266", "--json");
    expect(r.status, r.stderr).to.equal(0);
    expect(JSON.parse(r.stdout)).to.include({ account: "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266", epoch: 1 });
    expect(run("proof", join(dir, "e1"), "0x000000000000000000000000000000000000dEaD").status).to.equal(1);
  });

  it("bad input exits 2 with file, row, column and reason, and leaves nothing behind", () => {
    const r = run(
      "allocate",
      ...example(1).slice(0, 2),
      "--votes",
      "test/pipeline/fixtures/bad-votes.csv",
      ...example(1).slice(4),
      "--out",
      join(dir, "bad"),
    );
    expect(r.status).to.equal(2);
    expect(r.stderr).to.match(/bad-votes\.csv row 2 \(line 3\), column voter: .* wrong EIP-55 checksum/);
    expect(existsSync(join(dir, "bad"))).to.equal(false);
    expect(list(dir).filter((f) => f.startsWith("."))).to.deep.equal([]);
  });

  it("usage errors exit 2", () => {
    expect(run("allocate", "--works", "x").status).to.equal(2);
    expect(run("frobnicate").status).to.equal(2);
  });
});
