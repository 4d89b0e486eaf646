import { createRequire } from "node:module";
import { configVariable, defineConfig, overrideTask } from "hardhat/config";
import hardhatToolboxMochaEthers from "@nomicfoundation/hardhat-toolbox-mocha-ethers";
import { smTasks } from "./tasks/index.js";

// Compile offline: use the pinned solc-js from npm instead of letting Hardhat download a compiler.
const require = createRequire(import.meta.url);
const version = require("solc/package.json").version as string;
const path = require.resolve("solc/soljson.js");
// Tests compile without the IR pipeline and with few optimizer runs (solc-js is several times slower with IR, and
// the pool's code would exceed 24 KiB unoptimised for size); deployments, the demo and the gas benchmark use the
// production profile, the code that goes on chain (via IR, 10,000 runs: the toolchain the gas figures name).
const productionOptimizer = { enabled: true, runs: 10_000 };
const testOptimizer = { enabled: true, runs: 200 };

// The `localhost` network: a `hardhat node --hostname 127.0.0.1` on port 8545, or on SM_LOCALHOST_PORT when set (start
// the node with the same `--port`).
const localhostPort = process.env.SM_LOCALHOST_PORT?.trim() || "8545";
if (!/^\d+$/.test(localhostPort) || Number(localhostPort) < 1 || Number(localhostPort) > 65535) {
  throw new Error(`SM_LOCALHOST_PORT must be a TCP port (1-65535), not "${process.env.SM_LOCALHOST_PORT}"`);
}

// On-chain operations (docs/tasks.md): the `sm:*` tasks are defined in tasks/index.ts.
const tasks = [
  ...smTasks,
  // `build` (and so `compile` and the build `test` runs) compiles the Solidity tests one folder per solc job.
  overrideTask("build")
    .setAction(() => import("./tasks/build-tests.js"))
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
  // Coverage counts the product contracts only: the mocks and gas probes in contracts/test are not instrumented.
  coverage: { skipFiles: ["contracts/test/**"] },
  verify: { etherscan: { apiKey: configVariable("ETHERSCAN_API_KEY") } },
  networks: {
    hardhatMainnet: { type: "edr-simulated", chainType: "l1" },
    localhost: { type: "http", chainType: "l1", url: `http://127.0.0.1:${localhostPort}` },
    sepolia: {
      type: "http",
      chainType: "l1",
      url: configVariable("SEPOLIA_RPC_URL"),
      accounts: [configVariable("SEPOLIA_PRIVATE_KEY")],
    },
  },
});
