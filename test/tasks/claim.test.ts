import { expect } from "chai";
import { network } from "hardhat";
import { decay, readClaims } from "../../scripts/lib/index.js";
import { artifactDirs, readReputationCsv } from "../../tasks/lib/artifacts.js";
import { describeError, TaskError } from "../../tasks/lib/errors.js";
import { claimRewards, planClaims } from "../../tasks/lib/ops/claim.js";
import { proposeEpoch } from "../../tasks/lib/ops/propose.js";
import type { EpochRewards } from "../../typechain-types/index.js";
import { allocateExamples, deploySuite, tamperedCopy } from "./fixture.js";
import { dirname } from "node:path";
import { shardOf } from "../../protocol/artifacts.js";

const connection = await network.create();
const { ethers, networkHelpers } = connection;

/** Three example epochs proposed and claimable at once. */
async function threeClaimable() {
  const suite = await deploySuite(connection);
  const dirs = await allocateExamples(connection, suite.pool);
  for (const dir of dirs) {
    const proposed = await proposeEpoch(suite.pool.connect(suite.proposer) as EpochRewards, dir);
    if (proposed.status !== "done") throw new Error("not proposed");
    await networkHelpers.time.increaseTo(proposed.claimableAt);
  }
  return { ...suite, dirs };
}

/** A default account with a positive reward in every example epoch. */
function everyEpochMember(dirs: string[], candidates: string[]): string {
  const found = candidates.find((a) => dirs.every((d) => BigInt(readClaims(d).claims[a]?.amount ?? "0") > 0n));
  if (!found) throw new Error("no account has a reward in every epoch");
  return found;
}

function leaf(dir: string, account: string) {
  const c = readClaims(dir).claims[account]!;
  return { ...c, amount: BigInt(c.amount), reputation: BigInt(c.reputation) };
}

