// `social-mining verify --rpc URL --pool ADDRESS` against a REAL `hardhat node --hostname 127.0.0.1` that this test
// starts on a free port (test/utils/hardhat-node.ts): the pool is deployed with plain ethers, the example epochs are
// allocated by the pipeline library and proposed, and the CLI (a child process, no Hardhat) reads the pool over
// JSON-RPC. A history whose roots, totals and reputation totals are the pool's verifies; a directory whose root was
// vetoed, an epoch vetoed and not proposed again, epochs on chain without a directory, a proposal with another total,
// reputation total or inputsHash, and recoveries not made on chain (or made too late) are each named.
import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { JsonRpcProvider, type JsonRpcSigner } from "ethers";
import { allocateEpoch, readClaim, readClaims, readManifest, writeArtifacts } from "../../scripts/lib/index.js";
import { EpochRewards__factory, MockERC20__factory } from "../../typechain-types/index.js";
import type { EpochRewards } from "../../typechain-types/index.js";
import { startHardhatNode, type HardhatNode } from "../utils/hardhat-node.js";

const ROOT = resolve(import.meta.dirname, "../..");
const bin = join(ROOT, "bin/social-mining.js");
const CHALLENGE = 3600;
const WINDOW = 7 * 24 * 3600;
const FUNDING = 10n ** 24n;

/** The CLI, with the Node that runs this test. */
const cli = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { cwd: ROOT, encoding: "utf8" });

function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.once("error", fail);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => ok(port));
    });
  });
}

const example = (n: number) => ({
  works: join(ROOT, `examples/epoch-${n}/works.csv`),
  votes: join(ROOT, `examples/epoch-${n}/votes.csv`),
  teams: join(ROOT, `examples/epoch-${n}/teams.csv`),
  config: join(ROOT, `examples/epoch-${n}/epoch.json`),
});

