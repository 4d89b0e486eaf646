import { expect } from "chai";
import { network } from "hardhat";
import { readManifest } from "../../scripts/lib/index.js";
import { loadEpochArtifacts } from "../../tasks/lib/artifacts.js";
import { TaskError } from "../../tasks/lib/errors.js";
import { stateName } from "../../protocol/epoch.js";
import { proposedLogs } from "../../tasks/lib/events.js";
import { planProposal, proposeEpoch } from "../../tasks/lib/ops/propose.js";
import { vetoEpoch } from "../../tasks/lib/ops/veto.js";
import type { EpochRewards } from "../../typechain-types/index.js";
import { allocateExamples, deploySuite, FUNDING, tamperedCopy, tamperedTextCopy } from "./fixture.js";

const connection = await network.create();
const { ethers, networkHelpers } = connection;

async function funded() {
  const suite = await deploySuite(connection);
  return { ...suite, dirs: await allocateExamples(connection, suite.pool) };
}

/** A pool that decays reputation by 5% an epoch, with the examples allocated by the pipeline's default 10%. */
async function halfDecay() {
  const suite = await deploySuite(connection, FUNDING, 500);
  return { ...suite, dirs: await allocateExamples(connection, suite.pool, 1) };
}

async function unfunded() {
  const suite = await deploySuite(connection, 0n);
  return { ...suite, dirs: await allocateExamples(connection, suite.pool, 1) };
}

/** Runs `fn`, expects a TaskError whose message matches `pattern`, and that `sender` sent nothing. */
async function expectRefused(sender: string, fn: () => Promise<unknown>, pattern: RegExp): Promise<void> {
  const nonce = await ethers.provider.getTransactionCount(sender);
  const block = await ethers.provider.getBlockNumber();
  let caught: unknown;
  try {
    await fn();
  } catch (error) {
    caught = error;
  }
  expect(caught, "expected a TaskError").to.be.instanceOf(TaskError);
  expect((caught as Error).message).to.match(pattern);
  expect(await ethers.provider.getTransactionCount(sender)).to.equal(nonce);
  expect(await ethers.provider.getBlockNumber()).to.equal(block);
}

