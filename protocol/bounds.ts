/**
 * The limits of the reward pool's storage, as the contract declares them (`MAX_REPUTATION()`,
 * `MAX_EPOCH_TOTAL()`, `MAX_OPEN_EPOCHS()`). The pipeline checks them before it writes an epoch, so
 * that every epoch it accepts is one the contract can store; a test reads them back from a deployed pool.
 */

/** A soul's reputation is a uint64 on chain. */
export const MAX_REPUTATION = 2n ** 64n - 1n;

/** An epoch's total reputation (the voting supply after it) is a uint64 too. */
export const MAX_REPUTATION_TOTAL = 2n ** 64n - 1n;

/** An epoch's total (its pool, the sum of its amounts) is stored in 96 bits. */
export const MAX_EPOCH_TOTAL = 2n ** 96n - 1n;

/** At most this many epochs are open for claims at once; a veto never reaches further than that. */
export const MAX_OPEN_EPOCHS = 64;

/** Basis points: a decay rate of `BPS` is 100% per epoch. */
export const BPS = 10_000;
