/**
 * The limits of the reward pool contract's storage. The pipeline checks them before it writes
 * anything, so that an epoch it accepts is one the contract can store.
 */

/** A soul's reputation is a uint64 on-chain. */
export const MAX_REPUTATION = 2n ** 64n - 1n;

/** The total reputation of an epoch (the contract's total voting supply) is a uint64 too. */
export const MAX_REPUTATION_TOTAL = 2n ** 64n - 1n;

/** The contract stores an epoch's total (its pool, Σ amounts) in 96 bits. */
export const MAX_EPOCH_TOTAL = 2n ** 96n - 1n;
