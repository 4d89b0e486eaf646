// End to end against a REAL `hardhat node` on 127.0.0.1 at the localhost network's port (not the in-process network): deploy, allocate a
// generated epoch of 60 contributors with the pipeline library, propose it with the task's function, warp past the
// challenge period over JSON-RPC, claim every leaf from one signer, read the status back (inputsHash and uri from
// the node's logs), and check the published epoch with the `social-mining verify` CLI (and that a copy with one
// vote changed fails it).
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { expect } from "chai";
import { network } from "hardhat";
import { readClaims, readManifest } from "../../scripts/lib/index.js";
import { allocateExport } from "../../tasks/lib/epochs.js";
import { readReputationCsv } from "../../tasks/lib/artifacts.js";
import { stateName } from "../../protocol/epoch.js";
import { claimInBatches, type ClaimStruct } from "../../tasks/lib/ops/claim.js";
import { proposeEpoch } from "../../tasks/lib/ops/propose.js";
import { poolStatus } from "../../tasks/lib/views/pool-status.js";
import { reputationStatus } from "../../tasks/lib/views/reputation-status.js";
import type { EpochRewards, MockERC20 } from "../../typechain-types/index.js";
import { communityExport, writeExport } from "../support/exports.js";
import { prng, randomAddresses } from "../support/random.js";
import { isPortFree, startHardhatNode, type HardhatNode, LOCALHOST_PORT } from "../utils/hardhat-node.js";

const ROOT = resolve(import.meta.dirname, "../..");
const HOST = "127.0.0.1";
const PORT = LOCALHOST_PORT;
const URL = `http://${HOST}:${PORT}`;
const CONTRIBUTORS = 60;
const CHALLENGE = 3600;
const WINDOW = 7 * 24 * 3600;
const POOL = 12_345n * 10n ** 18n + 6789n;
const DECAY_BPS = 1000;

