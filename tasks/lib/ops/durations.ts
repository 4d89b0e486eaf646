/** `setDurations`: the admin changes the challenge period and claim window of the epochs proposed from now on. */
import type { EpochRewards } from "../../../typechain-types/index.js";
import { decodeRevert } from "../../../protocol/errors.js";
import { ERROR_HINTS, TaskError } from "../errors.js";
import { durationUnit, formatDuration } from "../format.js";
import type { Planned } from "../send.js";
import { findEvent, requireRole } from "../tx.js";

export type Durations = { challengePeriod: bigint; claimWindow: bigint };

/**
 * Plans `setDurations(challengePeriod, claimWindow)`, each defaulting to the current value; a no-op when both are
 * unchanged. Only the admin; the pool's bounds are checked by simulating the call.
 */
export async function prepareDurations(
  pool: EpochRewards,
  wanted: { challengePeriod?: bigint; claimWindow?: bigint },
): Promise<Planned<Durations>> {
  const [currentChallenge, currentWindow] = await pool.durations();
  const challengePeriod = wanted.challengePeriod ?? currentChallenge;
  const claimWindow = wanted.claimWindow ?? currentWindow;
  if (challengePeriod === currentChallenge && claimWindow === currentWindow) {
    return {
      noop: {
        status: "noop",
        message: `the durations are already challenge ${formatDuration(challengePeriod)}, claim window ${formatDuration(claimWindow)}: nothing to do`,
      },
    };
  }
  await requireRole(pool, "DEFAULT_ADMIN_ROLE", "default admin");
  try {
    await pool.setDurations.staticCall(challengePeriod, claimWindow);
  } catch (error) {
    if (decodeRevert(error, [pool.interface])?.name === "InvalidDurations") {
      const named = [
        wanted.challengePeriod === undefined
          ? `challenge period ${challengePeriod} s (unchanged)`
          : `--challenge ${challengePeriod} s`,
        wanted.claimWindow === undefined ? `claim window ${claimWindow} s (unchanged)` : `--window ${claimWindow} s`,
      ];
      throw new TaskError(`${named.join(", ")}: the pool refuses these durations: ${ERROR_HINTS.InvalidDurations}`);
    }
    throw error;
  }
  return {
    context: [
      `challenge period ${formatDuration(currentChallenge)} → ${formatDuration(challengePeriod)}`,
      `claim window     ${formatDuration(currentWindow)} → ${formatDuration(claimWindow)}`,
      "they apply to the epochs proposed from now on; the epochs already proposed keep their dates",
    ],
    calls: [
      {
        contract: pool,
        label: "the pool",
        method: "setDurations",
        args: [challengePeriod, claimWindow],
        authority: { role: "DEFAULT_ADMIN_ROLE", pool },
        notes: { challengePeriod: durationUnit(challengePeriod), claimWindow: durationUnit(claimWindow) },
      },
    ],
    finish: (receipts, log) => {
      const receipt = receipts[0]!;
      findEvent(receipt, pool, "DurationsSet");
      log(
        `durations set: challenge ${formatDuration(challengePeriod)}, claim window ${formatDuration(claimWindow)} (tx ${receipt.hash})`,
      );
      return { challengePeriod, claimWindow };
    },
  };
}
