// The admin's tasks: sm:grant, sm:revoke, sm:renounce, the two-step admin transfer (sm:admin-begin, sm:admin-cancel,
// sm:admin-accept), sm:admin-delay, sm:durations and sm:withdraw.
import { expect } from "chai";
import { network } from "hardhat";
import { Wallet } from "ethers";
import adminAccept from "../../tasks/admin-accept.js";
import adminBegin from "../../tasks/admin-begin.js";
import adminCancel from "../../tasks/admin-cancel.js";
import adminDelay from "../../tasks/admin-delay.js";
import durations from "../../tasks/durations.js";
import grant from "../../tasks/grant.js";
import renounce from "../../tasks/renounce.js";
import revoke from "../../tasks/revoke.js";
import withdraw from "../../tasks/withdraw.js";
import { parseRoleOption, ROLES } from "../../tasks/lib/roles.js";
import { TaskError } from "../../tasks/lib/errors.js";
import { deploySuite, CHALLENGE, DAY, FUNDING, WINDOW } from "./fixture.js";
import { caught, testEnv } from "./env.js";

const connection = await network.create();
const { ethers, networkHelpers } = connection;
/** LocalSuite's admin delay (deploy/lib/epochRewards.ts DEFAULTS). */
const ADMIN_DELAY = 2n * BigInt(DAY);

async function suite() {
  return await deploySuite(connection);
}

const run = async <ArgsT, ResultT>(
  task: { run: (args: ArgsT, env: ReturnType<typeof testEnv>["env"]) => Promise<ResultT> },
  args: ArgsT,
) => {
  const t = testEnv(connection);
  const result = await task.run(args, t.env);
  return { result, lines: t.lines };
};

