/** `pause` and `unpause`: the guardian stops and resumes claims and proposals. */
import type { EpochRewards } from "../../../typechain-types/index.js";
import { stateName } from "../../../protocol/epoch.js";
import { formatDuration, isoDate } from "../format.js";
import type { Planned } from "../send.js";
import { findEvent } from "../tx.js";

/** The epochs whose claim window is open or ahead (Challenge or Claimable): a pause stops their windows. */
async function openEpochs(pool: EpochRewards): Promise<number[]> {
  const latest = Number(await pool.latestEpoch());
  const oldest = Math.max(1, latest - Number(await pool.MAX_OPEN_EPOCHS()) + 1);
  const open: number[] = [];
  for (let epoch = oldest; epoch <= latest; epoch++) {
    const state = stateName(await pool.epochState(epoch));
    if (state === "Challenge" || state === "Claimable") open.push(epoch);
  }
  return open;
}

/** Plans `pause()`; a no-op when the pool is already paused. Only the guardian. */
export async function preparePause(pool: EpochRewards): Promise<Planned<{ paused: true }>> {
  if (await pool.paused()) {
    return { noop: { status: "noop", message: "the pool is already paused: nothing to do" } };
  }
  const open = await openEpochs(pool);
  return {
    context: [
      "pausing the pool: claims and proposals stop until the guardian unpauses; vetoes and sweeps of expired epochs go on",
      open.length > 0
        ? `the claim windows of epoch${open.length > 1 ? "s" : ""} ${open.join(", ")} stop running while paused (their expiry moves by the pause)`
        : "no epoch is open for claims",
    ],
    calls: [
      { contract: pool, label: "the pool", method: "pause", args: [], authority: { role: "GUARDIAN_ROLE", pool } },
    ],
    finish: (receipts, log) => {
      const receipt = receipts[0]!;
      findEvent(receipt, pool, "Paused");
      log(`paused the pool (tx ${receipt.hash})`);
      return { paused: true };
    },
  };
}

/** Plans `unpause()`; a no-op when the pool is not paused. Only the guardian. */
export async function prepareUnpause(pool: EpochRewards): Promise<Planned<{ paused: false }>> {
  if (!(await pool.paused())) {
    return { noop: { status: "noop", message: "the pool is not paused: nothing to do" } };
  }
  const open = await openEpochs(pool);
  return {
    context: [
      `unpausing the pool: claims and proposals resume (${formatDuration(await pool.pausedDuration())} paused in total since deployment)`,
      open.length > 0
        ? `the expiry of epoch${open.length > 1 ? "s" : ""} ${open.join(", ")} moves by the time this pause kept ${open.length > 1 ? "them" : "it"} claimable`
        : "no epoch is open for claims",
    ],
    calls: [
      { contract: pool, label: "the pool", method: "unpause", args: [], authority: { role: "GUARDIAN_ROLE", pool } },
    ],
    finish: async (receipts, log) => {
      const receipt = receipts[0]!;
      findEvent(receipt, pool, "Unpaused");
      const expiries: string[] = [];
      for (const epoch of open)
        expiries.push(`epoch ${epoch} expires at ${isoDate((await pool.getEpoch(epoch)).expiresAt)}`);
      log(`unpaused the pool${expiries.length > 0 ? `: ${expiries.join(", ")}` : ""} (tx ${receipt.hash})`);
      return { paused: false };
    },
  };
}
