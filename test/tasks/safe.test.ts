// `--safe FILE --safe-address ADDR` on the sending tasks: the calls are checked and estimated from the Safe's address
// and written as a Safe Transaction Builder batch instead of being sent. Each batch is read back with its schema and
// checksum and replayed on the in-process network from the Safe's address (impersonated), and must end in the same
// state as the same task sending directly from that address (its key given as a role key).
import { expect } from "chai";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { network } from "hardhat";
import { id, Interface, Wallet } from "ethers";
import claim from "../../tasks/claim.js";
import fund from "../../tasks/fund.js";
import grant from "../../tasks/grant.js";
import pause from "../../tasks/pause.js";
import propose from "../../tasks/propose.js";
import veto from "../../tasks/veto.js";
import withdraw from "../../tasks/withdraw.js";
import type { TaskAction } from "../../tasks/lib/connect.js";
import { proposeEpoch } from "../../tasks/lib/ops/propose.js";
import { roleKeyVariable, ROLES } from "../../tasks/lib/roles.js";
import type { Executed } from "../../tasks/lib/send.js";
import {
  hasValidChecksum,
  parseSafeBatch,
  readSafeBatch,
  safeBatchChecksum,
  safeBatchProblems,
  SafeBatchFileSchema,
  type SafeBatchFile,
} from "../../tasks/lib/safe.js";
import { EPOCH_REWARDS_ABI, ERC20_ABI } from "../../protocol/abi.js";
import type { EpochRewards } from "../../typechain-types/index.js";
import { allocateExamples, deploySuite } from "./fixture.js";
import { caught, testEnv } from "./env.js";

const connection = await network.create();
const { ethers, networkHelpers } = connection;
/** An in-process chain with Sepolia's chain id: a live network, where sending asks for confirmation. */
const live = await network.create({ override: { chainId: 11155111 } });

/** The multisig of the tests: an address with a key only so that the same task can also send directly from it. */
const SAFE = new Wallet(id("social-mining: the DAO's Safe in the tests"));
const TOKENS = 10n ** 18n;

/** The local suite with the Safe as the default admin, a proposer and a guardian, holding 10 000 tokens. */
async function safeSuite() {
  const suite = await deploySuite(connection);
  const { pool, token, deployer } = suite;
  await networkHelpers.setBalance(SAFE.address, 100n * TOKENS);
  await pool.connect(deployer).beginDefaultAdminTransfer(SAFE.address);
  await networkHelpers.time.increase(Number(await pool.defaultAdminDelay()) + 1);
  const asSafe = await ethers.getImpersonatedSigner(SAFE.address);
  await pool.connect(asSafe).acceptDefaultAdminTransfer();
  await pool.connect(asSafe).grantRole(await pool.PROPOSER_ROLE(), SAFE.address);
  await pool.connect(asSafe).grantRole(await pool.GUARDIAN_ROLE(), SAFE.address);
  await networkHelpers.stopImpersonatingAccount(SAFE.address);
  await token.connect(deployer).transfer(SAFE.address, 10_000n * TOKENS);
  const dirs = await allocateExamples(connection, pool, 1);
  return { ...suite, dirs };
}

/** The same, with epoch 1 proposed by the proposer (account 1): in its challenge period. */
async function safeSuiteProposed() {
  const suite = await safeSuite();
  const proposed = await proposeEpoch(suite.pool.connect(suite.proposer) as EpochRewards, suite.dirs[0]!);
  if (proposed.status !== "done") throw new Error("epoch 1 not proposed");
  return suite;
}

/** The same, with epoch 1 claimable. */
async function safeSuiteClaimable() {
  const suite = await safeSuiteProposed();
  await networkHelpers.time.increaseTo((await suite.pool.getEpoch(1)).claimableAt);
  return suite;
}

type Suite = Awaited<ReturnType<typeof safeSuite>>;