describe("tasks: claim", function () {
  it("claims every unclaimed epoch of an account with ONE claimMany, in epoch order", async function () {
    const { pool, token, others, dirs } = await networkHelpers.loadFixture(threeClaimable);
    const account = everyEpochMember(
      dirs,
      others.map((s) => s.address),
    );
    const signer = others.find((s) => s.address === account)!;
    const before = await token.balanceOf(account);
    const nonce = await ethers.provider.getTransactionCount(account);

    const result = await claimRewards(pool.connect(signer) as EpochRewards, account, [...dirs].reverse());
    expect(result.status).to.equal("done");
    if (result.status !== "done") return;

    expect(await ethers.provider.getTransactionCount(account)).to.equal(nonce + 1);
    const tx = await ethers.provider.getTransaction(result.txHash);
    const call = pool.interface.parseTransaction({ data: tx!.data })!;
    expect(call.name).to.equal("claimMany");
    const sent = call.args[0] as { epoch: bigint; index: bigint; account: string; amount: bigint }[];
    expect(sent.map((c) => c.epoch)).to.deep.equal([1n, 2n, 3n]);
    dirs.forEach((dir, i) => {
      const l = leaf(dir, account);
      expect(sent[i]!.index).to.equal(BigInt(l.index));
      expect(sent[i]!.amount).to.equal(l.amount);
      expect(sent[i]!.account).to.equal(account);
    });

    const expected = dirs.reduce((s, d) => s + leaf(d, account).amount, 0n);
    expect(result.paid).to.equal(expected);
    expect((await token.balanceOf(account)) - before).to.equal(expected);
    expect(await pool.reputationOf(account)).to.equal(leaf(dirs[2]!, account).reputation);
    expect(await pool.lastSyncedEpoch(account)).to.equal(3n);
    expect(result.plan.reputation).to.deep.equal({ epoch: 3, value: leaf(dirs[2]!, account).reputation });
    expect(result.score).to.equal(leaf(dirs[2]!, account).reputation);
    for (const epoch of [1, 2, 3]) expect(await pool.isClaimed(epoch, account)).to.equal(true);
  });

  it("skips epochs already claimed and claims only the rest", async function () {
    const { pool, others, dirs } = await networkHelpers.loadFixture(threeClaimable);
    const account = everyEpochMember(
      dirs,
      others.map((s) => s.address),
    );
    const asAccount = pool.connect(others.find((s) => s.address === account)!) as EpochRewards;
    await claimRewards(asAccount, account, [dirs[1]!]);

    const plan = await planClaims(asAccount, account, dirs);
    expect(plan.claims.map((c) => c.epoch)).to.deep.equal([1, 3]);
    expect(plan.skipped).to.deep.equal([{ epoch: 2, reason: "already claimed" }]);
    expect(plan.amount).to.equal(leaf(dirs[0]!, account).amount + leaf(dirs[2]!, account).amount);
    expect(plan.reputation).to.deep.equal({ epoch: 3, value: leaf(dirs[2]!, account).reputation });
  });

  it("claims an epoch older than the newest claimed one for its tokens only: the score stays", async function () {
    const { pool, token, others, dirs } = await networkHelpers.loadFixture(threeClaimable);
    const account = everyEpochMember(
      dirs,
      others.map((s) => s.address),
    );
    const asAccount = pool.connect(others.find((s) => s.address === account)!) as EpochRewards;
    await claimRewards(asAccount, account, [dirs[2]!]);
    const score = await pool.getVotes(account);
    expect(score).to.equal(leaf(dirs[2]!, account).reputation);
    const before = await token.balanceOf(account);
    const lines: string[] = [];
    const older = await claimRewards(asAccount, account, [dirs[0]!], (l) => lines.push(l));
    expect(older.status).to.equal("done");
    expect(older.plan.reputation).to.equal(undefined);
    expect(older.plan.tokensOnly).to.equal("epoch 1 is not newer than its last claimed epoch 3: the score stays");
    expect(lines.join("\n")).to.match(
      /claimed epoch 1 for 0x[0-9a-fA-F]{40} in one claimMany: \d+ paid \(tokens only: .*\), score now \d+/,
    );
    expect((await token.balanceOf(account)) - before).to.equal(leaf(dirs[0]!, account).amount);
    expect(await pool.getVotes(account)).to.equal(score);
    expect(await pool.isClaimed(1, account)).to.equal(true);
    expect(await pool.isClaimed(2, account)).to.equal(false);
  });

  it("skips the epochs without a leaf for an idle account, whose score then decays to the pipeline's figure", async function () {
    const { pool, guardian, dirs } = await networkHelpers.loadFixture(threeClaimable);
    const account = guardian.address;
    expect(dirs.map((d) => readClaims(d).claims[account] !== undefined)).to.deep.equal([true, false, false]);
    const nonce = await ethers.provider.getTransactionCount(account);
    const result = await claimRewards(pool.connect(guardian) as EpochRewards, account, dirs);
    expect(result.status).to.equal("done");
    expect(result.plan.claims.map((c) => c.epoch)).to.deep.equal([1]);
    expect(result.plan.skipped).to.deep.equal([
      { epoch: 2, reason: `no leaf for ${account}` },
      { epoch: 3, reason: `no leaf for ${account}` },
    ]);
    // Epochs 2 and 3 are already final: the epoch-1 leaf is decayed twice, as the pipeline did without a leaf.
    const epoch1 = leaf(dirs[0]!, account).reputation;
    const expected = readReputationCsv(dirs[2]!).get(account.toLowerCase());
    expect(await pool.getVotes(account)).to.equal(decay(epoch1, 2, 1000));
    expect(await pool.getVotes(account)).to.equal(expected);
    expect(await pool.decayed(epoch1, 2)).to.equal(expected);
    expect(await ethers.provider.getTransactionCount(account)).to.equal(nonce + 1);
  });

  it("refuses while the pool is paused, before sending", async function () {
    const { pool, guardian, others, dirs } = await networkHelpers.loadFixture(threeClaimable);
    const account = everyEpochMember(
      dirs,
      others.map((s) => s.address),
    );
    await pool.connect(guardian).pause();
    const nonce = await ethers.provider.getTransactionCount(account);
    let caught: unknown;
    try {
      await claimRewards(pool.connect(others.find((s) => s.address === account)!) as EpochRewards, account, dirs);
    } catch (error) {
      caught = error;
    }
    expect(caught).to.be.instanceOf(TaskError);
    expect((caught as Error).message).to.match(/^the pool is paused: claims are stopped until the guardian unpauses/);
    expect(await ethers.provider.getTransactionCount(account)).to.equal(nonce);
  });

  it("decodes AlreadyClaimed(epoch, account) when the same leaf is claimed twice", async function () {
    const { pool, others, dirs } = await networkHelpers.loadFixture(threeClaimable);
    const account = everyEpochMember(
      dirs,
      others.map((s) => s.address),
    );
    const l = leaf(dirs[0]!, account);
    await pool.claim(1, l.index, account, l.amount, l.reputation, l.proof);
    let caught: unknown;
    try {
      await pool.claim(1, l.index, account, l.amount, l.reputation, l.proof);
    } catch (error) {
      caught = error;
    }
    expect(describeError(caught, [pool.interface])).to.equal(
      `the contract reverted with AlreadyClaimed(epoch=1, account=${account}) — this account's leaf of this epoch was already claimed`,
    );
  });

  it("is a no-op with a message when everything is claimed, and sends nothing", async function () {
    const { pool, others, dirs } = await networkHelpers.loadFixture(threeClaimable);
    const account = everyEpochMember(
      dirs,
      others.map((s) => s.address),
    );
    const asAccount = pool.connect(others.find((s) => s.address === account)!) as EpochRewards;
    await claimRewards(asAccount, account, dirs);
    const nonce = await ethers.provider.getTransactionCount(account);
    const lines: string[] = [];
    const again = await claimRewards(asAccount, account, dirs, (l) => lines.push(l));
    expect(again.status).to.equal("noop");
    expect(lines).to.deep.equal([
      "epoch 1: skipped, already claimed",
      "epoch 2: skipped, already claimed",
      "epoch 3: skipped, already claimed",
      `nothing to claim for ${account}`,
    ]);
    expect(await ethers.provider.getTransactionCount(account)).to.equal(nonce);
  });

  it("skips an epoch still in its challenge period and one without a leaf for the account", async function () {
    const suite = await networkHelpers.loadFixture(threeClaimable);
    const { pool, others } = suite;
    // A fresh pool: epoch 1 proposed but still in its challenge period.
    const fresh = await deploySuite(connection);
    const dirs = await allocateExamples(connection, fresh.pool, 1);
    await proposeEpoch(fresh.pool.connect(fresh.proposer) as EpochRewards, dirs[0]!);
    const member = Object.keys(readClaims(dirs[0]!).claims).find((a) => others.some((s) => s.address === a))!;
    const plan = await planClaims(fresh.pool, member, dirs);
    expect(plan.claims).to.deep.equal([]);
    expect(plan.skipped[0]!.reason).to.match(/^in its challenge period, claimable from \d{4}-\d\d-\d\dT/);

    const nobody = ethers.Wallet.createRandom().address;
    const none = await planClaims(pool, nobody, suite.dirs);
    expect(none.skipped.map((s) => s.reason)).to.deep.equal(Array(3).fill(`no leaf for ${nobody}`));
  });

  it("lets anyone submit: the tokens go to the leaf's account", async function () {
    const { pool, token, others, dirs } = await networkHelpers.loadFixture(threeClaimable);
    const account = everyEpochMember(
      dirs,
      others.map((s) => s.address),
    );
    const submitter = others.find((s) => s.address !== account)!;
    const before = await token.balanceOf(account);
    const submitterBefore = await token.balanceOf(submitter.address);
    await claimRewards(pool.connect(submitter) as EpochRewards, account, [dirs[0]!]);
    expect((await token.balanceOf(account)) - before).to.equal(leaf(dirs[0]!, account).amount);
    expect(await token.balanceOf(submitter.address)).to.equal(submitterBefore);
  });

  it("refuses artifacts whose root is not the epoch's root on chain", async function () {
    const { pool, others, dirs } = await networkHelpers.loadFixture(threeClaimable);
    const account = everyEpochMember(
      dirs,
      others.map((s) => s.address),
    );
    const shard = `claims/${shardOf(account)}.json`;
    const wrong = tamperedCopy(dirs[0]!, shard, (s) => {
      s.root = "0x" + "cd".repeat(32);
    });
    let caught: unknown;
    try {
      await planClaims(pool, account, [wrong]);
    } catch (error) {
      caught = error;
    }
    expect(caught).to.be.instanceOf(TaskError);
    expect((caught as Error).message).to.match(
      /root 0xcdcd.* ≠ the root 0x[0-9a-f]{64} on chain for epoch 1: wrong artifacts directory\?/,
    );
  });

  it("finds every epoch-* directory under --artifacts-root, in epoch order", async function () {
    const { dirs } = await networkHelpers.loadFixture(threeClaimable);
    expect(artifactDirs({ artifactsRoot: dirname(dirs[0]!) }).map((d) => d)).to.deep.equal(dirs);
    expect(artifactDirs({ artifacts: [dirs[2], dirs[0]].join(",") })).to.deep.equal([dirs[0], dirs[2]]);
    expect(() => artifactDirs({ artifacts: `${dirs[0]},${dirs[0]}` })).to.throw(TaskError, /are both epoch 1/);
    expect(() => artifactDirs({})).to.throw(TaskError, /--artifacts DIR\[,DIR…\] or --artifacts-root DIR is required/);
  });
});
