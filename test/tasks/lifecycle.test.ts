import { expect } from "chai";
import { network } from "hardhat";
import { readClaims, readManifest } from "../../scripts/lib/index.js";
import { describeReputation, describeStatus } from "../../tasks/lib/describe.js";
import { revertText, describeError, TaskError } from "../../tasks/lib/errors.js";
import { parseAddressOption, parseEpochOption, parseUnitsOption } from "../../tasks/lib/options.js";
import { claimRewards } from "../../tasks/lib/ops/claim.js";
import { fundPool } from "../../tasks/lib/ops/fund.js";
import { proposeEpoch } from "../../tasks/lib/ops/propose.js";
import { sweepEpoch } from "../../tasks/lib/ops/sweep.js";
import { vetoEpoch } from "../../tasks/lib/ops/veto.js";
import { ERC20_ABI } from "../../protocol/abi.js";
import { poolStatus } from "../../tasks/lib/views/pool-status.js";
import { reputationStatus } from "../../tasks/lib/views/reputation-status.js";
import type { EpochRewards } from "../../typechain-types/index.js";
import { allocateExamples, FUNDING, HOUR, proposedSuite, WINDOW } from "./fixture.js";

const connection = await network.create();
const { ethers, networkHelpers } = connection;

/** A loadFixture snapshot of the suite with epoch 1 proposed. */
async function proposedOne() {
  return proposedSuite(connection);
}

/** A signer with a positive reward in the epoch of `dir`. */
function memberOf<T extends { address: string }>(dir: string, signers: T[]): T {
  const claims = readClaims(dir).claims;
  const found = signers.find((s) => BigInt(claims[s.address]?.amount ?? "0") > 0n);
  if (!found) throw new Error("no signer has a reward in this epoch");
  return found;
}

const iso = (seconds: bigint) => new Date(Number(seconds) * 1000).toISOString().replace(".000Z", "Z");

