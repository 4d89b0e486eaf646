import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { expect } from "chai";
import { network } from "hardhat";
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import type { IgnitionModule } from "@nomicfoundation/ignition-core";
import SocialMiningModule from "../../deploy/modules/SocialMining.js";
import SocialMiningDeployerAdminModule from "../../deploy/modules/SocialMiningDeployerAdmin.js";
import LocalSuiteModule from "../../deploy/modules/LocalSuite.js";
import MockTokenModule from "../../deploy/modules/MockToken.js";
import { DEFAULTS } from "../../deploy/lib/epochRewards.js";
import type { HardhatEthersSigner as Signer } from "@nomicfoundation/hardhat-ethers/types";
import type { EpochRewards, MockERC20 } from "../../typechain-types/index.js";
import { LEAF_ENCODING } from "../../protocol/leaf.js";

const { ethers, ignition, networkHelpers } = await network.create();

const DAY = 24 * 60 * 60;
/** Typed views of contracts deployed by Ignition (its results are untyped `Contract`s). */
async function poolAt(contract: { getAddress(): Promise<string> }) {
  return (await ethers.getContractAt("EpochRewards", await contract.getAddress())) as unknown as EpochRewards;
}
async function tokenAt(contract: { getAddress(): Promise<string> }) {
  return (await ethers.getContractAt("MockERC20", await contract.getAddress())) as unknown as MockERC20;
}

/** Parameters of the production module as a test would fill them in sepolia.json. */
const durations = {
  adminTransferDelay: 2 * DAY,
  challengePeriod: 3 * DAY,
  claimWindow: 30 * DAY,
  decayBps: 2500,
};

/** Absolute path of a committed parameters file, whatever the working directory. */
function parametersPath(file: string): string {
  return fileURLToPath(new URL(`../../deploy/parameters/${file}`, import.meta.url));
}

async function readParameters(file: string): Promise<Record<string, Record<string, unknown>>> {
  return JSON.parse(await readFile(new URL(`../../deploy/parameters/${file}`, import.meta.url), "utf8"));
}

/** Every parameter a module (and its submodules) reads: "ModuleId/name" → whether it has a default. */
function moduleParameters(module: IgnitionModule): Map<string, boolean> {
  const found = new Map<string, boolean>();
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) return value.forEach(walk);
    if (value === null || typeof value !== "object") return;
    const record = value as Record<string, unknown>;
    if (record.type === "MODULE_PARAMETER") {
      found.set(`${String(record.moduleId)}/${String(record.name)}`, record.defaultValue !== undefined);
      return;
    }
    // Futures referenced as arguments carry their module: do not wander into other futures.
    if (!("module" in record)) Object.values(record).forEach(walk);
  };
  const visit = (m: IgnitionModule): void => {
    for (const future of m.futures) {
      const f = future as unknown as Record<string, unknown>;
      [f.constructorArgs, f.args, f.value, f.from].forEach(walk);
    }
    m.submodules.forEach(visit);
  };
  visit(module);
  return found;
}

async function deploySocialMining() {
  const [deployer, proposer, guardian, recovery, dao] = await ethers.getSigners();
  const { token } = await ignition.deploy(MockTokenModule);
  const parameters = {
    token: await token.getAddress(),
    admin: dao.address,
    ...durations,
    name: "Reputation",
    symbol: "REP",
    proposer: proposer.address,
    guardian: guardian.address,
    recovery: recovery.address,
  };
  const { epochRewards } = await ignition.deploy(SocialMiningModule, {
    parameters: { SocialMining: parameters },
  });
  const pool = await poolAt(epochRewards);
  const mockToken = await tokenAt(token);
  return {
    pool,
    token: mockToken,
    parameters,
    deployer,
    proposer,
    guardian,
    recovery,
    dao,
  };
}

async function deployLocalSuite() {
  const { token, epochRewards } = await ignition.deploy(LocalSuiteModule);
  return {
    pool: await poolAt(epochRewards),
    token: await tokenAt(token),
  };
}

