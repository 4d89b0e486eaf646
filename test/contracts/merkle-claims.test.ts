// End-to-end claims against real OpenZeppelin StandardMerkleTree roots and the pipeline's own tree builder: every
// leaf of trees of many shapes is claimed on-chain with decay-consistent reputations (each epoch's leaves follow the
// pipeline's rule from the previous one), and each way a claim can be wrong reverts with its exact error and
// arguments.
import { expect } from "chai";
import fc from "fast-check";
import { network } from "hardhat";
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import {
  CLAIM_WINDOW,
  DECAY_BPS,
  EpochState,
  LEAF_ENCODING,
  ReputationBook,
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
import { buildTree as buildPipelineTree, EpochTree as PipelineTree } from "../../scripts/lib/merkle.js";
import { decay } from "../../scripts/lib/reputation.js";
import type { MockERC20 } from "../../typechain-types/index.js";

const { ethers, networkHelpers } = await network.create();

const FUNDING = 10n ** 30n;
const SEED = 0x5eed;

/**
 * The next epoch of `book` with `size` fresh accounts: about one leaf in eight pays nothing (it has a leaf for the
 * reputation it gains), the others may gain nothing. Earlier accounts are idle: they have no leaf and decay.
 */
function randomEpoch(rand: () => number, book: ReputationBook, size: number): EpochTree {
  return book.next(
    randomAddresses(ethers, rand, size).map((account) => {
      const amount = rand() < 0.125 ? 0n : randomBigInt(rand, 1n, 10n ** 21n);
      return { account, amount, gain: randomBigInt(rand, amount === 0n ? 1n : 0n, 2n ** 40n) };
    }),
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
  const book = new ReputationBook(DECAY_BPS);
  const trees = [1, 2].map(() =>
    book.next(
      accounts.map((account) => ({
        account,
        amount: randomBigInt(rand, 1n, 10n ** 20n),
        gain: randomBigInt(rand, 1n, 10n ** 6n),
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
    const book = new ReputationBook(DECAY_BPS);
    const trees = sizes.map((size) => randomEpoch(rand, book, size));
    const last = BigInt(trees.length);

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
        // Every epoch is final: a leaf of epoch e has decayed over the epochs after it, as in the pipeline.
        const score = decay(leaf.reputation, last - epoch, DECAY_BPS);
        expect(await pool.reputationOf(leaf.account)).to.equal(score);
        expect(score).to.equal(book.of(leaf.account));
        expect(await pool.lastSyncedEpoch(leaf.account)).to.equal(epoch);
        expect(await pool.isClaimed(epoch, leaf.account)).to.equal(true);
      }
    }

    const all = trees.flatMap((t) => t.leaves);
    expect(await pool.soulCount()).to.equal(all.length);
    // Everything claimed: the votes add up to the committed total supply.
    let votes = 0n;
    for (const leaf of all) votes += await pool.getVotes(leaf.account);
    expect(await pool.totalReputation()).to.equal(trees[trees.length - 1]!.reputationTotal);
    expect(votes).to.equal(trees[trees.length - 1]!.reputationTotal);
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

  it("reverts AlreadyClaimed(epoch, account) for a second claim of an account's leaf, alone or in a batch", async function () {
    const { pool, trees, first } = await networkHelpers.loadFixture(twoEpochsFixture);
    await openClaims(networkHelpers, first.claimableAt);
    const [leaf, other] = trees[0].leaves;
    await claimLeaf(pool, 1n, trees[0], leaf);

    await expect(claimLeaf(pool, 1n, trees[0], leaf))
      .to.be.revertedWithCustomError(pool, "AlreadyClaimed")
      .withArgs(1n, leaf.account);
    await expect(pool.claimMany([claimOf(1n, trees[0], other), claimOf(1n, trees[0], leaf)]))
      .to.be.revertedWithCustomError(pool, "AlreadyClaimed")
      .withArgs(1n, leaf.account);
    // The index is part of the leaf: another index for the claimed leaf is not a way around.
    await expect(pool.claim(1n, other.index, leaf.account, leaf.amount, leaf.reputation, proofOf(trees[0], leaf)))
      .to.be.revertedWithCustomError(pool, "InvalidProof")
      .withArgs(1n, other.index, leaf.account, leaf.amount, leaf.reputation);
    // Claims are recorded per account: the other account's leaf, and the same account in epoch 2, still pay.
    expect(await pool.isClaimed(1n, other.account)).to.equal(false);
    await claimLeaf(pool, 1n, trees[0], other);
    expect(await pool.isClaimed(2n, leaf.account)).to.equal(false);
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
    const book = new ReputationBook(DECAY_BPS);
    const trees: EpochTree[] = [];
    let claimableAt = 0n;
    for (let epoch = 1n; epoch <= 3n; epoch++) {
      // The account plus a few others, so each proof has siblings.
      const work = randomAddresses(ethers, rand, 4).map((a) => ({
        account: a,
        amount: randomBigInt(rand, 1n, 10n ** 20n),
        gain: randomBigInt(rand, 1n, 10n ** 6n),
      }));
      work.push({ account, amount: randomBigInt(rand, 1n, 10n ** 20n), gain: 1000n });
      const epochTree = book.next(work);
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
    expect(mine[2].reputation).to.equal(book.of(account));
    expect(await pool.lastSyncedEpoch(account)).to.equal(3n);
    for (const [i] of mine.entries()) expect(await pool.isClaimed(BigInt(i + 1), account)).to.equal(true);
  });

  describe("random histories through the pipeline's tree builder (fast-check)", function () {
    this.timeout(300_000);
    // A few accounts reused across epochs, so that accounts hold leaves in several epochs.
    const ACCOUNTS = randomAddresses(ethers, prng(SEED + 3), 10);
    const work = fc.record({
      who: fc.nat({ max: ACCOUNTS.length - 1 }),
      amount: fc.oneof(fc.constant(0n), fc.bigInt({ min: 1n, max: 10n ** 24n })),
      gain: fc.oneof(fc.constant(0n), fc.bigInt({ min: 1n, max: 10n ** 6n }), fc.bigInt({ min: 1n, max: 2n ** 56n })),
    });
    const history = fc.record({
      epochs: fc.array(fc.array(work, { minLength: 1, maxLength: 12 }), { minLength: 1, maxLength: 4 }),
      // Random keys that shuffle the claims of every epoch together, and the batch size (1: claim).
      keys: fc.array(fc.nat(), { minLength: 48, maxLength: 48 }),
      batch: fc.integer({ min: 1, max: 8 }),
    });

    it("the contract verifies the root and every proof, and the claimed leaves give the pipeline's reputation", async function () {
      await fc.assert(
        fc.asyncProperty(history, async ({ epochs, keys, batch }) => {
          const { token, pool, proposer } = await networkHelpers.loadFixture(deployFundedPool);
          const book = new ReputationBook(DECAY_BPS);
          const claims: ReturnType<typeof claimOf>[] = [];
          const paid = new Map<string, bigint>();
          let claimableAt = 0n;
          for (const [i, entries] of epochs.entries()) {
            const epoch = BigInt(i + 1);
            const byAccount = new Map(entries.map((w) => [ACCOUNTS[w.who]!, { ...w, account: ACCOUNTS[w.who]! }]));
            const works = [...byAccount.values()];
            if (works.every((w) => w.amount === 0n && w.gain === 0n)) works[0]!.amount = 1n; // a tree needs a leaf
            const expected = book.next(works);
            // The pipeline's builder, in the pipeline's leaf order: same root as OpenZeppelin's.
            const leaves = expected.leaves.map((l) => ({ ...l, index: Number(l.index) }));
            const tree = buildPipelineTree(leaves);
            expect(tree.root).to.equal(StandardMerkleTree.of(leaves.map(PipelineTree.tuple), LEAF_ENCODING).root);
            await pool
              .connect(proposer)
              .proposeEpoch(epoch, tree.root, expected.total, expected.reputationTotal, ethers.ZeroHash, "");
            claimableAt = (await pool.getEpoch(epoch)).claimableAt;
            leaves.forEach((leaf, k) => {
              claims.push({ ...leaf, index: BigInt(leaf.index), epoch, proof: tree.getProof(k) });
              paid.set(leaf.account, (paid.get(leaf.account) ?? 0n) + leaf.amount);
            });
          }
          await openClaims(networkHelpers, claimableAt);

          const order = claims.map((c, i) => ({ c, key: keys[i % keys.length]! * 64 + i }));
          order.sort((a, b) => a.key - b.key);
          const shuffled = order.map(({ c }) => c);
          for (let i = 0; i < shuffled.length; i += batch) {
            const chunk = shuffled.slice(i, i + batch);
            if (chunk.length === 1) {
              const c = chunk[0]!;
              await pool.claim(c.epoch, c.index, c.account, c.amount, c.reputation, c.proof);
            } else {
              await pool.claimMany(chunk);
            }
          }

          let votes = 0n;
          for (const [account, amount] of paid) {
            expect(await token.balanceOf(account)).to.equal(amount);
            const score = await pool.getVotes(account);
            expect(score).to.equal(book.of(account));
            votes += score;
          }
          for (const c of claims) expect(await pool.isClaimed(c.epoch, c.account)).to.equal(true);
          expect(await pool.outstanding()).to.equal(0n);
          const reputationTotal = (await pool.getEpoch(BigInt(epochs.length))).reputationTotal;
          expect(await pool.totalReputation()).to.equal(reputationTotal);
          expect(votes).to.equal(reputationTotal);
        }),
        { numRuns: 25 },
      );
    });
  });
});
