/**
 * The one way the tasks send a transaction: describe → estimate → confirm → send → mined.
 *
 * An operation plans what it will send ({@link Planned}: the calls, with what the operator should know about them,
 * or a no-op when the chain is already in the requested state); {@link execute} then prints each call decoded
 * (function and named arguments, read back from the calldata), the sender and the role it holds for the call, a gas
 * estimate and its cost at the current fee data in the native currency, and the sender's balance. A dry run stops
 * there. With {@link SendOptions.safe} (`--safe FILE --safe-address ADDR`) it writes the calls, as described and
 * estimated from the Safe's address, to a Safe Transaction Builder batch file (safe.ts) and sends nothing. Otherwise
 * it asks for confirmation when the caller gave a {@link Confirm} (on a live network unless `--yes`:
 * {@link confirmation}), sends the calls in order, waits for each receipt and hands the receipts to the operation's
 * `finish`, which reads what happened from the events.
 */
import { createInterface } from "node:readline/promises";
import {
  formatEther,
  formatUnits,
  type BaseContract,
  type ParamType,
  type Result,
  type TransactionReceipt,
} from "ethers";
import type { EpochRewards } from "../../typechain-types/index.js";
import { TaskError } from "./errors.js";
import { silent, type Log, type Noop, type Outcome } from "./ops/outcome.js";
import { roleId, roleTitle, type RoleName } from "./roles.js";
import { safeBatch, safeTransaction, writeSafeBatch, type SafeBatchFile } from "./safe.js";
import { mined, providerOf, signerOf } from "./tx.js";

/** Who may send a call: a role of the pool, checked before sending, or a sentence for a call open to others. */
export type Authority = { role: RoleName; pool: EpochRewards } | { holder: string };

/** One call an operation sends, from the signer its contract is connected to. */
export interface PlannedCall {
  /** The contract called, connected to the sender. */
  contract: BaseContract;
  /** What the contract is, for the operator: "the pool", "the token". */
  label: string;
  method: string;
  args: readonly unknown[];
  authority: Authority;
  /** What an argument's value means, by argument name (an amount in tokens, a role's name, a duration). */
  notes?: Record<string, string>;
  /** Why the call can only be estimated once the previous one is mined (`fund` pulls what `approve` allows). */
  estimatedAfter?: string;
}

/** What an operation will send, with the lines that explain it and how to read the outcome from the receipts. */
export interface SendPlan<T> {
  /** What the operation is about (the epoch, its root, the balances …), printed before the calls. */
  context: string[];
  calls: PlannedCall[];
  /** Reads the outcome from the receipts (one per call, in order) and reports it. */
  finish: (receipts: TransactionReceipt[], log: Log) => Promise<T> | T;
}

/** Nothing to send: the chain is already in the requested state. */
export interface NoopPlan<N extends Noop> {
  context?: string[];
  noop: N;
}

export type Planned<T, N extends Noop = Noop> = SendPlan<T> | NoopPlan<N>;

/** Asks the operator to confirm what `lines` describe (already printed). Resolving false sends nothing. */
export type Confirm = (lines: string[], question: string) => Promise<boolean>;

export interface SendOptions {
  /** Where the description and the progress go (tasks: the console; tests: a list). */
  log?: Log;
  /** Describe and estimate, send nothing. */
  dryRun?: boolean;
  /** Asked before sending; none: send without asking (a local network, or `--yes`). */
  confirm?: Confirm;
  /** The network's name, for the description. */
  network?: string;
  /** Where the sender's key comes from (an account of the network, `SM_GUARDIAN_KEY`, …), for the description. */
  senderSource?: string;
  /**
   * Write the calls to a Safe Transaction Builder batch file instead of sending them. The contracts must be
   * connected to the Safe's address (a `VoidSigner`): the role checks and the estimates run from it.
   */
  safe?: { file: string };
}