/** The roles of the pool, by name. */
async function roleIds(pool: Awaited<ReturnType<typeof deploySocialMining>>["pool"]) {
  return {
    DEFAULT_ADMIN_ROLE: await pool.DEFAULT_ADMIN_ROLE(),
    PROPOSER_ROLE: await pool.PROPOSER_ROLE(),
    GUARDIAN_ROLE: await pool.GUARDIAN_ROLE(),
    RECOVERY_ROLE: await pool.RECOVERY_ROLE(),
  };
}

/** Asserts that each operational role is held by its account. */
async function expectOperators(pool: EpochRewards, operators: Record<"proposer" | "guardian" | "recovery", Signer>) {
  const roles = await roleIds(pool);
  expect(await pool.hasRole(roles.PROPOSER_ROLE, operators.proposer.address)).to.equal(true);
  expect(await pool.hasRole(roles.GUARDIAN_ROLE, operators.guardian.address)).to.equal(true);
  expect(await pool.hasRole(roles.RECOVERY_ROLE, operators.recovery.address)).to.equal(true);
}

/** Asserts that `deployer` is the admin with no transfer pending, and that the operational roles are wired. */
async function expectDeployerAdmin(
  pool: EpochRewards,
  [deployer, proposer, guardian, recovery]: Signer[],
): Promise<void> {
  expect(await pool.defaultAdmin()).to.equal(deployer!.address);
  expect(await pool.pendingDefaultAdmin()).to.deep.equal([ethers.ZeroAddress, 0n]);
  await expectOperators(pool, { proposer: proposer!, guardian: guardian!, recovery: recovery! });
}