describe("verify --rpc: every epoch against the pool on a real hardhat node", function () {
  this.timeout(600_000);
  let node: HardhatNode | undefined;
  let provider: JsonRpcProvider;
  let signers: JsonRpcSigner[];
  let work: string;

  before(async function () {
    node = await startHardhatNode({ port: await freePort(), startupTimeoutMs: 120_000, deadlineMs: 900_000 });
    provider = new JsonRpcProvider(node.url, undefined, { cacheTimeout: -1 });
    signers = await Promise.all([0, 1, 2, 3].map((i) => provider.getSigner(i)));
    work = mkdtempSync(join(tmpdir(), "sm-verify-rpc-"));
  });

  after(async function () {
    provider?.destroy();
    await node?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  /** A funded pool (decay 1000 bps) whose proposer, guardian and recovery roles are signers 1, 2 and 3. */
  async function deployPool(): Promise<{ pool: EpochRewards; address: string }> {
    const [deployer, proposer, guardian, recoverer] = signers as [
      JsonRpcSigner,
      JsonRpcSigner,
      JsonRpcSigner,
      JsonRpcSigner,
    ];
    const token = await new MockERC20__factory(deployer).deploy("Reward", "RWD", 18);
    await token.waitForDeployment();
    const pool = await new EpochRewards__factory(deployer).deploy(
      await token.getAddress(),
      deployer.address,
      0,
      CHALLENGE,
      WINDOW,
      1000,
      "Reputation",
      "REP",
    );
    await pool.waitForDeployment();
    await (await pool.grantRole(await pool.PROPOSER_ROLE(), proposer.address)).wait();
    await (await pool.grantRole(await pool.GUARDIAN_ROLE(), guardian.address)).wait();
    await (await pool.grantRole(await pool.RECOVERY_ROLE(), recoverer.address)).wait();
    await (await token.mint(deployer.address, FUNDING)).wait();
    await (await token.approve(await pool.getAddress(), FUNDING)).wait();
    await (await pool.fund(FUNDING)).wait();
    return { pool, address: await pool.getAddress() };
  }

  /** Allocates `n` of the examples into `dir` for `pool` (previous: `previous`, recoveries: `recoveries`). */
  function allocate(n: number, dir: string, pool: string, previous?: string, recoveries?: string) {
    const result = allocateEpoch({
      ...example(n),
      previous,
      recoveries,
      overrides: { distributor: pool, chainId: 31337 },
    });
    writeArtifacts(dir, result);
    return result;
  }

  /** Proposes the epoch of artifacts directory `dir` as it is (or with `change` applied to what is sent). */
  async function propose(
    pool: EpochRewards,
    dir: string,
    change: Partial<{ total: bigint; reputationTotal: bigint; inputsHash: string }> = {},
  ) {
    const m = readManifest(dir);
    const tx = await pool
      .connect(signers[1]!)
      .proposeEpoch(
        m.epoch,
        m.root,
        change.total ?? BigInt(m.total),
        change.reputationTotal ?? BigInt(m.reputationTotal),
        change.inputsHash ?? m.inputsHash,
        `file://${dir}`,
      );
    await tx.wait();
  }

  const verify = (...args: string[]) => {
    const r = cli("verify", ...args, "--rpc", node!.url, "--json");
    return { status: r.status, doc: JSON.parse(r.stdout), stderr: r.stderr };
  };

  it("a history the pool holds verifies; a vetoed root, an epoch not proposed again and epochs without a directory are named", async function () {
    const { pool, address } = await deployPool();
    const history = join(work, "history");
    for (const n of [1, 2, 3]) {
      allocate(n, join(history, `epoch-${n}`), address, n > 1 ? join(history, `epoch-${n - 1}`) : undefined);
      await propose(pool, join(history, `epoch-${n}`));
    }
    const roots = [1, 2, 3].map((n) => readManifest(join(history, `epoch-${n}`)).root);

    const text = cli("verify", "--history", history, "--rpc", node!.url, "--pool", address);
    expect(text.status, text.stdout + text.stderr).to.equal(0);
    expect(text.stdout).to.equal(
      roots.map((root, i) => `epoch ${i + 1}  ok        root ${root}  epoch-${i + 1}  (Challenge)\n`).join("") +
        `chain       epochs 1..3 checked against pool ${address} (chain 31337, latest epoch 3)\n` +
        `ok: epochs 1..3 of ${history} recomputed and chained from epoch 1, each root, total and reputation total the pool's\n`,
    );
    const single = verify(join(history, "epoch-3"), "--pool", address);
    expect(single.status).to.equal(0);
    expect(single.doc.chain).to.include({ chainId: 31337, latestEpoch: 3, decayBps: 1000 });
    expect(single.doc.epochs.map((e: { onChain: { root: string } }) => e.onChain.root)).to.deep.equal(roots);

    // Only epochs 1 and 2 in a copy: epoch 3 is on chain without a directory.
    const partial = join(work, "partial");
    for (const n of [1, 2]) cpSync(join(history, `epoch-${n}`), join(partial, `epoch-${n}`), { recursive: true });
    const short = verify("--history", partial, "--pool", address);
    expect(short.status).to.equal(1);
    expect(short.doc.differences).to.deep.equal([
      {
        file: "epoch-3",
        reason: `missing: the pool has epoch 3 (its latest epoch is 3), which ${partial} has no directory for`,
      },
    ]);

    // The guardian vetoes epoch 3: its directory now names a vetoed root of an epoch not proposed again.
    await (await pool.connect(signers[2]!).vetoEpoch(3, "votes of a banned voter")).wait();
    const vetoed = verify("--history", history, "--pool", address);
    expect(vetoed.status).to.equal(1);
    expect(vetoed.doc.differences).to.deep.equal([
      {
        file: "epoch-3/manifest.json",
        reason: `root ${roots[2]} was vetoed on the pool, and epoch 3 is not proposed again (its latest epoch is 2)`,
      },
    ]);
    expect(vetoed.doc.epochs[2].onChain.state).to.equal("Vetoed");

    // Epoch 3 proposed again, corrected (one vote less): the live root is the new one.
    const corrected = join(work, "corrected");
    for (const n of [1, 2]) cpSync(join(history, `epoch-${n}`), join(corrected, `epoch-${n}`), { recursive: true });
    const votes = readFileSync(example(3).votes, "utf8").split("\n");
    const fewer = join(work, "votes-3.csv");
    writeFileSync(fewer, [votes[0], ...votes.slice(2)].join("\n"));
    const again = allocateEpoch({
      ...example(3),
      votes: fewer,
      previous: join(corrected, "epoch-2"),
      overrides: { distributor: address, chainId: 31337 },
    });
    writeArtifacts(join(corrected, "epoch-3"), again);
    await propose(pool, join(corrected, "epoch-3"));
    expect(verify("--history", corrected, "--pool", address).status).to.equal(0);
    const old = verify("--history", history, "--pool", address);
    expect(old.status).to.equal(1);
    expect(old.doc.differences[0]).to.deep.equal({
      file: "epoch-3/manifest.json",
      reason: `root ${roots[2]} was vetoed on the pool: the live root of epoch 3 is ${again.root} (Challenge)`,
    });
    const one = cli("verify", join(history, "epoch-3"), "--rpc", node!.url, "--pool", address);
    expect(one.status).to.equal(1);
    expect(one.stdout).to.match(
      new RegExp(
        `^MISMATCH: manifest\\.json: root ${roots[2]} was vetoed on the pool: the live root of epoch 3 is ${again.root} \\(Challenge\\)`,
      ),
    );
  });

  it("a proposal with the same root but another total, reputation total or inputsHash is named", async function () {
    const { pool, address } = await deployPool();
    const dir = join(work, "other-totals", "epoch-1");
    const result = allocate(1, dir, address);
    await propose(pool, dir, {
      total: result.total + 5n,
      reputationTotal: result.reputationTotal + 1n,
      inputsHash: "0x" + "01".repeat(32),
    });
    const r = verify(dir, "--pool", address);
    expect(r.status).to.equal(1);
    expect(r.doc.differences).to.deep.equal([
      {
        file: "manifest.json",
        reason: `inputsHash ${result.inputsHash} is not the inputsHash 0x${"01".repeat(32)} epoch 1 was proposed with`,
      },
      {
        file: "manifest.json",
        reason: `total ${result.total} is not the pool's total ${result.total + 5n} of epoch 1`,
      },
      {
        file: "manifest.json",
        reason: `reputationTotal ${result.reputationTotal} is not the pool's reputationTotal ${result.reputationTotal + 1n} of epoch 1`,
      },
    ]);
    // Artifacts made for another pool are named too.
    const other = await deployPool();
    const elsewhere = verify(dir, "--pool", other.address);
    expect(elsewhere.doc.differences[0]).to.deep.equal({
      file: "manifest.json",
      reason: `the artifacts are for the pool ${address}, not ${other.address}`,
    });
  });

  it("recoveries: made on chain before the epoch verifies; not made, or made after its proposal, is named", async function () {
    const { pool, address } = await deployPool();
    const good = join(work, "recovered");
    allocate(1, join(good, "epoch-1"), address);
    await propose(pool, join(good, "epoch-1"));
    await provider.send("evm_increaseTime", [CHALLENGE + 1]);
    await provider.send("evm_mine", []);

    // Two contributors with reputation claim their epoch-1 leaves: they have souls.
    const [lostA, lostB] = Object.entries(readClaims(join(good, "epoch-1")).claims)
      .filter(([, c]) => BigInt(c.reputation) > 0n)
      .map(([account]) => account) as [string, string];
    for (const account of [lostA, lostB]) {
      const c = readClaim(join(good, "epoch-1"), account);
      await (await pool.claim(1, c.index, account, c.amount, c.reputation, c.proof)).wait();
    }
    const [newA, newB] = ["0x" + "a1".repeat(20), "0x" + "b2".repeat(20)];
    await (await pool.connect(signers[3]!).recoverSoul(lostA, newA)).wait();
    const one = join(work, "one.csv");
    writeFileSync(one, `lost,new\n${lostA},${newA}\n`);
    allocate(2, join(good, "epoch-2"), address, join(good, "epoch-1"), one);
    await propose(pool, join(good, "epoch-2"));
    const ok = verify("--history", good, "--pool", address);
    expect(ok.status, JSON.stringify(ok.doc.differences)).to.equal(0);

    // Another history whose epoch 2 also moves lostB's soul, which the pool never did.
    const bad = join(work, "not-recovered");
    cpSync(join(good, "epoch-1"), join(bad, "epoch-1"), { recursive: true });
    const two = join(work, "two.csv");
    writeFileSync(two, `lost,new\n${lostA},${newA}\n${lostB},${newB}\n`);
    allocate(2, join(bad, "epoch-2"), address, join(bad, "epoch-1"), two);
    const B = readManifest(join(bad, "epoch-2")).recoveries![1]!;
    const missing = verify("--history", bad, "--pool", address);
    expect(missing.status).to.equal(1);
    expect(missing.doc.differences).to.deep.include({
      file: "epoch-2/manifest.json",
      reason: `the recovery of ${B.lost} to ${B.new} applied in epoch 2 was not made on chain: the pool has no SoulRecovered(${B.lost}, ${B.new})`,
    });
    // Made now, after epoch 2 was proposed: its barrier is epoch 2, so only epoch 3 can carry it.
    await (await pool.connect(signers[3]!).recoverSoul(lostB, newB)).wait();
    const late = verify("--history", bad, "--pool", address);
    expect(late.doc.differences).to.deep.include({
      file: "epoch-2/manifest.json",
      reason: `the recovery of ${B.lost} to ${B.new} applied in epoch 2: the pool's barrier is epoch 2, so leaves of ${B.new} up to epoch 2 never set its score; apply it in epoch 3`,
    });
  });
});
