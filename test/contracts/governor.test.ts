// The pool's reputation as the votes of an unmodified OpenZeppelin Governor (timestamp clock): proposals pass or
// fail on claimed reputation, and only the reputation checkpointed at the proposal's snapshot counts.
import { expect } from "chai";
import { network } from "hardhat";
import { buildTree, claimOf, deploy, deployPool, openClaims, propose, type EpochTree } from "./helpers.js";
import type { MockERC20, ReputationGovernor } from "../../typechain-types/index.js";

const { ethers, networkHelpers } = await network.create();

const VOTING_DELAY = 1n;
const VOTING_PERIOD = 3600n;
const QUORUM_PERCENT = 10n;
const FUNDING = 10n ** 24n;
const ProposalState = {
  Pending: 0n,
  Active: 1n,
  Defeated: 3n,
  Succeeded: 4n,
  Executed: 7n,
};
const Vote = { Against: 0n, For: 1n, Abstain: 2n };

async function governorFixture() {
  const token = await deploy<MockERC20>(ethers, "MockERC20", ["Reward", "RWD", 18]);
  const setup = await deployPool(ethers, await token.getAddress());
  const { pool, proposer, funder, others } = setup;
  await token.mint(funder.address, FUNDING);
  await token.connect(funder).approve(await pool.getAddress(), FUNDING);
  await pool.connect(funder).fund(FUNDING);

  const [alice, bob, carol, dave, erin] = others;
  const whale = ethers.getAddress(ethers.dataSlice(ethers.id("a holder who never votes"), 12));
  const amount = 10n ** 18n;
  // Epoch 1 sets the reputation the proposals are decided on; epoch 2 (claimed later) changes it.
  const epoch1 = buildTree(
    [
      [alice.address, 400n],
      [bob.address, 300n],
      [carol.address, 200n],
      [dave.address, 5n],
      [whale, 1000n],
    ].map(([account, reputation]) => ({
      account: account as string,
      amount,
      reputation: reputation as bigint,
    })),
  );
  const epoch2 = buildTree(
    [
      [alice.address, 50n],
      [carol.address, 900n],
      [erin.address, 700n],
    ].map(([account, reputation]) => ({
      account: account as string,
      amount,
      reputation: reputation as bigint,
    })),
  );
  await propose(pool, proposer, 1n, epoch1);
  const { claimableAt } = await propose(pool, proposer, 2n, epoch2);
  await openClaims(networkHelpers, claimableAt);
  await pool.claimMany(epoch1.leaves.map((leaf) => claimOf(1n, epoch1, leaf)));

  const governor = await deploy<ReputationGovernor>(ethers, "ReputationGovernor", [
    await pool.getAddress(),
    VOTING_DELAY,
    VOTING_PERIOD,
    QUORUM_PERCENT,
  ]);
  // The proposal: mint one token to the governor, so that executing it is observable.
  const target = await deploy<MockERC20>(ethers, "MockERC20", ["Target", "TGT", 18]);
  return {
    ...setup,
    token,
    governor,
    target,
    epoch1,
    epoch2,
    alice,
    bob,
    carol,
    dave,
    erin,
    whale,
  };
}

type Fixture = Awaited<ReturnType<typeof governorFixture>>;

/** Creates a proposal and returns its id, its snapshot and the arguments needed to execute it. */
async function createProposal(f: Fixture, description: string) {
  const governorAddress = await f.governor.getAddress();
  const targets = [await f.target.getAddress()];
  const values = [0n];
  const calldatas = [f.target.interface.encodeFunctionData("mint", [governorAddress, 1n])];
  const tx = await f.governor.connect(f.dave).propose(targets, values, calldatas, description);
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
async function startVoting(f: Fixture, id: bigint, snapshot: bigint) {
  await networkHelpers.time.increaseTo(snapshot + 1n);
  expect(await f.governor.state(id)).to.equal(ProposalState.Active);
}

async function endVoting(f: Fixture, id: bigint) {
  await networkHelpers.time.increaseTo((await f.governor.proposalDeadline(id)) + 1n);
}

/** Casts a vote and checks that its weight is the voter's reputation at the snapshot. */
async function vote(f: Fixture, id: bigint, snapshot: bigint, voter: Fixture["alice"], support: bigint) {
  const weight = await f.pool.getPastVotes(voter.address, snapshot);
  await expect(f.governor.connect(voter).castVote(id, support))
    .to.emit(f.governor, "VoteCast")
    .withArgs(voter.address, id, support, weight, "");
  return weight;
}

const reputationIn = (tree: EpochTree, account: string) => tree.leaves.find((l) => l.account === account)!.reputation;

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
    const p = await createProposal(f, "Mint one target token to the governor");
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
    const p = await createProposal(f, "Outvoted");
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
    const p = await createProposal(f, "Too few voters");
    await startVoting(f, p.id, p.snapshot);
    const forVotes = await vote(f, p.id, p.snapshot, f.dave, Vote.For);
    await endVoting(f, p.id);

    expect(forVotes).to.equal(reputationIn(f.epoch1, f.dave.address));
    expect(forVotes < (await f.governor.quorum(p.snapshot))).to.equal(true);
    expect(await f.governor.proposalVotes(p.id)).to.deep.equal([0n, forVotes, 0n]);
    expect(await f.governor.state(p.id)).to.equal(ProposalState.Defeated);
  });

  it("counts the reputation at the snapshot, not reputation synced after it", async function () {
    const f = await networkHelpers.loadFixture(governorFixture);
    const supplyBefore = await f.pool.totalReputation();
    const p = await createProposal(f, "Snapshot semantics");
    await startVoting(f, p.id, p.snapshot);

    // After the snapshot, epoch 2 lowers alice's reputation, raises carol's and gives erin her first soul.
    await f.pool.claimMany(f.epoch2.leaves.map((leaf) => claimOf(2n, f.epoch2, leaf)));
    for (const voter of [f.alice, f.carol, f.erin]) {
      expect(await f.pool.getVotes(voter.address)).to.equal(reputationIn(f.epoch2, voter.address));
    }
    expect(await f.pool.totalReputation()).to.not.equal(supplyBefore);

    const alice = await vote(f, p.id, p.snapshot, f.alice, Vote.For);
    const carol = await vote(f, p.id, p.snapshot, f.carol, Vote.Against);
    const erin = await vote(f, p.id, p.snapshot, f.erin, Vote.Against);
    expect(alice).to.equal(reputationIn(f.epoch1, f.alice.address));
    expect(carol).to.equal(reputationIn(f.epoch1, f.carol.address));
    expect(erin).to.equal(0n);
    expect(await f.governor.getVotes(f.alice.address, p.snapshot)).to.equal(alice);

    await endVoting(f, p.id);
    expect(await f.governor.quorum(p.snapshot)).to.equal((supplyBefore * QUORUM_PERCENT) / 100n);
    expect(await f.governor.proposalVotes(p.id)).to.deep.equal([carol + erin, alice, 0n]);
    // With the synced reputation against (900 + 700) would beat for (50); at the snapshot for (400) wins.
    expect(await f.governor.state(p.id)).to.equal(ProposalState.Succeeded);
  });
});