/** A call as {@link execute} described it: decoded from its calldata, with its estimate. */
export interface DescribedCall {
  label: string;
  to: string;
  method: string;
  /** The decoded arguments by name, as the contract receives them. */
  args: Record<string, unknown>;
  data: string;
  sender: string;
  /** "holds GUARDIAN_ROLE", or the authority's sentence. */
  standing: string;
  /** Undefined when it can only be estimated after the previous call is mined. */
  gas?: bigint;
  /** The fee per gas the cost is computed with: the max fee per gas (EIP-1559), else the gas price. */
  feePerGas: bigint;
  cost?: bigint;
}

export type DryRun = { status: "dry-run"; calls: DescribedCall[]; lines: string[] };
export type Cancelled = { status: "cancelled" };
/** Nothing sent: the calls were written to a Safe Transaction Builder batch file for the Safe to execute. */
export type SafeBatchWritten = {
  status: "safe-batch";
  file: string;
  batch: SafeBatchFile;
  calls: DescribedCall[];
  lines: string[];
};
export type Executed<T, N extends Noop = Noop> = N | DryRun | Cancelled | SafeBatchWritten | Outcome<T>;

const LABEL = 18;
const row = (label: string, value: string) => `${label.padEnd(LABEL)}${value}`;

/** The currency of a chain's fees, for the chains the project runs on (anything else: "native units"). */
function nativeCurrency(chainId: bigint): string {
  return [1n, 11155111n, 17000n, 560048n, 31337n, 1337n, 10n, 8453n, 42161n].includes(chainId) ? "ETH" : "native units";
}

/** An argument's value as text: integers in decimal, strings quoted, tuples with their field names. */
function valueText(param: ParamType, value: unknown): string {
  if (param.isTuple()) {
    const fields = param.components.map((c, i) => `${c.name || i}=${valueText(c, (value as Result)[i])}`);
    return `(${fields.join(", ")})`;
  }
  if (param.isArray()) {
    const items = [...(value as Result)];
    const child = param.arrayChildren;
    if (!child.isTuple() && items.length > 2) return `[${items.length} × ${child.type}]`;
    return `[${items.map((item) => valueText(child, item)).join(", ")}]`;
  }
  if (typeof value === "string" && param.baseType === "string") return JSON.stringify(value);
  return typeof value === "bigint" ? value.toString() : String(value);
}

async function describeCall(call: PlannedCall): Promise<{ described: DescribedCall; argLines: string[] }> {
  const signer = signerOf(call.contract);
  const sender = await signer.getAddress();
  const to = await call.contract.getAddress();
  const data = call.contract.interface.encodeFunctionData(call.method, call.args);
  // What is printed is read back from the calldata that will be sent.
  const decoded = call.contract.interface.parseTransaction({ data });
  if (!decoded) throw new TaskError(`internal: cannot decode the call of ${call.method}`);
  const args: Record<string, unknown> = {};
  const argLines: string[] = [];
  decoded.fragment.inputs.forEach((input, i) => {
    const name = input.name || `arg${i}`;
    args[name] = decoded.args[i];
    const note = call.notes?.[name];
    const text = valueText(input, decoded.args[i]);
    if (input.isArray() && input.arrayChildren.isTuple()) {
      const items = [...(decoded.args[i] as Result)];
      argLines.push(
        row(`  ${name}`, `${items.length} item${items.length === 1 ? "" : "s"}${note ? ` (${note})` : ""}`),
      );
      items.forEach((item, k) => argLines.push(`    ${k + 1}. ${valueText(input.arrayChildren!, item)}`));
    } else {
      argLines.push(row(`  ${name}`, note ? `${text} (${note})` : text));
    }
  });

  let standing: string;
  if ("role" in call.authority) {
    const { pool, role } = call.authority;
    if (!(await pool.hasRole(await roleId(pool, role), sender))) {
      throw new TaskError(
        `${sender} does not hold ${role} on ${await pool.getAddress()}: only the ${roleTitle(role)} may call ${call.method}`,
      );
    }
    standing = `holds ${role}`;
  } else {
    standing = call.authority.holder;
  }
  return {
    described: { label: call.label, to, method: decoded.name, args, data, sender, standing, feePerGas: 0n },
    argLines,
  };
}