async function rpc(method: string, params: unknown[] = []): Promise<unknown> {
  const response = await fetch(URL, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  const body = (await response.json()) as { result?: unknown; error?: { message: string } };
  if (body.error) throw new Error(body.error.message);
  return body.result;
}

/** Runs the `social-mining` CLI with the Node that runs this test (Hardhat needs Node 22; the CLI runs on it too). */
function cli(...args: string[]) {
  return spawnSync(process.execPath, [join(ROOT, "bin/social-mining.js"), ...args], { cwd: ROOT, encoding: "utf8" });
}

describe("e2e: a real hardhat node on the localhost network's port", function () {
  this.timeout(180_000);
  let node: HardhatNode | undefined;

  before(async function () {
    // Fails clearly when something already listens on the port (another node, another test run).
    if (!(await isPortFree(PORT))) {
      throw new Error(
        `port ${PORT} on ${HOST} is busy: stop the process listening there (another \`hardhat node\`?) and re-run`,
      );
    }
    node = await startHardhatNode({ port: PORT, startupTimeoutMs: 120_000 });
  });

  after(async function () {
    await node?.stop();
  });

  it("publishes a generated epoch of 60 contributors, pays every leaf, and the CLI verifies it", async function () {
    const { ethers, networkName } = await network.create({ network: "localhost" });
    expect(networkName).to.equal("localhost");
    const signers = await ethers.getSigners();
    expect(signers.length).to.equal(20);
    const [deployer, proposer, claimer] = signers;

    const token = (await ethers.deployContract("MockERC20", ["Reward", "RWD", 18], deployer!)) as unknown as MockERC20;
    const pool = (await ethers.deployContract(
      "EpochRewards",
      [await token.getAddress(), deployer!.address, 3600, CHALLENGE, WINDOW, DECAY_BPS, "Reputation", "REP"],
      deployer!,
    )) as unknown as EpochRewards;
    const poolAddress = await pool.getAddress();
    await (await pool.connect(deployer!).grantRole(await pool.PROPOSER_ROLE(), proposer!.address)).wait();
    await (await token.connect(deployer!).mint(deployer!.address, POOL)).wait();
    await (await token.connect(deployer!).approve(poolAddress, POOL)).wait();
    await (await pool.connect(deployer!).fund(POOL)).wait();

    // 20 default accounts plus 40 random addresses, one work each, with 1 to 4 votes by the default accounts.
    const voters = signers.map((s) => s.address);
    const contributors = [...voters, ...randomAddresses(prng(0x5eed), CONTRIBUTORS - signers.length)];
    const work = mkdtempSync(join(tmpdir(), "sm-e2e-"));
    const inputs = join(work, "export");
    writeExport(
      inputs,
      communityExport({
        epoch: 1,
        seed: 42,
        start: "2025-03-01T00:00:00Z",
        end: "2025-03-31T23:59:59Z",
        contributors,
        kinds: [["article", "Work", "https://example.org/work"]],
        voters,
        votesPerWork: [1, 4],
        settings: { pool: POOL.toString(), tokenDecimals: 18 },
        rules: { maxPoints: "10" },
      }),
    );
    const published = join(work, "epoch-1");
    const result = allocateExport({
      inputDir: inputs,
      outDir: published,
      overrides: { distributor: poolAddress, chainId: 31337 },
    });
    expect(result.accounts.length).to.equal(CONTRIBUTORS);
    expect(result.total).to.equal(POOL);

    const proposed = await proposeEpoch(pool.connect(proposer!) as EpochRewards, published, {
      uri: `file://${published}`,
    });
    expect(proposed.status).to.equal("done");
    expect(stateName(await pool.epochState(1))).to.equal("Challenge");

    await rpc("evm_increaseTime", [CHALLENGE]);
    await rpc("evm_mine");
    expect(stateName(await pool.epochState(1))).to.equal("Claimable");

    const claims = readClaims(published);
    const batch: ClaimStruct[] = Object.entries(claims.claims).map(([account, c]) => ({
      epoch: 1,
      index: c.index,
      account,
      amount: BigInt(c.amount),
      reputation: BigInt(c.reputation),
      proof: c.proof,
    }));
    const txs = await claimInBatches(pool.connect(claimer!) as EpochRewards, batch, 25);
    expect(txs.length).to.equal(Math.ceil(CONTRIBUTORS / 25));

    const epoch = await pool.getEpoch(1);
    const manifest = readManifest(published);
    expect(epoch.claimed).to.equal(epoch.total);
    expect(epoch.total).to.equal(BigInt(manifest.total));
    expect(epoch.reputationTotal).to.equal(BigInt(manifest.reputationTotal));
    expect(await pool.outstanding()).to.equal(0n);
    const reputation = readReputationCsv(published);
    for (const c of batch) {
      expect(await token.balanceOf(c.account), `balance of ${c.account}`).to.equal(c.amount);
      expect(await pool.reputationOf(c.account), `reputation of ${c.account}`).to.equal(c.reputation);
      expect(c.reputation).to.equal(reputation.get(String(c.account).toLowerCase()) ?? 0n);
      expect(await pool.isClaimed(1, c.account)).to.equal(true);
    }
    // Every leaf claimed: the souls hold the whole supply the epoch committed.
    expect(await pool.totalReputation()).to.equal(BigInt(manifest.reputationTotal));
    const votes = await Promise.all(batch.map((c) => pool.getVotes(c.account)));
    expect(votes.reduce((a, b) => a + b, 0n)).to.equal(BigInt(manifest.reputationTotal));

    // The status reads inputsHash and uri from the node's EpochProposed log.
    const status = await poolStatus(pool.connect(claimer!) as EpochRewards);
    expect(status).to.include({ latestEpoch: 1, finalEpoch: 1, paused: false, logs: true });
    expect(status.epochs[0]).to.include({
      state: "Claimable",
      inputsHash: manifest.inputsHash,
      uri: `file://${published}`,
      claimed: epoch.total,
    });
    const first = await reputationStatus(pool.connect(claimer!) as EpochRewards, batch[0]!.account as string);
    expect(first).to.include({ hasSoul: true, lastClaimedEpoch: 1n, finalEpoch: 1n, decayBps: BigInt(DECAY_BPS) });
    expect(first.score).to.equal(batch[0]!.reputation);

    const ok = cli("verify", published, "--root", epoch.root);
    expect(ok.status, ok.stdout + ok.stderr).to.equal(0);
    expect(ok.stdout).to.match(new RegExp(`^ok: epoch 1, \\d+ files identical, root ${epoch.root}`));

    const tampered = join(work, "epoch-1-tampered");
    cpSync(published, tampered, { recursive: true });
    const votesFile = join(tampered, "inputs/votes.csv");
    const lines = readFileSync(votesFile, "utf8").split("\n");
    const [id, voter, points, castAt] = lines[1]!.split(",");
    lines[1] = [id, voter, String((Number(points) % 10) + 1), castAt].join(",");
    writeFileSync(votesFile, lines.join("\n"));
    const bad = cli("verify", tampered, "--root", epoch.root);
    expect(bad.status, bad.stdout + bad.stderr).to.equal(1);
    expect(bad.stdout).to.match(/^MISMATCH: /);
  });
});
