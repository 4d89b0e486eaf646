// sm:mint: the local mock token mints test tokens, on a development chain only.
import { expect } from "chai";
import { network } from "hardhat";
import { Wallet } from "ethers";
import mint from "../../tasks/mint.js";
import { deploySuite } from "./fixture.js";
import { caught, testEnv } from "./env.js";

const connection = await network.create();
const { ethers, networkHelpers } = connection;
const live = await network.create({ override: { chainId: 11155111 } });

async function suite() {
  return await deploySuite(connection, 0n);
}

describe("tasks: mint (local mock token)", function () {
  it("mints tokens or units to --to, or to the sender", async function () {
    const { pool, token, deployer } = await networkHelpers.loadFixture(suite);
    const address = await pool.getAddress();
    const alice = Wallet.createRandom().address;
    const run = testEnv(connection);
    const result = await mint.run({ pool: address, to: alice, amount: "2.25tokens" }, run.env);
    expect(result.status).to.equal("done");
    expect(await token.balanceOf(alice)).to.equal(2_250_000_000_000_000_000n);
    expect(run.lines).to.include(`transaction       mint on the mock token ${await token.getAddress()}`);
    expect(run.lines).to.include("  amount          2250000000000000000 (2.25 SMT)");
    expect(run.lines.find((l) => l.startsWith("  sender"))).to.equal(
      `  sender          ${deployer.address}, account 0 of network ${connection.networkName}: no role needed: the mock token mints to anyone`,
    );
    expect(run.lines.at(-1)).to.match(
      new RegExp(`^minted 2250000000000000000 \\(2\\.25 SMT\\) to ${alice}: balance now`),
    );

    const before = await token.balanceOf(deployer.address);
    await mint.run({ pool: address, amount: "1000" }, testEnv(connection).env);
    expect(await token.balanceOf(deployer.address)).to.equal(before + 1000n);
  });

  it("refuses any chain but a local one, before picking a sender", async function () {
    const { pool } = await deploySuite(live, 0n);
    const address = await pool.getAddress();
    const error = await caught(() => mint.run({ pool: address, amount: "1tokens", yes: true }, testEnv(live).env));
    expect(error.message).to.equal(
      `sm:mint runs only on a local development chain (chain id 31337 or 1337): network ${live.networkName} is chain 11155111`,
    );
  });

  it("validates its options, naming them", async function () {
    const { pool } = await networkHelpers.loadFixture(suite);
    const address = await pool.getAddress();
    expect((await caught(() => mint.run({ pool: address }, testEnv(connection).env))).message).to.match(
      /^--amount is required: token units/,
    );
    expect(
      (await caught(() => mint.run({ pool: address, amount: "5", to: "0xabc" }, testEnv(connection).env))).message,
    ).to.match(/^--to: "0xabc" is not an address/);
    expect(await ethers.provider.getCode(address)).to.not.equal("0x");
  });
});
