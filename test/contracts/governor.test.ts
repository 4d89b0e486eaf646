// The pool's reputation as the votes of an unmodified OpenZeppelin Governor (timestamp clock): proposals pass or
// fail on reputation at the proposal's snapshot, decayed on chain by the epochs final by then; an idle whale's old
// reputation decays without any transaction; the quorum is a share of the epoch's committed reputationTotal.
import { expect } from "chai";
import { network } from "hardhat";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import {
  DECAY_BPS,
  ReputationBook,
  claimOf,
  deploy,
  deployFundedPool,
  openClaims,
  propose,
  type EpochTree,
} from "./helpers.js";
import { decay } from "../../protocol/decay.js";
import type { EpochRewards, MockERC20, ReputationGovernor } from "../../typechain-types/index.js";

const { ethers, networkHelpers } = await network.create();

const VOTING_DELAY = 1n;
const VOTING_PERIOD = 3600n;
const QUORUM_PERCENT = 10n;
const FUNDING = 10n ** 24n;
const AMOUNT = 10n ** 18n;
const ProposalState = {
  Pending: 0n,
  Active: 1n,
  Defeated: 3n,
  Succeeded: 4n,
  Executed: 7n,
};
const Vote = { Against: 0n, For: 1n, Abstain: 2n };

/** A funded pool, the governor counting its reputation, and a target whose `mint` the proposals call. */
async function governed() {
  const setup = await deployFundedPool(ethers, FUNDING);
  const { pool } = setup;
  const governor = await deploy<ReputationGovernor>(ethers, "ReputationGovernor", [
    await pool.getAddress(),
    VOTING_DELAY,
    VOTING_PERIOD,
    QUORUM_PERCENT,
  ]);
  const target = await deploy<MockERC20>(ethers, "MockERC20", ["Target", "TGT", 18]);
  return { ...setup, governor, target, book: new ReputationBook(DECAY_BPS) };
}

async function governorFixture() {
  const base = await governed();
  const { pool, proposer, others, book } = base;
  const deployedAt = BigInt(await networkHelpers.time.latest());
  const [alice, bob, carol, dave, erin] = others as [
    HardhatEthersSigner,
    HardhatEthersSigner,
    HardhatEthersSigner,
    HardhatEthersSigner,
    HardhatEthersSigner,
  ];
  const whale = ethers.getAddress(ethers.dataSlice(ethers.id("a holder who never votes"), 12));
  // Epoch 1 sets the reputation; in epoch 2 carol and erin earn, alice is paid without earning, the rest idle.
  const epoch1 = book.next(
    (
      [
        [alice.address, 500n],
        [bob.address, 400n],
        [carol.address, 200n],
        [dave.address, 5n],
        [whale, 1000n],
      ] as const
    ).map(([account, gain]) => ({ account, amount: AMOUNT, gain })),
  );
  const epoch2 = book.next([
    { account: alice.address, amount: AMOUNT, gain: 0n },
    { account: carol.address, amount: AMOUNT, gain: 720n },
    { account: erin.address, amount: AMOUNT, gain: 700n },
  ]);
  await propose(pool, proposer, 1n, epoch1);
  const { claimableAt } = await propose(pool, proposer, 2n, epoch2);
  await openClaims(networkHelpers, claimableAt);
  // Epoch 1 is claimed by everyone; epoch 2 is final but not claimed yet.
  await pool.claimMany(epoch1.leaves.map((leaf) => claimOf(1n, epoch1, leaf)));
  const accounts = [alice.address, bob.address, carol.address, dave.address, erin.address, whale];
  // Reputation after epoch 2 as the pipeline computes it (what epoch 2's leaves carry).
  const pipeline = new Map(accounts.map((a) => [a, book.of(a)]));
  return { ...base, deployedAt, epoch1, epoch2, alice, bob, carol, dave, erin, whale, accounts, pipeline };
}

type Governed = Awaited<ReturnType<typeof governed>>;
type Voter = HardhatEthersSigner;