describe("deploy/modules", function () {
  describe("SocialMining", function () {
    it("grants exactly the admin to the deployer and each operational role to its parameter", async function () {
      const { pool, deployer, proposer, guardian, recovery } = await networkHelpers.loadFixture(deploySocialMining);
      const roles = await roleIds(pool);

      const granted = (await pool.queryFilter(pool.filters.RoleGranted())).map((e) => [e.args.role, e.args.account]);
      expect(granted).to.have.deep.members([
        [roles.DEFAULT_ADMIN_ROLE, deployer.address],
        [roles.PROPOSER_ROLE, proposer.address],
        [roles.GUARDIAN_ROLE, guardian.address],
        [roles.RECOVERY_ROLE, recovery.address],
      ]);
      await expectOperators(pool, { proposer, guardian, recovery });
      // Documented leftover: the deployer keeps DEFAULT_ADMIN_ROLE until the DAO accepts, and nothing else.
      expect(await pool.defaultAdmin()).to.equal(deployer.address);
      for (const role of [roles.PROPOSER_ROLE, roles.GUARDIAN_ROLE, roles.RECOVERY_ROLE]) {
        expect(await pool.hasRole(role, deployer.address)).to.equal(false);
      }
    });

    it("schedules the admin handover to the DAO after the admin transfer delay", async function () {
      const { pool, parameters, dao } = await networkHelpers.loadFixture(deploySocialMining);
      const [scheduled] = await pool.queryFilter(pool.filters.DefaultAdminTransferScheduled());
      const handoverTime = (await scheduled.getBlock()).timestamp;

      const [pendingAdmin, schedule] = await pool.pendingDefaultAdmin();
      expect(pendingAdmin).to.equal(dao.address);
      expect(schedule).to.equal(BigInt(handoverTime + parameters.adminTransferDelay));
      expect(scheduled.args.newAdmin).to.equal(dao.address);
      expect(await pool.defaultAdminDelay()).to.equal(BigInt(parameters.adminTransferDelay));
    });

    it("lets the DAO accept only after the delay, leaving the deployer without any role", async function () {
      const { pool, deployer, dao } = await networkHelpers.loadFixture(deploySocialMining);
      const roles = await roleIds(pool);
      const [, schedule] = await pool.pendingDefaultAdmin();

      await expect(pool.connect(dao).acceptDefaultAdminTransfer())
        .to.be.revertedWithCustomError(pool, "AccessControlEnforcedDefaultAdminDelay")
        .withArgs(schedule);
      await networkHelpers.time.increaseTo(schedule + 1n);
      await pool.connect(dao).acceptDefaultAdminTransfer();

      expect(await pool.defaultAdmin()).to.equal(dao.address);
      for (const role of Object.values(roles)) {
        expect(await pool.hasRole(role, deployer.address)).to.equal(false);
      }
    });

    it("sets the token, the durations, the decay and the reputation's name and symbol from the parameters", async function () {
      const { pool, token, parameters } = await networkHelpers.loadFixture(deploySocialMining);
      expect(await pool.token()).to.equal(await token.getAddress());
      expect(await pool.durations()).to.deep.equal([
        BigInt(parameters.challengePeriod),
        BigInt(parameters.claimWindow),
      ]);
      expect(await pool.decayBps()).to.equal(BigInt(parameters.decayBps));
      expect(await pool.decayed(100n, 1n)).to.equal(75n);
      expect(await pool.name()).to.equal(parameters.name);
      expect(await pool.symbol()).to.equal(parameters.symbol);
    });
  });

  describe("SocialMiningDeployerAdmin", function () {
    it("wires the roles and leaves the deployer admin without a pending transfer", async function () {
      const [deployer, proposer, guardian, recovery] = await ethers.getSigners();
      const { token } = await ignition.deploy(MockTokenModule);
      const { epochRewards } = await ignition.deploy(SocialMiningDeployerAdminModule, {
        parameters: {
          SocialMining: {
            token: await token.getAddress(),
            proposer: proposer.address,
            guardian: guardian.address,
            recovery: recovery.address,
          },
        },
      });
      const pool = await poolAt(epochRewards);

      await expectDeployerAdmin(pool, [deployer, proposer, guardian, recovery]);
      expect(await pool.defaultAdminDelay()).to.equal(BigInt(DEFAULTS.adminTransferDelay));
      expect(await pool.durations()).to.deep.equal([BigInt(DEFAULTS.challengePeriod), BigInt(DEFAULTS.claimWindow)]);
      expect(await pool.decayBps()).to.equal(1000n);
      expect(DEFAULTS.decayBps).to.equal(1000);
    });

    it("refuses a decayBps above 10000 (InvalidDecayBps) without sending anything", async function () {
      const [deployer, proposer, guardian, recovery] = await ethers.getSigners();
      const { token } = await ignition.deploy(MockTokenModule);
      const nonce = await ethers.provider.getTransactionCount(deployer.address);
      let failure: unknown;
      try {
        await ignition.deploy(SocialMiningDeployerAdminModule, {
          parameters: {
            SocialMining: {
              token: await token.getAddress(),
              decayBps: 10_001,
              proposer: proposer.address,
              guardian: guardian.address,
              recovery: recovery.address,
            },
          },
        });
      } catch (error) {
        failure = error;
      }
      expect(failure, "deploying with decayBps 10001 should fail").to.be.instanceOf(Error);
      expect(String(failure)).to.include("InvalidDecayBps");
      expect(await ethers.provider.getTransactionCount(deployer.address)).to.equal(nonce);
    });
  });

  describe("LocalSuite", function () {
    it("deploys the mock token and the pool, with roles on accounts 1-3 and test tokens for the deployer", async function () {
      const [deployer, proposer, guardian, recovery] = await ethers.getSigners();
      const { pool, token } = await networkHelpers.loadFixture(deployLocalSuite);

      expect(await pool.token()).to.equal(await token.getAddress());
      expect(await token.balanceOf(deployer.address)).to.equal(10n ** 24n);
      await expectDeployerAdmin(pool, [deployer, proposer, guardian, recovery]);
      expect(await pool.decayBps()).to.equal(BigInt(DEFAULTS.decayBps));
    });

    it("deploys with deploy/parameters/localhost.json as written", async function () {
      const file = await readParameters("localhost.json");
      const { epochRewards, token } = await ignition.deploy(LocalSuiteModule, {
        parameters: parametersPath("localhost.json"),
      });
      const pool = await poolAt(epochRewards);
      const mock = await tokenAt(token);
      const local = file.LocalSuite;

      expect(await pool.durations()).to.deep.equal([
        BigInt(local.challengePeriod as number),
        BigInt(local.claimWindow as number),
      ]);
      expect(await pool.defaultAdminDelay()).to.equal(BigInt(local.adminTransferDelay as number));
      expect(await pool.decayBps()).to.equal(BigInt(local.decayBps as number));
      expect(await pool.hasRole(await pool.PROPOSER_ROLE(), local.proposer as string)).to.equal(true);
      expect(await pool.hasRole(await pool.GUARDIAN_ROLE(), local.guardian as string)).to.equal(true);
      expect(await pool.hasRole(await pool.RECOVERY_ROLE(), local.recovery as string)).to.equal(true);
      expect(await mock.symbol()).to.equal(file.MockToken.symbol);
      const [deployer] = await ethers.getSigners();
      expect(await mock.balanceOf(deployer.address)).to.equal(BigInt((local.mintAmount as string).slice(0, -1)));
    });

    it("deploys a pool that funds, proposes, opens after the challenge period and pays a leaf", async function () {
      const [deployer, proposer, , , alice, bob] = await ethers.getSigners();
      const { pool, token } = await networkHelpers.loadFixture(deployLocalSuite);
      const leaves = [
        [0n, alice.address, 700n, 12n],
        [1n, bob.address, 300n, 5n],
      ];
      const tree = StandardMerkleTree.of(leaves, [...LEAF_ENCODING]);
      const total = 1_000n;
      const reputationTotal = 17n;

      await token.connect(deployer).approve(await pool.getAddress(), total);
      await pool.connect(deployer).fund(total);
      await pool
        .connect(proposer)
        .proposeEpoch(1n, tree.root, total, reputationTotal, ethers.ZeroHash, "ipfs://epoch-1");
      const epoch = await pool.getEpoch(1n);
      await expect(pool.claim(1n, 0n, alice.address, 700n, 12n, tree.getProof(0)))
        .to.be.revertedWithCustomError(pool, "EpochInChallenge")
        .withArgs(1n, epoch.claimableAt);

      await networkHelpers.time.increaseTo(epoch.claimableAt);
      // Anyone submits; the leaf's account is paid.
      await expect(
        pool.connect(deployer).claim(1n, 0n, alice.address, 700n, 12n, tree.getProof(0)),
      ).to.changeTokenBalances(ethers, token, [alice, pool], [700n, -700n]);
      expect(await pool.isClaimed(1n, alice.address)).to.equal(true);
      expect(await pool.isClaimed(1n, bob.address)).to.equal(false);
      expect(await pool.reputationOf(alice.address)).to.equal(12n);
      expect(await pool.totalReputation()).to.equal(reputationTotal);
      expect(await pool.outstanding()).to.equal(300n);
    });
  });

  describe("deploy/parameters", function () {
    const cases = [
      { file: "localhost.json", module: LocalSuiteModule as IgnitionModule },
      { file: "sepolia.json", module: SocialMiningModule as IgnitionModule },
    ];
    for (const { file, module } of cases) {
      it(`${file} names only parameters that ${module.id} reads, and every one it requires`, async function () {
        const read = moduleParameters(module);
        const given = Object.entries(await readParameters(file)).flatMap(([moduleId, values]) =>
          Object.keys(values).map((name) => `${moduleId}/${name}`),
        );
        expect([...read.keys()]).to.include.members(given);
        const required = [...read].filter(([, hasDefault]) => !hasDefault).map(([key]) => key);
        expect(given).to.include.members(required);
      });
    }

    it("sepolia.json cannot be deployed before its placeholders are replaced, and sends nothing", async function () {
      const [deployer] = await ethers.getSigners();
      const nonce = await ethers.provider.getTransactionCount(deployer.address);
      const file = await readParameters("sepolia.json");
      const placeholders = Object.entries(file.SocialMining).filter(([, v]) => String(v).startsWith("REPLACE_ME"));
      expect(placeholders.map(([k]) => k)).to.have.members(["token", "admin", "proposer", "guardian", "recovery"]);

      let failure: unknown;
      try {
        await ignition.deploy(SocialMiningModule, {
          parameters: parametersPath("sepolia.json"),
        });
      } catch (error) {
        failure = error;
      }
      expect(failure, "deploying the placeholders should fail").to.be.instanceOf(Error);
      expect(String(failure)).to.include("REPLACE_ME");
      expect(await ethers.provider.getTransactionCount(deployer.address)).to.equal(nonce);
    });
  });
});
