import { createRequire } from "node:module";
import { configVariable, defineConfig, task } from "hardhat/config";
import { ArgumentType } from "hardhat/types/arguments";
import hardhatToolboxMochaEthers from "@nomicfoundation/hardhat-toolbox-mocha-ethers";

// Compile offline: use the pinned solc-js from npm instead of letting Hardhat download a compiler.
const require = createRequire(import.meta.url);
const version = require("solc/package.json").version as string;
const path = require.resolve("solc/soljson.js");
// Tests compile without the IR pipeline and with few optimizer runs (solc-js is several times slower with IR, and
// the pool's code would exceed 24 KiB unoptimised for size); deployments, the demo and the gas benchmark use the
// production profile, the code that goes on chain (via IR, 10,000 runs: the toolchain the gas figures name).
const productionOptimizer = { enabled: true, runs: 10_000 };
const testOptimizer = { enabled: true, runs: 200 };

// On-chain operations (docs/tasks.md). Options are optional strings that the tasks validate, so that every error
// names the option; `--from` picks one of the network's accounts as the sender.
const option = <NameT extends string>(name: NameT, description: string) =>
  ({ name, description, type: ArgumentType.STRING_WITHOUT_DEFAULT, defaultValue: undefined }) as const;
const pool = option("pool", "address of the EpochRewards pool");
const from = option(
  "from",
  "sender, one of the network's accounts (default: one holding the needed role, or the first)",
);
const tasks = [
  task("sm:fund", "Approve and fund the pool with token units; prints what the pool credited")
    .addOption(pool)
    .addOption(option("amount", "token units (the token's smallest unit)"))
    .addOption(from)
    .setAction(() => import("./tasks/fund.js"))
    .build(),
  task("sm:propose", "Propose an epoch's root from its artifacts directory (checked against the chain first)")
    .addOption(pool)
    .addOption(option("artifacts", "the epoch's artifacts directory"))
    .addOption(option("uri", "where the artifacts are published"))
    .addFlag({ name: "yes", description: "send without asking for confirmation" })
    .addOption(from)
    .setAction(() => import("./tasks/propose.js"))
    .build(),
  task("sm:status", "Show every epoch of the pool and its available and outstanding funds")
    .addOption(pool)
    .setAction(() => import("./tasks/status.js"))
    .build(),
  task("sm:veto", "Veto an epoch's root during its challenge period (guardian)")
    .addOption(pool)
    .addOption(option("epoch", "epoch number"))
    .addOption(option("reason", "why the root is rejected"))
    .addOption(from)
    .setAction(() => import("./tasks/veto.js"))
    .build(),
  task("sm:claim", "Claim every claimable, unclaimed epoch of one account in one claimMany")
    .addOption(pool)
    .addOption(option("artifacts", "artifacts directories, comma-separated"))
    .addOption(option("artifactsRoot", "a directory whose epoch-* subdirectories are artifacts"))
    .addOption(option("account", "the account to claim for (default: the sender)"))
    .addOption(from)
    .setAction(() => import("./tasks/claim.js"))
    .build(),
  task("sm:sweep", "Release what an expired epoch did not pay back to the available funds")
    .addOption(pool)
    .addOption(option("epoch", "epoch number"))
    .addOption(from)
    .setAction(() => import("./tasks/sweep.js"))
    .build(),
  task("sm:reputation", "Show an account's soul, reputation score, last synced epoch and votes")
    .addOption(pool)
    .addOption(option("account", "the account"))
    .setAction(() => import("./tasks/reputation.js"))
    .build(),
  task(
    "sm:build-tests",
    "Compile the contracts, then the Solidity tests one folder per solc job (see tasks/build-tests.ts)",
  )
    .setAction(() => import("./tasks/build-tests.js"))
    .build(),
  task("sm:demo", "Three epochs end to end on the in-process network from examples/ (npm run demo)")
    .setAction(() => import("./tasks/demo.js"))
    .build(),
];

export default defineConfig({
  plugins: [hardhatToolboxMochaEthers],
  tasks,
  solidity: {
    // Contracts and Solidity tests compile as separate solc jobs: one job holding both overflows solc-js's
    // WebAssembly memory ("memory access out of bounds", HHE908).
    splitTestsCompilation: true,
    profiles: {
      default: { version, path, settings: { optimizer: testOptimizer, evmVersion: "cancun" } },
      production: { version, path, settings: { optimizer: productionOptimizer, evmVersion: "cancun", viaIR: true } },
    },
  },
  paths: { ignition: "deploy" },
  typechain: { outDir: "typechain-types" },
  test: { solidity: { fuzz: { runs: 256 }, invariant: { runs: 64, depth: 64 } } },
  verify: { etherscan: { apiKey: configVariable("ETHERSCAN_API_KEY") } },
  networks: {
    hardhatMainnet: { type: "edr-simulated", chainType: "l1" },
    localhost: { type: "http", chainType: "l1", url: "http://127.0.0.1:8545" },
    sepolia: {
      type: "http",
      chainType: "l1",
      url: configVariable("SEPOLIA_RPC_URL"),
      accounts: [configVariable("SEPOLIA_PRIVATE_KEY")],
    },
  },
});