/**
 * Sends a planned operation through describe → estimate → confirm → send → mined, and returns its outcome: the
 * no-op as planned, `dry-run` (described and estimated, nothing sent), `cancelled` (the operator declined), or
 * `done` with the last transaction's hash and what `finish` read. A call that would revert fails its estimate: the
 * error (the contract's custom error, decoded by the task) is thrown before anything is sent.
 */
export async function execute<T, N extends Noop = Noop>(
  planned: Planned<T, N>,
  options: SendOptions = {},
): Promise<Executed<T, N>> {
  const log = options.log ?? silent;
  for (const line of planned.context ?? []) log(line);
  if ("noop" in planned) {
    log(planned.noop.message);
    return planned.noop;
  }
  const { calls } = planned;
  if (calls.length === 0) throw new TaskError("internal: a plan without calls");

  // describe
  const described: DescribedCall[] = [];
  const lines: string[] = [];
  const provider = providerOf(calls[0]!.contract);
  const chainId = (await provider.getNetwork()).chainId;
  const currency = nativeCurrency(chainId);
  const fee = await provider.getFeeData();
  const feePerGas = fee.maxFeePerGas ?? fee.gasPrice ?? 0n;
  const feeKind = fee.maxFeePerGas !== null ? "max fee per gas" : "gas price";
  let total = 0n;
  let partial = false;
  const show = (line: string) => {
    lines.push(line);
    log(line);
  };
  for (const [i, call] of calls.entries()) {
    const { described: d, argLines } = await describeCall(call);
    const numbered = calls.length > 1 ? `transaction ${i + 1}/${calls.length}` : "transaction";
    show(row(numbered, `${d.method} on ${d.label} ${d.to}`));
    argLines.forEach(show);
    const source = options.senderSource ? `, ${options.senderSource}` : "";
    show(row("  sender", `${d.sender}${source}: ${d.standing}`));
    // estimate
    if (call.estimatedAfter === undefined) {
      d.gas = await signerOf(call.contract).estimateGas({ to: d.to, data: d.data });
      d.cost = d.gas * feePerGas;
      total += d.cost;
    } else {
      partial = true;
    }
    d.feePerGas = feePerGas;
    described.push(d);
    show(
      row(
        "  gas",
        d.gas === undefined
          ? options.safe
            ? `not estimated: in the batch it runs after the previous call (${call.estimatedAfter})`
            : `estimated once the previous transaction is mined (${call.estimatedAfter})`
          : `${d.gas} × ${formatUnits(feePerGas, "gwei")} gwei (${feeKind}) ≈ ${formatEther(d.cost!)} ${currency}`,
      ),
    );
  }
  const sender = described[0]!.sender;
  const network = options.network ? `network ${options.network} (chain ${chainId})` : `chain ${chainId}`;
  if (calls.length > 1) {
    show(
      row("total cost", `≈ ${formatEther(total)} ${currency}${partial ? " and the transactions estimated later" : ""}`),
    );
  }
  if (options.safe) {
    // The Safe does not pay: the owner who executes the batch does, a little more than the calls (the Safe's checks).
    show(
      row(
        "executed by",
        `the Safe ${sender} on ${network}, ${calls.length === 1 ? "one call" : `${calls.length} calls in one batch`}; the owner who executes it pays the gas`,
      ),
    );
  } else {
    const balance = await provider.getBalance(sender);
    show(
      row(
        "sender balance",
        `${formatEther(balance)} ${currency} on ${network}${balance < total ? " — less than the estimated cost" : ""}`,
      ),
    );
  }

  const shown = [...planned.context, ...lines];
  if (options.dryRun) {
    log(
      options.safe ? `dry run: nothing was sent and ${options.safe.file} was not written` : "dry run: nothing was sent",
    );
    return { status: "dry-run", calls: described, lines: shown };
  }
  if (options.safe) return writeBatch(options.safe.file, planned.context, calls, described, chainId, shown, log);
  // confirm
  const question = `Send ${calls.length === 1 ? "this transaction" : `these ${calls.length} transactions`} on ${network}? [y/N] `;
  if (options.confirm && !(await options.confirm(shown, question))) {
    log("cancelled: nothing was sent");
    return { status: "cancelled" };
  }
  // send → mined
  const receipts: TransactionReceipt[] = [];
  for (const [i, call] of calls.entries()) {
    const d = described[i]!;
    const tx = await signerOf(call.contract).sendTransaction({ to: d.to, data: d.data });
    log(`sent ${d.method}: tx ${tx.hash}`);
    const receipt = await mined(tx);
    log(
      `mined ${d.method} in block ${receipt.blockNumber}: gas used ${receipt.gasUsed}, paid ${formatEther(receipt.gasUsed * receipt.gasPrice)} ${currency}`,
    );
    receipts.push(receipt);
  }
  const result = await planned.finish(receipts, log);
  return { status: "done", txHash: receipts.at(-1)!.hash, ...result };
}

