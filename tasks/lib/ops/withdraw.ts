/** `withdraw`: the admin takes unreserved funds (at most `available()`) out of the pool. */
import { getAddress, ZeroAddress } from "ethers";
import type { EpochRewards } from "../../../typechain-types/index.js";
import { TaskError } from "../errors.js";
import { formatAmount, formatTokens } from "../format.js";
import type { SendPlan } from "../send.js";
import { tokenFacts, tokenOf } from "../token.js";
import { findEvent, requireRole } from "../tx.js";

/**
 * Plans `withdraw(to, amount)`: at most `available()`, the funds no live epoch reserves (what epochs still owe
 * stays). Only the admin.
 */
export async function prepareWithdraw(
  pool: EpochRewards,
  to: string,
  amount: bigint,
): Promise<SendPlan<{ to: string; amount: bigint }>> {
  const target = getAddress(to);
  if (target === ZeroAddress) throw new TaskError("--to must not be the zero address");
  if (amount <= 0n) throw new TaskError("--amount must be positive");
  const facts = await tokenFacts(await tokenOf(pool));
  const available = await pool.available();
  if (amount > available) {
    throw new TaskError(
      `--amount ${formatAmount(amount, facts)} exceeds available() ${formatAmount(available, facts)}: only funds no live epoch reserves can be withdrawn`,
    );
  }
  await requireRole(pool, "DEFAULT_ADMIN_ROLE", "default admin");
  return {
    context: [
      `withdrawing ${formatAmount(amount, facts)} of ${facts.address} to ${target}`,
      `available ${formatAmount(available, facts)} → ${formatAmount(available - amount, facts)}; outstanding ${await pool.outstanding()} stays reserved`,
    ],
    calls: [
      {
        contract: pool,
        label: "the pool",
        method: "withdraw",
        args: [target, amount],
        authority: { role: "DEFAULT_ADMIN_ROLE", pool },
        notes: { amount: formatTokens(amount, facts) },
      },
    ],
    finish: async (receipts, log) => {
      const receipt = receipts[0]!;
      findEvent(receipt, pool, "Withdrawn");
      log(
        `withdrew ${formatAmount(amount, facts)} to ${target}; available now ${formatAmount(await pool.available(), facts)} (tx ${receipt.hash})`,
      );
      return { to: target, amount };
    },
  };
}