async function caught(fn: () => Promise<unknown>): Promise<Error> {
  try {
    await fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected an error");
}

describe("tasks: veto, sweep, fund, status, reputation", function () {
  it("vetoes during the challenge period, then re-running is a no-op", async function () {
    const { pool, guardian, dirs } = await networkHelpers.loadFixture(proposedOne);
    const asGuardian = pool.connect(guardian) as EpochRewards;
    const first = await vetoEpoch(asGuardian, 1, "duplicate votes");
    expect(first.status).to.equal("done");
    expect(await pool.available()).to.equal(FUNDING);
    const nonce = await ethers.provider.getTransactionCount(guardian.address);
    const again = await vetoEpoch(asGuardian, 1, "duplicate votes");
    expect(again).to.deep.equal({
      status: "noop",
      message: "epoch 1 is already vetoed (it may be proposed again): nothing to do",
    });
    expect(await ethers.provider.getTransactionCount(guardian.address)).to.equal(nonce);
    expect(readManifest(dirs[0]!).epoch).to.equal(1);
  });

  it("refuses a veto after the challenge period, by a non-guardian, or of an unknown epoch", async function () {
    const { pool, guardian, others, proposed } = await networkHelpers.loadFixture(proposedOne);
    expect((await caught(() => vetoEpoch(pool.connect(others[0]!) as EpochRewards, 1, "x"))).message).to.match(
      /does not hold GUARDIAN_ROLE/,
    );
    expect((await caught(() => vetoEpoch(pool.connect(guardian) as EpochRewards, 7, "x"))).message).to.equal(
      "epoch 7 was never proposed: there is nothing to veto",
    );
    await networkHelpers.time.increaseTo(proposed.claimableAt);
    const error = await caught(() => vetoEpoch(pool.connect(guardian) as EpochRewards, 1, "late"));
    expect(error).to.be.instanceOf(TaskError);
    expect(error.message).to.match(/epoch 1 is Claimable: its challenge period closed at .* and its root is final/);
  });

  it("sweeps an expired epoch once: the unclaimed rest returns to available, re-running is a no-op", async function () {
    const { pool, others, dirs, proposed } = await networkHelpers.loadFixture(proposedOne);
    const sweeper = pool.connect(others[3]!) as EpochRewards;
    expect((await caught(() => sweepEpoch(sweeper, 1))).message).to.match(
      /epoch 1 is Challenge: it can be swept from /,
    );
    await networkHelpers.time.increaseTo(proposed.claimableAt);
    const member = memberOf(dirs[0]!, others);
    const claim = await claimRewards(pool.connect(member) as EpochRewards, member.address, dirs);
    if (claim.status !== "done") throw new Error("the member had nothing to claim");
    const paid = claim.paid;
    expect(paid).to.be.greaterThan(0n);
    await networkHelpers.time.increaseTo(proposed.expiresAt);
    const availableBefore = await pool.available();
    const total = BigInt(readManifest(dirs[0]!).total);
    const swept = await sweepEpoch(sweeper, 1);
    expect(swept.status === "done" && swept.released).to.equal(total - paid);
    expect(await pool.available()).to.equal(availableBefore + total - paid);
    const nonce = await ethers.provider.getTransactionCount(others[3]!.address);
    expect(await sweepEpoch(sweeper, 1)).to.deep.equal({
      status: "noop",
      message: "epoch 1 is already swept: nothing to do",
    });
    expect(await ethers.provider.getTransactionCount(others[3]!.address)).to.equal(nonce);
    expect(proposed.expiresAt - proposed.claimableAt).to.equal(BigInt(WINDOW));
  });

  it("funds with an approval when needed and reports what the pool credited", async function () {
    const { pool, token, deployer } = await networkHelpers.loadFixture(proposedOne);
    const before = await pool.available();
    const result = await fundPool(pool.connect(deployer) as EpochRewards, 1234n);
    expect(result.credited).to.equal(1234n);
    expect(result.approveTx).to.be.a("string");
    expect(await pool.available()).to.equal(before + 1234n);
    const balance = await token.balanceOf(deployer.address);
    expect((await caught(() => fundPool(pool.connect(deployer) as EpochRewards, balance + 1n))).message).to.equal(
      `--amount ${balance + 1n} exceeds the token balance ${balance} of the sender ${deployer.address}`,
    );
  });

  it("reports every epoch and the account's reputation", async function () {
    const { pool, others, dirs, proposed } = await networkHelpers.loadFixture(proposedOne);
    const status = await poolStatus(pool);
    expect(status.latestEpoch).to.equal(1);
    expect(status.finalEpoch).to.equal(0);
    expect(status.epochs[0]).to.include({ epoch: 1, state: "Challenge", root: readManifest(dirs[0]!).root });
    expect(status.epochs[0]!.claimableAt).to.equal(iso(proposed.claimableAt));
    expect(status.available + status.outstanding).to.equal(FUNDING);

    const member = memberOf(dirs[0]!, others);
    const none = await reputationStatus(pool, member.address);
    expect(none).to.include({ hasSoul: false, soulId: null, recoveredAway: false, anchor: null, score: 0n });
    expect(describeReputation(none)).to.include("soul                none (minted by the first claim)");
    await networkHelpers.time.increaseTo(proposed.claimableAt);
    await claimRewards(pool.connect(member) as EpochRewards, member.address, dirs);
    const r = await reputationStatus(pool, member.address);
    const reputation = BigInt(readClaims(dirs[0]!).claims[member.address]!.reputation);
    expect(r.soulId).to.equal(BigInt(member.address));
    expect(r.lastSyncedEpoch).to.equal(1n);
    expect(r.lastClaimedEpoch).to.equal(1n);
    expect(r.votes).to.equal(r.score);
    expect(r.score).to.equal(reputation);
    expect(r.anchor).to.include({ value: reputation, epoch: 1n });
    expect(r.finalEpoch).to.equal(1n);
    expect(r.decayBps).to.equal(1000n);
    expect(r.nextScore).to.equal((reputation * 9000n) / 10000n);
    const lines = describeReputation(r);
    expect(lines).to.include(`soul                ${BigInt(member.address)}`);
    expect(lines).to.include(`score now           ${reputation} (votes; delegate ${member.address})`);
    expect(lines).to.include("last claimed epoch  1");
    expect(lines).to.include("newest final epoch  1");
    expect(lines.find((l) => l.startsWith("decay"))).to.equal(
      `decay               10% per epoch (1000 bps): ${reputation} → ${r.nextScore} when the next epoch becomes final, unless a newer leaf is claimed`,
    );
  });

  it("shows the status: pause, newest final epoch, claimed / total, reputationTotal, inputsHash and uri from the events, and the vetoed epochs", async function () {
    const suite = await networkHelpers.loadFixture(proposedOne);
    const { pool, proposer, guardian, others, proposed } = suite;
    const dirs = await allocateExamples(connection, pool, 3);
    const manifests = dirs.map((d) => readManifest(d));
    await networkHelpers.time.increaseTo(proposed.claimableAt);
    const member = memberOf(dirs[0]!, others);
    const claim = await claimRewards(pool.connect(member) as EpochRewards, member.address, [dirs[0]!]);
    if (claim.status !== "done") throw new Error("nothing claimed");
    // Epochs 2 and 3 proposed, then the guardian vetoes 2, which takes 3 with it.
    const asProposer = pool.connect(proposer) as EpochRewards;
    await proposeEpoch(asProposer, dirs[1]!, { uri: "ipfs://epoch-2" });
    await proposeEpoch(asProposer, dirs[2]!, { uri: "ipfs://epoch-3" });
    await vetoEpoch(pool.connect(guardian) as EpochRewards, 2, "duplicate votes");
    await pool.connect(guardian).pause();
    await networkHelpers.time.increase(HOUR);

    const s = await poolStatus(pool);
    expect(s).to.include({ latestEpoch: 1, finalEpoch: 1, paused: true, logs: true });
    expect(s.pausedDuration).to.equal(BigInt(HOUR));
    expect(s.totalReputation).to.equal(BigInt(manifests[0]!.reputationTotal));
    expect(s.decayBps).to.equal(1000n);
    expect(s.soulCount).to.equal(1n);
    expect(s.epochs.map((e) => [e.epoch, e.state])).to.deep.equal([
      [1, "Claimable"],
      [2, "Vetoed"],
      [3, "Vetoed"],
    ]);
    const [first, second, third] = s.epochs;
    expect(first).to.include({ inputsHash: manifests[0]!.inputsHash, uri: "", claimed: claim.paid });
    expect(first!.reputationTotal).to.equal(BigInt(manifests[0]!.reputationTotal));
    expect(second!.vetoed).to.deep.equal({
      root: manifests[1]!.root,
      guardian: guardian.address,
      reason: "duplicate votes",
    });
    expect(third!.vetoed?.root).to.equal(manifests[2]!.root);

    const lines = describeStatus(s, "hardhat");
    const text = lines.join("\n");
    expect(lines[0]).to.match(/^pool {16}0x[0-9a-fA-F]{40} on hardhat \(PAUSED\)$/);
    expect(lines).to.include(
      `paused              yes: claims and proposals wait, open claim windows are stopped (${HOUR} s paused in total)`,
    );
    expect(lines).to.include("newest final epoch  1");
    expect(lines).to.include(
      `reputation          total ${manifests[0]!.reputationTotal}, 1 souls, decay 1000 bps per epoch`,
    );
    expect(lines).to.include("epochs              1 (then 2 vetoed)");
    expect(lines).to.include(`  inputsHash       ${manifests[0]!.inputsHash}`);
    expect(lines).to.include('  uri              ""');
    const claimedLine = lines.find((l) => l.startsWith("  claimed / total"));
    expect(claimedLine).to.match(/^ {2}claimed \/ total {2}\d+ \/ \d+ \(\d+\.\d\d%\)$/);
    expect(claimedLine).to.include(`${claim.paid} / ${manifests[0]!.total}`);
    expect(lines).to.include(`  reputationTotal  ${manifests[0]!.reputationTotal}`);
    expect(text).to.include("\nepoch 2: Vetoed\n  vetoed root      " + manifests[1]!.root);
    expect(text).to.match(/expiresAt {8}\S+ \(if unpaused now: a pause moves it\)/);
    // The pause moved the claim window of epoch 1 by the time paused.
    expect(first!.expiresAt).to.equal(iso(proposed.expiresAt + BigInt(HOUR)));
    await pool.connect(guardian).unpause();
    const unpaused = describeStatus(await poolStatus(pool), "hardhat");
    expect(unpaused.find((l) => l.startsWith("paused"))).to.match(/^paused {14}no \(\d+ s paused in total\)$/);
  });

  it("shows a soul recovered away without offering a first-claim mint, and the soul where it went", async function () {
    const { pool, recovery, others, dirs, proposed } = await networkHelpers.loadFixture(proposedOne);
    await networkHelpers.time.increaseTo(proposed.claimableAt);
    const member = memberOf(dirs[0]!, others);
    await claimRewards(pool.connect(member) as EpochRewards, member.address, dirs);
    const score = await pool.getVotes(member.address);
    const fresh = ethers.Wallet.createRandom().address;
    const tx = await pool.connect(recovery).recoverSoul(member.address, fresh);

    const lost = await reputationStatus(pool, member.address);
    expect(lost).to.include({ hasSoul: false, soulId: null, recoveredAway: true, score: 0n, lastSyncedEpoch: 0n });
    expect(lost.lastClaimedEpoch).to.equal(1n);
    expect(lost.recovery).to.deep.equal({ from: member.address, to: fresh, barrierEpoch: 1n, txHash: tx.hash });
    const lines = describeReputation(lost);
    const text = lines.join("\n");
    expect(text).not.to.include("minted by the first claim");
    expect(lines).to.include(
      `soul                none: recovered away to ${fresh} (tx ${tx.hash}); this address can never hold a soul again`,
    );
    expect(lines).to.include(
      "recovered away      yes: its remaining leaves still pay tokens to this address, never reputation",
    );
    expect(lines).to.include(`score now           0 (votes; delegate none)`);

    const found = await reputationStatus(pool, fresh);
    expect(found).to.include({ hasSoul: true, recoveredAway: false, score });
    expect(found.anchor).to.include({ value: score, epoch: 1n });
    expect(describeReputation(found)).to.include(
      `last claimed epoch  1 (recovered from ${member.address}: its leaves up to epoch 1 pay tokens but do not change the score)`,
    );
  });

  it("refuses to sweep an epoch whose window a pause keeps open, naming the pause", async function () {
    const { pool, guardian, others, proposed } = await networkHelpers.loadFixture(proposedOne);
    await networkHelpers.time.increaseTo(proposed.claimableAt);
    await pool.connect(guardian).pause();
    await networkHelpers.time.increaseTo(proposed.expiresAt + 10n);
    const error = await caught(() => sweepEpoch(pool.connect(others[3]!) as EpochRewards, 1));
    expect(error).to.be.instanceOf(TaskError);
    expect(error.message).to.match(
      /^epoch 1 is Claimable: it can be swept from \S+ if the pool is unpaused now \(its claim window is stopped while the pool is paused\)$/,
    );
  });

  it("decodes the contract's custom errors with their arguments", async function () {
    const { pool, others, token } = await networkHelpers.loadFixture(proposedOne);
    const stranger = others[5]!;
    const role = await pool.PROPOSER_ROLE();
    const denied = await caught(() =>
      pool.connect(stranger).proposeEpoch(2, "0x" + "11".repeat(32), 1n, 0n, "0x" + "00".repeat(32), ""),
    );
    expect(describeError(denied, [pool.interface])).to.equal(
      `the contract reverted with AccessControlUnauthorizedAccount(account=${stranger.address}, neededRole=${role})`,
    );
    const early = await caught(() => pool.sweep(1));
    const epoch = await pool.getEpoch(1);
    expect(revertText(early, [pool.interface])).to.equal(`EpochNotExpired(epoch=1, expiresAt=${epoch.expiresAt})`);
    await token.connect(stranger).approve(await pool.getAddress(), 5n);
    const poor = await caught(() => pool.connect(stranger).fund(5n));
    expect(revertText(poor, [pool.interface, ERC20_ABI])).to.equal(
      `ERC20InsufficientBalance(sender=${stranger.address}, balance=0, needed=5)`,
    );
  });

  it("decodes the errors of the pause, the bounds and the decay from the compiled ABI, with a hint", async function () {
    const { pool, guardian, token, deployer } = await networkHelpers.loadFixture(proposedOne);
    const abis = [pool.interface];
    expect(describeError(await caught(() => pool.connect(guardian).unpause()), abis)).to.equal(
      "the contract reverted with ExpectedPause() — the pool is not paused",
    );
    await pool.connect(guardian).pause();
    expect(describeError(await caught(() => pool.connect(guardian).pause()), abis)).to.equal(
      "the contract reverted with EnforcedPause() — the pool is paused: claims and proposals wait until the guardian unpauses",
    );
    const max = 2n ** 64n - 1n;
    expect(revertText(await caught(() => pool.decayed(max + 1n, 1)), abis)).to.equal(
      `ReputationTooLarge(reputation=${max + 1n}, max=${max})`,
    );
    const invalid = await caught(async () => {
      const tx = await connection.ethers.deployContract("EpochRewards", [
        await token.getAddress(),
        deployer.address,
        0,
        HOUR,
        WINDOW,
        10_001,
        "R",
        "R",
      ]);
      await tx.waitForDeployment();
    });
    expect(describeError(invalid, abis)).to.equal(
      "the contract reverted with InvalidDecayBps(decayBps=10001) — decayBps must be at most 10000 (100% per epoch)",
    );
  });

  it("validates options with messages that name the option", function () {
    expect(() => parseAddressOption("pool", "0x12")).to.throw(TaskError, /^--pool: "0x12" is not an address/);
    expect(() => parseAddressOption("account", "0x5fbdb2315678afecb367f032d93F642f64180aa3")).to.throw(
      TaskError,
      /^--account: .* has a wrong EIP-55 checksum/,
    );
    expect(parseAddressOption("pool", "0x5fbdb2315678afecb367f032d93f642f64180aa3")).to.equal(
      "0x5FbDB2315678afecb367f032d93F642f64180aa3",
    );
    expect(() => parseUnitsOption("amount", "1.5")).to.throw(
      TaskError,
      /^--amount: "1.5" is not a whole number of token units/,
    );
    expect(() => parseUnitsOption("amount", "0")).to.throw(TaskError, /^--amount must be positive/);
    expect(parseUnitsOption("amount", "1_000")).to.equal(1000n);
    expect(() => parseEpochOption("epoch", "0")).to.throw(TaskError, /^--epoch: "0" is not an epoch number/);
    expect(() => parseEpochOption("epoch", "")).to.throw(TaskError, /^--epoch is required/);
    expect(parseEpochOption("epoch", "3")).to.equal(3);
  });
});
