/** `mint`: test tokens from the local mock token (contracts/test/MockERC20.sol), on a development chain only. */
import { getAddress, ZeroAddress, type BaseContract } from "ethers";
import { TaskError } from "../errors.js";
import { formatAmount, formatTokens, type TokenFacts } from "../format.js";
import type { SendPlan } from "../send.js";
import { providerOf } from "../tx.js";

/** Refuses any chain but a local development chain. */
export function requireLocalChain(network: { isLocal: boolean; networkName: string; chainId: bigint }): void {
  if (!network.isLocal) {
    throw new TaskError(
      `sm:mint runs only on a local development chain (chain id 31337 or 1337): network ${network.networkName} is chain ${network.chainId}`,
    );
  }
}

/**
 * Plans `mint(to, amount)` on `token` (the mock token, connected to the sender). Refused on any chain but a local
 * one, and for a token without the mock's `mint`.
 */
export async function prepareMint(
  network: { isLocal: boolean; networkName: string; chainId: bigint },
  token: BaseContract,
  facts: TokenFacts,
  to: string,
  amount: bigint,
): Promise<SendPlan<{ to: string; amount: bigint; balance: bigint }>> {
  requireLocalChain(network);
  const target = getAddress(to);
  if (target === ZeroAddress) throw new TaskError("--to must not be the zero address");
  const address = await token.getAddress();
  const selector = token.interface.getFunction("mint")!.selector.slice(2);
  const code = await providerOf(token).getCode(address);
  if (!code.toLowerCase().includes(selector)) {
    throw new TaskError(`the token ${address} has no mint(address,uint256): only the local mock token can be minted`);
  }
  const balanceOf = token.getFunction("balanceOf");
  const before = (await balanceOf.staticCall(target)) as bigint;
  return {
    context: [
      `minting ${formatAmount(amount, facts)} of the mock token ${address} to ${target} (balance ${formatAmount(before, facts)})`,
    ],
    calls: [
      {
        contract: token,
        label: "the mock token",
        method: "mint",
        args: [target, amount],
        authority: { holder: "no role needed: the mock token mints to anyone" },
        notes: { amount: formatTokens(amount, facts) },
      },
    ],
    finish: async (receipts, log) => {
      const balance = (await balanceOf.staticCall(target)) as bigint;
      log(
        `minted ${formatAmount(amount, facts)} to ${target}: balance now ${formatAmount(balance, facts)} (tx ${receipts[0]!.hash})`,
      );
      return { to: target, amount, balance };
    },
  };
}
