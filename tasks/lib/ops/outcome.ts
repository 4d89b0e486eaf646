/**
 * What every operation under ops/ shares: how it reports (a line printer, silent by default) and what it returns.
 * Each operation takes an `EpochRewards` contract already connected to the signer that sends, checks everything it
 * can before sending (a failed check sends nothing), and is idempotent where docs/tasks.md says so: doing again
 * what is already done is a no-op with a message, never a second transaction.
 */

/** A line printer; tasks print to the console, tests collect the lines. */
export type Log = (line: string) => void;
export const silent: Log = () => {};

/** What an operation did: `noop` when the chain was already in the requested state. */
export type Outcome<T> = { status: "done"; txHash: string } & T;
export type Noop = { status: "noop"; message: string };
