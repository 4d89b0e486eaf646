/**
 * End to end, the way an operator deploys locally: a real `hardhat node` process, then
 * `hardhat ignition deploy deploy/modules/LocalSuite.ts --network localhost --parameters deploy/parameters/localhost.json`
 * as a second process, then the deployed pool checked over plain JSON-RPC.
 *
 * The `localhost` network of hardhat.config.ts is 127.0.0.1 at LOCALHOST_PORT (and a test cannot add a network), so the
 * node must listen there: when the port is taken the test is skipped and says why.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readFile, rm, rmdir } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "chai";
import { Contract, JsonRpcProvider } from "ethers";
import { isPortFree, startHardhatNode, type HardhatNode, LOCALHOST_PORT } from "../utils/hardhat-node.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const HARDHAT_CLI = path.join(ROOT, "node_modules/hardhat/dist/src/cli.js");
const HOST = "127.0.0.1";
const PORT = LOCALHOST_PORT;
const RPC_URL = `http://${HOST}:${PORT}`;
/**
 * Upper bound of the whole file: the node is killed by then whatever happens. Generous: on a loaded two-core
 * machine `ignition deploy` alone (a Hardhat start, a cache check and a dozen transactions) has taken over a minute.
 */
const DEADLINE_MS = 300_000;
/**
 * `ignition deploy` builds the production profile by default; the tests just built the default one (same compiler
 * settings, see hardhat.config.ts). Switching profiles would recompile everything twice per run.
 */
const SAME_BUILD_AS_TESTS = ["--build-profile", "default"];
const DEPLOYMENT_ID = `test-localhost-${process.pid}-${Date.now()}`;
/** `ignition deploy` of the local suite to the node, run twice: the second run must send nothing. */
const DEPLOY_LOCAL_SUITE = [
  "ignition",
  "deploy",
  "deploy/modules/LocalSuite.ts",
  "--network",
  "localhost",
  "--parameters",
  "deploy/parameters/localhost.json",
  "--deployment-id",
  DEPLOYMENT_ID,
  ...SAME_BUILD_AS_TESTS,
];
const DEPLOYMENT_DIR = path.join(ROOT, "deploy/deployments", DEPLOYMENT_ID);

/** Runs the project's Hardhat CLI with the Node that runs this test (Node 22, from node_modules/.bin). */
function hardhat(args: string[]): ChildProcess {
  return spawn(process.execPath, [HARDHAT_CLI, ...args], {
    cwd: ROOT,
    env: { ...process.env, FORCE_COLOR: "0", NO_COLOR: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
}

function collectOutput(child: ChildProcess): () => string {
  let output = "";
  child.stdout?.on("data", (chunk) => (output += chunk));
  child.stderr?.on("data", (chunk) => (output += chunk));
  return () => output;
}

async function run(args: string[], timeoutMs: number): Promise<{ code: number | null; output: string }> {
  const child = hardhat(args);
  const output = collectOutput(child);
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  clearTimeout(timer);
  return { code, output: output() };
}

describe("deploy/modules/LocalSuite.ts on a real hardhat node", function () {
  this.timeout(DEADLINE_MS);
  const started = Date.now();
  const remaining = () => Math.max(1_000, DEADLINE_MS - (Date.now() - started) - 10_000);

  let node: HardhatNode | undefined;
  let deployed: Record<string, string>;
  let provider: JsonRpcProvider;

  before(async function () {
    if (!(await isPortFree(PORT))) {
      console.log(`      skipped: port ${PORT} is in use, and the config's localhost network is fixed to it`);
      this.skip();
    }
    // Killed at DEADLINE_MS whatever happens; waits for OUR node's banner too, so that if another process grabbed
    // the port in the meantime we do not deploy to it.
    node = await startHardhatNode({ port: PORT, startupTimeoutMs: 60_000, deadlineMs: DEADLINE_MS });

    const deploy = await run(DEPLOY_LOCAL_SUITE, remaining());
    expect(deploy.code, `ignition deploy failed:\n${deploy.output}`).to.equal(0);
    deployed = JSON.parse(await readFile(path.join(DEPLOYMENT_DIR, "deployed_addresses.json"), "utf8"));
    provider = new JsonRpcProvider(RPC_URL, undefined, { staticNetwork: true });
  });

  after(async function () {
    provider?.destroy();
    await node?.stop();
    await rm(DEPLOYMENT_DIR, { recursive: true, force: true });
    // Leave no empty deploy/deployments behind (it holds real deployments' journals otherwise).
    await rmdir(path.dirname(DEPLOYMENT_DIR)).catch(() => undefined);
  });

  async function pool(): Promise<Contract> {
    const { abi } = JSON.parse(
      await readFile(path.join(DEPLOYMENT_DIR, "artifacts", "LocalSuite#EpochRewards.json"), "utf8"),
    ) as { abi: [] };
    return new Contract(deployed["LocalSuite#EpochRewards"], abi, provider);
  }

  it("records the pool and the token in the deployment", function () {
    expect(Object.keys(deployed)).to.have.members(["LocalSuite#EpochRewards", "MockToken#MockERC20"]);
  });

  it("grants the roles named in localhost.json, sets its decay and keeps the deployer as admin", async function () {
    const parameters = JSON.parse(await readFile(path.join(ROOT, "deploy/parameters/localhost.json"), "utf8"));
    const local = parameters.LocalSuite as Record<string, string | number>;
    const epochRewards = await pool();
    const [deployer] = (await provider.send("eth_accounts", [])) as string[];

    expect(await epochRewards.hasRole(await epochRewards.PROPOSER_ROLE(), local.proposer)).to.equal(true);
    expect(await epochRewards.hasRole(await epochRewards.GUARDIAN_ROLE(), local.guardian)).to.equal(true);
    expect(await epochRewards.hasRole(await epochRewards.RECOVERY_ROLE(), local.recovery)).to.equal(true);
    expect((await epochRewards.defaultAdmin()).toLowerCase()).to.equal(deployer.toLowerCase());
    expect(await epochRewards.hasRole(await epochRewards.PROPOSER_ROLE(), deployer)).to.equal(false);
    expect(await epochRewards.durations()).to.deep.equal([BigInt(local.challengePeriod), BigInt(local.claimWindow)]);
    expect(await epochRewards.decayBps()).to.equal(BigInt(local.decayBps));
    expect(await epochRewards.token()).to.equal(deployed["MockToken#MockERC20"]);
  });

  it("does nothing when the same deployment runs again", async function () {
    const [deployer] = (await provider.send("eth_accounts", [])) as string[];
    const nonce = await provider.getTransactionCount(deployer);
    const again = await run(DEPLOY_LOCAL_SUITE, remaining());
    expect(again.code, again.output).to.equal(0);
    expect(await provider.getTransactionCount(deployer)).to.equal(nonce);
  });
});
