// The send pipeline every sending task goes through (tasks/lib/send.ts): describe → estimate → confirm → send →
// mined, the dry run, the confirmation on a live network (injected prompt, refusal without a terminal), amounts in
// tokens, and the role keys (SM_<ROLE>_KEY) as senders.
import { expect } from "chai";
import { PassThrough } from "node:stream";
import hre, { network } from "hardhat";
import { Wallet } from "ethers";
import fund from "../../tasks/fund.js";
import pause from "../../tasks/pause.js";
import veto from "../../tasks/veto.js";
import { readConfigVariable, runTask } from "../../tasks/lib/connect.js";
import { describeError, TaskError } from "../../tasks/lib/errors.js";
import { amountInUnits, parseAmountOption, parseDurationOption } from "../../tasks/lib/options.js";
import { prepareVeto } from "../../tasks/lib/ops/veto.js";
import { proposeEpoch } from "../../tasks/lib/ops/propose.js";
import { roleKeyVariable } from "../../tasks/lib/roles.js";
import { confirmation, execute, terminalPrompt, type SendPlan } from "../../tasks/lib/send.js";
import type { EpochRewards } from "../../typechain-types/index.js";
import { allocateExamples, deploySuite, FUNDING } from "./fixture.js";
import { caught, testEnv } from "./env.js";

const connection = await network.create();
const { ethers, networkHelpers } = connection;
/** An in-process chain with Sepolia's chain id: a live network for the tasks. */
const live = await network.create({ override: { chainId: 11155111 } });

async function proposedOne() {
  const suite = await deploySuite(connection);
  const dirs = await allocateExamples(connection, suite.pool, 1);
  const proposed = await proposeEpoch(suite.pool.connect(suite.proposer) as EpochRewards, dirs[0]!);
  if (proposed.status !== "done") throw new Error("not proposed");
  return { ...suite, dirs };
}

async function liveSuite() {
  return await deploySuite(live);
}