/** Creates a proposal and returns its id, its snapshot and the arguments needed to execute it. */
async function createProposal(f: Governed, from: Voter, description: string) {
  const governorAddress = await f.governor.getAddress();
  const targets = [await f.target.getAddress()];
  const values = [0n];
  const calldatas = [f.target.interface.encodeFunctionData("mint", [governorAddress, 1n])];
  const tx = await f.governor.connect(from).propose(targets, values, calldatas, description);
  const block = (await (await tx.wait())!.getBlock())!;
  const id = await f.governor.hashProposal(targets, values, calldatas, ethers.id(description));
  const snapshot = await f.governor.proposalSnapshot(id);
  expect(snapshot).to.equal(BigInt(block.timestamp) + VOTING_DELAY);
  expect(await f.governor.proposalDeadline(id)).to.equal(snapshot + VOTING_PERIOD);
  expect(await f.governor.state(id)).to.equal(ProposalState.Pending);
  return {
    id,
    snapshot,
    targets,
    values,
    calldatas,
    descriptionHash: ethers.id(description),
  };
}

/** Waits until voting is open on a proposal with `snapshot`. */
async function startVoting(f: Governed, id: bigint, snapshot: bigint) {
  await networkHelpers.time.increaseTo(snapshot + 1n);
  expect(await f.governor.state(id)).to.equal(ProposalState.Active);
}

async function endVoting(f: Governed, id: bigint) {
  await networkHelpers.time.increaseTo((await f.governor.proposalDeadline(id)) + 1n);
}

/** Casts a vote and checks that its weight is the voter's reputation at the snapshot. */
async function vote(f: Governed, id: bigint, snapshot: bigint, voter: Voter, support: bigint) {
  const weight = await f.pool.getPastVotes(voter.address, snapshot);
  await expect(f.governor.connect(voter).castVote(id, support))
    .to.emit(f.governor, "VoteCast")
    .withArgs(voter.address, id, support, weight, "");
  return weight;
}

const reputationIn = (tree: EpochTree, account: string) => tree.leaves.find((l) => l.account === account)!.reputation;

/** Σ getPastVotes(account, timepoint) over `accounts`. */
async function sumPastVotes(pool: EpochRewards, accounts: string[], timepoint: bigint) {
  let sum = 0n;
  for (const account of accounts) sum += await pool.getPastVotes(account, timepoint);
  return sum;
}