/** Writes the described calls to a Safe Transaction Builder batch file (checked before and after writing). */
function writeBatch(
  file: string,
  context: string[],
  calls: PlannedCall[],
  described: DescribedCall[],
  chainId: bigint,
  lines: string[],
  log: Log,
): SafeBatchWritten {
  const safe = described[0]!.sender;
  const methods = described.map((d) => d.method);
  const batch = safeBatch({
    chainId,
    safe,
    name: `Social Mining: ${methods.join(" + ")}`,
    description: context.join("\n"),
    transactions: described.map((d, i) => safeTransaction(d.to, d.data, calls[i]!.contract.interface)),
  });
  writeSafeBatch(file, batch);
  log(
    `wrote ${file}: a Safe Transaction Builder batch of ${calls.length} transaction${calls.length === 1 ? "" : "s"} (${methods.join(", ")}) for the Safe ${safe} on chain ${chainId}, checksum ${batch.meta.checksum}`,
  );
  log(
    "nothing was sent: in Safe{Wallet}, open Apps → Transaction Builder, drop the file in, check each call against this description, then create, sign and execute the batch",
  );
  return { status: "safe-batch", file, batch, calls: described, lines };
}

/**
 * An operation's outcome when it was executed without dry run or confirmation (the demo's and the tests' direct
 * calls): a no-op or done.
 */
export function settled<T, N extends Noop>(result: Executed<T, N>): N | Outcome<T> {
  if (result.status === "dry-run" || result.status === "cancelled" || result.status === "safe-batch") {
    throw new TaskError(`internal: ${result.status} without a dry run or a confirmation`);
  }
  return result;
}

/** The stream a confirmation is read from; a stream without `isTTY` is not a terminal. */
export type PromptInput = NodeJS.ReadableStream & { isTTY?: boolean };

/**
 * Asks `question` on a terminal and accepts `y` or `yes`. Without a terminal (CI, a pipe) it refuses with an error
 * instead of waiting for an answer that never comes.
 */
export function terminalPrompt(
  input: PromptInput = process.stdin,
  output: NodeJS.WritableStream = process.stdout,
): Confirm {
  return async (_lines, question) => {
    if (!input.isTTY) {
      throw new TaskError(
        "this network is live and there is no terminal to confirm on: pass --yes to send without confirmation, or --dry-run to send nothing",
      );
    }
    const rl = createInterface({ input, output });
    try {
      return /^y(es)?$/i.test((await rl.question(question)).trim());
    } finally {
      rl.close();
    }
  };
}

/**
 * When to ask: on a live network unless `--yes`, with `prompt` (default: the terminal, refusing without one); on a
 * local network or with `--yes`, never.
 */
export function confirmation(policy: {
  live: boolean;
  yes: boolean;
  prompt?: Confirm;
  input?: PromptInput;
}): Confirm | undefined {
  if (!policy.live || policy.yes) return undefined;
  return policy.prompt ?? terminalPrompt(policy.input);
}
