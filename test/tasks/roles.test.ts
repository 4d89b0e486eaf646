// sm:roles: who holds each role (from the RoleGranted / RoleRevoked logs, checked with hasRole), the admin handover,
// the admin delay, the pause and the pool's balances.
import { expect } from "chai";
import { network } from "hardhat";
import { Wallet } from "ethers";
import roles from "../../tasks/roles.js";
import { describeRoles } from "../../tasks/lib/describe.js";
import { rolesStatus } from "../../tasks/lib/views/roles-status.js";
import { deploySuite, DAY, FUNDING } from "./fixture.js";
import { testEnv } from "./env.js";

const connection = await network.create();
const { networkHelpers } = connection;

async function suite() {
  return await deploySuite(connection);
}

describe("tasks: roles (read-only)", function () {
  it("shows each role's holders, the default admin, the pause and the balances", async function () {
    const { pool, token, deployer, proposer, guardian, recovery } = await networkHelpers.loadFixture(suite);
    const address = await pool.getAddress();
    const run = testEnv(connection);
    await roles.run({ pool: address }, run.env);
    const lines = run.lines;
    expect(lines[0]).to.equal(`pool                ${address} on ${connection.networkName}`);
    expect(lines).to.include(`default admin       ${deployer.address}`);
    expect(lines).to.include("pending admin       none");
    expect(lines).to.include("admin delay         172800 s (2 d)");
    expect(lines).to.include("admin delay change  none");
    expect(lines).to.include("paused              no");
    expect(lines).to.include(`token               ${await token.getAddress()} (SMT, 18 decimals)`);
    expect(lines).to.include(`balance             ${FUNDING} (50000.0 SMT): the pool's token balance`);
    expect(lines).to.include(
      `available           ${FUNDING} (50000.0 SMT): reservable by new epochs, withdrawable by the admin`,
    );
    expect(lines).to.include("outstanding         0 (0.0 SMT): reserved by live epochs, not yet claimed");
    expect(lines).to.include(`DEFAULT_ADMIN_ROLE  ${deployer.address}`);
    expect(lines).to.include(`PROPOSER_ROLE       ${proposer.address}`);
    expect(lines).to.include(`GUARDIAN_ROLE       ${guardian.address}`);
    expect(lines).to.include(`RECOVERY_ROLE       ${recovery.address}`);
    expect(lines.join("\n")).not.to.include("not credited");
  });

  it("follows grants, revocations, a pending admin transfer, a delay change, the pause and tokens sent without fund()", async function () {
    const { pool, token, deployer, proposer, guardian, others } = await networkHelpers.loadFixture(suite);
    const newcomer = Wallet.createRandom().address;
    await pool.connect(deployer).grantRole(await pool.PROPOSER_ROLE(), newcomer);
    await pool.connect(deployer).revokeRole(await pool.PROPOSER_ROLE(), proposer.address);
    await pool.connect(deployer).beginDefaultAdminTransfer(others[4]!.address);
    await pool.connect(deployer).changeDefaultAdminDelay(DAY);
    await pool.connect(guardian).pause();
    await token.connect(deployer).transfer(await pool.getAddress(), 7n);

    const status = await rolesStatus(pool);
    expect(status.pendingAdmin?.account).to.equal(others[4]!.address);
    expect(status.pendingDelay?.delay).to.equal(BigInt(DAY));
    const proposers = status.roles.find((r) => r.role === "PROPOSER_ROLE")!;
    expect(proposers.holders).to.deep.equal([newcomer]);
    expect(proposers.former).to.deep.equal([proposer.address]);

    const lines = describeRoles(status, "hardhat");
    expect(lines[0]).to.match(/ on hardhat \(PAUSED\)$/);
    expect(lines.find((l) => l.startsWith("pending admin"))).to.match(
      new RegExp(`^pending admin {7}${others[4]!.address}, may accept from \\S+ \\(in 17\\d{4} s\\)$`),
    );
    expect(lines.find((l) => l.startsWith("admin delay change"))).to.match(
      /^admin delay change  to 86400 s \(1 d\) at \S+ \(in 86\d{3} s\)$/,
    );
    expect(lines).to.include("paused              yes: claims and proposals wait until the guardian unpauses");
    expect(lines).to.include(`PROPOSER_ROLE       ${newcomer}`);
    expect(lines).to.include(`                    formerly: ${proposer.address}`);
    expect(lines).to.include(
      "not credited        7 (0.000000000000000007 SMT): sent to the pool without fund(), never credited",
    );
  });
});
