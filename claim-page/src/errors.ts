/** Turns wallet and contract errors into sentences; the pool's custom errors are decoded by the protocol module. */
import { decodeRevert, revertValueText, type DecodedRevert } from "../../protocol/index.js";
import { errorCode } from "./wallet";

/** `AlreadyClaimed(epoch 2, account 0x…)`. */
function formatCustomError(revert: DecodedRevert & { name: string }): string {
  return `${revert.name}(${revert.args.map((a) => `${a.name} ${revertValueText(a.value)}`).join(", ")})`;
}

/** The pool's (or its token's) custom error inside `error`, as text, if there is one. */
function decodePoolError(error: unknown): string | undefined {
  const revert = decodeRevert(error);
  return revert?.name ? formatCustomError({ ...revert, name: revert.name }) : undefined;
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
