// sm:recover (the recovery role moves a lost wallet's soul) and what sm:reputation then says of both addresses.
import { expect } from "chai";
import { network } from "hardhat";
import { Wallet } from "ethers";
import recover from "../../tasks/recover.js";
import reputation from "../../tasks/reputation.js";
import { readClaims } from "../../scripts/lib/index.js";
import { claimRewards } from "../../tasks/lib/ops/claim.js";
import { proposeEpoch } from "../../tasks/lib/ops/propose.js";
import type { EpochRewards } from "../../typechain-types/index.js";
import { allocateExamples, deploySuite } from "./fixture.js";
import { caught, testEnv } from "./env.js";

const connection = await network.create();
const { networkHelpers } = connection;

/** Epoch 1 proposed and claimed by one member, who then holds a soul. */
async function claimedOne() {
  const suite = await deploySuite(connection);
  const dirs = await allocateExamples(connection, suite.pool, 1);
  const proposed = await proposeEpoch(suite.pool.connect(suite.proposer) as EpochRewards, dirs[0]!);
  if (proposed.status !== "done") throw new Error("not proposed");
  await networkHelpers.time.increaseTo(proposed.claimableAt);
  const claims = readClaims(dirs[0]!).claims;
  const member = suite.others.find((s) => BigInt(claims[s.address]?.amount ?? "0") > 0n)!;
  await claimRewards(suite.pool.connect(member) as EpochRewards, member.address, dirs);
  return { ...suite, dirs, member };
}

describe("tasks: recover (recovery role) and reputation", function () {
  it("moves a soul with its score from the recovery account; again is a no-op; sm:reputation shows both sides", async function () {
    const { pool, recovery, member } = await networkHelpers.loadFixture(claimedOne);
    const address = await pool.getAddress();
    const fresh = Wallet.createRandom().address;
    const score = await pool.getVotes(member.address);
    expect(score).to.be.greaterThan(0n);

    const run = testEnv(connection);
    const result = await recover.run({ pool: address, lost: member.address, to: fresh }, run.env);
    expect(result.status).to.equal("done");
    expect(run.lines).to.include(`  from            ${member.address}`);
    expect(run.lines).to.include(`  to              ${fresh}`);
    expect(run.lines).to.include(
      `  sender          ${recovery.address}, account 3 of network ${connection.networkName}: holds RECOVERY_ROLE`,
    );
    expect(run.lines.at(-1)).to.match(
      new RegExp(`^recovered the soul of ${member.address} to ${fresh}: score ${score}, barrier epoch 1 \\(tx 0x`),
    );
    expect(await pool.getVotes(fresh)).to.equal(score);
    expect(await pool.getVotes(member.address)).to.equal(0n);

    expect(
      await recover.run({ pool: address, lost: member.address, to: fresh }, testEnv(connection).env),
    ).to.deep.equal({
      status: "noop",
      message: `the soul of ${member.address} was already recovered to ${fresh}: nothing to do`,
    });
    const elsewhere = Wallet.createRandom().address;
    expect(
      (await caught(() => recover.run({ pool: address, lost: member.address, to: elsewhere }, testEnv(connection).env)))
        .message,
    ).to.equal(`the soul of ${member.address} was already recovered away to ${fresh}: ${member.address} holds no soul`);

    // sm:reputation never offers a first-claim mint to an address whose soul was recovered away.
    const lost = testEnv(connection);
    await reputation.run({ pool: address, account: member.address }, lost.env);
    const text = lost.lines.join("\n");
    expect(text).not.to.include("minted by the first claim");
    expect(lost.lines.find((l) => l.startsWith("soul"))).to.match(
      new RegExp(
        `^soul {16}none: recovered away to ${fresh} \\(tx 0x[0-9a-f]{64}\\); this address can never hold a soul again$`,
      ),
    );
    const found = testEnv(connection);
    await reputation.run({ pool: address, account: fresh }, found.env);
    expect(found.lines).to.include(`soul                ${BigInt(fresh)}`);
    expect(found.lines).to.include(`score now           ${score} (votes; delegate ${fresh})`);
    const never = Wallet.createRandom().address;
    const untouched = testEnv(connection);
    await reputation.run({ pool: address, account: never }, untouched.env);
    expect(untouched.lines).to.include("soul                none (minted by the first claim)");
  });

  it("refuses a lost wallet without a soul, the same address twice, a sender without the recovery role, a missing option", async function () {
    const { pool, member, others } = await networkHelpers.loadFixture(claimedOne);
    const address = await pool.getAddress();
    const fresh = Wallet.createRandom().address;
    const nobody = Wallet.createRandom().address;
    const env = () => testEnv(connection).env;
    expect((await caught(() => recover.run({ pool: address, lost: nobody, to: fresh }, env()))).message).to.equal(
      `${nobody} never claimed: it holds no soul to recover`,
    );
    expect(
      (await caught(() => recover.run({ pool: address, lost: member.address, to: member.address }, env()))).message,
    ).to.equal("--lost and --to are the same address");
    const denied = await caught(() =>
      recover.run({ pool: address, lost: member.address, to: fresh, from: others[0]!.address }, env()),
    );
    expect(denied.message).to.equal(
      `${others[0]!.address} does not hold RECOVERY_ROLE on ${address}: only the recovery role may do this`,
    );
    expect((await caught(() => recover.run({ pool: address, to: fresh }, env()))).message).to.equal(
      "--lost is required (an 0x address)",
    );
  });

  it("refuses a target that has claimed before", async function () {
    const { pool, member, dirs, others } = await networkHelpers.loadFixture(claimedOne);
    const address = await pool.getAddress();
    const claims = readClaims(dirs[0]!).claims;
    const second = others.find((s) => s.address !== member.address && BigInt(claims[s.address]?.amount ?? "0") > 0n)!;
    await claimRewards(pool.connect(second) as EpochRewards, second.address, dirs);
    const error = await caught(() =>
      recover.run({ pool: address, lost: member.address, to: second.address }, testEnv(connection).env),
    );
    expect(error.message).to.equal(
      `${second.address} has claimed before or holds a soul: a recovered soul can only go to an address that never claimed`,
    );
  });
});
