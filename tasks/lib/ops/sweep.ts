/** `sweep`: release what an expired epoch did not pay back to available(). */
import type { EpochRewards } from "../../../typechain-types/index.js";
import { stateName } from "../../../protocol/epoch.js";
import { TaskError } from "../errors.js";
import { isoDate } from "../format.js";
import { execute, settled, type Planned } from "../send.js";
import { findEvent } from "../tx.js";
import { silent, type Log, type Noop, type Outcome } from "./outcome.js";

/** Plans the sweep of an expired epoch; a no-op if it is already swept. Anyone may sweep, even while paused. */
export async function prepareSweep(pool: EpochRewards, epoch: number): Promise<Planned<{ released: bigint }>> {
  const onChain = await pool.getEpoch(epoch);
  const state = stateName(onChain.state);
  if (state === "Swept") return { noop: { status: "noop", message: `epoch ${epoch} is already swept: nothing to do` } };
  if (state === "None") throw new TaskError(`epoch ${epoch} was never proposed: there is nothing to sweep`);
  if (state === "Vetoed") throw new TaskError(`epoch ${epoch} was vetoed: its reservation was already released`);
  if (state !== "Expired") {
    const paused = (await pool.paused())
      ? " if the pool is unpaused now (its claim window is stopped while the pool is paused)"
      : "";
    throw new TaskError(`epoch ${epoch} is ${state}: it can be swept from ${isoDate(onChain.expiresAt)}${paused}`);
  }
  return {
    context: [
      `sweeping epoch ${epoch}, expired at ${isoDate(onChain.expiresAt)}: ${onChain.total - onChain.claimed} of its ${onChain.total} were not claimed`,
    ],
    calls: [
      {
        contract: pool,
        label: "the pool",
        method: "sweep",
        args: [epoch],
        authority: { holder: "no role needed: anyone may sweep an expired epoch" },
      },
    ],
    finish: (receipts, log) => {
      const receipt = receipts[0]!;
      const released = findEvent(receipt, pool, "EpochSwept").args.released as bigint;
      log(`swept epoch ${epoch}: ${released} unclaimed released to available (tx ${receipt.hash})`);
      return { released };
    },
  };
}

/** Sweeps an expired epoch; a no-op if it is already swept. */
export async function sweepEpoch(
  pool: EpochRewards,
  epoch: number,
  log: Log = silent,
): Promise<Noop | Outcome<{ released: bigint }>> {
  return settled(await execute(await prepareSweep(pool, epoch), { log }));
}
