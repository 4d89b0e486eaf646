// The suite the task tests share: the local Ignition suite (mock token + pool with roles), funded, and the three
// example epochs allocated by the pipeline library for that pool into a temporary directory.
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { NetworkConnection } from "hardhat/types/network";
import LocalSuiteModule from "../../deploy/modules/LocalSuite.js";
import type { EpochRewards, MockERC20 } from "../../typechain-types/index.js";
import { allocateExport } from "../../tasks/lib/epochs.js";
import { proposeEpoch } from "../../tasks/lib/ops/propose.js";

export const HOUR = 3600;
export const DAY = 24 * HOUR;
export const CHALLENGE = HOUR;
export const WINDOW = 30 * DAY;
export const FUNDING = 50_000n * 10n ** 18n;

type Connection = NetworkConnection;

/** Deploys the local suite; `funding` (0 for none) is funded by the deployer; `decayBps` defaults to 1000. */
export async function deploySuite(connection: Connection, funding: bigint = FUNDING, decayBps = 1000) {
  const { ethers, ignition } = connection;
  const { token, epochRewards } = await ignition.deploy(LocalSuiteModule, {
    parameters: { LocalSuite: { challengePeriod: CHALLENGE, claimWindow: WINDOW, decayBps } },
  });
  const pool = (await ethers.getContractAt("EpochRewards", await epochRewards.getAddress())) as unknown as EpochRewards;
  const mock = (await ethers.getContractAt("MockERC20", await token.getAddress())) as unknown as MockERC20;
  const [deployer, proposer, guardian, recovery, ...others] = await ethers.getSigners();
  if (funding > 0n) {
    await mock.connect(deployer).approve(await pool.getAddress(), funding);
    await pool.connect(deployer).fund(funding);
  }
  return {
    pool,
    token: mock,
    deployer: deployer!,
    proposer: proposer!,
    guardian: guardian!,
    recovery: recovery!,
    others,
  };
}

/** Allocates examples/epoch-1..n for `pool` (distributor and chain id set) into a fresh temporary directory. */
export async function allocateExamples(connection: Connection, pool: EpochRewards, n = 3): Promise<string[]> {
  const root = mkdtempSync(join(tmpdir(), "sm-tasks-"));
  const chainId = Number((await connection.ethers.provider.getNetwork()).chainId);
  const dirs: string[] = [];
  for (let epoch = 1; epoch <= n; epoch++) {
    const outDir = join(root, `epoch-${epoch}`);
    allocateExport({
      inputDir: join("examples", `epoch-${epoch}`),
      outDir,
      previous: dirs.at(-1),
      overrides: { distributor: await pool.getAddress(), chainId },
    });
    dirs.push(outDir);
  }
  return dirs;
}

/** A copy of an artifacts directory with one text file (such as reputation.csv) changed by `edit`. */
export function tamperedTextCopy(dir: string, file: string, edit: (text: string) => string): string {
  const copy = mkdtempSync(join(tmpdir(), "sm-tampered-"));
  cpSync(dir, copy, { recursive: true });
  const path = join(copy, file);
  writeFileSync(path, edit(readFileSync(path, "utf8")));
  return copy;
}

/** A copy of an artifacts directory with one JSON file changed by `edit`. */
export function tamperedCopy(dir: string, file: string, edit: (json: any) => void): string {
  const copy = mkdtempSync(join(tmpdir(), "sm-tampered-"));
  cpSync(dir, copy, { recursive: true });
  const path = join(copy, file);
  const json = JSON.parse(readFileSync(path, "utf8"));
  edit(json);
  writeFileSync(path, JSON.stringify(json));
  return copy;
}

/** A suite with epoch 1 of the examples allocated and proposed: it is in its challenge period. */
export async function proposedSuite(connection: Connection) {
  const suite = await deploySuite(connection);
  const dirs = await allocateExamples(connection, suite.pool, 1);
  const proposed = await proposeEpoch(suite.pool.connect(suite.proposer) as EpochRewards, dirs[0]!);
  if (proposed.status !== "done") throw new Error("not proposed");
  return { ...suite, dirs, proposed };
}
