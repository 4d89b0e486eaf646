/** `recover`: the recovery role moves the soul of a lost wallet to a new address, with its score. */
import { getAddress, ZeroAddress } from "ethers";
import type { EpochRewards } from "../../../typechain-types/index.js";
import { TaskError } from "../errors.js";
import type { Planned } from "../send.js";
import { findEvent, requireRole } from "../tx.js";
import type { Noop } from "./outcome.js";

export type Recovered = { from: string; to: string; reputation: bigint; barrierEpoch: bigint };

/**
 * Plans `recoverSoul(lost, to)`: `lost` must hold a soul, `to` must never have claimed (nor hold or have held a
 * soul). A no-op when the soul of `lost` was already recovered to `to`. Only the recovery role.
 */
export async function prepareRecover(pool: EpochRewards, lost: string, to: string): Promise<Planned<Recovered, Noop>> {
  const from = getAddress(lost);
  const target = getAddress(to);
  if (target === ZeroAddress) throw new TaskError("--to must not be the zero address");
  if (from === target) throw new TaskError("--lost and --to are the same address");
  const soul = await pool.soulRecord(from);
  if (soul.recoveredAway) {
    let movedTo: string | undefined;
    try {
      movedTo = (await pool.queryFilter(pool.filters.SoulRecovered(from))).at(-1)?.args.to;
    } catch {
      // a node that cannot search logs
    }
    if (movedTo === target) {
      return {
        noop: { status: "noop", message: `the soul of ${from} was already recovered to ${target}: nothing to do` },
      };
    }
    throw new TaskError(
      `the soul of ${from} was already recovered away${movedTo ? ` to ${movedTo}` : ""}: ${from} holds no soul`,
    );
  }
  if (soul.lastClaimedEpoch === 0n) throw new TaskError(`${from} never claimed: it holds no soul to recover`);
  const receiving = await pool.soulRecord(target);
  if (receiving.lastClaimedEpoch !== 0n) {
    throw new TaskError(
      `${target} has claimed before or holds a soul: a recovered soul can only go to an address that never claimed`,
    );
  }
  await requireRole(pool, "RECOVERY_ROLE", "recovery role");
  const score = await pool.getVotes(from);
  const barrier = await pool.latestEpoch();
  return {
    context: [
      `recovering the soul of ${from} (score now ${score}, anchor ${soul.value} at epoch ${soul.anchorEpoch}) to ${target}`,
      `${from} then has no votes and can never hold a soul again; its unclaimed leaves still pay it tokens`,
      `leaves of ${target} in epochs up to ${barrier} pay tokens without changing the recovered score; compute the next epoch with the recovery (docs/runbook.md, soul recovery)`,
    ],
    calls: [
      {
        contract: pool,
        label: "the pool",
        method: "recoverSoul",
        args: [from, target],
        authority: { role: "RECOVERY_ROLE", pool },
      },
    ],
    finish: (receipts, log) => {
      const receipt = receipts[0]!;
      const event = findEvent(receipt, pool, "SoulRecovered");
      const reputation = event.args.reputation as bigint;
      const barrierEpoch = event.args.barrierEpoch as bigint;
      log(
        `recovered the soul of ${from} to ${target}: score ${reputation}, barrier epoch ${barrierEpoch} (tx ${receipt.hash})`,
      );
      return { from, to: target, reputation, barrierEpoch };
    },
  };
}
