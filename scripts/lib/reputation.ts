/**
 * Reputation (docs/rules.md, Reputation): an account's reputation after an epoch is
 * `decay(rep_old, 1) + floor(u / 10000)`, with the decay the reward pool contract applies by itself.
 */
import { MAX_REPUTATION } from "../../protocol/bounds.js";
import { decay } from "../../protocol/decay.js";
import { ReputationOverflowError } from "./errors.js";

/** The reputation after this epoch; throws if it would not fit the contract's uint64. */
export function nextReputation(account: string, previous: bigint, units: bigint, decayBps: number): bigint {
  const next = decay(previous, 1, decayBps) + units / 10000n;
  if (next > MAX_REPUTATION) throw new ReputationOverflowError(account, next);
  return next;
}
