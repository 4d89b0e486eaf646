/**
 * The decay of a reputation that earns nothing new (docs/rules.md, Reputation). The contract's
 * `ReputationDecay.decay` runs the same loop, so both sides agree on every figure.
 */
import { BPS } from "./bounds.js";

/**
 * `value` after `epochs` epochs without new reputation: `epochs` times
 * `r = floor(r × (10000 − decayBps) / 10000)`, stopping as soon as r is 0. This is iterated one-epoch
 * decay, so `decay(decay(r, a), b) === decay(r, a + b)` exactly.
 */
export function decay(value: bigint, epochs: number | bigint, decayBps: number): bigint {
  if (value < 0n) throw new RangeError(`decay: negative reputation ${value}`);
  if (!Number.isInteger(decayBps) || decayBps < 0 || decayBps > BPS) {
    throw new RangeError(`decay: decayBps must be an integer in 0..${BPS}, got ${decayBps}`);
  }
  if (typeof epochs === "number" && !Number.isSafeInteger(epochs)) {
    throw new RangeError(`decay: epochs must be an integer, got ${epochs}`);
  }
  let n = BigInt(epochs);
  if (n < 0n) throw new RangeError(`decay: epochs must not be negative, got ${epochs}`);
  if (decayBps === 0) return value;
  const keep = BigInt(BPS - decayBps);
  const bps = BigInt(BPS);
  let r = value;
  // r strictly decreases while it is positive (decayBps > 0), so the loop ends after at most
  // `value` steps even for a huge `epochs`; in practice it is geometric.
  for (; n > 0n && r > 0n; n--) r = (r * keep) / bps;
  return r;
}
