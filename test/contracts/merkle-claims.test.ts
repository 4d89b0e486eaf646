// End-to-end claims against real OpenZeppelin StandardMerkleTree roots: every leaf of trees of many shapes is
// claimed on-chain, and each way a claim can be wrong reverts with its exact error and arguments.
import { expect } from "chai";
import { network } from "hardhat";
import {
  CLAIM_WINDOW,
  EpochState,
  buildTree,
  claimLeaf,
  claimOf,
  deploy,
  deployPool,
  openClaims,
  prng,
  proofOf,
  propose,
  randomAddresses,
  randomBigInt,
  type EpochTree,
} from "./helpers.js";
import type { MockERC20 } from "../../typechain-types/index.js";

const { ethers, networkHelpers } = await network.create();

const FUNDING = 10n ** 30n;
const SEED = 0x5eed;

/** A random epoch of `size` fresh accounts; about one leaf in eight pays nothing (reputation only). */
function randomEpoch(rand: () => number, size: number): EpochTree {
  return buildTree(
    randomAddresses(ethers, rand, size).map((account) => ({
      account,
      amount: rand() < 0.125 ? 0n : randomBigInt(rand, 1n, 10n ** 21n),
      reputation: randomBigInt(rand, 0n, 2n ** 40n),
    })),
  );
}

async function deployFundedPool() {
  const token = await deploy<MockERC20>(ethers, "MockERC20", ["Reward", "RWD", 18]);
  const setup = await deployPool(ethers, await token.getAddress());
  await token.mint(setup.funder.address, FUNDING);
  await token.connect(setup.funder).approve(await setup.pool.getAddress(), FUNDING);
  await setup.pool.connect(setup.funder).fund(FUNDING);
  return { token, ...setup };
}

/** Two claimable epochs in which the same accounts hold different leaves. */
async function twoEpochsFixture() {
  const base = await deployFundedPool();
  const rand = prng(SEED + 1);
  const accounts = randomAddresses(ethers, rand, 5);
  const trees = [1, 2].map(() =>
    buildTree(
      accounts.map((account) => ({
        account,
        amount: randomBigInt(rand, 1n, 10n ** 20n),
        reputation: randomBigInt(rand, 1n, 10n ** 6n),
      })),
    ),
  );
  const first = await propose(base.pool, base.proposer, 1n, trees[0]);
  const second = await propose(base.pool, base.proposer, 2n, trees[1]);
  return { ...base, trees, first, second };
}

