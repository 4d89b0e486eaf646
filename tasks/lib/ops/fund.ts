/** `fund`: approve the pool for the amount if the allowance is short, then fund it. */
import type { EpochRewards } from "../../../typechain-types/index.js";
import { TaskError } from "../errors.js";
import { formatAmount, formatTokens } from "../format.js";
import { execute, settled, type SendPlan } from "../send.js";
import { tokenFacts, tokenOf } from "../token.js";
import { findEvent, signerOf } from "../tx.js";
import { silent, type Log, type Outcome } from "./outcome.js";

export type Funded = { requested: bigint; credited: bigint; approveTx?: string };

/**
 * Plans `fund(amount)`, preceded by `approve(pool, amount)` when the sender's allowance is short. Refuses an amount
 * above the sender's token balance. Anyone holding tokens may fund.
 */
export async function prepareFund(pool: EpochRewards, amount: bigint): Promise<SendPlan<Funded>> {
  if (amount <= 0n) throw new TaskError("--amount must be positive");
  const from = await signerOf(pool).getAddress();
  const poolAddress = await pool.getAddress();
  const token = await tokenOf(pool);
  const facts = await tokenFacts(token);
  const balance: bigint = await token.balanceOf(from);
  if (balance < amount) {
    throw new TaskError(`--amount ${amount} exceeds the token balance ${balance} of the sender ${from}`);
  }
  const allowance: bigint = await token.allowance(from, poolAddress);
  const approve = allowance < amount;
  const holder = { holder: "no role needed: any token holder may fund the pool" };
  const amountNote = { amount: formatTokens(amount, facts), value: formatTokens(amount, facts) };
  return {
    context: [
      `funding the pool ${poolAddress} with ${formatAmount(amount, facts)} of ${facts.address}`,
      `sender's token balance ${formatAmount(balance, facts)}; allowance for the pool ${allowance}${approve ? ": approving first" : ""}`,
      `available now ${formatAmount(await pool.available(), facts)}`,
    ],
    calls: [
      ...(approve
        ? [
            {
              contract: token,
              label: "the token",
              method: "approve",
              args: [poolAddress, amount],
              authority: holder,
              notes: amountNote,
            },
          ]
        : []),
      {
        contract: pool,
        label: "the pool",
        method: "fund",
        args: [amount],
        authority: holder,
        notes: amountNote,
        ...(approve ? { estimatedAfter: "the pool can pull the tokens only once approve is mined" } : {}),
      },
    ],
    finish: async (receipts, log) => {
      const receipt = receipts.at(-1)!;
      const credited = findEvent(receipt, pool, "Funded").args.received as bigint;
      log(
        `funded: requested ${formatAmount(amount, facts)}, credited ${formatAmount(credited, facts)}; available now ${formatAmount(await pool.available(), facts)} (tx ${receipt.hash})`,
      );
      return { requested: amount, credited, ...(approve ? { approveTx: receipts[0]!.hash } : {}) };
    },
  };
}

/** Approves the pool (if the allowance is short) and funds it with `amount`; returns what the pool credited. */
export async function fundPool(pool: EpochRewards, amount: bigint, log: Log = silent): Promise<Outcome<Funded>> {
  return settled(await execute(await prepareFund(pool, amount), { log })) as Outcome<Funded>;
}
