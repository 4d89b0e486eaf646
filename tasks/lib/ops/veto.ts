/** `veto`: the guardian rejects an epoch's root during its challenge period, and every later epoch with it. */
import type { EpochRewards } from "../../../typechain-types/index.js";
import { stateName } from "../../../protocol/epoch.js";
import { TaskError } from "../errors.js";
import { isoDate } from "../format.js";
import { execute, settled, type Planned } from "../send.js";
import { parsedLogs, requireRole } from "../tx.js";
import { silent, type Log, type Noop, type Outcome } from "./outcome.js";

export type Vetoed = { root: string; released: bigint; epochs: number[] };

/**
 * Plans the veto of `epoch` during its challenge period, and with it of every later live epoch (the contract vetoes
 * them all); a no-op if it is already vetoed. Only the guardian, even while paused.
 */
export async function prepareVeto(pool: EpochRewards, epoch: number, reason: string): Promise<Planned<Vetoed>> {
  const onChain = await pool.getEpoch(epoch);
  const state = stateName(onChain.state);
  if (state === "Vetoed") {
    return {
      noop: { status: "noop", message: `epoch ${epoch} is already vetoed (it may be proposed again): nothing to do` },
    };
  }
  if (state === "None") throw new TaskError(`epoch ${epoch} was never proposed: there is nothing to veto`);
  if (state !== "Challenge") {
    throw new TaskError(
      `epoch ${epoch} is ${state}: its challenge period closed at ${isoDate(onChain.claimableAt)} and its root is final`,
    );
  }
  await requireRole(pool, "GUARDIAN_ROLE", "guardian");
  // The later epochs fall with it: they are in their challenge period too, with nothing claimed.
  const latest = Number(await pool.latestEpoch());
  let released = onChain.total;
  const later: number[] = [];
  for (let next = epoch + 1; next <= latest; next++) {
    released += (await pool.getEpoch(next)).total;
    later.push(next);
  }
  return {
    context: [
      `vetoing epoch ${epoch} (root ${onChain.root}, challenge period until ${isoDate(onChain.claimableAt)})` +
        (later.length > 0 ? `, and with it the later epoch${later.length > 1 ? "s" : ""} ${later.join(", ")}` : ""),
      `${released} returns to available; epoch ${epoch} is then the next to propose`,
    ],
    calls: [
      {
        contract: pool,
        label: "the pool",
        method: "vetoEpoch",
        args: [epoch, reason],
        authority: { role: "GUARDIAN_ROLE", pool },
      },
    ],
    finish: (receipts, log) => {
      const receipt = receipts[0]!;
      const epochs = parsedLogs(receipt, pool)
        .filter((e) => e.name === "EpochVetoed")
        .map((e) => Number(e.args.epoch))
        .sort((a, b) => a - b);
      if (!epochs.includes(epoch)) throw new TaskError(`the transaction ${receipt.hash} emitted no EpochVetoed event`);
      const others = epochs.filter((e) => e !== epoch);
      log(
        `vetoed epoch ${epoch} (root ${onChain.root})` +
          (others.length > 0 ? ` and the later epoch${others.length > 1 ? "s" : ""} ${others.join(", ")}` : "") +
          `; ${released} released to available; epoch ${epoch} is the next to propose (tx ${receipt.hash})`,
      );
      return { root: onChain.root, released, epochs };
    },
  };
}

/** Vetoes `epoch` (and every later live epoch); a no-op if it is already vetoed. */
export async function vetoEpoch(
  pool: EpochRewards,
  epoch: number,
  reason: string,
  log: Log = silent,
): Promise<Noop | Outcome<Vetoed>> {
  return settled(await execute(await prepareVeto(pool, epoch, reason), { log }));
}
