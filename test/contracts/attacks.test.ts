// Attacks on the pool: re-entrancy through a token hook, fee-on-transfer accounting, swapping a root after its
// challenge period, griefing by third parties, and a tree whose leaves sum past its declared total.
import { expect } from "chai";
import { network } from "hardhat";
import {
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
import type { FeeOnTransferToken, HookToken, MockERC20, ReentrantClaimer } from "../../typechain-types/index.js";

const { ethers, networkHelpers } = await network.create();

const FUNDING = 10n ** 24n;
const FEE_BPS = 100n; // 1 %

/** A tree of `extra` random accounts plus the given ones. */
function treeWith(rand: () => number, accounts: string[], extra: number): EpochTree {
  return buildTree(
    [...accounts, ...randomAddresses(ethers, rand, extra)].map((account) => ({
      account,
      amount: randomBigInt(rand, 10n ** 18n, 10n ** 20n),
      reputation: randomBigInt(rand, 1n, 10n ** 6n),
    })),
  );
}

async function mockTokenFixture() {
  const token = await deploy<MockERC20>(ethers, "MockERC20", ["Reward", "RWD", 18]);
  const setup = await deployPool(ethers, await token.getAddress());
  await token.mint(setup.funder.address, FUNDING);
  await token.connect(setup.funder).approve(await setup.pool.getAddress(), FUNDING);
  await setup.pool.connect(setup.funder).fund(FUNDING);
  return { token, ...setup };
}

describe("EpochRewards: attacks", function () {
  describe("re-entrancy through a token hook", function () {
    async function hookFixture() {
      const token = await deploy<HookToken>(ethers, "HookToken");
      const setup = await deployPool(ethers, await token.getAddress());
      const poolAddress = await setup.pool.getAddress();
      await token.mint(setup.funder.address, FUNDING);
      await token.connect(setup.funder).approve(poolAddress, FUNDING);
      await setup.pool.connect(setup.funder).fund(FUNDING);
      const claimer = await deploy<ReentrantClaimer>(ethers, "ReentrantClaimer", [
        poolAddress,
        await token.getAddress(),
      ]);
      const claimerAddress = await claimer.getAddress();
      // The claimer is a leaf account; so is a bystander whose leaf it will try to claim.
      const bystander = setup.others[1].address;
      const rand = prng(0xa77ac);
      const epochTree = treeWith(rand, [claimerAddress, bystander], 3);
      const { claimableAt } = await propose(setup.pool, setup.proposer, 1n, epochTree);
      await openClaims(networkHelpers, claimableAt);
      const leafOf = (account: string) => epochTree.leaves.find((l) => l.account === account)!;
      return {
        token,
        ...setup,
        claimer,
        claimerAddress,
        epochTree,
        mine: leafOf(claimerAddress),
        theirs: leafOf(bystander),
      };
    }

    type Fixture = Awaited<ReturnType<typeof hookFixture>>;
    const reentries: [string, (f: Fixture) => string][] = [
      [
        "claim of the same leaf",
        (f) =>
          f.pool.interface.encodeFunctionData("claim", [
            1n,
            f.mine.index,
            f.mine.account,
            f.mine.amount,
            f.mine.reputation,
            proofOf(f.epochTree, f.mine),
          ]),
      ],
      [
        "claim of another leaf",
        (f) =>
          f.pool.interface.encodeFunctionData("claim", [
            1n,
            f.theirs.index,
            f.theirs.account,
            f.theirs.amount,
            f.theirs.reputation,
            proofOf(f.epochTree, f.theirs),
          ]),
      ],
      ["claimMany", (f) => f.pool.interface.encodeFunctionData("claimMany", [[claimOf(1n, f.epochTree, f.theirs)]])],
      ["fund", (f) => f.pool.interface.encodeFunctionData("fund", [1n])],
      ["sweep", (f) => f.pool.interface.encodeFunctionData("sweep", [1n])],
    ];

    for (const [name, encode] of reentries) {
      for (const outer of ["claim", "claimMany"] as const) {
        it(`blocks a ${name} from the hook of a ${outer}, paying the leaf exactly once`, async function () {
          const f = await networkHelpers.loadFixture(hookFixture);
          await f.claimer.setReentryCall(encode(f));
          const poolAddress = await f.pool.getAddress();

          const tx =
            outer === "claim"
              ? claimLeaf(f.pool, 1n, f.epochTree, f.mine, f.others[0])
              : f.pool.connect(f.others[0]).claimMany([claimOf(1n, f.epochTree, f.mine)]);
          await expect(tx).to.changeTokenBalances(
            ethers,
            f.token,
            [f.claimerAddress, poolAddress, f.theirs.account],
            [f.mine.amount, -f.mine.amount, 0n],
          );

          expect(await f.claimer.reentered()).to.equal(true);
          expect(await f.claimer.reentrySucceeded()).to.equal(false);
          expect(await f.claimer.reentryError()).to.equal(
            f.pool.interface.encodeErrorResult("ReentrancyGuardReentrantCall", []),
          );
          expect((await f.pool.getEpoch(1n)).claimed).to.equal(f.mine.amount);
          expect(await f.pool.isClaimed(1n, f.theirs.index)).to.equal(false);
          expect(await f.pool.available()).to.equal(FUNDING - f.epochTree.total);
          expect(await f.pool.reputationOf(f.claimerAddress)).to.equal(f.mine.reputation);

          // The leaf stays claimed; the bystander's leaf is untouched and still pays its owner.
          await expect(claimLeaf(f.pool, 1n, f.epochTree, f.mine))
            .to.be.revertedWithCustomError(f.pool, "AlreadyClaimed")
            .withArgs(1n, f.mine.index);
          await expect(claimLeaf(f.pool, 1n, f.epochTree, f.theirs)).to.changeTokenBalances(
            ethers,
            f.token,
            [f.theirs.account, f.claimerAddress],
            [f.theirs.amount, 0n],
          );
        });
      }
    }
  });

  describe("fee-on-transfer token", function () {
    async function feeFixture() {
      const token = await deploy<FeeOnTransferToken>(ethers, "FeeOnTransferToken", [FEE_BPS]);
      const setup = await deployPool(ethers, await token.getAddress());
      await token.mint(setup.funder.address, FUNDING);
      await token.connect(setup.funder).approve(await setup.pool.getAddress(), FUNDING);
      return { token, ...setup };
    }

    const fee = (value: bigint) => (value * FEE_BPS) / 10_000n;

    it("credits only what the pool received and refuses to reserve more", async function () {
      const { token, pool, funder, proposer } = await networkHelpers.loadFixture(feeFixture);
      const received = FUNDING - fee(FUNDING);
      await expect(pool.connect(funder).fund(FUNDING))
        .to.emit(pool, "Funded")
        .withArgs(funder.address, FUNDING, received);
      expect(await pool.available()).to.equal(received);
      expect(await token.balanceOf(await pool.getAddress())).to.equal(received);

      // A tree whose total is what was sent, not what arrived.
      const rand = prng(0xfee);
      const accounts = randomAddresses(ethers, rand, 3);
      const greedy = buildTree(
        accounts.map((account, i) => ({
          account,
          amount: i === 0 ? FUNDING - 2n * 10n ** 18n : 10n ** 18n,
          reputation: 1n,
        })),
      );
      expect(greedy.total).to.equal(FUNDING);
      await expect(propose(pool, proposer, 1n, greedy))
        .to.be.revertedWithCustomError(pool, "InsufficientAvailable")
        .withArgs(FUNDING, received);
    });

    it("keeps the balance covering everything reserved, and withdraw never reaches reserved funds", async function () {
      const { token, pool, admin, funder, proposer } = await networkHelpers.loadFixture(feeFixture);
      const poolAddress = await pool.getAddress();
      await pool.connect(funder).fund(FUNDING);
      const rand = prng(0xfee2);
      const first = treeWith(rand, [], 6);
      const second = treeWith(rand, [], 5);
      await propose(pool, proposer, 1n, first);
      const { claimableAt } = await propose(pool, proposer, 2n, second);
      await openClaims(networkHelpers, claimableAt);

      const covered = async () => {
        const balance = await token.balanceOf(poolAddress);
        const reserved = (await pool.available()) + (await pool.outstanding());
        expect(balance).to.equal(reserved);
        return balance;
      };
      await covered();

      // Claimants bear the token's fee; the pool's balance drops by exactly the amount.
      for (const leaf of first.leaves) {
        await expect(claimLeaf(pool, 1n, first, leaf)).to.changeTokenBalances(
          ethers,
          token,
          [poolAddress, leaf.account],
          [-leaf.amount, leaf.amount - fee(leaf.amount)],
        );
      }
      await claimLeaf(pool, 2n, second, second.leaves[0]);
      expect(await pool.outstanding()).to.equal(second.total - second.leaves[0].amount);
      await covered();

      const free = await pool.available();
      await expect(pool.connect(admin).withdraw(admin.address, free + 1n))
        .to.be.revertedWithCustomError(pool, "WithdrawExceedsAvailable")
        .withArgs(free + 1n, free);
      await expect(pool.connect(admin).withdraw(admin.address, free)).to.changeTokenBalances(
        ethers,
        token,
        [poolAddress, admin.address],
        [-free, free - fee(free)],
      );
      expect(await pool.available()).to.equal(0n);
      expect(await covered()).to.equal(await pool.outstanding());
      await expect(pool.connect(admin).withdraw(admin.address, 1n))
        .to.be.revertedWithCustomError(pool, "WithdrawExceedsAvailable")
        .withArgs(1n, 0n);

      // Everything still owed is paid in full, leaving the pool exactly empty.
      await pool.claimMany(second.leaves.slice(1).map((leaf) => claimOf(2n, second, leaf)));
      expect(await token.balanceOf(poolAddress)).to.equal(0n);
      expect(await pool.outstanding()).to.equal(0n);
    });
  });

  describe("root swap", function () {
    it("cannot veto or re-propose an epoch once its challenge period is over", async function () {
      const { pool, proposer, guardian } = await networkHelpers.loadFixture(mockTokenFixture);
      const rand = prng(0x5a9);
      const honest = treeWith(rand, [], 4);
      const attacker = treeWith(rand, [], 4);
      const { claimableAt } = await propose(pool, proposer, 1n, honest);

      await networkHelpers.time.setNextBlockTimestamp(claimableAt);
      await expect(pool.connect(guardian).vetoEpoch(1n, "too late"))
        .to.be.revertedWithCustomError(pool, "ChallengeClosed")
        .withArgs(1n, claimableAt);
      await expect(propose(pool, proposer, 1n, attacker))
        .to.be.revertedWithCustomError(pool, "EpochNotProposable")
        .withArgs(1n, 2n, EpochState.Claimable);
      // Skipping ahead is not a way around it either.
      await expect(propose(pool, proposer, 3n, attacker))
        .to.be.revertedWithCustomError(pool, "EpochNotProposable")
        .withArgs(3n, 2n, EpochState.None);

      expect((await pool.getEpoch(1n)).root).to.equal(honest.tree.root);
      const leaf = attacker.leaves[0];
      await expect(claimLeaf(pool, 1n, attacker, leaf))
        .to.be.revertedWithCustomError(pool, "InvalidProof")
        .withArgs(1n, leaf.index, leaf.account, leaf.amount, leaf.reputation);
    });

    it("pays nothing from a vetoed root, before or after a replacement root", async function () {
      const { token, pool, proposer, guardian } = await networkHelpers.loadFixture(mockTokenFixture);
      const poolAddress = await pool.getAddress();
      const rand = prng(0x5a8);
      const bad = treeWith(rand, [], 4);
      const good = treeWith(rand, [], 4);
      const { claimableAt } = await propose(pool, proposer, 1n, bad);
      await pool.connect(guardian).vetoEpoch(1n, "bad weights");
      expect(await pool.available()).to.equal(FUNDING);

      await openClaims(networkHelpers, claimableAt);
      for (const leaf of bad.leaves) {
        await expect(claimLeaf(pool, 1n, bad, leaf))
          .to.be.revertedWithCustomError(pool, "EpochIsVetoed")
          .withArgs(1n);
      }

      const replaced = await propose(pool, proposer, 1n, good);
      await openClaims(networkHelpers, replaced.claimableAt);
      for (const leaf of bad.leaves) {
        await expect(claimLeaf(pool, 1n, bad, leaf))
          .to.be.revertedWithCustomError(pool, "InvalidProof")
          .withArgs(1n, leaf.index, leaf.account, leaf.amount, leaf.reputation);
        expect(await token.balanceOf(leaf.account)).to.equal(0n);
      }
      await pool.claimMany(good.leaves.map((leaf) => claimOf(1n, good, leaf)));
      expect(await token.balanceOf(poolAddress)).to.equal(FUNDING - good.total);
    });
  });

  describe("griefing", function () {
    async function claimableFixture() {
      const base = await mockTokenFixture();
      const epochTree = treeWith(prng(0x9f1e), [], 6);
      const { claimableAt } = await propose(base.pool, base.proposer, 1n, epochTree);
      await openClaims(networkHelpers, claimableAt);
      return { ...base, epochTree };
    }

    it("lets anyone claim for a leaf, but pays and credits only the leaf account", async function () {
      const { token, pool, others, epochTree } = await networkHelpers.loadFixture(claimableFixture);
      const stranger = others[2];
      const leaf = epochTree.leaves[3];
      await expect(claimLeaf(pool, 1n, epochTree, leaf, stranger)).to.changeTokenBalances(
        ethers,
        token,
        [stranger.address, leaf.account, await pool.getAddress()],
        [0n, leaf.amount, -leaf.amount],
      );
      expect(await pool.reputationOf(leaf.account)).to.equal(leaf.reputation);
      expect(await pool.hasSoul(stranger.address)).to.equal(false);
      expect(await pool.reputationOf(stranger.address)).to.equal(0n);
    });

    // A front-runner who claims one leaf of someone's batch makes the whole batch revert. Nothing is lost
    // (the leaf was paid to its account), but wallets should drop claimed leaves with isClaimed() first.
    it("reverts a whole claimMany that contains one already-claimed leaf; filtering with isClaimed recovers", async function () {
      const { token, pool, others, epochTree } = await networkHelpers.loadFixture(claimableFixture);
      const batch = epochTree.leaves.map((leaf) => claimOf(1n, epochTree, leaf));
      const frontRun = epochTree.leaves[2];
      await claimLeaf(pool, 1n, epochTree, frontRun, others[2]);

      await expect(pool.claimMany(batch))
        .to.be.revertedWithCustomError(pool, "AlreadyClaimed")
        .withArgs(1n, frontRun.index);
      for (const leaf of epochTree.leaves) {
        expect(await pool.isClaimed(1n, leaf.index)).to.equal(leaf === frontRun);
        expect(await token.balanceOf(leaf.account)).to.equal(leaf === frontRun ? leaf.amount : 0n);
      }

      const unclaimed = [];
      for (const c of batch) if (!(await pool.isClaimed(c.epoch, c.index))) unclaimed.push(c);
      expect(unclaimed).to.have.length(epochTree.leaves.length - 1);
      await pool.claimMany(unclaimed);
      for (const leaf of epochTree.leaves) expect(await token.balanceOf(leaf.account)).to.equal(leaf.amount);
      expect((await pool.getEpoch(1n)).claimed).to.equal(epochTree.total);
    });
  });

  describe("malicious tree", function () {
    it("cannot pay past its declared total, so another epoch stays fully claimable", async function () {
      const { token, pool, proposer } = await networkHelpers.loadFixture(mockTokenFixture);
      const poolAddress = await pool.getAddress();
      const rand = prng(0xbad);
      const honest = treeWith(rand, [], 5);
      const inflated = treeWith(rand, [], 5);
      // Declares roughly half of what its leaves add up to.
      const declared = inflated.leaves[0].amount + inflated.leaves[1].amount + inflated.leaves[2].amount / 2n;
      await propose(pool, proposer, 1n, honest);
      const { claimableAt } = await propose(pool, proposer, 2n, inflated, declared);
      await openClaims(networkHelpers, claimableAt);
      expect(await pool.available()).to.equal(FUNDING - honest.total - declared);

      await claimLeaf(pool, 2n, inflated, inflated.leaves[0]);
      await claimLeaf(pool, 2n, inflated, inflated.leaves[1]);
      const claimed = inflated.leaves[0].amount + inflated.leaves[1].amount;
      for (const leaf of inflated.leaves.slice(2)) {
        await expect(claimLeaf(pool, 2n, inflated, leaf))
          .to.be.revertedWithCustomError(pool, "EpochTotalExceeded")
          .withArgs(2n, claimed, leaf.amount, declared);
      }
      // Also when the excess claim hides in a batch with honest claims.
      const excess = inflated.leaves[2];
      await expect(pool.claimMany([claimOf(1n, honest, honest.leaves[0]), claimOf(2n, inflated, excess)]))
        .to.be.revertedWithCustomError(pool, "EpochTotalExceeded")
        .withArgs(2n, claimed, excess.amount, declared);

      await pool.claimMany(honest.leaves.map((leaf) => claimOf(1n, honest, leaf)));
      for (const leaf of honest.leaves) expect(await token.balanceOf(leaf.account)).to.equal(leaf.amount);
      expect((await pool.getEpoch(1n)).claimed).to.equal(honest.total);
      expect(await pool.available()).to.equal(FUNDING - honest.total - declared);
      expect(await token.balanceOf(poolAddress)).to.equal(FUNDING - honest.total - claimed);
    });
  });
});