describe("tasks: roles and administration (admin)", function () {
  it("names the roles the pool declares, by short name or constant", function () {
    expect(ROLES).to.deep.equal(["DEFAULT_ADMIN_ROLE", "GUARDIAN_ROLE", "PROPOSER_ROLE", "RECOVERY_ROLE"]);
    expect(parseRoleOption("role", "proposer")).to.equal("PROPOSER_ROLE");
    expect(parseRoleOption("role", "GUARDIAN_ROLE")).to.equal("GUARDIAN_ROLE");
    expect(parseRoleOption("role", "Recovery")).to.equal("RECOVERY_ROLE");
    expect(parseRoleOption("role", "default-admin")).to.equal("DEFAULT_ADMIN_ROLE");
    expect(() => parseRoleOption("role", "minter")).to.throw(
      TaskError,
      /^--role: "minter" is not a role \(one of admin, guardian, proposer, recovery\)$/,
    );
    expect(() => parseRoleOption("role", undefined)).to.throw(TaskError, /^--role is required/);
  });

  it("grants and revokes a role from the admin's account; doing it again is a no-op; the admin role is refused", async function () {
    const { pool, deployer } = await networkHelpers.loadFixture(suite);
    const address = await pool.getAddress();
    const newcomer = Wallet.createRandom().address;
    const role = await pool.PROPOSER_ROLE();

    const granted = await run(grant, { pool: address, role: "proposer", account: newcomer });
    expect(granted.result.status).to.equal("done");
    expect(await pool.hasRole(role, newcomer)).to.equal(true);
    expect(granted.lines).to.include(`  role            ${role} (PROPOSER_ROLE)`);
    expect(granted.lines).to.include(`  account         ${newcomer}`);
    expect(granted.lines).to.include(
      `  sender          ${deployer.address}, account 0 of network ${connection.networkName}: holds DEFAULT_ADMIN_ROLE`,
    );
    expect(granted.lines.at(-1)).to.match(new RegExp(`^${newcomer} now holds PROPOSER_ROLE \\(tx 0x`));
    expect((await run(grant, { pool: address, role: "proposer", account: newcomer })).result).to.deep.equal({
      status: "noop",
      message: `${newcomer} already holds PROPOSER_ROLE: nothing to do`,
    });

    expect((await run(revoke, { pool: address, role: "PROPOSER_ROLE", account: newcomer })).result.status).to.equal(
      "done",
    );
    expect(await pool.hasRole(role, newcomer)).to.equal(false);
    expect((await run(revoke, { pool: address, role: "proposer", account: newcomer })).result).to.deep.equal({
      status: "noop",
      message: `${newcomer} does not hold PROPOSER_ROLE: nothing to do`,
    });

    const admin = await caught(() => run(grant, { pool: address, role: "admin", account: newcomer }));
    expect(admin.message).to.match(
      /^--role admin: the default admin role cannot be granted; it moves only by the two-step transfer/,
    );
    const missing = await caught(() => run(grant, { pool: address, role: "guardian" }));
    expect(missing.message).to.equal("--account is required (an 0x address)");
  });

  it("refuses a grant from an account that is not the admin", async function () {
    const { pool, others } = await networkHelpers.loadFixture(suite);
    const address = await pool.getAddress();
    const error = await caught(() =>
      run(grant, { pool: address, role: "guardian", account: others[1]!.address, from: others[0]!.address }),
    );
    expect(error.message).to.equal(
      `${others[0]!.address} does not hold DEFAULT_ADMIN_ROLE on ${address}: only the default admin may do this`,
    );
  });

  it("lets a holder renounce its own role, from the account holding it", async function () {
    const { pool, recovery } = await networkHelpers.loadFixture(suite);
    const address = await pool.getAddress();
    const renounced = await run(renounce, { pool: address, role: "recovery" });
    expect(renounced.result.status).to.equal("done");
    expect(renounced.lines).to.include(
      `  sender          ${recovery.address}, account 3 of network ${connection.networkName}: holds RECOVERY_ROLE`,
    );
    expect(await pool.hasRole(await pool.RECOVERY_ROLE(), recovery.address)).to.equal(false);
    const none = await caught(() => run(renounce, { pool: address, role: "recovery" }));
    expect(none.message).to.match(/^none of the senders holds RECOVERY_ROLE/);
  });

  it("hands the admin role over in two steps: begin, wait for the delay, accept; the former admin holds no role", async function () {
    const { pool, deployer, others } = await networkHelpers.loadFixture(suite);
    const address = await pool.getAddress();
    const dao = others[4]!;

    const begun = await run(adminBegin, { pool: address, newAdmin: dao.address });
    expect(begun.result.status).to.equal("done");
    expect(begun.lines).to.include(`  newAdmin        ${dao.address}`);
    const [pending, schedule] = await pool.pendingDefaultAdmin();
    expect(pending).to.equal(dao.address);
    expect(begun.lines.at(-1)).to.match(
      new RegExp(`^admin transfer to ${dao.address} begun: it may accept from \\S+ \\(tx 0x`),
    );
    expect((await run(adminBegin, { pool: address, newAdmin: dao.address })).result.status).to.equal("noop");

    const early = await caught(() => run(adminAccept, { pool: address }));
    expect(early.message).to.match(
      new RegExp(`^the transfer to ${dao.address} may be accepted from \\S+ \\(in .*\\), not before$`),
    );
    const wrong = await caught(() => run(adminAccept, { pool: address, from: deployer.address }));
    expect(wrong.message).to.equal(
      `${deployer.address} is not the pending default admin ${dao.address}: only it may accept`,
    );

    await networkHelpers.time.increaseTo(schedule + 1n);
    // Without --from the pending admin is found among the network's accounts.
    const accepted = await run(adminAccept, { pool: address });
    expect(accepted.result.status).to.equal("done");
    expect(accepted.lines).to.include(
      `  sender          ${dao.address}, account 8 of network ${connection.networkName}: the pending default admin (acceptable since ${new Date(Number(schedule) * 1000).toISOString().replace(".000Z", "Z")})`,
    );
    expect(await pool.defaultAdmin()).to.equal(dao.address);
    expect(await pool.hasRole(await pool.DEFAULT_ADMIN_ROLE(), deployer.address)).to.equal(false);
    const nothing = await caught(() => run(adminAccept, { pool: address }));
    expect(nothing.message).to.equal(`no default admin transfer is pending on ${address}: nothing to accept`);
  });

  it("cancels a pending admin transfer; cancelling when none is pending is a no-op", async function () {
    const { pool, others } = await networkHelpers.loadFixture(suite);
    const address = await pool.getAddress();
    expect((await run(adminCancel, { pool: address })).result).to.deep.equal({
      status: "noop",
      message: "no default admin transfer is pending: nothing to do",
    });
    await run(adminBegin, { pool: address, newAdmin: others[4]!.address });
    const cancelled = await run(adminCancel, { pool: address });
    expect(cancelled.result.status).to.equal("done");
    expect((await pool.pendingDefaultAdmin())[0]).to.equal(ethers.ZeroAddress);
    expect(cancelled.lines.at(-1)).to.match(
      new RegExp(`^cancelled the admin transfer to ${others[4]!.address} \\(tx 0x`),
    );
    const zero = await caught(() => run(adminBegin, { pool: address, newAdmin: ethers.ZeroAddress }));
    expect(zero.message).to.equal("--new-admin must not be the zero address");
  });

  it("schedules a new admin delay and rolls it back", async function () {
    const { pool } = await networkHelpers.loadFixture(suite);
    const address = await pool.getAddress();
    expect(await pool.defaultAdminDelay()).to.equal(ADMIN_DELAY);
    expect((await run(adminDelay, { pool: address, delay: "2d" })).result).to.deep.equal({
      status: "noop",
      message: "the admin delay is already 172800 s (2 d): nothing to do",
    });
    const shorter = await run(adminDelay, { pool: address, delay: "1d" });
    expect(shorter.result.status).to.equal("done");
    expect(shorter.lines).to.include("  newDelay        86400 (1 d)");
    const [newDelay, schedule] = await pool.pendingDefaultAdminDelay();
    expect(newDelay).to.equal(86_400n);
    expect(schedule).to.be.greaterThan(0n);
    expect((await run(adminDelay, { pool: address, rollback: true })).result.status).to.equal("done");
    expect((await pool.pendingDefaultAdminDelay())[1]).to.equal(0n);
    expect((await run(adminDelay, { pool: address, rollback: true })).result).to.deep.equal({
      status: "noop",
      message: "no admin delay change is scheduled: nothing to do",
    });
    expect((await caught(() => run(adminDelay, { pool: address }))).message).to.equal(
      "--delay is required (or --rollback to cancel a scheduled change)",
    );
    expect((await caught(() => run(adminDelay, { pool: address, delay: "1d", rollback: true }))).message).to.equal(
      "--delay and --rollback exclude each other",
    );
  });

  it("sets the durations of future epochs, keeping an omitted one, and refuses what the pool refuses, naming the options", async function () {
    const { pool } = await networkHelpers.loadFixture(suite);
    const address = await pool.getAddress();
    const set = await run(durations, { pool: address, window: "7d" });
    expect(set.result.status).to.equal("done");
    expect(await pool.durations()).to.deep.equal([BigInt(CHALLENGE), 604_800n]);
    expect(set.lines).to.include(`claim window     ${WINDOW} s (30 d) → 604800 s (7 d)`);
    expect((await run(durations, { pool: address, challenge: `${CHALLENGE}` })).result.status).to.equal("noop");
    const refused = await caught(() => run(durations, { pool: address, window: "1h" }));
    expect(refused.message).to.equal(
      `challenge period ${CHALLENGE} s (unchanged), --window 3600 s: the pool refuses these durations: the claim window must be at least 1 day and both durations at most 5 years`,
    );
    expect((await caught(() => run(durations, { pool: address }))).message).to.equal(
      "--challenge or --window is required (or both)",
    );
  });

  it("withdraws at most available() to the given address, in tokens or units", async function () {
    const { pool, token } = await networkHelpers.loadFixture(suite);
    const address = await pool.getAddress();
    const treasury = Wallet.createRandom().address;
    const done = await run(withdraw, { pool: address, to: treasury, amount: "1.5tokens" });
    expect(done.result.status).to.equal("done");
    expect(await token.balanceOf(treasury)).to.equal(1_500_000_000_000_000_000n);
    expect(await pool.available()).to.equal(FUNDING - 1_500_000_000_000_000_000n);
    expect(done.lines).to.include(`  to              ${treasury}`);
    expect(done.lines).to.include("  amount          1500000000000000000 (1.5 SMT)");

    const available = await pool.available();
    const tooMuch = await caught(() => run(withdraw, { pool: address, to: treasury, amount: `${available + 1n}` }));
    expect(tooMuch.message).to.match(
      new RegExp(`^--amount ${available + 1n} \\(.*\\) exceeds available\\(\\) ${available} \\(`),
    );
    expect((await caught(() => run(withdraw, { pool: address, amount: "1" }))).message).to.equal(
      "--to is required (an 0x address)",
    );
  });
});