describe("tasks: propose", function () {
  it("proposes the next epoch with the root, total and reputation total of its artifacts", async function () {
    const { pool, proposer, dirs } = await networkHelpers.loadFixture(funded);
    const manifest = readManifest(dirs[0]!);
    let shown: string[] = [];
    const result = await proposeEpoch(pool.connect(proposer) as EpochRewards, dirs[0]!, {
      uri: "ipfs://epoch-1",
      confirm: async (lines) => {
        shown = lines;
        return true;
      },
    });
    expect(result.status).to.equal("done");
    const onChain = await pool.getEpoch(1);
    expect(onChain.root).to.equal(manifest.root);
    expect(onChain.total).to.equal(BigInt(manifest.total));
    expect(onChain.reputationTotal).to.equal(BigInt(manifest.reputationTotal));
    expect(stateName(onChain.state)).to.equal("Challenge");
    expect(await pool.available()).to.equal(FUNDING - BigInt(manifest.total));
    // inputsHash and uri are stored in the EpochProposed event only.
    const proposed = (await proposedLogs(pool))!.get(1)!;
    expect(proposed).to.include({ inputsHash: manifest.inputsHash, uri: "ipfs://epoch-1", root: manifest.root });
    expect(proposed.reputationTotal).to.equal(BigInt(manifest.reputationTotal));
    expect(shown).to.include(`reputationTotal  ${manifest.reputationTotal} (decay 1000 bps per epoch, as the pool)`);
  });

  it("refuses artifacts computed with another decay than the pool's, naming both, before sending", async function () {
    const { pool, proposer, dirs } = await networkHelpers.loadFixture(halfDecay);
    expect(await pool.decayBps()).to.equal(500n);
    expect(readManifest(dirs[0]!).rules.decayBps).to.equal(1000);
    await expectRefused(
      proposer.address,
      () => proposeEpoch(pool.connect(proposer) as EpochRewards, dirs[0]!),
      /computed with rules\.decayBps 1000 but the pool's decayBps\(\) is 500: .*"decayBps": 500/,
    );
    expect(await pool.latestEpoch()).to.equal(0n);
  });

  it("refuses a reputation total above MAX_REPUTATION() or one that is not the sum of reputation.csv", async function () {
    const { pool, proposer, dirs } = await networkHelpers.loadFixture(funded);
    const asProposer = pool.connect(proposer) as EpochRewards;
    const max = await pool.MAX_REPUTATION();
    expect(max).to.equal(2n ** 64n - 1n);
    const huge = { ...loadEpochArtifacts(dirs[0]!), reputationTotal: max + 1n };
    await expectRefused(
      proposer.address,
      () => planProposal(asProposer, huge),
      new RegExp(`reputationTotal ${max + 1n} exceeds MAX_REPUTATION\\(\\) ${max}`),
    );
    const raised = tamperedCopy(dirs[0]!, "manifest.json", (m) => {
      m.reputationTotal = (BigInt(m.reputationTotal) + 1n).toString();
    });
    await expectRefused(
      proposer.address,
      () => proposeEpoch(asProposer, raised),
      /manifest\.json: reputationTotal \d+ does not match \d+, the sum of reputation\.csv/,
    );
    // One account's row raised by 1 and another's lowered by 1: the sum holds, the leaf does not.
    const swapped = tamperedTextCopy(dirs[0]!, "reputation.csv", (text) => {
      const lines = text.split("\n");
      const bump = (i: number, by: bigint) => {
        const [account, value] = lines[i]!.split(",");
        lines[i] = `${account},${BigInt(value!) + by}`;
      };
      bump(1, 1n);
      bump(2, -1n);
      return lines.join("\n");
    });
    await expectRefused(
      proposer.address,
      () => proposeEpoch(asProposer, swapped),
      /reputation\.csv: reputation \d+ of 0x[0-9a-fA-F]{40} does not match \d+ in its leaf \d+ of tree\.json/,
    );
    expect(await pool.latestEpoch()).to.equal(0n);
  });

  it("is a no-op with a clear message when the same root is already proposed", async function () {
    const { pool, proposer, dirs } = await networkHelpers.loadFixture(funded);
    const asProposer = pool.connect(proposer) as EpochRewards;
    await proposeEpoch(asProposer, dirs[0]!);
    const nonce = await ethers.provider.getTransactionCount(proposer.address);
    const lines: string[] = [];
    const again = await proposeEpoch(asProposer, dirs[0]!, { log: (l) => lines.push(l) });
    expect(again.status).to.equal("noop");
    expect(lines.join("\n")).to.match(/epoch 1 is already proposed with root 0x[0-9a-f]{64} .*nothing to do/);
    expect(await ethers.provider.getTransactionCount(proposer.address)).to.equal(nonce);
    expect(await pool.latestEpoch()).to.equal(1n);
  });

  it("refuses artifacts whose claims.json does not match tree.json, sending nothing", async function () {
    const { pool, proposer, dirs } = await networkHelpers.loadFixture(funded);
    const asProposer = pool.connect(proposer) as EpochRewards;
    const raised = tamperedCopy(dirs[0]!, "claims.json", (claims) => {
      const first = Object.values(claims.claims)[0] as { amount: string };
      first.amount = (BigInt(first.amount) + 1n).toString();
    });
    await expectRefused(
      proposer.address,
      () => proposeEpoch(asProposer, raised),
      /claims\.json: claim of 0x[0-9a-fA-F]{40} .* does not match leaf/,
    );
    const otherRoot = tamperedCopy(dirs[0]!, "claims.json", (claims) => {
      claims.root = "0x" + "ab".repeat(32);
    });
    await expectRefused(
      proposer.address,
      () => proposeEpoch(asProposer, otherRoot),
      /claims\.json: root 0xabab.* does not match/,
    );
    expect(await pool.latestEpoch()).to.equal(0n);
  });

  it("refuses a manifest whose root or total differs from tree.json", async function () {
    const { pool, proposer, dirs } = await networkHelpers.loadFixture(funded);
    const asProposer = pool.connect(proposer) as EpochRewards;
    const total = tamperedCopy(dirs[0]!, "manifest.json", (m) => {
      m.total = (BigInt(m.total) - 1n).toString();
    });
    await expectRefused(
      proposer.address,
      () => proposeEpoch(asProposer, total),
      /manifest\.json: total .* does not match/,
    );
    const leaf = tamperedCopy(dirs[0]!, "tree.json", (t) => {
      t.values[0].value[2] = "1";
    });
    await expectRefused(
      proposer.address,
      () => proposeEpoch(asProposer, leaf),
      /manifest\.json: root .* does not match/,
    );
  });

  it("refuses an epoch that is not the next one", async function () {
    const { pool, proposer, dirs } = await networkHelpers.loadFixture(funded);
    const asProposer = pool.connect(proposer) as EpochRewards;
    await expectRefused(
      proposer.address,
      () => proposeEpoch(asProposer, dirs[1]!),
      /epoch 2 cannot be proposed: the next epoch is 1 \(latest proposed 0\)/,
    );
    await proposeEpoch(asProposer, dirs[0]!);
    await expectRefused(
      proposer.address,
      () => proposeEpoch(asProposer, dirs[2]!),
      /epoch 3 cannot be proposed: the next epoch is 2 \(latest proposed 1\); epochs are proposed strictly in order$/,
    );
  });

  it("after a veto of an earlier epoch, refuses the later vetoed epochs until the vetoed one is proposed again", async function () {
    const { pool, proposer, guardian, dirs } = await networkHelpers.loadFixture(funded);
    const asProposer = pool.connect(proposer) as EpochRewards;
    await proposeEpoch(asProposer, dirs[0]!);
    await proposeEpoch(asProposer, dirs[1]!);
    const vetoed = await vetoEpoch(pool.connect(guardian) as EpochRewards, 1, "wrong votes export");
    expect(vetoed.status === "done" && vetoed.epochs).to.deep.equal([1, 2]);
    expect(stateName(await pool.epochState(2))).to.equal("Vetoed");
    expect(await pool.latestEpoch()).to.equal(0n);
    await expectRefused(
      proposer.address,
      () => proposeEpoch(asProposer, dirs[1]!),
      /epoch 2 cannot be proposed: the next epoch is 1 \(latest proposed 0\); epochs are proposed strictly in order \(epoch 2 was vetoed: propose epoch 1 first\)/,
    );
  });

  it("refuses while the pool is paused, before sending", async function () {
    const { pool, proposer, guardian, dirs } = await networkHelpers.loadFixture(funded);
    await pool.connect(guardian).pause();
    await expectRefused(
      proposer.address,
      () => proposeEpoch(pool.connect(proposer) as EpochRewards, dirs[0]!),
      /the pool is paused: proposals are stopped until the guardian unpauses/,
    );
  });

  it("refuses epoch 65 until epoch 1 has expired: at most MAX_OPEN_EPOCHS() epochs are open", async function () {
    const { pool, proposer, dirs } = await networkHelpers.loadFixture(funded);
    const asProposer = pool.connect(proposer) as EpochRewards;
    expect(await pool.MAX_OPEN_EPOCHS()).to.equal(64n);
    for (let epoch = 1; epoch <= 64; epoch++) {
      await asProposer.proposeEpoch(epoch, ethers.id(`root ${epoch}`), 1n, 0n, ethers.ZeroHash, "");
    }
    const next = { ...loadEpochArtifacts(dirs[0]!), epoch: 65 };
    const first = await pool.getEpoch(1);
    await expectRefused(
      proposer.address,
      () => planProposal(asProposer, next),
      new RegExp(
        `epoch 65 cannot be proposed before epoch 1 expires at ${new Date(Number(first.expiresAt) * 1000).toISOString().replace(".000Z", "Z")}: at most 64 epochs`,
      ),
    );
    await networkHelpers.time.increaseTo(first.expiresAt);
    expect((await planProposal(asProposer, next)).status).to.equal("send");
  });

  it("refuses a total that available() does not cover, naming the shortfall", async function () {
    const { pool, proposer, dirs } = await networkHelpers.loadFixture(unfunded);
    const total = BigInt(readManifest(dirs[0]!).total);
    await expectRefused(
      proposer.address,
      () => proposeEpoch(pool.connect(proposer) as EpochRewards, dirs[0]!),
      new RegExp(`total ${total} exceeds available\\(\\) 0: fund the pool with at least ${total} more`),
    );
  });

  it("refuses a different root for an epoch already proposed and points to the veto", async function () {
    const { pool, proposer, dirs } = await networkHelpers.loadFixture(funded);
    const asProposer = pool.connect(proposer) as EpochRewards;
    await proposeEpoch(asProposer, dirs[0]!);
    const other = { ...loadEpochArtifacts(dirs[0]!), root: "0x" + "12".repeat(32) };
    await expectRefused(
      proposer.address,
      () => planProposal(asProposer, other),
      /epoch 1 is already proposed with a different root .* \(state Challenge\); the guardian may veto it/,
    );
  });

  it("proposes a vetoed epoch again with a corrected root but refuses the vetoed root", async function () {
    const { pool, proposer, guardian, dirs } = await networkHelpers.loadFixture(funded);
    const asProposer = pool.connect(proposer) as EpochRewards;
    await proposeEpoch(asProposer, dirs[0]!);
    await vetoEpoch(pool.connect(guardian) as EpochRewards, 1, "wrong votes export");
    await expectRefused(
      proposer.address,
      () => proposeEpoch(asProposer, dirs[0]!),
      /the guardian vetoed root 0x[0-9a-f]{64} for epoch 1/,
    );
    const corrected = { ...loadEpochArtifacts(dirs[0]!), root: "0x" + "34".repeat(32) };
    const plan = await planProposal(asProposer, corrected);
    expect(plan.status).to.equal("send");
    expect(plan.status === "send" && plan.reproposal).to.equal(true);
  });

  it("refuses artifacts allocated for another pool or chain", async function () {
    const { pool, proposer, dirs } = await networkHelpers.loadFixture(funded);
    const asProposer = pool.connect(proposer) as EpochRewards;
    const otherPool = tamperedCopy(dirs[0]!, "manifest.json", (m) => {
      m.distributor = "0x000000000000000000000000000000000000dEaD";
    });
    await expectRefused(
      proposer.address,
      () => proposeEpoch(asProposer, otherPool),
      /artifacts are for the pool 0x0+dEaD, not --pool/,
    );
    const otherChain = tamperedCopy(dirs[0]!, "manifest.json", (m) => {
      m.chainId = 11155111;
    });
    await expectRefused(
      proposer.address,
      () => proposeEpoch(asProposer, otherChain),
      /for chain 11155111 but the network is chain 31337/,
    );
  });

  it("refuses a sender without PROPOSER_ROLE before sending", async function () {
    const { pool, others, dirs } = await networkHelpers.loadFixture(funded);
    const stranger = others[0]!;
    await expectRefused(
      stranger.address,
      () => proposeEpoch(pool.connect(stranger) as EpochRewards, dirs[0]!),
      new RegExp(`${stranger.address} does not hold PROPOSER_ROLE`),
    );
  });

  it("sends nothing when the operator declines the confirmation", async function () {
    const { pool, proposer, dirs } = await networkHelpers.loadFixture(funded);
    let shown: string[] = [];
    const result = await proposeEpoch(pool.connect(proposer) as EpochRewards, dirs[0]!, {
      confirm: async (lines) => {
        shown = lines;
        return false;
      },
    });
    expect(result.status).to.equal("cancelled");
    expect(shown.join("\n")).to.include(readManifest(dirs[0]!).root);
    expect(await pool.latestEpoch()).to.equal(0n);
  });
});