/** What the comparison looks at: the pool's figures and epochs, every role of the accounts involved, token balances. */
async function poolState(suite: Suite) {
  const { pool, token, deployer, proposer, guardian, others } = suite;
  const accounts = [SAFE.address, deployer.address, proposer.address, guardian.address, others[0]!.address];
  const roles: Record<string, boolean> = {};
  for (const role of ROLES) {
    const roleHash = String(await pool.getFunction(role).staticCall());
    for (const account of accounts) roles[`${role} ${account}`] = await pool.hasRole(roleHash, account);
  }
  const latest = Number(await pool.latestEpoch());
  const epochs = [];
  for (let epoch = 1; epoch <= latest + 1; epoch++) epochs.push((await pool.getEpoch(epoch)).toString());
  const poolAddress = await pool.getAddress();
  return {
    latest,
    epochs,
    available: await pool.available(),
    outstanding: await pool.outstanding(),
    paused: await pool.paused(),
    admin: await pool.defaultAdmin(),
    roles,
    balances: await Promise.all([poolAddress, ...accounts].map(async (a) => (await token.balanceOf(a)).toString())),
    allowance: await token.allowance(SAFE.address, poolAddress),
  };
}

/** Sends each call of the batch from the Safe's address (impersonated), in order. */
async function replay(batch: SafeBatchFile): Promise<void> {
  const signer = await ethers.getImpersonatedSigner(batch.meta.createdFromSafeAddress!);
  for (const tx of batch.transactions) {
    const receipt = await (await signer.sendTransaction({ to: tx.to, data: tx.data!, value: BigInt(tx.value) })).wait();
    expect(receipt?.status).to.equal(1);
  }
  await networkHelpers.stopImpersonatingAccount(batch.meta.createdFromSafeAddress!);
}

const tempFile = (name: string) => join(mkdtempSync(join(tmpdir(), "sm-safe-")), name);

/**
 * Runs `task` twice from the same fixture: once with `--safe FILE --safe-address SAFE`, replaying the batch from the
 * Safe, and once sending directly from the Safe's address (`--from`, its key as a role key). Both must end in the
 * same state. Returns the batch, what the Safe run printed, and the state after the direct run.
 */
async function sameStateBothWays<ArgsT extends object>(
  fixture: () => Promise<Suite>,
  task: TaskAction<ArgsT, Executed<unknown>>,
  args: ArgsT,
) {
  const suite = await networkHelpers.loadFixture(fixture);
  const address = await suite.pool.getAddress();
  const at = (await networkHelpers.time.latest()) + 100;

  const file = tempFile("batch.json");
  const run = testEnv(connection);
  const nonce = await ethers.provider.getTransactionCount(SAFE.address);
  const written = await task.run({ ...args, pool: address, safe: file, safeAddress: SAFE.address }, run.env);
  expect(written.status).to.equal("safe-batch");
  expect(await ethers.provider.getTransactionCount(SAFE.address), "nothing sent").to.equal(nonce);
  const batch = readSafeBatch(file);
  expect(JSON.parse(readFileSync(file, "utf8"))).to.deep.equal(batch);
  await networkHelpers.time.setNextBlockTimestamp(at);
  await replay(batch);
  const viaSafe = await poolState(suite);

  const direct = await networkHelpers.loadFixture(fixture);
  const variables = { [roleKeyVariable("DEFAULT_ADMIN_ROLE")]: SAFE.privateKey };
  await networkHelpers.time.setNextBlockTimestamp(at);
  const sent = await task.run({ ...args, pool: address, from: SAFE.address }, testEnv(connection, { variables }).env);
  expect(sent.status).to.equal("done");
  const directly = await poolState(direct);
  expect(viaSafe).to.deep.equal(directly);
  return { batch, lines: run.lines, state: directly, suite: direct };
}

