/**
 * Reputation (docs/rules.md §5): the decay that the reward pool contract applies by itself, and
 * the reputation of an account after an epoch, `decay(rep_old, 1) + floor(u / 10000)`.
 */
import { MAX_REPUTATION } from "./bounds.js";
import { ReputationOverflowError } from "./errors.js";

/** The largest reputation the contract stores (uint64); the same value as {@link MAX_REPUTATION}. */
export const UINT64_MAX = MAX_REPUTATION;

/**
 * `value` after `epochs` epochs without new reputation: `epochs` times
 * `r = floor(r × (10000 − decayBps) / 10000)`, stopping as soon as r is 0. This is iterated
 * one-epoch decay, so `decay(decay(r, a), b) === decay(r, a + b)`. The contract runs the same loop
 * from the reputation of an account's newest claimed leaf, so both sides agree on every figure.
 */
export function decay(value: bigint, epochs: number | bigint, decayBps: number): bigint {
  if (value < 0n) throw new RangeError(`decay: negative reputation ${value}`);
  if (!Number.isInteger(decayBps) || decayBps < 0 || decayBps > 10000) {
    throw new RangeError(`decay: decayBps must be an integer in 0..10000, got ${decayBps}`);
  }
  if (typeof epochs === "number" && !Number.isSafeInteger(epochs)) {
    throw new RangeError(`decay: epochs must be an integer, got ${epochs}`);
  }
  let n = BigInt(epochs);
  if (n < 0n) throw new RangeError(`decay: epochs must not be negative, got ${epochs}`);
  if (decayBps === 0) return value;
  const keep = BigInt(10000 - decayBps);
  let r = value;
  // r strictly decreases while it is positive (decayBps > 0), so the loop ends after at most
  // `value` steps even for a huge `epochs`; in practice it is geometric.
  for (; n > 0n && r > 0n; n--) r = (r * keep) / 10000n;
  return r;
}

/** The reputation after this epoch; throws if it would not fit the contract's uint64. */
export function nextReputation(account: string, previous: bigint, units: bigint, decayBps: number): bigint {
  const next = decay(previous, 1, decayBps) + units / 10000n;
  if (next > MAX_REPUTATION) throw new ReputationOverflowError(account, next);
  return next;
}
