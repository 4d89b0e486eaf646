/**
 * What the pool's events recorded and its storage does not keep: the inputsHash and uri of each proposal
 * (`EpochProposed`) and the roots the guardian rejected (`EpochVetoed`). Both read the node's logs and return
 * undefined when it cannot search them.
 */
import type { EpochRewards } from "../../typechain-types/index.js";

/** What the `EpochProposed` event of an epoch recorded (inputsHash and uri are stored nowhere else). */
export interface ProposedLog {
  epoch: number;
  root: string;
  total: bigint;
  reputationTotal: bigint;
  inputsHash: string;
  uri: string;
  claimableAt: bigint;
  expiresAt: bigint;
  txHash: string;
}

/** What an `EpochVetoed` event recorded: the rejected root (lowercase), who vetoed it and why. */
export interface VetoedLog {
  root: string;
  guardian: string;
  reason: string;
}

/**
 * The newest `EpochProposed` event of each epoch (an epoch vetoed and proposed again has several), or of `epoch`
 * only; undefined if the node cannot search logs.
 */
export async function proposedLogs(pool: EpochRewards, epoch?: number): Promise<Map<number, ProposedLog> | undefined> {
  let logs;
  try {
    logs = await pool.queryFilter(pool.filters.EpochProposed(epoch));
  } catch {
    return undefined;
  }
  const byEpoch = new Map<number, ProposedLog>();
  for (const l of logs) {
    const a = l.args;
    byEpoch.set(Number(a.epoch), {
      epoch: Number(a.epoch),
      root: String(a.root).toLowerCase(),
      total: a.total,
      reputationTotal: a.reputationTotal,
      inputsHash: a.inputsHash,
      uri: a.uri,
      claimableAt: a.claimableAt,
      expiresAt: a.expiresAt,
      txHash: l.transactionHash,
    });
  }
  return byEpoch;
}

/** The `EpochVetoed` events of each epoch, oldest first; undefined if the node cannot search logs. */
export async function vetoedLogs(pool: EpochRewards): Promise<Map<number, VetoedLog[]> | undefined> {
  let logs;
  try {
    logs = await pool.queryFilter(pool.filters.EpochVetoed());
  } catch {
    return undefined;
  }
  const byEpoch = new Map<number, VetoedLog[]>();
  for (const l of logs) {
    const epoch = Number(l.args.epoch);
    byEpoch.set(epoch, [
      ...(byEpoch.get(epoch) ?? []),
      { root: String(l.args.root).toLowerCase(), guardian: l.args.guardian, reason: l.args.reason },
    ]);
  }
  return byEpoch;
}
