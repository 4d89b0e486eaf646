// End-to-end claims against real OpenZeppelin StandardMerkleTree roots and the pipeline's own tree builder: every
// leaf of trees of many shapes is claimed on-chain with decay-consistent reputations (each epoch's leaves follow the
// pipeline's rule from the previous one). Each way a claim can be wrong, and when, is specified and tested once, in
// test/concrete/EpochRewards (claim.tree, claimMany.tree).
import { expect } from "chai";
import fc from "fast-check";
import { network } from "hardhat";
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import {
  DECAY_BPS,
  EpochState,
  ReputationBook,
  claimLeaf,
  claimOf,
  deployFundedPool,
  openClaims,
  propose,
  type EpochTree,
} from "./helpers.js";
import { prng, randomAddresses, randomBigInt, type Rand } from "../support/random.js";
import { buildTree as buildPipelineTree, EpochTree as PipelineTree } from "../../scripts/lib/merkle.js";
import { decay } from "../../protocol/decay.js";
import { LEAF_ENCODING } from "../../protocol/leaf.js";

const { ethers, networkHelpers } = await network.create();

const FUNDING = 10n ** 30n;
const SEED = 0x5eed;

/**
 * The next epoch of `book` with `size` fresh accounts: about one leaf in eight pays nothing (it has a leaf for the
 * reputation it gains), the others may gain nothing. Earlier accounts are idle: they have no leaf and decay.
 */
function randomEpoch(rand: Rand, book: ReputationBook, size: number): EpochTree {
  return book.next(
    randomAddresses(rand, size).map((account) => {
      const amount = rand() < 0.125 ? 0n : randomBigInt(rand, 1n, 10n ** 21n);
      return { account, amount, gain: randomBigInt(rand, amount === 0n ? 1n : 0n, 2n ** 40n) };
    }),
  );
}

async function fundedPool() {
  return deployFundedPool(ethers, FUNDING);
}

describe("EpochRewards: claims against OpenZeppelin Merkle trees", function () {
  it("pays every leaf of trees of 1, 2, odd and ~100 leaves, mixing claim and claimMany", async function () {
    const { token, pool, proposer, others } = await networkHelpers.loadFixture(fundedPool);
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

  describe("random histories through the pipeline's tree builder (fast-check)", function () {
    this.timeout(300_000);
    // A few accounts reused across epochs, so that accounts hold leaves in several epochs.
    const ACCOUNTS = randomAddresses(prng(SEED + 3), 10);
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
          const { token, pool, proposer } = await networkHelpers.loadFixture(fundedPool);
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
            expect(tree.root).to.equal(StandardMerkleTree.of(leaves.map(PipelineTree.tuple), [...LEAF_ENCODING]).root);
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
