// Attacks on the pool that take more than one contract: re-entrancy through a token hook (every call back into the
// pool from the hook of a claim or a claimMany) and the accounting of a fee-on-transfer token. The attacks on one
// function (root swaps, griefing batches, trees past their total, double claims, vetoes, stale voting power, pauses,
// recoveries) are specified and tested once, in test/concrete/EpochRewards and test/concrete/SoulboundReputation.
import { expect } from "chai";
import { network } from "hardhat";
import {
  buildTree,
  claimLeaf,
  claimOf,
  deploy,
  deployFundedPool,
  openClaims,
  proofOf,
  propose,
  type EpochTree,
  type Leaf,
} from "./helpers.js";
import { prng, randomAddresses, randomBigInt, type Rand } from "../support/random.js";
import { decodeRevertData } from "../../protocol/errors.js";
import type { FeeOnTransferToken, HookToken, ReentrantClaimer } from "../../typechain-types/index.js";

const { ethers, networkHelpers } = await network.create();

const FUNDING = 10n ** 24n;
const FEE_BPS = 100n; // 1 %

/** A tree of `extra` random accounts plus the given ones. */
function treeWith(rand: Rand, accounts: string[], extra: number): EpochTree {
  return buildTree(
    [...accounts, ...randomAddresses(rand, extra)].map((account) => ({
      account,
      amount: randomBigInt(rand, 10n ** 18n, 10n ** 20n),
      reputation: randomBigInt(rand, 1n, 10n ** 6n),
    })),
  );
}