describe("tasks: the send pipeline", function () {
  it("describes the decoded call, the sender and its role, the gas and its cost, and sends nothing in a dry run", async function () {
    const { pool, guardian } = await networkHelpers.loadFixture(proposedOne);
    const nonce = await ethers.provider.getTransactionCount(guardian.address);
    const lines: string[] = [];
    const planned = await prepareVeto(pool.connect(guardian) as EpochRewards, 1, "duplicate votes");
    const result = await execute(planned, { log: (l) => lines.push(l), dryRun: true, network: "hardhat" });
    if (result.status !== "dry-run") throw new Error(`expected a dry run, got ${result.status}`);
    const [call] = result.calls;
    expect(call).to.include({ method: "vetoEpoch", sender: guardian.address, standing: "holds GUARDIAN_ROLE" });
    expect(call!.args).to.deep.equal({ epoch: 1n, reason: "duplicate votes" });
    expect(call!.gas).to.be.greaterThan(20_000n);
    expect(call!.feePerGas).to.be.greaterThan(0n);
    expect(call!.cost).to.equal(call!.gas! * call!.feePerGas);
    expect(lines).to.include(`transaction       vetoEpoch on the pool ${await pool.getAddress()}`);
    expect(lines).to.include("  epoch           1");
    expect(lines).to.include('  reason          "duplicate votes"');
    expect(lines).to.include(`  sender          ${guardian.address}: holds GUARDIAN_ROLE`);
    expect(lines.find((l) => l.startsWith("  gas"))).to.match(
      new RegExp(`^  gas {13}${call!.gas} × [0-9.]+ gwei \\(max fee per gas\\) ≈ [0-9.]+ ETH$`),
    );
    expect(lines.find((l) => l.startsWith("sender balance"))).to.match(
      /^sender balance {4}[0-9.]+ ETH on network hardhat \(chain 31337\)$/,
    );
    expect(lines.at(-1)).to.equal("dry run: nothing was sent");
    expect(result.lines[0]).to.match(/^vetoing epoch 1 \(root 0x[0-9a-f]{64}/);
    expect(await ethers.provider.getTransactionCount(guardian.address)).to.equal(nonce);
    expect(await pool.latestEpoch()).to.equal(1n);
  });

  it("asks the injected prompt with everything it printed; declining sends nothing, accepting sends and waits for the receipt", async function () {
    const { pool, guardian } = await networkHelpers.loadFixture(proposedOne);
    const asGuardian = pool.connect(guardian) as EpochRewards;
    let shown: string[] = [];
    let question = "";
    const declined = await execute(await prepareVeto(asGuardian, 1, "late"), {
      confirm: async (lines, q) => {
        shown = lines;
        question = q;
        return false;
      },
    });
    expect(declined).to.deep.equal({ status: "cancelled" });
    expect(shown.join("\n")).to.include("vetoEpoch on the pool").and.include("holds GUARDIAN_ROLE");
    expect(question).to.equal("Send this transaction on chain 31337? [y/N] ");
    expect(await pool.latestEpoch()).to.equal(1n);

    const lines: string[] = [];
    const sent = await execute(await prepareVeto(asGuardian, 1, "late"), {
      log: (l) => lines.push(l),
      confirm: async () => true,
    });
    expect(sent.status).to.equal("done");
    expect(await pool.latestEpoch()).to.equal(0n);
    expect(lines.find((l) => l.startsWith("sent vetoEpoch: tx 0x"))).to.be.a("string");
    expect(lines.find((l) => l.startsWith("mined vetoEpoch in block "))).to.match(/gas used \d+, paid [0-9.]+ ETH$/);
    expect(lines.at(-1)).to.match(/^vetoed epoch 1 .* \(tx 0x[0-9a-f]{64}\)$/);
  });

  it("refuses a call that would revert at its estimate, decoding the error, before sending", async function () {
    const { pool, deployer } = await networkHelpers.loadFixture(proposedOne);
    const asAdmin = pool.connect(deployer) as EpochRewards;
    const available = await pool.available();
    const plan: SendPlan<object> = {
      context: [],
      calls: [
        {
          contract: asAdmin,
          label: "the pool",
          method: "withdraw",
          args: [deployer.address, available + 1n],
          authority: { role: "DEFAULT_ADMIN_ROLE", pool: asAdmin },
        },
      ],
      finish: () => ({}),
    };
    const nonce = await ethers.provider.getTransactionCount(deployer.address);
    const error = await caught(() => execute(plan, { dryRun: true }));
    expect(describeError(error)).to.equal(
      `the contract reverted with WithdrawExceedsAvailable(amount=${available + 1n}, available=${available}) — only available() can be withdrawn: what live epochs reserve stays in the pool`,
    );
    expect(await ethers.provider.getTransactionCount(deployer.address)).to.equal(nonce);
  });

  it("checks the role a call needs before estimating it", async function () {
    const { pool, others } = await networkHelpers.loadFixture(proposedOne);
    const stranger = pool.connect(others[0]!) as EpochRewards;
    const plan: SendPlan<object> = {
      context: [],
      calls: [
        {
          contract: stranger,
          label: "the pool",
          method: "pause",
          args: [],
          authority: { role: "GUARDIAN_ROLE", pool: stranger },
        },
      ],
      finish: () => ({}),
    };
    const error = await caught(() => execute(plan, { dryRun: true }));
    expect(error).to.be.instanceOf(TaskError);
    expect(error.message).to.equal(
      `${others[0]!.address} does not hold GUARDIAN_ROLE on ${await pool.getAddress()}: only the guardian may call pause`,
    );
  });

  it("asks only on a live network without --yes; without a terminal the prompt refuses instead of waiting", async function () {
    expect(confirmation({ live: false, yes: false })).to.equal(undefined);
    expect(confirmation({ live: true, yes: true })).to.equal(undefined);
    const injected = async () => true;
    expect(confirmation({ live: true, yes: false, prompt: injected })).to.equal(injected);
    const pipe = confirmation({ live: true, yes: false, input: new PassThrough() })!;
    const error = await caught(() => pipe(["x"], "Send? [y/N] "));
    expect(error).to.be.instanceOf(TaskError);
    expect(error.message).to.equal(
      "this network is live and there is no terminal to confirm on: pass --yes to send without confirmation, or --dry-run to send nothing",
    );
    // A terminal: the answer decides.
    for (const [answer, expected] of [
      ["y\n", true],
      ["yes\n", true],
      ["\n", false],
      ["no\n", false],
    ] as const) {
      const input = Object.assign(new PassThrough(), { isTTY: true });
      const output = new PassThrough();
      const asking = terminalPrompt(input, output)([], "Send? [y/N] ");
      input.write(answer);
      expect(await asking).to.equal(expected);
    }
  });

  it("on a live network: refuses without a terminal and without --yes, sends after the prompt's yes, or with --yes without asking", async function () {
    const { pool, guardian } = await liveSuite();
    const args = { pool: await pool.getAddress() };
    const nonce = await live.ethers.provider.getTransactionCount(guardian.address);

    const refused = testEnv(live);
    const error = await caught(() => pause.run(args, refused.env));
    expect(error.message).to.match(/^this network is live and there is no terminal to confirm on: pass --yes/);
    expect(refused.lines.join("\n")).to.include("pause on the pool").and.include("(chain 11155111)");
    expect(await live.ethers.provider.getTransactionCount(guardian.address)).to.equal(nonce);

    const declined = testEnv(live, { answer: false });
    expect(await pause.run(args, declined.env)).to.deep.equal({ status: "cancelled" });
    expect(declined.asked).to.deep.equal([
      `Send this transaction on network ${live.networkName} (chain 11155111)? [y/N] `,
    ]);
    expect(await pool.paused()).to.equal(false);

    const dry = testEnv(live);
    expect((await pause.run({ ...args, dryRun: true }, dry.env)).status).to.equal("dry-run");
    expect(await pool.paused()).to.equal(false);

    const accepted = testEnv(live, { answer: true });
    expect((await pause.run(args, accepted.env)).status).to.equal("done");
    expect(await pool.paused()).to.equal(true);

    const unasked = testEnv(live, { answer: false });
    const { default: unpause } = await import("../../tasks/unpause.js");
    expect((await unpause.run({ ...args, yes: true }, unasked.env)).status).to.equal("done");
    expect(unasked.asked).to.deep.equal([]);
    expect(await pool.paused()).to.equal(false);
  });

  it("on a local network sends without asking", async function () {
    const { pool } = await networkHelpers.loadFixture(proposedOne);
    const run = testEnv(connection, { answer: false });
    expect((await pause.run({ pool: await pool.getAddress() }, run.env)).status).to.equal("done");
    expect(run.asked).to.deep.equal([]);
  });

  it("takes amounts in token units or in tokens, converted with the token's decimals exactly", function () {
    expect(parseAmountOption("amount", "1000")).to.deep.equal({ option: "amount", unit: "units", units: 1000n });
    expect(parseAmountOption("amount", "1_000units")).to.deep.equal({ option: "amount", unit: "units", units: 1000n });
    const tokens = parseAmountOption("amount", "12.5tokens");
    expect(amountInUnits(tokens, 18)).to.equal(12_500_000_000_000_000_000n);
    expect(amountInUnits(tokens, 1)).to.equal(125n);
    expect(amountInUnits(parseAmountOption("amount", "12.5 tokens"), 6)).to.equal(12_500_000n);
    expect(amountInUnits(parseAmountOption("amount", "1_000.250tokens"), 2)).to.equal(100_025n);
    expect(amountInUnits(parseAmountOption("amount", ".5tokens"), 0 + 1)).to.equal(5n);
    expect(amountInUnits(parseAmountOption("amount", "7tokens"), 0)).to.equal(7n);
    expect(() => amountInUnits(parseAmountOption("amount", "0.0000001tokens"), 6)).to.throw(
      TaskError,
      /^--amount: 0\.0000001tokens has 7 decimal places but the token has 6 decimals$/,
    );
    expect(() => amountInUnits(parseAmountOption("amount", "1.5tokens"), 0)).to.throw(
      TaskError,
      /has 1 decimal places but the token has 0 decimals/,
    );
    expect(() => parseAmountOption("amount", "12.5")).to.throw(
      TaskError,
      /^--amount: "12\.5" is not a whole number of token units \(the token's smallest unit\); write 12\.5tokens for tokens$/,
    );
    expect(() => parseAmountOption("amount", "0tokens")).to.throw(TaskError, /^--amount must be positive$/);
    expect(() => parseAmountOption("amount", "0")).to.throw(TaskError, /^--amount must be positive$/);
    expect(() => parseAmountOption("amount", "12 eth")).to.throw(TaskError, /^--amount: "12 eth" is not an amount/);
    expect(() => parseAmountOption("amount", undefined)).to.throw(TaskError, /^--amount is required: token units/);
    expect(parseDurationOption("window", "3d", 2n ** 32n - 1n)).to.equal(259_200n);
    expect(parseDurationOption("window", "90", 2n ** 32n - 1n)).to.equal(90n);
    expect(() => parseDurationOption("window", "3 weeks", 2n ** 32n - 1n)).to.throw(
      TaskError,
      /^--window: "3 weeks" is not a duration/,
    );
    expect(() => parseDurationOption("window", "50000d", 2n ** 32n - 1n)).to.throw(
      TaskError,
      /^--window: 50000d is 4320000000 s, more than the largest 4294967295 s$/,
    );
  });

  it("sm:fund takes --amount in tokens, shows units and tokens, and a dry run sends neither the approval nor the funding", async function () {
    const { pool, token, deployer } = await networkHelpers.loadFixture(proposedOne);
    const args = { pool: await pool.getAddress(), amount: "12.5tokens" };
    const nonce = await ethers.provider.getTransactionCount(deployer.address);
    const dry = testEnv(connection);
    const planned = await fund.run({ ...args, dryRun: true }, dry.env);
    if (planned.status !== "dry-run") throw new Error("expected a dry run");
    expect(planned.calls.map((c) => c.method)).to.deep.equal(["approve", "fund"]);
    expect(planned.calls[1]!.gas).to.equal(undefined);
    const units = 12_500_000_000_000_000_000n;
    expect(dry.lines).to.include(`  amount          ${units} (12.5 SMT)`);
    expect(dry.lines.find((l) => l.startsWith("  gas") && l.includes("previous"))).to.equal(
      "  gas             estimated once the previous transaction is mined (the pool can pull the tokens only once approve is mined)",
    );
    expect(await ethers.provider.getTransactionCount(deployer.address)).to.equal(nonce);

    const before = await pool.available();
    const sent = testEnv(connection);
    const result = await fund.run(args, sent.env);
    expect(result.status).to.equal("done");
    expect(await pool.available()).to.equal(before + units);
    expect(await token.allowance(deployer.address, await pool.getAddress())).to.equal(0n);
    expect(sent.lines.at(-1)).to.match(
      new RegExp(`^funded: requested ${units} \\(12\\.5 SMT\\), credited ${units} \\(12\\.5 SMT\\)`),
    );
    expect(FUNDING).to.be.greaterThan(0n);

    const tooPrecise = await caught(() =>
      fund.run({ ...args, amount: "0.0000000000000000001tokens" }, testEnv(connection).env),
    );
    expect(tooPrecise.message).to.equal(
      "--amount: 0.0000000000000000001tokens has 19 decimal places but the token has 18 decimals",
    );
  });

  it("sends from a role's key (SM_GUARDIAN_KEY) when it holds the role, and from it with --from", async function () {
    const { pool, deployer, guardian } = await networkHelpers.loadFixture(proposedOne);
    const key = Wallet.createRandom();
    const variables = { [roleKeyVariable("GUARDIAN_ROLE")]: key.privateKey };
    await networkHelpers.setBalance(key.address, 10n ** 18n);
    const args = { pool: await pool.getAddress(), epoch: "1", reason: "duplicate votes" };

    // Set but without the role: the network's guardian account is picked.
    const fallback = testEnv(connection, { variables });
    const dry = await veto.run({ ...args, dryRun: true }, fallback.env);
    expect(dry.status === "dry-run" && dry.calls[0]!.sender).to.equal(guardian.address);
    expect(fallback.lines.join("\n")).to.include(
      `${guardian.address}, account 2 of network ${connection.networkName}: holds GUARDIAN_ROLE`,
    );

    await pool.connect(deployer).grantRole(await pool.GUARDIAN_ROLE(), key.address);
    const keyed = testEnv(connection, { variables });
    const result = await veto.run(args, keyed.env);
    expect(result.status).to.equal("done");
    expect(keyed.lines).to.include(`  sender          ${key.address}, SM_GUARDIAN_KEY: holds GUARDIAN_ROLE`);
    const tx = await ethers.provider.getTransaction((result as { txHash: string }).txHash);
    expect(tx!.from).to.equal(key.address);

    const viaFrom = testEnv(connection, { variables });
    const again = await veto.run({ ...args, from: key.address, dryRun: true }, viaFrom.env);
    expect(again.status).to.equal("noop");

    const unknown = Wallet.createRandom().address;
    const missing = await caught(() => veto.run({ ...args, from: unknown }, testEnv(connection, { variables }).env));
    expect(missing.message).to.equal(
      `--from ${unknown} is neither one of the accounts of network ${connection.networkName} nor the address of a role's key (SM_ADMIN_KEY, SM_GUARDIAN_KEY, SM_PROPOSER_KEY, SM_RECOVERY_KEY)`,
    );
  });

  it("refuses a role key that is not a private key without printing it, and reads keys from environment variables", async function () {
    const { pool } = await networkHelpers.loadFixture(proposedOne);
    const bad = testEnv(connection, { variables: { SM_GUARDIAN_KEY: "0xnot-a-key" } });
    const address = await pool.getAddress();
    const error = await caught(() => pause.run({ pool: address }, bad.env));
    expect(error.message).to.equal("SM_GUARDIAN_KEY is not a private key (0x followed by 64 hex digits)");

    const name = "SM_TEST_ROLE_KEY_VARIABLE";
    expect(await readConfigVariable(hre, name)).to.equal(undefined);
    process.env[name] = " 0xabc ";
    try {
      expect(await readConfigVariable(hre, name)).to.equal("0xabc");
    } finally {
      delete process.env[name];
    }
  });

  it("prints an error as one line without a stack and sets the exit code", async function () {
    const printed: string[] = [];
    const before = process.exitCode;
    await runTask(
      async () => {
        throw new TaskError("--pool is required (an 0x address)");
      },
      (line) => printed.push(line),
    );
    expect(printed).to.deep.equal(["Error: --pool is required (an 0x address)"]);
    expect(process.exitCode).to.equal(1);
    process.exitCode = before;
  });
});