describe("tasks: --safe writes a Safe Transaction Builder batch instead of sending", function () {
  it("propose: one proposeEpoch, checked from the Safe (PROPOSER_ROLE), replayed to the same epoch as a direct proposal", async function () {
    const { dirs } = await networkHelpers.loadFixture(safeSuite);
    const { batch, lines, state } = await sameStateBothWays(safeSuite, propose, {
      artifacts: dirs[0]!,
      uri: "ipfs://bafy-epoch-1",
    });
    expect(state.latest).to.equal(1);
    expect(batch.version).to.equal("1.0");
    expect(batch.chainId).to.equal("31337");
    expect(batch.meta.createdFromSafeAddress).to.equal(SAFE.address);
    expect(batch.meta.name).to.equal("Social Mining: proposeEpoch");
    expect(batch.transactions).to.have.length(1);
    const [tx] = batch.transactions;
    expect(tx!.contractMethod!.name).to.equal("proposeEpoch");
    expect(tx!.contractInputsValues!.epoch).to.equal("1");
    expect(tx!.contractInputsValues!.uri).to.equal("ipfs://bafy-epoch-1");
    expect(lines).to.include(`  sender          ${SAFE.address}, the Safe (--safe-address): holds PROPOSER_ROLE`);
    expect(lines.find((l) => l.startsWith("executed by"))).to.match(/the Safe 0x[0-9a-fA-F]{40} on network/);
    expect(lines.find((l) => l.startsWith("  gas"))).to.match(/^ {2}gas {13}\d+ × /);
    expect(lines).to.include(
      `note: no contract at --safe-address ${SAFE.address} on network ${connection.networkName}: check that it is the Safe's address`,
    );
  });

  it("veto: one vetoEpoch from the guardian Safe ends in the same state as a direct veto", async function () {
    const { state, batch } = await sameStateBothWays(safeSuiteProposed, veto, {
      epoch: "1",
      reason: "duplicate votes",
    });
    expect(state.latest).to.equal(0);
    expect(batch.transactions[0]!.contractInputsValues).to.deep.equal({ epoch: "1", reason: "duplicate votes" });
  });

  it("pause: the guardian Safe's batch pauses the pool as a direct pause does", async function () {
    const { state } = await sameStateBothWays(safeSuite, pause, {});
    expect(state.paused).to.equal(true);
  });

  it("grant: the admin Safe's grantRole gives the role as a direct grant does", async function () {
    const { others } = await networkHelpers.loadFixture(safeSuite);
    const { state, batch } = await sameStateBothWays(safeSuite, grant, {
      role: "recovery",
      account: others[0]!.address,
    });
    expect(state.roles[`RECOVERY_ROLE ${others[0]!.address}`]).to.equal(true);
    const method = batch.transactions[0]!.contractMethod!;
    expect(method.inputs.map((i) => [i.name, i.type, i.internalType])).to.deep.equal([
      ["role", "bytes32", "bytes32"],
      ["account", "address", "address"],
    ]);
  });

  it("fund: approve and fund in ONE batch, the fund estimated after the approve; the pool credits the same", async function () {
    const before = await networkHelpers.loadFixture(safeSuite);
    const available = await before.pool.available();
    const { state, batch, lines, suite } = await sameStateBothWays(safeSuite, fund, { amount: "1000tokens" });
    expect(state.available).to.equal(available + 1000n * TOKENS);
    expect(batch.transactions.map((t) => t.contractMethod!.name)).to.deep.equal(["approve", "fund"]);
    expect(batch.transactions[0]!.to).to.equal(await suite.token.getAddress());
    expect(batch.transactions[1]!.to).to.equal(await suite.pool.getAddress());
    expect(batch.meta.name).to.equal("Social Mining: approve + fund");
    expect(lines).to.include("transaction 1/2   approve on the token " + (await suite.token.getAddress()));
    expect(lines.find((l) => l.includes("not estimated: in the batch it runs after the previous call"))).to.be.a(
      "string",
    );
  });

  it("withdraw: the admin Safe's withdraw pays the recipient as a direct withdraw does", async function () {
    const { others } = await networkHelpers.loadFixture(safeSuite);
    const { state, batch } = await sameStateBothWays(safeSuite, withdraw, {
      to: others[0]!.address,
      amount: "500tokens",
    });
    expect(state.balances[5]).to.equal((500n * TOKENS).toString());
    expect(batch.transactions[0]!.contractInputsValues).to.deep.equal({
      to: others[0]!.address,
      amount: (500n * TOKENS).toString(),
    });
  });

  it("claim: a claimMany of struct tuples, written as JSON values, pays the account as a direct claim does", async function () {
    const { dirs, token } = await networkHelpers.loadFixture(safeSuiteClaimable);
    const claims = JSON.parse(readFileSync(join(dirs[0]!, "claims.json"), "utf8")).claims as Record<
      string,
      { amount: string }
    >;
    const [account, leaf] = Object.entries(claims)[0]!;
    const { batch, suite } = await sameStateBothWays(safeSuiteClaimable, claim, { artifacts: dirs[0]!, account });
    expect(await token.attach(await suite.token.getAddress()).getFunction("balanceOf")(account)).to.equal(
      BigInt(leaf.amount),
    );
    const [tx] = batch.transactions;
    expect(tx!.contractMethod!.inputs[0]!.internalType).to.equal("struct IEpochRewards.Claim[]");
    expect(tx!.contractMethod!.inputs[0]!.components!.map((c) => c.name)).to.deep.equal([
      "epoch",
      "index",
      "account",
      "amount",
      "reputation",
      "proof",
    ]);
    const [item] = JSON.parse(tx!.contractInputsValues!.claims!) as unknown[][];
    expect(item!.slice(0, 4)).to.deep.equal(["1", item![1], account, leaf.amount]);
  });

  it("checks the role from the Safe's address and writes nothing when it lacks it, when a dry run, or when nothing is to do", async function () {
    const { pool, others } = await networkHelpers.loadFixture(safeSuite);
    const address = await pool.getAddress();
    const stranger = others[1]!.address;
    const file = tempFile("denied.json");
    const denied = await caught(() =>
      pause.run({ pool: address, safe: file, safeAddress: stranger }, testEnv(connection).env),
    );
    expect(denied.message).to.equal(
      `${stranger} does not hold GUARDIAN_ROLE on ${address}: only the guardian may call pause`,
    );
    expect(existsSync(file)).to.equal(false);

    const dry = testEnv(connection);
    const result = await pause.run({ pool: address, safe: file, safeAddress: SAFE.address, dryRun: true }, dry.env);
    expect(result.status).to.equal("dry-run");
    expect(dry.lines.at(-1)).to.equal(`dry run: nothing was sent and ${file} was not written`);
    expect(existsSync(file)).to.equal(false);

    await (
      await ethers.getImpersonatedSigner(SAFE.address)
    ).sendTransaction({
      to: address,
      data: pool.interface.encodeFunctionData("pause"),
    });
    const again = testEnv(connection);
    expect(await pause.run({ pool: address, safe: file, safeAddress: SAFE.address }, again.env)).to.deep.equal({
      status: "noop",
      message: "the pool is already paused: nothing to do",
    });
    expect(existsSync(file)).to.equal(false);
  });

  it("validates --safe and --safe-address before connecting, and never overwrites a file", async function () {
    const { pool } = await networkHelpers.loadFixture(safeSuite);
    const address = await pool.getAddress();
    const env = testEnv(connection).env;
    expect((await caught(() => pause.run({ pool: address, safe: tempFile("x.json") }, env))).message).to.match(
      /^--safe FILE needs --safe-address ADDR: the Safe that executes the batch/,
    );
    expect((await caught(() => pause.run({ pool: address, safeAddress: SAFE.address }, env))).message).to.equal(
      "--safe-address is given without --safe FILE, the batch file to write",
    );
    expect(
      (await caught(() => pause.run({ pool: address, safe: tempFile("x.json"), safeAddress: "0x12" }, env))).message,
    ).to.match(/^--safe-address: "0x12" is not an address/);
    expect(
      (
        await caught(() =>
          pause.run({ pool: address, safe: tempFile("x.json"), safeAddress: SAFE.address, from: SAFE.address }, env),
        )
      ).message,
    ).to.equal("--from and --safe: with --safe the sender is the Safe, --safe-address; leave out --from");
    const taken = tempFile("taken.json");
    writeFileSync(taken, "keep me");
    expect(
      (await caught(() => pause.run({ pool: address, safe: taken, safeAddress: SAFE.address }, env))).message,
    ).to.equal(`--safe ${taken} already exists: not overwritten (choose another file)`);
    expect(readFileSync(taken, "utf8")).to.equal("keep me");
  });

  it("on a live network writes the batch without asking: nothing is sent", async function () {
    const suite = await deploySuite(live);
    const { pool, guardian } = suite;
    const file = tempFile("live.json");
    const run = testEnv(live, {
      prompt: async () => {
        throw new Error("asked for a confirmation");
      },
    });
    const result = await pause.run(
      { pool: await pool.getAddress(), safe: file, safeAddress: guardian.address },
      run.env,
    );
    expect(result.status).to.equal("safe-batch");
    expect(await pool.paused()).to.equal(false);
    const batch = readSafeBatch(file);
    expect(batch.chainId).to.equal("11155111");
    expect(batch.meta.createdFromSafeAddress).to.equal(guardian.address);
    expect(run.lines.at(-1)).to.match(/^nothing was sent: in Safe\{Wallet\}, open Apps → Transaction Builder/);
  });
});