describe("ReputationGovernor over the pool's reputation", function () {
  it("reads the pool's timestamp clock", async function () {
    const { governor, pool } = await networkHelpers.loadFixture(governorFixture);
    expect(await governor.token()).to.equal(await pool.getAddress());
    expect(await governor.CLOCK_MODE()).to.equal("mode=timestamp");
    expect(await governor.CLOCK_MODE()).to.equal(await pool.CLOCK_MODE());
    const now = BigInt(await networkHelpers.time.latest());
    expect(await governor.clock()).to.equal(now);
    expect(await pool.clock()).to.equal(now);
  });

  it("passes and executes a proposal when the 'for' reputation wins and meets quorum", async function () {
    const f = await networkHelpers.loadFixture(governorFixture);
    const p = await createProposal(f, f.dave, "Mint one target token to the governor");
    await startVoting(f, p.id, p.snapshot);
    const forVotes =
      (await vote(f, p.id, p.snapshot, f.alice, Vote.For)) + (await vote(f, p.id, p.snapshot, f.carol, Vote.For));
    const againstVotes = await vote(f, p.id, p.snapshot, f.bob, Vote.Against);
    await endVoting(f, p.id);

    const quorum = await f.governor.quorum(p.snapshot);
    expect(quorum).to.equal(((await f.pool.getPastTotalSupply(p.snapshot)) * QUORUM_PERCENT) / 100n);
    expect(forVotes > againstVotes && forVotes >= quorum).to.equal(true);
    expect(await f.governor.proposalVotes(p.id)).to.deep.equal([againstVotes, forVotes, 0n]);
    expect(await f.governor.state(p.id)).to.equal(ProposalState.Succeeded);

    await f.governor.execute(p.targets, p.values, p.calldatas, p.descriptionHash);
    expect(await f.governor.state(p.id)).to.equal(ProposalState.Executed);
    expect(await f.target.balanceOf(await f.governor.getAddress())).to.equal(1n);
  });

  it("defeats a proposal when the 'against' reputation wins", async function () {
    const f = await networkHelpers.loadFixture(governorFixture);
    const p = await createProposal(f, f.dave, "Outvoted");
    await startVoting(f, p.id, p.snapshot);
    const againstVotes = await vote(f, p.id, p.snapshot, f.alice, Vote.Against);
    const forVotes =
      (await vote(f, p.id, p.snapshot, f.bob, Vote.For)) + (await vote(f, p.id, p.snapshot, f.dave, Vote.For));
    await endVoting(f, p.id);

    // Quorum is met, so the defeat comes from the count alone.
    expect(forVotes >= (await f.governor.quorum(p.snapshot))).to.equal(true);
    expect(againstVotes > forVotes).to.equal(true);
    expect(await f.governor.proposalVotes(p.id)).to.deep.equal([againstVotes, forVotes, 0n]);
    expect(await f.governor.state(p.id)).to.equal(ProposalState.Defeated);
    await expect(f.governor.execute(p.targets, p.values, p.calldatas, p.descriptionHash))
      .to.be.revertedWithCustomError(f.governor, "GovernorUnexpectedProposalState")
      .withArgs(
        p.id,
        ProposalState.Defeated,
        ethers.toBeHex(1n << ProposalState.Succeeded, 32), // only Succeeded may execute without a timelock
      );
  });

  it("defeats a unanimous proposal that misses quorum", async function () {
    const f = await networkHelpers.loadFixture(governorFixture);
    const p = await createProposal(f, f.dave, "Too few voters");
    await startVoting(f, p.id, p.snapshot);
    const forVotes = await vote(f, p.id, p.snapshot, f.dave, Vote.For);
    await endVoting(f, p.id);

    // Dave's epoch-1 reputation, decayed once by epoch 2.
    expect(forVotes).to.equal(decay(reputationIn(f.epoch1, f.dave.address), 1, DECAY_BPS));
    expect(forVotes < (await f.governor.quorum(p.snapshot))).to.equal(true);
    expect(await f.governor.proposalVotes(p.id)).to.deep.equal([0n, forVotes, 0n]);
    expect(await f.governor.state(p.id)).to.equal(ProposalState.Defeated);
  });

  it("counts the reputation at the snapshot, not reputation synced after it", async function () {
    const f = await networkHelpers.loadFixture(governorFixture);
    const supplyBefore = await f.pool.totalReputation();
    expect(supplyBefore).to.equal(f.epoch2.reputationTotal);
    const p = await createProposal(f, f.dave, "Snapshot semantics");
    await startVoting(f, p.id, p.snapshot);

    // After the snapshot, epoch 2 raises carol's reputation and gives erin her first soul; alice's leaf carries her
    // decayed reputation, which she already had.
    await f.pool.claimMany(f.epoch2.leaves.map((leaf) => claimOf(2n, f.epoch2, leaf)));
    for (const voter of [f.alice, f.carol, f.erin]) {
      expect(await f.pool.getVotes(voter.address)).to.equal(reputationIn(f.epoch2, voter.address));
    }
    // Claims do not change the total supply: it is the reputationTotal committed with epoch 2.
    expect(await f.pool.totalReputation()).to.equal(supplyBefore);

    const alice = await vote(f, p.id, p.snapshot, f.alice, Vote.For);
    const carol = await vote(f, p.id, p.snapshot, f.carol, Vote.Against);
    const erin = await vote(f, p.id, p.snapshot, f.erin, Vote.Against);
    expect(alice).to.equal(decay(reputationIn(f.epoch1, f.alice.address), 1, DECAY_BPS));
    expect(alice).to.equal(reputationIn(f.epoch2, f.alice.address));
    expect(carol).to.equal(decay(reputationIn(f.epoch1, f.carol.address), 1, DECAY_BPS));
    expect(erin).to.equal(0n);
    expect(await f.governor.getVotes(f.alice.address, p.snapshot)).to.equal(alice);

    await endVoting(f, p.id);
    expect(await f.governor.quorum(p.snapshot)).to.equal((supplyBefore * QUORUM_PERCENT) / 100n);
    expect(await f.governor.proposalVotes(p.id)).to.deep.equal([carol + erin, alice, 0n]);
    // With the synced reputation against (900 + 700) would beat for (450); at the snapshot for (450 > 180) wins.
    expect(reputationIn(f.epoch2, f.carol.address) + reputationIn(f.epoch2, f.erin.address) > alice).to.equal(true);
    expect(await f.governor.state(p.id)).to.equal(ProposalState.Succeeded);
  });

  it("quorum is a share of getPastTotalSupply, the epoch's reputationTotal, never below Σ getPastVotes", async function () {
    const f = await networkHelpers.loadFixture(governorFixture);
    expect(await f.pool.getPastTotalSupply(f.deployedAt)).to.equal(0n); // no epoch final yet
    expect(await sumPastVotes(f.pool, f.accounts, f.deployedAt)).to.equal(0n);

    // Epoch 2 is final but not claimed: the votes are epoch 1's leaves decayed once.
    const p = await createProposal(f, f.dave, "Quorum while epoch 2 is unclaimed");
    await startVoting(f, p.id, p.snapshot);
    expect(await f.pool.finalEpochAt(p.snapshot)).to.equal(2n);
    const supply = await f.pool.getPastTotalSupply(p.snapshot);
    expect(supply).to.equal((await f.pool.getEpoch(2n)).reputationTotal);
    expect(supply).to.equal(f.epoch2.reputationTotal);
    expect(supply).to.equal([...f.pipeline.values()].reduce((s, r) => s + r, 0n));
    expect(await f.governor.quorum(p.snapshot)).to.equal((supply * QUORUM_PERCENT) / 100n);
    let expected = 0n;
    for (const account of f.accounts) {
      const leaf = f.epoch1.leaves.find((l) => l.account === account);
      const votes = leaf ? decay(leaf.reputation, 1, DECAY_BPS) : 0n;
      expect(await f.pool.getPastVotes(account, p.snapshot)).to.equal(votes);
      expected += votes;
    }
    const sum = await sumPastVotes(f.pool, f.accounts, p.snapshot);
    expect(sum).to.equal(expected);
    expect(sum < supply).to.equal(true);
    // The difference is exactly what epoch 2 carries and nobody claimed yet: carol's gain and erin's reputation.
    const unclaimed =
      f.pipeline.get(f.carol.address)! -
      decay(reputationIn(f.epoch1, f.carol.address), 1, DECAY_BPS) +
      f.pipeline.get(f.erin.address)!;
    expect(supply - sum).to.equal(unclaimed);

    // Once every leaf is claimed, the votes add up to the supply exactly.
    await f.pool.claimMany(f.epoch2.leaves.map((leaf) => claimOf(2n, f.epoch2, leaf)));
    const q = await createProposal(f, f.dave, "Quorum once everything is claimed");
    await startVoting(f, q.id, q.snapshot);
    expect(await f.pool.getPastTotalSupply(q.snapshot)).to.equal(supply);
    expect(await sumPastVotes(f.pool, f.accounts, q.snapshot)).to.equal(supply);
    for (const account of f.accounts) {
      expect(await f.pool.getPastVotes(account, q.snapshot)).to.equal(f.pipeline.get(account));
    }

    // An epoch where nobody earns: the supply is its reputationTotal (everyone decayed) and the claimed leaves of
    // epoch 2 decay on chain to exactly the same figures.
    const epoch3 = f.book.next([{ account: f.dave.address, amount: AMOUNT, gain: 0n }]);
    const { claimableAt } = await propose(f.pool, f.proposer, 3n, epoch3);
    await openClaims(networkHelpers, claimableAt);
    const r = await createProposal(f, f.dave, "Quorum after an idle epoch");
    await startVoting(f, r.id, r.snapshot);
    const decayed = await f.pool.getPastTotalSupply(r.snapshot);
    expect(decayed).to.equal(epoch3.reputationTotal);
    expect(await f.governor.quorum(r.snapshot)).to.equal((decayed * QUORUM_PERCENT) / 100n);
    for (const account of f.accounts) {
      expect(await f.pool.getPastVotes(account, r.snapshot)).to.equal(f.book.of(account));
    }
    expect(await sumPastVotes(f.pool, f.accounts, r.snapshot)).to.equal(decayed);
  });

  describe("an idle whale against active members", function () {
    const EPOCHS = 8n;
    const WHALE = 10_000n;
    const MEMBER = 1_000n;
    const EARNED = 300n;

    // Epoch 1: a whale earns 10,000 and three members 1,000 each; everyone claims. Epochs 2..8: the members earn
    // 300 each epoch and claim it; the whale stops contributing and nothing is ever sent about it again.
    async function whaleFixture() {
      const base = await governed();
      const { pool, proposer, others, book } = base;
      const [whale, m1, m2, m3] = others as [Voter, Voter, Voter, Voter];
      const members = [m1, m2, m3];
      const first = book.next([
        { account: whale.address, amount: AMOUNT, gain: WHALE },
        ...members.map((m) => ({ account: m.address, amount: AMOUNT, gain: MEMBER })),
      ]);
      let { claimableAt } = await propose(pool, proposer, 1n, first);
      await openClaims(networkHelpers, claimableAt);
      await pool.claimMany(first.leaves.map((leaf) => claimOf(1n, first, leaf)));
      const whaleSoul = [...(await pool.soulRecord(whale.address))];
      for (let epoch = 2n; epoch <= EPOCHS; epoch++) {
        const epochTree = book.next(members.map((m) => ({ account: m.address, amount: AMOUNT, gain: EARNED })));
        ({ claimableAt } = await propose(pool, proposer, epoch, epochTree));
        await openClaims(networkHelpers, claimableAt);
        await pool.claimMany(epochTree.leaves.map((leaf) => claimOf(epoch, epochTree, leaf)));
      }
      return { ...base, whale, members, whaleSoul };
    }

    it("stale scores would let the whale win; decayed on chain without a transaction, the members pass the proposal", async function () {
      const f = await networkHelpers.loadFixture(whaleFixture);
      // Nothing touched the whale's soul since its claim of epoch 1.
      expect([...(await f.pool.soulRecord(f.whale.address))]).to.deep.equal(f.whaleSoul);
      const whaleEvents = await f.pool.queryFilter(f.pool.filters.DelegateVotesChanged(f.whale.address));
      expect(whaleEvents).to.have.length(1); // the mint
      expect(await f.pool.lastSyncedEpoch(f.whale.address)).to.equal(1n);

      const p = await createProposal(f, f.members[0]!, "Spend the treasury on the active members' project");
      await startVoting(f, p.id, p.snapshot);
      expect(await f.pool.finalEpochAt(p.snapshot)).to.equal(EPOCHS);

      const against = await vote(f, p.id, p.snapshot, f.whale, Vote.Against);
      let inFavour = 0n;
      for (const member of f.members) inFavour += await vote(f, p.id, p.snapshot, member, Vote.For);
      await endVoting(f, p.id);

      // The figures, from the pipeline's decay: the whale's 10,000 decayed over the 7 epochs since its claim.
      const whaleNow = decay(WHALE, EPOCHS - 1n, DECAY_BPS);
      expect(against).to.equal(whaleNow);
      expect(await f.pool.getVotes(f.whale.address)).to.equal(whaleNow);
      expect(f.book.of(f.whale.address)).to.equal(whaleNow);
      let member = MEMBER;
      for (let epoch = 2n; epoch <= EPOCHS; epoch++) member = decay(member, 1, DECAY_BPS) + EARNED;
      for (const m of f.members) expect(await f.pool.getPastVotes(m.address, p.snapshot)).to.equal(member);
      expect(inFavour).to.equal(3n * member);

      // Undecayed, the whale's anchor (its epoch-1 leaf) outweighs every member together.
      const stale = (await f.pool.soulRecord(f.whale.address)).value;
      expect(stale).to.equal(WHALE);
      expect(stale > inFavour).to.equal(true);
      // Decayed, it does not.
      expect(inFavour > against).to.equal(true);
      expect(await f.governor.proposalVotes(p.id)).to.deep.equal([against, inFavour, 0n]);
      expect(inFavour >= (await f.governor.quorum(p.snapshot))).to.equal(true);
      expect(await f.governor.state(p.id)).to.equal(ProposalState.Succeeded);
      await f.governor.execute(p.targets, p.values, p.calldatas, p.descriptionHash);
      expect(await f.target.balanceOf(await f.governor.getAddress())).to.equal(1n);

      // Still no pool transaction about the whale: decay needed none.
      expect([...(await f.pool.soulRecord(f.whale.address))]).to.deep.equal(f.whaleSoul);
      expect((await f.pool.queryFilter(f.pool.filters.DelegateVotesChanged(f.whale.address))).length).to.equal(1);
    });

    it("the whale's past votes follow the epochs: each epoch takes its share at its claimableAt", async function () {
      const f = await networkHelpers.loadFixture(whaleFixture);
      await networkHelpers.mine();
      for (let epoch = 2n; epoch <= EPOCHS; epoch++) {
        const { claimableAt } = await f.pool.getEpoch(epoch);
        expect(await f.pool.getPastVotes(f.whale.address, claimableAt - 1n)).to.equal(
          decay(WHALE, epoch - 2n, DECAY_BPS),
        );
        expect(await f.pool.getPastVotes(f.whale.address, claimableAt)).to.equal(decay(WHALE, epoch - 1n, DECAY_BPS));
      }
    });
  });
});
