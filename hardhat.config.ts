import { createRequire } from "node:module";
import { configVariable, defineConfig } from "hardhat/config";
import hardhatToolboxMochaEthers from "@nomicfoundation/hardhat-toolbox-mocha-ethers";

// Compile offline: use the pinned solc-js from npm instead of letting Hardhat download a compiler.
const require = createRequire(import.meta.url);
const version = require("solc/package.json").version as string;
const path = require.resolve("solc/soljson.js");
// Tests compile without the IR pipeline (solc-js is several times slower with it); deployments, the demo and
// the gas benchmark use the production profile, the code that goes on chain.
const optimizer = { enabled: true, runs: 10_000 };

export default defineConfig({
  plugins: [hardhatToolboxMochaEthers],
  solidity: {
    profiles: {
      default: { version, path, settings: { optimizer, evmVersion: "cancun" } },
      production: { version, path, settings: { optimizer, evmVersion: "cancun", viaIR: true } },
    },
  },
  paths: { ignition: "deploy" },
  typechain: { outDir: "typechain-types" },
  test: { solidity: { fuzz: { runs: 256 }, invariant: { runs: 64, depth: 64 } } as never },
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