describe("tasks: the Safe batch format", function () {
  /** The Transaction Builder's own example batch and the checksum it computes for it (its checksum test). */
  const builderExample = {
    version: "1.0",
    chainId: "4",
    createdAt: 1646321521061,
    meta: {
      name: "test batch file",
      txBuilderVersion: "1.4.0",
      checksum: "",
      createdFromSafeAddress: "0xDF8a1Ce35c9a6ACE153B4e0767942f1E2291a1Aa",
      createdFromOwnerAddress: "0x49d4450977E2c95362C13D3a31a09311E0Ea26A6",
    },
    transactions: [
      {
        to: "0x49d4450977E2c95362C13D3a31a09311E0Ea26A6",
        value: "0",
        contractMethod: {
          inputs: [{ internalType: "address", name: "paramAddress", type: "address" }],
          name: "testAddress",
          payable: false,
        },
        contractInputsValues: { paramAddress: "0x49d4450977E2c95362C13D3a31a09311E0Ea26A6" },
      },
      {
        to: "0x49d4450977E2c95362C13D3a31a09311E0Ea26A6",
        value: "0",
        contractMethod: {
          inputs: [{ internalType: "bool", name: "paramBool", type: "bool" }],
          name: "testBool",
          payable: false,
        },
        contractInputsValues: { paramAddress: "", paramBool: "false" },
      },
      {
        to: "0x49d4450977E2c95362C13D3a31a09311E0Ea26A6",
        value: "2000000000000000000",
        data: "0x42f4579000000000000000000000000049d4450977e2c95362c13d3a31a09311e0ea26a6",
      },
    ],
  };

  it("computes the Transaction Builder's checksum (its own test vector), whatever the key order", function () {
    expect(safeBatchChecksum(builderExample)).to.equal(
      "0x4ecbfd364aa6759983915644e73f8bd411e85a2dc306f252a387c2728c4db64c",
    );
    const reversed = Object.fromEntries(Object.entries(builderExample).reverse());
    expect(safeBatchChecksum(reversed)).to.equal(safeBatchChecksum(builderExample));
    expect(
      SafeBatchFileSchema.safeParse({ ...builderExample, meta: { ...builderExample.meta, checksum: undefined } })
        .success,
    ).to.equal(true);
  });

  it("refuses a file that is not a batch, and finds a changed call", async function () {
    expect(() => parseSafeBatch({ ...builderExample, chainId: 4 }, "x.json")).to.throw(
      /^x\.json: not a Safe Transaction Builder batch: chainId: /,
    );
    expect(() => parseSafeBatch({ ...builderExample, transactions: [] }, "x.json")).to.throw(
      /transactions: a batch needs at least one transaction/,
    );

    // A batch the tasks wrote, with one argument changed by hand: its checksum and its data no longer agree.
    const { pool } = await networkHelpers.loadFixture(safeSuite);
    const file = tempFile("pause.json");
    await pause.run({ pool: await pool.getAddress(), safe: file, safeAddress: SAFE.address }, testEnv(connection).env);
    const batch = readSafeBatch(file);
    expect(hasValidChecksum(batch)).to.equal(true);
    const pool2 = new Interface(EPOCH_REWARDS_ABI);
    expect(pool2.parseTransaction({ data: batch.transactions[0]!.data! })!.name).to.equal("pause");
    const edited: SafeBatchFile = {
      ...batch,
      transactions: [{ ...batch.transactions[0]!, data: new Interface(ERC20_ABI).encodeFunctionData("decimals") }],
    };
    expect(safeBatchProblems(edited)).to.deep.equal([
      "meta.checksum is not the Transaction Builder's checksum of the file",
      "transactions.0: contractMethod pause with contractInputsValues does not encode to data",
    ]);
  });
});
