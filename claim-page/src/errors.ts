/** Turns wallet and contract errors into sentences, decoding the pool's custom errors by name. */
import { Interface, isHexString, type ErrorDescription } from "ethers";
import { POOL_ABI } from "./abi";
import { errorCode } from "./wallet";

const pool = new Interface(POOL_ABI);

/** Every string that looks like revert data somewhere inside an error (ethers and wallets nest them). */
function revertData(error: unknown, seen = new Set<unknown>()): string[] {
  if (typeof error !== "object" || error === null || seen.has(error)) return [];
  seen.add(error);
  const found: string[] = [];
  for (const [key, value] of Object.entries(error)) {
    if (key === "data" && typeof value === "string" && isHexString(value) && value.length >= 10) found.push(value);
    else if (typeof value === "object") found.push(...revertData(value, seen));
  }
  return found;
}

/** `AlreadyClaimed(epoch 2, account 0x…)`. */
export function formatCustomError(description: ErrorDescription): string {
  const args = description.fragment.inputs.map((input, i) => {
    const value = description.args[i];
    return `${input.name || `arg${i}`} ${typeof value === "bigint" ? value.toString() : String(value)}`;
  });
  return `${description.name}(${args.join(", ")})`;
}

/** The pool's custom error inside `error`, decoded, if there is one. */
export function decodePoolError(error: unknown): string | undefined {
  for (const data of revertData(error)) {
    try {
      const description = pool.parseError(data);
      if (description) return formatCustomError(description);
    } catch {
      // not one of ours: keep looking
    }
  }
  return undefined;
}

/** A sentence for a failed claim. */
export function describeError(error: unknown): string {
  const e = error as { code?: unknown; shortMessage?: string; message?: string; reason?: string };
  if (e?.code === "ACTION_REJECTED" || errorCode(error) === 4001) return "You rejected the request in your wallet.";
  const custom = decodePoolError(error);
  if (custom) return `The pool refused the claim: ${custom}.`;
  if (typeof e?.reason === "string" && e.reason) return `The transaction reverted: ${e.reason}.`;
  return e?.shortMessage ?? e?.message ?? String(error);
}
