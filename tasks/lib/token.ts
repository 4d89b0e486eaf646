/** The ERC-20 the pool pays, as the tasks call it. */
import { Contract, type BaseContract } from "ethers";
import type { EpochRewards } from "../../typechain-types/index.js";
import { ERC20_ABI } from "../../protocol/abi.js";
import { TaskError } from "./errors.js";
import type { TokenFacts } from "./format.js";

/** The token the pool pays, as an ERC-20 connected to the pool's runner (the sender, or a provider to read). */
export async function tokenOf(pool: EpochRewards): Promise<Contract> {
  return new Contract(await pool.token(), ERC20_ABI, pool.runner);
}

/** The token's address, decimals and symbol (a token without `symbol()` shows as "tokens"; one without `decimals()` is refused). */
export async function tokenFacts(token: BaseContract): Promise<TokenFacts> {
  const erc20 = new Contract(await token.getAddress(), ERC20_ABI, token.runner);
  let symbol = "tokens";
  try {
    symbol = String(await erc20.symbol());
  } catch {
    // optional in ERC-20
  }
  let decimals: number;
  try {
    decimals = Number(await erc20.decimals());
  } catch {
    throw new TaskError(`the token ${await erc20.getAddress()} has no decimals(): amounts cannot be shown in tokens`);
  }
  return { address: await erc20.getAddress(), decimals, symbol };
}