describe("EpochRewards: claims against OpenZeppelin Merkle trees", function () {
  it("pays every leaf of trees of 1, 2, odd and ~100 leaves, mixing claim and claimMany", async function () {
    const { token, pool, proposer, others } = await networkHelpers.loadFixture(deployFundedPool);
    const rand = prng(SEED);
    const oddSize = 3 + 2 * Math.floor(rand() * 20); // a random odd size in [3, 41]
    const sizes = [1, 2, oddSize, 7, 95 + Math.floor(rand() * 11)];
    const trees = sizes.map((size) => randomEpoch(rand, size));

    let lastClaimableAt = 0n;
    for (const [i, epochTree] of trees.entries()) {
      lastClaimableAt = (await propose(pool, proposer, BigInt(i + 1), epochTree)).claimableAt;
    }
    await openClaims(networkHelpers, lastClaimableAt);

    const relayer = pool.connect(others[0]);
    for (const [i, epochTree] of trees.entries()) {
      const epoch = BigInt(i + 1);
      let batch: ReturnType<typeof claimOf>[] = [];
      for (const leaf of epochTree.leaves) {
        if (rand() < 0.5) {
          await expect(claimLeaf(pool, epoch, epochTree, leaf, others[0]))
            .to.emit(pool, "Claimed")
            .withArgs(epoch, leaf.index, leaf.account, leaf.amount);
        } else {
          batch.push(claimOf(epoch, epochTree, leaf));
          if (batch.length === 16) {
            await relayer.claimMany(batch);
            batch = [];
          }
        }
      }
      if (batch.length > 0) await relayer.claimMany(batch);

      const view = await pool.getEpoch(epoch);
      expect(view.claimed).to.equal(epochTree.total);
      expect(view.total).to.equal(epochTree.total);
      expect(view.state).to.equal(EpochState.Claimable);
      for (const leaf of epochTree.leaves) {
        expect(await token.balanceOf(leaf.account)).to.equal(leaf.amount);
        expect(await pool.reputationOf(leaf.account)).to.equal(leaf.reputation);
        expect(await pool.lastSyncedEpoch(leaf.account)).to.equal(epoch);
        expect(await pool.isClaimed(epoch, leaf.index)).to.equal(true);
      }
    }

    const all = trees.flatMap((t) => t.leaves);
    expect(await pool.soulCount()).to.equal(all.length);
    expect(await pool.totalReputation()).to.equal(all.reduce((s, l) => s + l.reputation, 0n));
    expect(await pool.outstanding()).to.equal(0n);
    expect(await token.balanceOf(await pool.getAddress())).to.equal(FUNDING - trees.reduce((s, t) => s + t.total, 0n));
  });

  it("pays at exactly claimableAt and at expiresAt − 1", async function () {
    const { token, pool, trees, second } = await networkHelpers.loadFixture(twoEpochsFixture);
    const [first, last] = [trees[1].leaves[0], trees[1].leaves[1]];

    await networkHelpers.time.setNextBlockTimestamp(second.claimableAt);
    await expect(claimLeaf(pool, 2n, trees[1], first)).to.changeTokenBalances(
      ethers,
      token,
      [first.account],
      [first.amount],
    );
    await networkHelpers.time.setNextBlockTimestamp(second.expiresAt - 1n);
    await expect(claimLeaf(pool, 2n, trees[1], last)).to.changeTokenBalances(
      ethers,
      token,
      [last.account],
      [last.amount],
    );
  });

  it("reverts InvalidProof for a proof from another epoch", async function () {
    const { pool, trees, second } = await networkHelpers.loadFixture(twoEpochsFixture);
    await openClaims(networkHelpers, second.claimableAt);
    const leaf = trees[0].leaves[2]; // a genuine leaf of epoch 1, with its genuine proof
    await expect(pool.claim(2n, leaf.index, leaf.account, leaf.amount, leaf.reputation, proofOf(trees[0], leaf)))
      .to.be.revertedWithCustomError(pool, "InvalidProof")
      .withArgs(2n, leaf.index, leaf.account, leaf.amount, leaf.reputation);
  });

  it("reverts InvalidProof for a tampered amount or reputation", async function () {
    const { pool, trees, first } = await networkHelpers.loadFixture(twoEpochsFixture);
    await openClaims(networkHelpers, first.claimableAt);
    const leaf = trees[0].leaves[1];
    const proof = proofOf(trees[0], leaf);
    await expect(pool.claim(1n, leaf.index, leaf.account, leaf.amount + 1n, leaf.reputation, proof))
      .to.be.revertedWithCustomError(pool, "InvalidProof")
      .withArgs(1n, leaf.index, leaf.account, leaf.amount + 1n, leaf.reputation);
    await expect(pool.claim(1n, leaf.index, leaf.account, leaf.amount, leaf.reputation * 2n, proof))
      .to.be.revertedWithCustomError(pool, "InvalidProof")
      .withArgs(1n, leaf.index, leaf.account, leaf.amount, leaf.reputation * 2n);
  });

  it("reverts AlreadyClaimed for a reused index, whatever the rest of the leaf", async function () {
    const { pool, trees, first } = await networkHelpers.loadFixture(twoEpochsFixture);
    await openClaims(networkHelpers, first.claimableAt);
    const [leaf, other] = trees[0].leaves;
    await claimLeaf(pool, 1n, trees[0], leaf);

    await expect(claimLeaf(pool, 1n, trees[0], leaf))
      .to.be.revertedWithCustomError(pool, "AlreadyClaimed")
      .withArgs(1n, leaf.index);
    // Another account's genuine amount and proof under the claimed index.
    await expect(pool.claim(1n, leaf.index, other.account, other.amount, other.reputation, proofOf(trees[0], other)))
      .to.be.revertedWithCustomError(pool, "AlreadyClaimed")
      .withArgs(1n, leaf.index);
    // Also inside a batch.
    await expect(pool.claimMany([claimOf(1n, trees[0], leaf)]))
      .to.be.revertedWithCustomError(pool, "AlreadyClaimed")
      .withArgs(1n, leaf.index);
  });

  it("reverts EpochInChallenge before claimableAt", async function () {
    const { pool, trees, first } = await networkHelpers.loadFixture(twoEpochsFixture);
    const leaf = trees[0].leaves[0];
    await expect(claimLeaf(pool, 1n, trees[0], leaf))
      .to.be.revertedWithCustomError(pool, "EpochInChallenge")
      .withArgs(1n, first.claimableAt);
    await networkHelpers.time.setNextBlockTimestamp(first.claimableAt - 1n);
    await expect(claimLeaf(pool, 1n, trees[0], leaf))
      .to.be.revertedWithCustomError(pool, "EpochInChallenge")
      .withArgs(1n, first.claimableAt);
  });

  it("reverts EpochExpired at and after expiresAt", async function () {
    const { pool, trees, first } = await networkHelpers.loadFixture(twoEpochsFixture);
    const leaf = trees[0].leaves[0];
    expect(first.expiresAt - first.claimableAt).to.equal(CLAIM_WINDOW);

    await networkHelpers.time.setNextBlockTimestamp(first.expiresAt);
    await expect(claimLeaf(pool, 1n, trees[0], leaf))
      .to.be.revertedWithCustomError(pool, "EpochExpired")
      .withArgs(1n, first.expiresAt);
    await networkHelpers.time.increase(365 * 86_400);
    await expect(pool.claimMany([claimOf(1n, trees[0], leaf)]))
      .to.be.revertedWithCustomError(pool, "EpochExpired")
      .withArgs(1n, first.expiresAt);
  });

  it("reverts EpochIsVetoed for a vetoed epoch, during and after its would-be window", async function () {
    const { pool, guardian, trees, second } = await networkHelpers.loadFixture(twoEpochsFixture);
    await pool.connect(guardian).vetoEpoch(2n, "wrong weights");
    const leaf = trees[1].leaves[0];
    await expect(claimLeaf(pool, 2n, trees[1], leaf))
      .to.be.revertedWithCustomError(pool, "EpochIsVetoed")
      .withArgs(2n);
    await openClaims(networkHelpers, second.claimableAt);
    await expect(pool.claimMany([claimOf(2n, trees[1], leaf)]))
      .to.be.revertedWithCustomError(pool, "EpochIsVetoed")
      .withArgs(2n);
  });

  it("claimMany over several epochs of one account pays one Transfer and syncs the newest epoch", async function () {
    const { token, pool, proposer } = await networkHelpers.loadFixture(deployFundedPool);
    const rand = prng(SEED + 2);
    const [account] = randomAddresses(ethers, rand, 1);
    const trees: EpochTree[] = [];
    let claimableAt = 0n;
    for (let epoch = 1n; epoch <= 3n; epoch++) {
      // The account plus a few others, so each proof has siblings.
      const entries = randomAddresses(ethers, rand, 4).map((a) => ({
        account: a,
        amount: randomBigInt(rand, 1n, 10n ** 20n),
        reputation: randomBigInt(rand, 1n, 10n ** 6n),
      }));
      entries.push({
        account,
        amount: randomBigInt(rand, 1n, 10n ** 20n),
        reputation: 1000n * epoch,
      });
      const epochTree = buildTree(entries);
      trees.push(epochTree);
      claimableAt = (await propose(pool, proposer, epoch, epochTree)).claimableAt;
    }
    await openClaims(networkHelpers, claimableAt);

    const mine = trees.map((t) => t.leaves.find((l) => l.account === account)!);
    const owed = mine.reduce((s, l) => s + l.amount, 0n);
    // Deliberately not in epoch order: the newest epoch wins, not the last position.
    const claims = [1, 2, 0].map((i) => claimOf(BigInt(i + 1), trees[i], mine[i]));
    const tx = await pool.claimMany(claims);
    const receipt = (await tx.wait())!;

    const tokenAddress = (await token.getAddress()).toLowerCase();
    const transfers = receipt.logs
      .filter((log) => log.address.toLowerCase() === tokenAddress)
      .map((log) => token.interface.parseLog(log))
      .filter((parsed) => parsed?.name === "Transfer");
    expect(transfers).to.have.length(1);
    expect(transfers[0]!.args.to).to.equal(account);
    expect(transfers[0]!.args.value).to.equal(owed);
    await expect(tx).to.changeTokenBalances(ethers, token, [account, await pool.getAddress()], [owed, -owed]);

    expect(await pool.reputationOf(account)).to.equal(mine[2].reputation);
    expect(await pool.lastSyncedEpoch(account)).to.equal(3n);
    for (const [i, leaf] of mine.entries()) expect(await pool.isClaimed(BigInt(i + 1), leaf.index)).to.equal(true);
  });
});
