import { expect } from "chai";
import { network } from "hardhat";
import { readClaims, readManifest } from "../../scripts/lib/index.js";
import { decodeRevert, describeError, TaskError } from "../../tasks/lib/errors.js";
import { parseAddressOption, parseEpochOption, parseUnitsOption } from "../../tasks/lib/options.js";
import {
  claimRewards,
  ERC20_ABI,
  fundPool,
  poolStatus,
  proposeEpoch,
  reputationStatus,
  sweepEpoch,
  vetoEpoch,
} from "../../tasks/lib/pool.js";
import type { EpochRewards } from "../../typechain-types/index.js";
import { allocateExamples, deploySuite, FUNDING, WINDOW } from "./fixture.js";

const connection = await network.create();
const { ethers, networkHelpers } = connection;

async function proposedOne() {
  const suite = await deploySuite(connection);
  const dirs = await allocateExamples(connection, suite.pool, 1);
  const proposed = await proposeEpoch(suite.pool.connect(suite.proposer) as EpochRewards, dirs[0]!);
  if (proposed.status !== "done") throw new Error("not proposed");
  return { ...suite, dirs, proposed };
}

/** A signer with a positive reward in the epoch of `dir`. */
function memberOf<T extends { address: string }>(dir: string, signers: T[]): T {
  const claims = readClaims(dir).claims;
  const found = signers.find((s) => BigInt(claims[s.address]?.amount ?? "0") > 0n);
  if (!found) throw new Error("no signer has a reward in this epoch");
  return found;
}

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
    expect(status.epochs[0]).to.include({ epoch: 1, state: "Challenge", root: readManifest(dirs[0]!).root });
    expect(status.epochs[0]!.claimableAt).to.equal(
      new Date(Number(proposed.claimableAt) * 1000).toISOString().replace(".000Z", "Z"),
    );
    expect(status.available + status.outstanding).to.equal(FUNDING);

    const member = memberOf(dirs[0]!, others);
    expect((await reputationStatus(pool, member.address)).hasSoul).to.equal(false);
    await networkHelpers.time.increaseTo(proposed.claimableAt);
    await claimRewards(pool.connect(member) as EpochRewards, member.address, dirs);
    const r = await reputationStatus(pool, member.address);
    expect(r.soulId).to.equal(BigInt(member.address));
    expect(r.lastSyncedEpoch).to.equal(1n);
    expect(r.votes).to.equal(r.score);
  });

  it("decodes the contract's custom errors with their arguments", async function () {
    const { pool, others, token } = await networkHelpers.loadFixture(proposedOne);
    const stranger = others[5]!;
    const role = await pool.PROPOSER_ROLE();
    const denied = await caught(() =>
      pool.connect(stranger).proposeEpoch(2, "0x" + "11".repeat(32), 1n, "0x" + "00".repeat(32), ""),
    );
    expect(describeError(denied, [pool.interface])).to.equal(
      `the contract reverted with AccessControlUnauthorizedAccount(account=${stranger.address}, neededRole=${role})`,
    );
    const early = await caught(() => pool.sweep(1));
    const epoch = await pool.getEpoch(1);
    expect(decodeRevert(early, [pool.interface])).to.equal(`EpochNotExpired(epoch=1, expiresAt=${epoch.expiresAt})`);
    await token.connect(stranger).approve(await pool.getAddress(), 5n);
    const poor = await caught(() => pool.connect(stranger).fund(5n));
    expect(decodeRevert(poor, [pool.interface, ERC20_ABI])).to.equal(
      `ERC20InsufficientBalance(sender=${stranger.address}, balance=0, needed=5)`,
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
