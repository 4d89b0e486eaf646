// sm:pause and sm:unpause: the guardian stops and resumes claims and proposals.
import { expect } from "chai";
import { network } from "hardhat";
import pause from "../../tasks/pause.js";
import unpause from "../../tasks/unpause.js";
import { HOUR, proposedSuite } from "./fixture.js";
import { caught, testEnv } from "./env.js";

const connection = await network.create();
const { ethers, networkHelpers } = connection;

/** A loadFixture snapshot of the suite with epoch 1 proposed. */
async function proposedOne() {
  return proposedSuite(connection);
}

describe("tasks: pause and unpause (guardian)", function () {
  it("pauses from the guardian's account, naming the open epochs; pausing again is a no-op", async function () {
    const { pool, guardian } = await networkHelpers.loadFixture(proposedOne);
    const args = { pool: await pool.getAddress() };
    const run = testEnv(connection);
    const result = await pause.run(args, run.env);
    expect(result.status).to.equal("done");
    expect(await pool.paused()).to.equal(true);
    expect(run.lines).to.include(
      "the claim windows of epoch 1 stop running while paused (their expiry moves by the pause)",
    );
    expect(run.lines).to.include(`transaction       pause on the pool ${args.pool}`);
    expect(run.lines).to.include(
      `  sender          ${guardian.address}, account 2 of network ${connection.networkName}: holds GUARDIAN_ROLE`,
    );
    expect(run.lines.at(-1)).to.match(/^paused the pool \(tx 0x[0-9a-f]{64}\)$/);

    const nonce = await ethers.provider.getTransactionCount(guardian.address);
    const again = testEnv(connection);
    expect(await pause.run(args, again.env)).to.deep.equal({
      status: "noop",
      message: "the pool is already paused: nothing to do",
    });
    expect(again.lines).to.deep.equal(["the pool is already paused: nothing to do"]);
    expect(await ethers.provider.getTransactionCount(guardian.address)).to.equal(nonce);
  });

  it("unpauses and reports the moved expiry; unpausing an unpaused pool is a no-op", async function () {
    const { pool, guardian, proposed } = await networkHelpers.loadFixture(proposedOne);
    const args = { pool: await pool.getAddress() };
    expect(await unpause.run(args, testEnv(connection).env)).to.deep.equal({
      status: "noop",
      message: "the pool is not paused: nothing to do",
    });
    await networkHelpers.time.increaseTo(proposed.claimableAt);
    await pool.connect(guardian).pause();
    await networkHelpers.time.increase(HOUR);
    const run = testEnv(connection);
    const result = await unpause.run(args, run.env);
    expect(result.status).to.equal("done");
    expect(await pool.paused()).to.equal(false);
    const expiresAt = (await pool.getEpoch(1)).expiresAt;
    expect(expiresAt).to.be.greaterThan(proposed.expiresAt);
    expect(run.lines.at(-1)).to.match(
      new RegExp(
        `^unpaused the pool: epoch 1 expires at ${new Date(Number(expiresAt) * 1000).toISOString().replace(".000Z", "Z")} \\(tx 0x`,
      ),
    );
  });

  it("refuses a --from without the guardian role and a bad --pool, naming the option", async function () {
    const { pool, others } = await networkHelpers.loadFixture(proposedOne);
    const address = await pool.getAddress();
    const denied = await caught(() => pause.run({ pool: address, from: others[0]!.address }, testEnv(connection).env));
    expect(denied.message).to.equal(
      `${others[0]!.address} does not hold GUARDIAN_ROLE on ${address}: only the guardian may call pause`,
    );
    expect((await caught(() => pause.run({ pool: "0x12" }, testEnv(connection).env))).message).to.match(
      /^--pool: "0x12" is not an address/,
    );
    expect(
      (await caught(() => pause.run({ pool: address, from: "nobody" }, testEnv(connection).env))).message,
    ).to.match(/^--from: "nobody" is not an address/);
    expect(await pool.paused()).to.equal(false);
  });

  it("refuses when no account holds the guardian role, naming the key variable to set", async function () {
    const { pool, deployer, guardian } = await networkHelpers.loadFixture(proposedOne);
    await pool.connect(deployer).revokeRole(await pool.GUARDIAN_ROLE(), guardian.address);
    const address = await pool.getAddress();
    const error = await caught(() => pause.run({ pool: address }, testEnv(connection).env));
    expect(error.message).to.equal(
      `none of the senders holds GUARDIAN_ROLE on ${address} (checked 20 accounts of network ${connection.networkName}): set SM_GUARDIAN_KEY to the key of the holder, or pass --from`,
    );
  });
});
