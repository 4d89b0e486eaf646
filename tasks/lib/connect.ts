/**
 * What every task does before its operation: open a connection to the selected network (`--network`), find the
 * pool and pick the signer, and afterwards print errors as one clear line (custom errors decoded).
 */
import { createInterface } from "node:readline/promises";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import type { EpochRewards } from "../../typechain-types/index.js";
import { describeError, ERC20_ERRORS, TaskError, type Abi } from "./errors.js";
import { parseAddressOption } from "./options.js";

export interface PoolConnection {
  pool: EpochRewards;
  signer: HardhatEthersSigner;
  networkName: string;
  chainId: bigint;
  /** The in-process network or a local development node (chain id 31337): no confirmation needed. */
  isLocal: boolean;
}

/** The ABIs whose custom errors a task decodes, filled in once the pool is known. */
const knownAbis: Abi[] = [ERC20_ERRORS];

/**
 * Connects to `--pool` on the task's network with a signer: `from` if given (one of the network's accounts),
 * else the first account holding `role`, else the first account.
 */
export async function openPool(
  hre: HardhatRuntimeEnvironment,
  poolOption: string | undefined,
  options: { from?: string; role?: "PROPOSER_ROLE" | "GUARDIAN_ROLE" } = {},
): Promise<PoolConnection> {
  const address = parseAddressOption("pool", poolOption);
  const connection = await hre.network.create();
  const { ethers } = connection;
  const chainId = (await ethers.provider.getNetwork()).chainId;
  if ((await ethers.provider.getCode(address)) === "0x") {
    throw new TaskError(`--pool ${address}: no contract at this address on network ${connection.networkName}`);
  }
  const signers = await ethers.getSigners();
  if (signers.length === 0) throw new TaskError(`network ${connection.networkName} has no accounts configured`);
  const readOnly = (await ethers.getContractAt("EpochRewards", address)) as unknown as EpochRewards;
  knownAbis.unshift(readOnly.interface);

  let signer = signers[0]!;
  if (options.from) {
    const from = parseAddressOption("from", options.from);
    const found = signers.find((s) => s.address === from);
    if (!found) throw new TaskError(`--from ${from} is not one of the accounts of network ${connection.networkName}`);
    signer = found;
  } else if (options.role) {
    const id = await readOnly[options.role]();
    let holder: HardhatEthersSigner | undefined;
    for (const s of signers.slice(0, 20)) {
      if (await readOnly.hasRole(id, s.address)) {
        holder = s;
        break;
      }
    }
    if (!holder) {
      throw new TaskError(
        `none of the accounts of network ${connection.networkName} holds ${options.role} on ${address} (checked ${Math.min(signers.length, 20)})`,
      );
    }
    signer = holder;
  }
  return {
    pool: readOnly.connect(signer) as EpochRewards,
    signer,
    networkName: connection.networkName,
    chainId,
    isLocal: connection.networkConfig.type === "edr-simulated" || chainId === 31337n,
  };
}

/** Asks the operator to confirm on a terminal; refuses without one (pass --yes in scripts). */
export async function confirmOnTerminal(lines: string[]): Promise<boolean> {
  for (const line of lines) console.log(line);
  if (!process.stdin.isTTY) throw new TaskError("no terminal to confirm on: pass --yes to send without confirmation");
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    const answer = await rl.question("Send this transaction? [y/N] ");
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

/** Runs a task body: prints any error as `Error: …` (custom errors decoded) and sets exit code 1. */
export async function runTask(body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (error) {
    console.error(`Error: ${describeError(error, knownAbis)}`);
    if (!(error instanceof TaskError) && process.env.SM_DEBUG) console.error(error);
    process.exitCode = 1;
  }
}
