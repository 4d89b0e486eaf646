/**
 * Errors of the Hardhat tasks: {@link TaskError} for anything the operator must fix (bad option, artifacts that do
 * not match, an epoch in the wrong state), and {@link describeError} to turn a reverted call into the contract's
 * custom error name and arguments.
 */
import { Interface, type InterfaceAbi } from "ethers";

/** An ABI to decode errors with: an ethers Interface (a contract's `.interface`) or a human-readable list. */
export type Abi = Interface | InterfaceAbi;

/** A problem the operator can fix; the task prints its message without a stack trace and exits 1. */
export class TaskError extends Error {
  override name = "TaskError";
}

/** The errors an ERC-20 may revert with (OpenZeppelin 5, ERC-6093), for decoding `fund` failures. */
export const ERC20_ERRORS = [
  "error ERC20InsufficientBalance(address sender, uint256 balance, uint256 needed)",
  "error ERC20InsufficientAllowance(address spender, uint256 allowance, uint256 needed)",
  "error ERC20InvalidSender(address sender)",
  "error ERC20InvalidReceiver(address receiver)",
  "error ERC20InvalidApprover(address approver)",
  "error ERC20InvalidSpender(address spender)",
];

/** Finds the revert data of a failed call anywhere in the error chain ethers and Hardhat build. */
function revertData(error: unknown, depth = 0): string | undefined {
  if (error === null || typeof error !== "object" || depth > 6) return undefined;
  const e = error as Record<string, unknown>;
  if (typeof e.data === "string" && /^0x[0-9a-fA-F]{8}/.test(e.data)) return e.data;
  if (e.data && typeof e.data === "object") {
    const nested = (e.data as Record<string, unknown>).data;
    if (typeof nested === "string" && /^0x[0-9a-fA-F]{8}/.test(nested)) return nested;
  }
  for (const key of ["error", "info", "cause", "parent"]) {
    const found = revertData(e[key], depth + 1);
    if (found) return found;
  }
  return undefined;
}

function formatValue(value: unknown): string {
  if (typeof value === "bigint") return value.toString();
  if (Array.isArray(value)) return `[${value.map(formatValue).join(", ")}]`;
  return String(value);
}

/**
 * `Name(arg=value, …)` of the custom error a call reverted with, decoded with the given ABIs; undefined when the
 * error carries no revert data that any of them knows.
 */
export function decodeRevert(error: unknown, abis: Abi[]): string | undefined {
  const data = revertData(error);
  if (!data) return undefined;
  for (const abi of abis) {
    const iface = abi instanceof Interface ? abi : new Interface(abi);
    let parsed;
    try {
      parsed = iface.parseError(data);
    } catch {
      continue;
    }
    if (!parsed) continue;
    const args = parsed.fragment.inputs.map((input, i) => `${input.name || `arg${i}`}=${formatValue(parsed.args[i])}`);
    return `${parsed.name}(${args.join(", ")})`;
  }
  return `unknown custom error ${data.slice(0, 10)} (data ${data})`;
}

/**
 * What the operator should know about some of the pool's errors, appended to the decoded error. The error names and
 * arguments themselves come from the ABI of the compiled contract (the pool's `interface`), so every custom error
 * the pool declares (its own, the reputation token's, OpenZeppelin's) is decoded without being listed here.
 */
export const ERROR_HINTS: Record<string, string> = {
  EnforcedPause: "the pool is paused: claims and proposals wait until the guardian unpauses",
  ExpectedPause: "the pool is not paused",
  TooManyOpenEpochs: "at most MAX_OPEN_EPOCHS() epochs may be open for claims at once: wait until openEpoch expires",
  AlreadyClaimed: "this account's leaf of this epoch was already claimed",
  ReputationTooLarge: "a reputation above MAX_REPUTATION() (2^64 - 1): the artifacts are wrong",
  InvalidDecayBps: "decayBps must be at most 10000 (100% per epoch)",
  EpochNotProposable: "epochs are proposed strictly in order: only latestEpoch() + 1",
};

/** A one-line explanation of any error a task may meet: TaskError messages as they are, reverts decoded. */
export function describeError(error: unknown, abis: Abi[] = []): string {
  if (error instanceof TaskError) return error.message;
  const decoded = decodeRevert(error, abis);
  if (decoded) {
    const hint = ERROR_HINTS[decoded.slice(0, decoded.indexOf("("))];
    return `the contract reverted with ${decoded}${hint ? ` — ${hint}` : ""}`;
  }
  const e = error as { shortMessage?: string; message?: string };
  return e?.shortMessage ?? e?.message ?? String(error);
}
