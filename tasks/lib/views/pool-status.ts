/**
 * What `sm:status` reads: the pool's funds, pause, newest final epoch and total reputation, and every epoch with
 * its figures (inputsHash and uri from its EpochProposed event).
 */
import { ZeroHash } from "ethers";
import type { EpochRewards } from "../../../typechain-types/index.js";
import { stateName, type EpochStateName } from "../../../protocol/epoch.js";
import { proposedLogs, vetoedLogs, type VetoedLog } from "../events.js";
import { isoDate } from "../format.js";
import { chainNow } from "../tx.js";

export interface EpochRow {
  epoch: number;
  state: EpochStateName;
  root: string;
  /** From the epoch's EpochProposed event; null if the node cannot search logs (or for a vetoed epoch). */
  inputsHash: string | null;
  uri: string | null;
  total: bigint;
  claimed: bigint;
  reputationTotal: bigint;
  claimableAt: string | null;
  expiresAt: string | null;
  /** A vetoed epoch: the root the guardian rejected, from its EpochVetoed event. */
  vetoed?: VetoedLog;
}

export interface PoolStatus {
  pool: string;
  token: string;
  now: string;
  latestEpoch: number;
  /** finalEpochAt(now): the newest epoch whose challenge period is over; scores are decayed up to it. */
  finalEpoch: number;
  available: bigint;
  outstanding: bigint;
  challengePeriod: bigint;
  claimWindow: bigint;
  paused: boolean;
  /** Seconds the pool has spent paused since its deployment, the current pause included. */
  pausedDuration: bigint;
  decayBps: bigint;
  /** totalReputation(): the reputationTotal of the newest final epoch. */
  totalReputation: bigint;
  soulCount: bigint;
  /** False when the node could not search logs: inputsHash and uri are unknown then. */
  logs: boolean;
  /** Epochs 1..latestEpoch, then the vetoed epochs after it. */
  epochs: EpochRow[];
}

/**
 * Every epoch 1..latestEpoch with its state and figures (inputsHash and uri from the EpochProposed events), then
 * the vetoed epochs after latestEpoch, plus the pool's funds, pause, newest final epoch and total reputation.
 */
export async function poolStatus(pool: EpochRewards): Promise<PoolStatus> {
  const latest = Number(await pool.latestEpoch());
  const proposed = await proposedLogs(pool);
  const epochs: EpochRow[] = [];
  for (let epoch = 1; epoch <= latest; epoch++) {
    const e = await pool.getEpoch(epoch);
    const log = proposed?.get(epoch);
    const fromLog = log && log.root === e.root.toLowerCase() ? log : undefined;
    epochs.push({
      epoch,
      state: stateName(e.state),
      root: e.root,
      inputsHash: fromLog?.inputsHash ?? null,
      uri: fromLog?.uri ?? null,
      total: e.total,
      claimed: e.claimed,
      reputationTotal: e.reputationTotal,
      claimableAt: isoDate(e.claimableAt),
      expiresAt: isoDate(e.expiresAt),
    });
  }
  // A veto takes every later epoch with it: they read Vetoed until proposed again.
  const vetoed = await vetoedLogs(pool);
  for (let epoch = latest + 1; stateName(await pool.epochState(epoch)) === "Vetoed"; epoch++) {
    epochs.push({
      epoch,
      state: "Vetoed",
      root: ZeroHash,
      inputsHash: null,
      uri: null,
      total: 0n,
      claimed: 0n,
      reputationTotal: 0n,
      claimableAt: null,
      expiresAt: null,
      vetoed: vetoed?.get(epoch)?.at(-1),
    });
  }
  const [challengePeriod, claimWindow] = await pool.durations();
  const now = await chainNow(pool);
  return {
    pool: await pool.getAddress(),
    token: await pool.token(),
    now: isoDate(now),
    latestEpoch: latest,
    finalEpoch: Number(await pool.finalEpochAt(now)),
    available: await pool.available(),
    outstanding: await pool.outstanding(),
    challengePeriod,
    claimWindow,
    paused: await pool.paused(),
    pausedDuration: await pool.pausedDuration(),
    decayBps: await pool.decayBps(),
    totalReputation: await pool.totalReputation(),
    soulCount: await pool.soulCount(),
    logs: proposed !== undefined,
    epochs,
  };
}
