/**
 * Errors of the Hardhat tasks: {@link TaskError} for anything the operator must fix (bad option, artifacts that do
 * not match, an epoch in the wrong state), and {@link describeError} to turn a reverted call into the contract's
 * custom error name and arguments (decoded by the protocol module with the compiled ABIs).
 */
import type { Interface, InterfaceAbi } from "ethers";
import { decodeRevert, revertValueText } from "../../protocol/errors.js";

/** An ABI to decode errors with: an ethers Interface (a contract's `.interface`) or an ABI. */
export type Abi = Interface | InterfaceAbi;

/** A problem the operator can fix; the task prints its message without a stack trace and exits 1. */
export class TaskError extends Error {
  override name = "TaskError";
}

/**
 * `Name(arg=value, …)` of the custom error a call reverted with (by default decoded with the pool's and an ERC-20's
 * ABI); undefined when the error carries no revert data.
 */
export function revertText(error: unknown, abis?: Abi[]): string | undefined {
  const revert = decodeRevert(error, abis);
  if (!revert) return undefined;
  if (!revert.name) return `unknown custom error ${revert.selector} (data ${revert.data})`;
  const args = revert.args.map((a) => `${a.name}=${revertValueText(a.value)}`);
  return `${revert.name}(${args.join(", ")})`;
}

/** What the operator should know about some of the pool's errors, appended to the decoded error. */
export const ERROR_HINTS: Record<string, string> = {
  EnforcedPause: "the pool is paused: claims and proposals wait until the guardian unpauses",
  ExpectedPause: "the pool is not paused",
  TooManyOpenEpochs: "at most MAX_OPEN_EPOCHS() epochs may be open for claims at once: wait until openEpoch expires",
  AlreadyClaimed: "this account's leaf of this epoch was already claimed",
  ReputationTooLarge: "a reputation above MAX_REPUTATION() (2^64 - 1): the artifacts are wrong",
  InvalidDecayBps: "decayBps must be at most 10000 (100% per epoch)",
  EpochNotProposable: "epochs are proposed strictly in order: only latestEpoch() + 1",
  InvalidDurations: "the claim window must be at least 1 day and both durations at most 5 years",
  WithdrawExceedsAvailable: "only available() can be withdrawn: what live epochs reserve stays in the pool",
  AccessControlEnforcedDefaultAdminDelay: "the admin delay has not passed yet (or no change is scheduled)",
  AccessControlInvalidDefaultAdmin: "only the pending default admin may accept the transfer",
  AccessControlEnforcedDefaultAdminRules:
    "the default admin role moves only by the two-step transfer (sm:admin-begin, sm:admin-accept)",
  SoulNotFound: "the account holds no soul (it never claimed, or its soul was recovered away)",
  SoulAlreadyExists: "a recovered soul can only go to an address that never claimed",
};

/** A one-line explanation of any error a task may meet: TaskError messages as they are, reverts decoded. */
export function describeError(error: unknown, abis?: Abi[]): string {
  if (error instanceof TaskError) return error.message;
  const decoded = revertText(error, abis);
  if (decoded) {
    const hint = ERROR_HINTS[decoded.slice(0, decoded.indexOf("("))];
    return `the contract reverted with ${decoded}${hint ? ` — ${hint}` : ""}`;
  }
  const e = error as { shortMessage?: string; message?: string };
  return e?.shortMessage ?? e?.message ?? String(error);
}
