// Attacks on the pool: re-entrancy through a token hook, fee-on-transfer accounting, swapping a root after its
// challenge period, griefing by third parties, a tree whose leaves sum past its declared total, double claims,
// vetoes of later epochs, keeping a stale (undecayed) voting power, a pause that outlasts a claim window, and a
// recovered soul overwritten by a leaf computed before the recovery.
import { expect } from "chai";
import { network } from "hardhat";
import {
  CLAIM_WINDOW,
  DECAY_BPS,
  EpochState,
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
  type Leaf,
} from "./helpers.js";
import { decay } from "../../scripts/lib/reputation.js";
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
      for (const iface of [f.pool.interface, f.token.interface]) {
        try {
          const parsed = iface.parseError(data);
          if (parsed) return parsed.name;
        } catch {
          // not this contract's
        }
      }
      return data;
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
        .withArgs(1n, frontRun.account);
      for (const leaf of epochTree.leaves) {
        expect(await pool.isClaimed(1n, leaf.account)).to.equal(leaf === frontRun);
        expect(await token.balanceOf(leaf.account)).to.equal(leaf === frontRun ? leaf.amount : 0n);
      }

      const unclaimed = [];
      for (const c of batch) if (!(await pool.isClaimed(c.epoch, c.account))) unclaimed.push(c);
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

  describe("double claims", function () {
    // A wrong tree holding two leaves for one account in one epoch. Claims are recorded per account, so only one of
    // them ever pays, however they are submitted: claim, claimMany, in one run or split by another account's claim.
    async function duplicateFixture() {
      const base = await mockTokenFixture();
      const [twice, other] = randomAddresses(ethers, prng(0xd0b1e), 2);
      const epochTree = buildTree([
        { account: twice, amount: 10n ** 18n, reputation: 100n },
        { account: twice, amount: 3n * 10n ** 18n, reputation: 300n },
        { account: other, amount: 2n * 10n ** 18n, reputation: 200n },
      ]);
      const { claimableAt } = await propose(base.pool, base.proposer, 1n, epochTree);
      await openClaims(networkHelpers, claimableAt);
      const [first, second] = epochTree.leaves.filter((l) => l.account === twice);
      const third = epochTree.leaves.find((l) => l.account === other)!;
      return { ...base, epochTree, twice, first: first!, second: second!, third };
    }

    type Fixture = Awaited<ReturnType<typeof duplicateFixture>>;
    type Pick = (f: Fixture) => Leaf;
    type Submit = (f: Fixture) => Promise<unknown>;
    const one =
      (pick: Pick): Submit =>
      (f) =>
        claimLeaf(f.pool, 1n, f.epochTree, pick(f));
    const many =
      (...picks: Pick[]): Submit =>
      (f) =>
        f.pool.claimMany(picks.map((pick) => claimOf(1n, f.epochTree, pick(f))));
    const first: Pick = (f) => f.first;
    const second: Pick = (f) => f.second;
    const third: Pick = (f) => f.third;

    // [what, the claim that succeeds first (and the leaf it pays), the double claim that must revert]
    const cases: [string, [Submit, Pick] | undefined, Submit][] = [
      ["the same leaf twice with claim", [one(first), first], one(first)],
      ["claim, then the same leaf in claimMany", [one(first), first], many(first)],
      ["claimMany, then the same leaf with claim", [many(first), first], one(first)],
      ["the same leaf twice in one claimMany", undefined, many(first, first)],
      ["the account's other leaf with claim", [one(first), first], one(second)],
      ["the account's other leaf with claimMany", [one(second), second], many(first)],
      ["both leaves of the account in one run of claimMany", undefined, many(first, second)],
      ["both leaves split by another account's claim in claimMany", undefined, many(second, third, first)],
    ];
    for (const [what, before, double] of cases) {
      it(`reverts AlreadyClaimed(epoch, account) for ${what}, paying the account at most once`, async function () {
        const f = await networkHelpers.loadFixture(duplicateFixture);
        if (before) await before[0](f);
        const paid = before?.[1](f);
        await expect(double(f)).to.be.revertedWithCustomError(f.pool, "AlreadyClaimed").withArgs(1n, f.twice);
        expect(await f.token.balanceOf(f.twice)).to.equal(paid?.amount ?? 0n);
        expect((await f.pool.getEpoch(1n)).claimed).to.equal(paid?.amount ?? 0n);
        expect(await f.pool.isClaimed(1n, f.twice)).to.equal(paid !== undefined);
        expect(await f.pool.reputationOf(f.twice)).to.equal(paid?.reputation ?? 0n);
      });
    }
  });

  describe("vetoes", function () {
    it("vetoing an epoch vetoes every later one: none of their roots pays and they are proposed again in order", async function () {
      const { pool, proposer, guardian } = await networkHelpers.loadFixture(mockTokenFixture);
      const rand = prng(0x5a7);
      const trees = [1, 2, 3].map(() => treeWith(rand, [], 3));
      const first = await propose(pool, proposer, 1n, trees[0]!);
      await openClaims(networkHelpers, first.claimableAt);
      await propose(pool, proposer, 2n, trees[1]!);
      const third = await propose(pool, proposer, 3n, trees[2]!);

      const receipt = (await (await pool.connect(guardian).vetoEpoch(2n, "bad export")).wait())!;
      const vetoed = receipt.logs
        .map((log) => pool.interface.parseLog(log))
        .filter((parsed) => parsed?.name === "EpochVetoed")
        .map((parsed) => [...parsed!.args]);
      // Newest first.
      expect(vetoed).to.deep.equal([
        [3n, trees[2]!.tree.root, guardian.address, "bad export"],
        [2n, trees[1]!.tree.root, guardian.address, "bad export"],
      ]);
      expect(await pool.latestEpoch()).to.equal(1n);
      expect(await pool.epochState(2n)).to.equal(EpochState.Vetoed);
      expect(await pool.epochState(3n)).to.equal(EpochState.Vetoed);
      expect(await pool.available()).to.equal(FUNDING - trees[0]!.total);
      await expect(propose(pool, proposer, 3n, trees[2]!))
        .to.be.revertedWithCustomError(pool, "EpochNotProposable")
        .withArgs(3n, 2n, EpochState.Vetoed);
      // The final epoch 1 stays: its challenge period is over.
      await expect(pool.connect(guardian).vetoEpoch(1n, "too late"))
        .to.be.revertedWithCustomError(pool, "ChallengeClosed")
        .withArgs(1n, first.claimableAt);

      await openClaims(networkHelpers, third.claimableAt);
      for (const [epoch, epochTree] of [
        [2n, trees[1]!],
        [3n, trees[2]!],
      ] as const) {
        await expect(claimLeaf(pool, epoch, epochTree, epochTree.leaves[0]!))
          .to.be.revertedWithCustomError(pool, "EpochIsVetoed")
          .withArgs(epoch);
      }
    });
  });

  describe("stale voting power", function () {
    const AMOUNT = 10n ** 18n;
    const leafIn = (epochTree: EpochTree, account: string) => epochTree.leaves.find((l) => l.account === account)!;

    it("a holder who stops claiming decays every epoch all the same, with no transaction", async function () {
      const { pool, proposer } = await networkHelpers.loadFixture(mockTokenFixture);
      const [holder, worker] = randomAddresses(ethers, prng(0x57a1e), 2);
      const book = new ReputationBook(DECAY_BPS);
      // Epoch 1: the holder earns a large reputation and claims it. Later epochs still pay it (a leaf carrying its
      // decayed reputation) but it never claims them, while a worker keeps earning.
      const trees = [
        book.next([
          { account: holder!, amount: AMOUNT, gain: 1_000_000n },
          { account: worker!, amount: AMOUNT, gain: 10n },
        ]),
      ];
      let { claimableAt } = await propose(pool, proposer, 1n, trees[0]!);
      await openClaims(networkHelpers, claimableAt);
      const claimed = leafIn(trees[0]!, holder!);
      await claimLeaf(pool, 1n, trees[0]!, claimed);
      const soul = [...(await pool.soulRecord(holder!))];

      const seen: { at: bigint; votes: bigint }[] = [];
      for (let epoch = 2n; epoch <= 8n; epoch++) {
        const epochTree = book.next([
          { account: holder!, amount: AMOUNT, gain: 0n },
          { account: worker!, amount: AMOUNT, gain: 10n },
        ]);
        trees.push(epochTree);
        ({ claimableAt } = await propose(pool, proposer, epoch, epochTree));
        // In its challenge period the new epoch does not count yet.
        expect(await pool.getVotes(holder!)).to.equal(decay(claimed.reputation, epoch - 2n, DECAY_BPS));
        await openClaims(networkHelpers, claimableAt);
        const votes = decay(claimed.reputation, epoch - 1n, DECAY_BPS);
        expect(await pool.getVotes(holder!)).to.equal(votes);
        expect(await pool.reputationOf(holder!)).to.equal(votes);
        // The pipeline's figure, which the unclaimed leaf carries, is the same.
        expect(book.of(holder!)).to.equal(votes);
        expect(leafIn(epochTree, holder!).reputation).to.equal(votes);
        seen.push({ at: BigInt(await networkHelpers.time.latest()), votes });
      }
      expect([...(await pool.soulRecord(holder!))]).to.deep.equal(soul);
      await networkHelpers.mine();
      for (const { at, votes } of seen) expect(await pool.getPastVotes(holder!, at)).to.equal(votes);

      // Claiming the newest leaf late changes nothing: it carries exactly the decayed score.
      const latest = seen[seen.length - 1]!.votes;
      await expect(claimLeaf(pool, 8n, trees[7]!, leafIn(trees[7]!, holder!))).to.not.emit(
        pool,
        "DelegateVotesChanged",
      );
      expect(await pool.getVotes(holder!)).to.equal(latest);
    });

    // Epoch 1 gives the holder 1,000,000; epoch 2 (say, corrected by the DAO) only 1,000; epoch 3 has no leaf for
    // it. The newest claimed epoch decides the score, whatever the order of the claims.
    async function olderNewerFixture() {
      const base = await mockTokenFixture();
      const [holder, a, b] = randomAddresses(ethers, prng(0x01d), 3);
      const trees = [
        buildTree([
          { account: holder!, amount: AMOUNT, reputation: 1_000_000n },
          { account: a!, amount: AMOUNT, reputation: 7n },
        ]),
        buildTree([
          { account: holder!, amount: AMOUNT, reputation: 1_000n },
          { account: b!, amount: AMOUNT, reputation: 7n },
        ]),
        buildTree([{ account: a!, amount: AMOUNT, reputation: 9n }]),
      ];
      let claimableAt = 0n;
      for (const [i, epochTree] of trees.entries()) {
        ({ claimableAt } = await propose(base.pool, base.proposer, BigInt(i + 1), epochTree));
      }
      await openClaims(networkHelpers, claimableAt);
      return { ...base, holder: holder!, trees };
    }

    const orders: [string, number[][]][] = [
      ["claim epoch 2, then claim epoch 1", [[2], [1]]],
      ["claimMany [2, 1]", [[2, 1]]],
      ["claimMany [1, 2]", [[1, 2]]],
      ["claim epoch 1, then claim epoch 2", [[1], [2]]],
    ];
    for (const [what, steps] of orders) {
      it(`claiming an older leaf after a newer one cannot raise the score: ${what}`, async function () {
        const f = await networkHelpers.loadFixture(olderNewerFixture);
        const tree = (epoch: number) => f.trees[epoch - 1]!;
        const mine = (epoch: number) => leafIn(tree(epoch), f.holder);
        for (const [i, step] of steps.entries()) {
          const sent =
            step.length === 1
              ? claimLeaf(f.pool, BigInt(step[0]!), tree(step[0]!), mine(step[0]!))
              : f.pool.claimMany(step.map((epoch) => claimOf(BigInt(epoch), tree(epoch), mine(epoch))));
          if (i > 0 && step[0] === 1) {
            // The older leaf after the newer one: paid, but neither the votes nor the metadata change.
            await expect(sent).to.not.emit(f.pool, "DelegateVotesChanged");
            await expect(sent).to.not.emit(f.pool, "MetadataUpdate");
          } else {
            await sent;
          }
        }
        const expected = decay(1_000n, 1, DECAY_BPS); // epoch 2's leaf, decayed by the final epoch 3
        expect(await f.pool.getVotes(f.holder)).to.equal(expected);
        const soul = await f.pool.soulRecord(f.holder);
        expect([soul.value, soul.anchorEpoch, soul.lastClaimedEpoch]).to.deep.equal([1_000n, 2n, 2n]);
        expect(await f.pool.isClaimed(1n, f.holder)).to.equal(true);
        expect(await f.pool.isClaimed(2n, f.holder)).to.equal(true);
      });
    }
  });

  describe("pause", function () {
    it("a pause that outlasts an epoch's claim window makes nothing sweepable: the window resumes after it", async function () {
      const { token, pool, proposer, guardian } = await networkHelpers.loadFixture(mockTokenFixture);
      const epochTree = treeWith(prng(0x9a05e), [], 3);
      const [early, onTime, late] = epochTree.leaves as [Leaf, Leaf, Leaf];
      const { claimableAt, expiresAt } = await propose(pool, proposer, 1n, epochTree);
      await openClaims(networkHelpers, claimableAt);
      await claimLeaf(pool, 1n, epochTree, early);

      // Paused one day before the window ends, and still paused nine days after it would have ended.
      const pausedAt = expiresAt - 86_400n;
      await networkHelpers.time.setNextBlockTimestamp(pausedAt);
      await pool.connect(guardian).pause();
      await networkHelpers.time.increaseTo(expiresAt + 9n * 86_400n);
      const now = BigInt(await networkHelpers.time.latest());
      expect(await pool.epochState(1n)).to.equal(EpochState.Claimable);
      await networkHelpers.time.setNextBlockTimestamp(now + 1n);
      await expect(pool.sweep(1n))
        .to.be.revertedWithCustomError(pool, "EpochNotExpired")
        .withArgs(1n, expiresAt + (now + 1n - pausedAt));
      await expect(claimLeaf(pool, 1n, epochTree, onTime)).to.be.revertedWithCustomError(pool, "EnforcedPause");

      const unpausedAt = now + 86_400n;
      await networkHelpers.time.setNextBlockTimestamp(unpausedAt);
      await pool.connect(guardian).unpause();
      const resumed = expiresAt + (unpausedAt - pausedAt);
      expect(await pool.pausedDuration()).to.equal(unpausedAt - pausedAt);
      expect((await pool.getEpoch(1n)).expiresAt).to.equal(resumed);

      // The day that was left when the pause began is all there, to the second.
      await networkHelpers.time.setNextBlockTimestamp(resumed - 1n);
      await expect(pool.sweep(1n)).to.be.revertedWithCustomError(pool, "EpochNotExpired").withArgs(1n, resumed);
      await expect(claimLeaf(pool, 1n, epochTree, onTime)).to.changeTokenBalances(
        ethers,
        token,
        [onTime.account],
        [onTime.amount],
      );
      await networkHelpers.time.setNextBlockTimestamp(resumed);
      await expect(claimLeaf(pool, 1n, epochTree, late))
        .to.be.revertedWithCustomError(pool, "EpochExpired")
        .withArgs(1n, resumed);
      await expect(pool.sweep(1n)).to.emit(pool, "EpochSwept").withArgs(1n, late.amount);
    });

    it("only the time paused while an epoch is claimable moves its expiry; its challenge period runs on", async function () {
      const { pool, proposer, guardian } = await networkHelpers.loadFixture(mockTokenFixture);
      const epochTree = treeWith(prng(0x9a060), [], 2);
      const { claimableAt, expiresAt } = await propose(pool, proposer, 1n, epochTree);
      // Paused ten minutes before the epoch becomes final, unpaused fifteen minutes after.
      const pausedAt = claimableAt - 600n;
      await networkHelpers.time.setNextBlockTimestamp(pausedAt);
      await pool.connect(guardian).pause();
      await networkHelpers.time.increaseTo(claimableAt + 300n);
      expect(await pool.finalEpochAt(claimableAt)).to.equal(1n);
      expect(await pool.epochState(1n)).to.equal(EpochState.Claimable);
      expect((await pool.getEpoch(1n)).expiresAt).to.equal(expiresAt + 300n);
      await expect(pool.sweep(1n)).to.be.revertedWithCustomError(pool, "EpochNotExpired");

      const unpausedAt = claimableAt + 900n;
      await networkHelpers.time.setNextBlockTimestamp(unpausedAt);
      await pool.connect(guardian).unpause();
      expect(await pool.pausedDuration()).to.equal(unpausedAt - pausedAt);
      expect((await pool.getEpoch(1n)).expiresAt).to.equal(expiresAt + 900n);
      expect((await pool.getEpoch(1n)).claimableAt).to.equal(claimableAt);
    });

    it("an epoch that expired before the pause can be swept while paused; one still open cannot", async function () {
      const { pool, proposer, guardian } = await networkHelpers.loadFixture(mockTokenFixture);
      const rand = prng(0x9a05f);
      const old = treeWith(rand, [], 2);
      const open = treeWith(rand, [], 2);
      const first = await propose(pool, proposer, 1n, old);
      await networkHelpers.time.increaseTo(first.expiresAt - CLAIM_WINDOW / 2n);
      const second = await propose(pool, proposer, 2n, open);
      await networkHelpers.time.increaseTo(first.expiresAt + 1n);
      await pool.connect(guardian).pause();
      await networkHelpers.time.increaseTo(second.expiresAt + 86_400n);

      expect(await pool.epochState(1n)).to.equal(EpochState.Expired);
      await expect(pool.sweep(1n)).to.emit(pool, "EpochSwept").withArgs(1n, old.total);
      expect(await pool.epochState(2n)).to.equal(EpochState.Claimable);
      await expect(pool.sweep(2n)).to.be.revertedWithCustomError(pool, "EpochNotExpired");
      expect(await pool.available()).to.equal(FUNDING - open.total);
    });
  });

  describe("soul recovery", function () {
    const AMOUNT = 10n ** 18n;
    const leafIn = (epochTree: EpochTree, account: string) => epochTree.leaves.find((l) => l.account === account)!;

    // `lost` earned 50,000 in epoch 1 and claimed it. Epoch 2 is proposed (computed without any recovery: the new
    // address only has its own 3 there), then the recovery moves the lost soul to the new address.
    async function recoveryFixture() {
      const base = await mockTokenFixture();
      const { pool, admin, proposer } = base;
      await pool.connect(admin).grantRole(await pool.RECOVERY_ROLE(), admin.address);
      const [lost, fresh, worker] = randomAddresses(ethers, prng(0x7ec0), 3) as [string, string, string];
      const book = new ReputationBook(DECAY_BPS);
      const first = book.next([
        { account: lost, amount: AMOUNT, gain: 50_000n },
        { account: worker, amount: AMOUNT, gain: 100n },
      ]);
      const e1 = await propose(pool, proposer, 1n, first);
      await openClaims(networkHelpers, e1.claimableAt);
      await claimLeaf(pool, 1n, first, leafIn(first, lost));
      const second = book.next([
        { account: lost, amount: AMOUNT, gain: 0n },
        { account: fresh, amount: AMOUNT, gain: 3n },
        { account: worker, amount: AMOUNT, gain: 100n },
      ]);
      const e2 = await propose(pool, proposer, 2n, second);
      const beforeRecovery = BigInt(await networkHelpers.time.latest());
      await expect(pool.connect(admin).recoverSoul(lost, fresh))
        .to.emit(pool, "SoulRecovered")
        .withArgs(lost, fresh, 50_000n, 2n);
      return { ...base, book, lost, fresh, worker, first, second, e2, beforeRecovery };
    }

    it("a leaf of the new address from an epoch proposed before the recovery pays but cannot erase the recovered score", async function () {
      const f = await networkHelpers.loadFixture(recoveryFixture);
      await openClaims(networkHelpers, f.e2.claimableAt);
      const recovered = decay(50_000n, 1, DECAY_BPS);
      expect(await f.pool.getVotes(f.fresh)).to.equal(recovered);

      const stale = leafIn(f.second, f.fresh);
      expect(stale.reputation).to.equal(3n);
      const tx = claimLeaf(f.pool, 2n, f.second, stale);
      await expect(tx).to.changeTokenBalances(ethers, f.token, [f.fresh], [stale.amount]);
      await expect(tx).to.not.emit(f.pool, "DelegateVotesChanged");
      expect(await f.pool.getVotes(f.fresh)).to.equal(recovered);
      expect(await f.pool.isClaimed(2n, f.fresh)).to.equal(true);
      const soul = await f.pool.soulRecord(f.fresh);
      expect([soul.value, soul.anchorEpoch]).to.deep.equal([50_000n, 1n]);

      // The lost address's own leaf of epoch 2 still pays it, once, and gives it no score and no soul.
      const lostLeaf = leafIn(f.second, f.lost);
      await expect(f.pool.claimMany([claimOf(2n, f.second, lostLeaf)])).to.changeTokenBalances(
        ethers,
        f.token,
        [f.lost],
        [lostLeaf.amount],
      );
      await expect(claimLeaf(f.pool, 2n, f.second, lostLeaf))
        .to.be.revertedWithCustomError(f.pool, "AlreadyClaimed")
        .withArgs(2n, f.lost);
      expect(await f.pool.getVotes(f.lost)).to.equal(0n);
      expect(await f.pool.hasSoul(f.lost)).to.equal(false);
      expect(await f.pool.getPastVotes(f.lost, f.beforeRecovery)).to.equal(50_000n);
      expect(await f.pool.getVotes(f.fresh)).to.equal(recovered);
    });

    it("the first epoch computed after the recovery carries the merged reputation and sets it", async function () {
      const f = await networkHelpers.loadFixture(recoveryFixture);
      // The first epoch computed with the recovery carries the merged reputation (merged here in the book).
      f.book.reputation.set(f.fresh, f.book.of(f.fresh) + f.book.of(f.lost));
      f.book.reputation.delete(f.lost);
      const third = f.book.next([
        { account: f.fresh, amount: AMOUNT, gain: 20n },
        { account: f.worker, amount: AMOUNT, gain: 100n },
      ]);
      const e3 = await propose(f.pool, f.proposer, 3n, third);
      await openClaims(networkHelpers, e3.claimableAt);
      const recovered = decay(50_000n, 2, DECAY_BPS);
      expect(await f.pool.getVotes(f.fresh)).to.equal(recovered);

      // Newest first, then the stale epoch-2 leaf: only epoch 3 sets the score.
      const merged = leafIn(third, f.fresh);
      expect(merged.reputation).to.equal(f.book.of(f.fresh));
      await expect(f.pool.claimMany([claimOf(3n, third, merged), claimOf(2n, f.second, leafIn(f.second, f.fresh))]))
        .to.emit(f.pool, "DelegateVotesChanged")
        .withArgs(f.fresh, recovered, merged.reputation);
      expect(await f.pool.getVotes(f.fresh)).to.equal(merged.reputation);
    });
  });
});