describe("EpochRewards: attacks", function () {
  describe("re-entrancy through a token hook", function () {
    async function hookFixture() {
      const setup = await deployFundedPool(ethers, FUNDING, { token: await deploy<HookToken>(ethers, "HookToken") });
      const claimer = await deploy<ReentrantClaimer>(ethers, "ReentrantClaimer", [
        await setup.pool.getAddress(),
        await setup.token.getAddress(),
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
        ...setup,
        claimer,
        claimerAddress,
        epochTree,
        mine: leafOf(claimerAddress),
        theirs: leafOf(bystander),
      };
    }

    type Fixture = Awaited<ReturnType<typeof hookFixture>>;
    const claimData = (f: Fixture, leaf: Leaf) =>
      f.pool.interface.encodeFunctionData("claim", [
        1n,
        leaf.index,
        leaf.account,
        leaf.amount,
        leaf.reputation,
        proofOf(f.epochTree, leaf),
      ]);
    // What the hook calls back into the pool while the claimer's leaf is being paid, and how that may end. Every
    // effect of a claim precedes its transfer, so a re-entry finds the leaf claimed and the soul written: it reverts
    // (with the pool's own check, or claimMany's re-entrancy guard), or — a claim of another account's leaf — pays
    // that leaf to its owner, once. Never a second payment, nor a payment to anyone else.
    const reentries: { name: string; encode: (f: Fixture) => string; errors: string[]; paysTheirs: boolean }[] = [
      {
        name: "claim of the same leaf",
        encode: (f) => claimData(f, f.mine),
        errors: ["AlreadyClaimed", "ReentrancyGuardReentrantCall"],
        paysTheirs: false,
      },
      {
        name: "claimMany of the same leaf",
        encode: (f) => f.pool.interface.encodeFunctionData("claimMany", [[claimOf(1n, f.epochTree, f.mine)]]),
        errors: ["AlreadyClaimed", "ReentrancyGuardReentrantCall"],
        paysTheirs: false,
      },
      {
        name: "claim of another leaf",
        encode: (f) => claimData(f, f.theirs),
        errors: ["ReentrancyGuardReentrantCall"],
        paysTheirs: true,
      },
      {
        name: "claimMany of another leaf",
        encode: (f) => f.pool.interface.encodeFunctionData("claimMany", [[claimOf(1n, f.epochTree, f.theirs)]]),
        errors: ["ReentrancyGuardReentrantCall"],
        paysTheirs: true,
      },
      {
        // The claimer never approved the pool: a fund from the hook could only credit tokens that did not arrive.
        name: "fund",
        encode: (f) => f.pool.interface.encodeFunctionData("fund", [1n]),
        errors: ["ReentrancyGuardReentrantCall", "ERC20InsufficientAllowance"],
        paysTheirs: false,
      },
      {
        name: "sweep",
        encode: (f) => f.pool.interface.encodeFunctionData("sweep", [1n]),
        errors: ["ReentrancyGuardReentrantCall", "EpochNotExpired"],
        paysTheirs: false,
      },
    ];

    /** The name of a custom error of the pool or the token, from its revert data. */
    function errorName(f: Fixture, data: string): string {
      return decodeRevertData(data, [f.pool.interface, f.token.interface]).name ?? data;
    }

    for (const { name, encode, errors, paysTheirs } of reentries) {
      for (const outer of ["claim", "claimMany"] as const) {
        it(`a ${name} from the hook of a ${outer} pays every leaf at most once, to its own account`, async function () {
          const f = await networkHelpers.loadFixture(hookFixture);
          await f.claimer.setReentryCall(encode(f));
          const poolAddress = await f.pool.getAddress();

          await (outer === "claim"
            ? claimLeaf(f.pool, 1n, f.epochTree, f.mine, f.others[0])
            : f.pool.connect(f.others[0]).claimMany([claimOf(1n, f.epochTree, f.mine)]));

          expect(await f.claimer.reentered()).to.equal(true);
          const through = await f.claimer.reentrySucceeded();
          if (through) {
            expect(paysTheirs, `only a claim of another leaf may go through`).to.equal(true);
          } else {
            expect(errors).to.include(errorName(f, await f.claimer.reentryError()));
          }
          const theirs = through ? f.theirs.amount : 0n;
          expect(await f.token.balanceOf(f.claimerAddress)).to.equal(f.mine.amount);
          expect(await f.token.balanceOf(f.theirs.account)).to.equal(theirs);
          expect(await f.token.balanceOf(poolAddress)).to.equal(FUNDING - f.mine.amount - theirs);
          expect((await f.pool.getEpoch(1n)).claimed).to.equal(f.mine.amount + theirs);
          expect(await f.pool.isClaimed(1n, f.theirs.account)).to.equal(through);
          expect(await f.pool.available()).to.equal(FUNDING - f.epochTree.total);
          expect((await f.pool.available()) + (await f.pool.outstanding())).to.equal(
            await f.token.balanceOf(poolAddress),
          );
          expect(await f.pool.reputationOf(f.claimerAddress)).to.equal(f.mine.reputation);

          // The leaf stays claimed; the bystander's leaf pays its owner exactly once.
          await expect(claimLeaf(f.pool, 1n, f.epochTree, f.mine))
            .to.be.revertedWithCustomError(f.pool, "AlreadyClaimed")
            .withArgs(1n, f.mine.account);
          if (through) {
            await expect(claimLeaf(f.pool, 1n, f.epochTree, f.theirs))
              .to.be.revertedWithCustomError(f.pool, "AlreadyClaimed")
              .withArgs(1n, f.theirs.account);
          } else {
            await expect(claimLeaf(f.pool, 1n, f.epochTree, f.theirs)).to.changeTokenBalances(
              ethers,
              f.token,
              [f.theirs.account, f.claimerAddress],
              [f.theirs.amount, 0n],
            );
          }
        });
      }
    }

    // claimMany pays each account's run before it records the next account's leaves: a hook may claim a later leaf
    // of the same batch first. The batch then reverts on that leaf as a whole, so nothing is paid twice.
    it("a claim from the hook between two accounts of a claimMany cannot pay the batch's later leaf twice", async function () {
      const f = await networkHelpers.loadFixture(hookFixture);
      await f.claimer.setReentryCall(claimData(f, f.theirs));
      const batch = [claimOf(1n, f.epochTree, f.mine), claimOf(1n, f.epochTree, f.theirs)];
      const poolAddress = await f.pool.getAddress();
      const goesThrough = await f.pool.claimMany.staticCall(batch).then(
        () => true,
        () => false,
      );
      let paid: bigint[];
      if (goesThrough) {
        // The re-entry was refused (a guard on claim): the batch pays both leaves once.
        await f.pool.claimMany(batch);
        expect(await f.claimer.reentrySucceeded()).to.equal(false);
        paid = [f.mine.amount, f.theirs.amount];
      } else {
        await expect(f.pool.claimMany(batch))
          .to.be.revertedWithCustomError(f.pool, "AlreadyClaimed")
          .withArgs(1n, f.theirs.account);
        paid = [0n, 0n];
      }
      expect(await f.token.balanceOf(f.claimerAddress)).to.equal(paid[0]);
      expect(await f.token.balanceOf(f.theirs.account)).to.equal(paid[1]);
      expect(await f.token.balanceOf(poolAddress)).to.equal(FUNDING - paid[0]! - paid[1]!);
      expect((await f.pool.getEpoch(1n)).claimed).to.equal(paid[0]! + paid[1]!);
    });
  });

  describe("fee-on-transfer token", function () {
    async function feeFixture() {
      return deployFundedPool(ethers, FUNDING, {
        token: await deploy<FeeOnTransferToken>(ethers, "FeeOnTransferToken", [FEE_BPS]),
      });
    }

    const fee = (value: bigint) => (value * FEE_BPS) / 10_000n;

    it("keeps the balance covering everything reserved, and withdraw never reaches reserved funds", async function () {
      const { token, pool, admin, proposer } = await networkHelpers.loadFixture(feeFixture);
      const poolAddress = await pool.getAddress();
      // The pool was funded with FUNDING and credited what arrived (test/concrete/EpochRewards/Fund.t.sol).
      expect(await pool.available()).to.equal(FUNDING - fee(FUNDING));
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
});
