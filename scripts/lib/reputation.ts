/**
 * Reputation (DESIGN §4.3): rep_new = floor(rep_old × (10000 − decayBps) / 10000) + floor(u / 10000),
 * and the prior reputation read from the previous epoch's artifacts.
 */
import { ReputationOverflowError } from "./errors.js";

export const UINT64_MAX = (1n << 64n) - 1n;

/** The reputation after this epoch; throws if it would not fit the contract's uint64. */
export function nextReputation(account: string, previous: bigint, units: bigint, decayBps: number): bigint {
  const next = (previous * BigInt(10000 - decayBps)) / 10000n + units / 10000n;
  if (next > UINT64_MAX) throw new ReputationOverflowError(account, next);
  return next;
}
