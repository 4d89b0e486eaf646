/** What `sm:reputation` reads: an account's soul, score, anchor, claimed epochs, recovery and the decay ahead. */
import { getAddress } from "ethers";
import type { EpochRewards } from "../../../typechain-types/index.js";
import { isoDate } from "../format.js";
import { chainNow } from "../tx.js";

export interface ReputationStatus {
  account: string;
  hasSoul: boolean;
  soulId: bigint | null;
  /** getVotes(account): the anchor decayed to the newest final epoch (0 without a soul). */
  score: bigint;
  votes: bigint;
  delegate: string;
  /** lastSyncedEpoch(account): 0 if it never claimed or its soul was recovered away. */
  lastSyncedEpoch: bigint;
  /** soulRecord.lastClaimedEpoch: the newest epoch it claimed (for a recovered soul: the recovery's barrier). */
  lastClaimedEpoch: bigint;
  /** The anchor the score decays from; null if the account never held a soul. */
  anchor: { value: bigint; epoch: bigint; since: string } | null;
  recoveredAway: boolean;
  /** The recovery that moved this soul away (`from` is the account) or here (`to` is the account), from its event. */
  recovery?: { from: string; to: string; barrierEpoch: bigint; txHash: string };
  finalEpoch: bigint;
  decayBps: bigint;
  /** The score once one more epoch is final, if the account claims no newer leaf: decayed(score, 1). */
  nextScore: bigint;
  /** The epoch whose finality applies the next decay, if it is already proposed. */
  nextFinal?: { epoch: bigint; at: string };
}

/** An account's soul, score, anchor, claimed epochs, recovery and the decay ahead. */
export async function reputationStatus(pool: EpochRewards, account: string): Promise<ReputationStatus> {
  const who = getAddress(account);
  const hasSoul = await pool.hasSoul(who);
  const soul = await pool.soulRecord(who);
  const score = await pool.getVotes(who);
  const now = await chainNow(pool);
  const finalEpoch = await pool.finalEpochAt(now);
  const latest = await pool.latestEpoch();
  let nextFinal: ReputationStatus["nextFinal"];
  if (latest > finalEpoch) {
    const next = await pool.getEpoch(finalEpoch + 1n);
    nextFinal = { epoch: finalEpoch + 1n, at: isoDate(next.claimableAt) };
  }
  let recovery: ReputationStatus["recovery"];
  if (soul.since !== 0n) {
    try {
      const away = await pool.queryFilter(pool.filters.SoulRecovered(who));
      const here = await pool.queryFilter(pool.filters.SoulRecovered(undefined, who));
      const found = (soul.recoveredAway ? away : here).at(-1);
      if (found) {
        recovery = {
          from: found.args.from,
          to: found.args.to,
          barrierEpoch: found.args.barrierEpoch,
          txHash: found.transactionHash,
        };
      }
    } catch {
      // a node that cannot search logs: the recovery's other address stays unknown
    }
  }
  return {
    account: who,
    hasSoul,
    soulId: hasSoul ? await pool.soulOf(who) : null,
    score,
    votes: score,
    delegate: await pool.delegates(who),
    lastSyncedEpoch: await pool.lastSyncedEpoch(who),
    lastClaimedEpoch: soul.lastClaimedEpoch,
    anchor: soul.since === 0n ? null : { value: soul.value, epoch: soul.anchorEpoch, since: isoDate(soul.since) },
    recoveredAway: soul.recoveredAway,
    recovery,
    finalEpoch,
    decayBps: await pool.decayBps(),
    nextScore: score === 0n ? 0n : await pool.decayed(score, 1),
    nextFinal,
  };
}
