/**
 * Safe Transaction Builder batch files: what `--safe FILE` writes instead of sending (docs/tasks.md, Safe batches).
 *
 * The format is the one the Transaction Builder app of Safe{Wallet} exports and imports: `version` "1.0", the chain
 * id as a string, `createdAt` in milliseconds, `meta` (name, description, txBuilderVersion, the Safe it was made
 * for, checksum) and the transactions, each with `to`, `value` and `data`. Each transaction also carries
 * `contractMethod` and `contractInputsValues` (the function and its arguments as text), for the operator to read:
 * the app sends the `data` of a transaction that has one, so the calldata is exactly what the send pipeline
 * described and estimated. The checksum is the app's: keccak256 of a key-sorted serialisation of the file without
 * its checksum and with `meta.name` as null (so that renaming a batch keeps it valid).
 */
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, basename } from "node:path";
import { getAddress, id, Interface, type ParamType } from "ethers";
import { z } from "zod";
import { EPOCH_REWARDS_ABI, ERC20_ABI } from "../../protocol/abi.js";
import { TaskError } from "./errors.js";

/** The Transaction Builder version whose export format the files follow (meta.txBuilderVersion). */
export const SAFE_TX_BUILDER_VERSION = "1.18.2";

const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, "expected a 0x address");
const decimal = z.string().regex(/^(0|[1-9][0-9]*)$/, "expected a decimal integer string");
const hexData = z.string().regex(/^0x(?:[0-9a-fA-F]{2})*$/, "expected 0x and hex bytes");

/** A function input as the Transaction Builder keeps it (`components` for a tuple). */
export interface SafeContractInput {
  internalType: string;
  name: string;
  type: string;
  components?: SafeContractInput[];
}

const ContractInputSchema: z.ZodType<SafeContractInput> = z.lazy(() =>
  z.object({
    internalType: z.string(),
    name: z.string(),
    type: z.string().min(1),
    components: z.array(ContractInputSchema).optional(),
  }),
);

export const SafeBatchTransactionSchema = z
  .object({
    to: address,
    value: decimal,
    data: hexData.nullable().optional(),
    contractMethod: z
      .object({ inputs: z.array(ContractInputSchema), name: z.string().min(1), payable: z.boolean() })
      .nullable()
      .optional(),
    contractInputsValues: z.record(z.string(), z.string()).nullable().optional(),
  })
  .refine((tx) => Boolean(tx.data) || Boolean(tx.contractMethod), "a transaction needs data or a contractMethod");
export type SafeBatchTransaction = z.infer<typeof SafeBatchTransactionSchema>;

/** A Transaction Builder batch file (`version` 1.0). */
export const SafeBatchFileSchema = z.object({
  version: z.literal("1.0"),
  chainId: z.string().regex(/^[1-9][0-9]*$/, "expected the chain id as a decimal string"),
  createdAt: z.number().int().positive(),
  meta: z.object({
    name: z.string(),
    description: z.string().optional(),
    txBuilderVersion: z.string().optional(),
    createdFromSafeAddress: z.union([address, z.literal("")]).optional(),
    createdFromOwnerAddress: z.union([address, z.literal("")]).optional(),
    checksum: z
      .string()
      .regex(/^0x[0-9a-f]{64}$/, "expected 0x and 64 lowercase hex digits")
      .optional(),
  }),
  transactions: z.array(SafeBatchTransactionSchema).min(1, "a batch needs at least one transaction"),
});
export type SafeBatchFile = z.infer<typeof SafeBatchFileSchema>;

/**
 * The Transaction Builder's serialisation for its checksum: objects as their sorted key list followed by each value
 * (with a trailing comma), arrays element by element, everything else as JSON (undefined as null).
 */
function serialize(json: unknown): string {
  const text = (value: unknown) => JSON.stringify(value, (_key, v) => (v === undefined ? null : v));
  if (Array.isArray(json)) return `[${json.map(serialize).join(",")}]`;
  if (typeof json === "object" && json !== null) {
    const record = json as Record<string, unknown>;
    const keys = Object.keys(record).sort();
    return `{${text(keys)}${keys.map((key) => `${serialize(record[key])},`).join("")}}`;
  }
  return text(json);
}

/** The checksum the Transaction Builder computes for `batch` (its meta.name counts as null). */
export function safeBatchChecksum(batch: unknown): string {
  const file = batch as { meta?: Record<string, unknown> };
  return id(serialize({ ...file, meta: { ...file.meta, name: null } }));
}

/** `batch` with its checksum, computed as the Transaction Builder checks it on import (without the checksum key). */
export function withChecksum(batch: SafeBatchFile): SafeBatchFile {
  const { checksum: _ignored, ...meta } = batch.meta;
  const unsigned = { ...batch, meta };
  return { ...unsigned, meta: { ...meta, checksum: safeBatchChecksum(unsigned) } };
}

/** True when the batch's checksum is the one the Transaction Builder computes for it. */
export function hasValidChecksum(batch: SafeBatchFile): boolean {
  const { checksum, ...meta } = batch.meta;
  return checksum !== undefined && checksum === safeBatchChecksum({ ...batch, meta });
}

/** The ABI entries the tasks call, for the `internalType` of each input (e.g. `struct IEpochRewards.Claim[]`). */
interface AbiInput {
  name: string;
  type: string;
  internalType?: string;
  components?: readonly AbiInput[];
}

const KNOWN_FUNCTIONS = ([...EPOCH_REWARDS_ABI, ...ERC20_ABI] as readonly { type: string }[]).filter(
  (entry): entry is { type: "function"; name: string; inputs: readonly AbiInput[] } => entry.type === "function",
);

function contractInput(param: ParamType, known: AbiInput | undefined): SafeContractInput {
  const input: SafeContractInput = {
    internalType: known?.internalType ?? param.type,
    name: param.name,
    type: param.type,
  };
  const components = param.isTuple() ? param.components : param.isArray() ? tupleOf(param)?.components : undefined;
  if (components) {
    input.components = components.map((c, i) => contractInput(c, known?.components?.[i]));
  }
  return input;
}

function tupleOf(param: ParamType): ParamType | undefined {
  let child: ParamType | null = param;
  while (child?.isArray()) child = child.arrayChildren;
  return child?.isTuple() ? child : undefined;
}

/** A decoded value as JSON: integers as decimal strings, tuples and arrays as lists. */
function jsonValue(value: unknown): unknown {
  if (typeof value === "bigint") return value.toString();
  if (Array.isArray(value)) return [...value].map(jsonValue);
  return value;
}

/** An argument as the Transaction Builder writes it: text for a scalar, JSON for an array or a tuple. */
function inputText(param: ParamType, value: unknown): string {
  if (param.isArray() || param.isTuple()) return JSON.stringify(jsonValue(value));
  return typeof value === "bigint" ? value.toString() : String(value);
}

/** The values of `contractInputsValues` decoded back as the function's arguments (JSON for arrays and tuples). */
function inputValue(param: ParamType, text: string): unknown {
  return param.isArray() || param.isTuple() ? JSON.parse(text) : text;
}

/** One call of a batch: `data` is the calldata the pipeline described; the method and its arguments are read from it. */
export function safeTransaction(to: string, data: string, contractInterface: Interface): SafeBatchTransaction {
  const decoded = contractInterface.parseTransaction({ data });
  if (!decoded) throw new TaskError(`internal: cannot decode the calldata for ${to}`);
  const fragment = decoded.fragment;
  const known = KNOWN_FUNCTIONS.find(
    (entry) =>
      entry.name === fragment.name &&
      entry.inputs.length === fragment.inputs.length &&
      entry.inputs.every((input, i) => input.type === fragment.inputs[i]!.type),
  );
  const values: Record<string, string> = {};
  fragment.inputs.forEach((param, i) => {
    values[param.name || `arg${i}`] = inputText(param, decoded.args[i]);
  });
  return {
    to: getAddress(to),
    value: "0",
    data,
    contractMethod: {
      inputs: fragment.inputs.map((param, i) => contractInput(param, known?.inputs[i])),
      name: fragment.name,
      payable: fragment.payable,
    },
    contractInputsValues: values,
  };
}

/** A batch for the Safe `safe` on `chainId`, with its checksum. */
export function safeBatch(options: {
  chainId: bigint;
  safe: string;
  name: string;
  description: string;
  transactions: SafeBatchTransaction[];
  createdAt?: number;
}): SafeBatchFile {
  return withChecksum({
    version: "1.0",
    chainId: options.chainId.toString(),
    createdAt: options.createdAt ?? Date.now(),
    meta: {
      name: options.name,
      description: options.description,
      txBuilderVersion: SAFE_TX_BUILDER_VERSION,
      createdFromSafeAddress: getAddress(options.safe),
      createdFromOwnerAddress: "",
    },
    transactions: options.transactions,
  });
}

/**
 * Everything a written batch must satisfy beyond its schema: a valid checksum, a Safe address, and for each
 * transaction `data`, with `contractMethod` and `contractInputsValues` encoding to exactly that data. Returns the
 * problems (none: the batch is sound).
 */
export function safeBatchProblems(batch: SafeBatchFile): string[] {
  const problems: string[] = [];
  if (!hasValidChecksum(batch)) problems.push("meta.checksum is not the Transaction Builder's checksum of the file");
  if (!batch.meta.createdFromSafeAddress) problems.push("meta.createdFromSafeAddress is not set");
  batch.transactions.forEach((tx, i) => {
    const at = `transactions.${i}`;
    if (!tx.data) {
      problems.push(`${at}: no data`);
      return;
    }
    if (tx.value !== "0") problems.push(`${at}: value ${tx.value}: the tasks send no ether`);
    if (!tx.contractMethod || !tx.contractInputsValues) return;
    try {
      const method = new Interface([
        { type: "function", name: tx.contractMethod.name, inputs: tx.contractMethod.inputs, outputs: [] },
      ]);
      const fragment = method.getFunction(tx.contractMethod.name)!;
      const values = tx.contractInputsValues;
      const args = fragment.inputs.map((param, k) => inputValue(param, values[param.name || `arg${k}`] ?? ""));
      const encoded = method.encodeFunctionData(fragment, args);
      if (encoded.toLowerCase() !== tx.data.toLowerCase()) {
        problems.push(
          `${at}: contractMethod ${tx.contractMethod.name} with contractInputsValues does not encode to data`,
        );
      }
    } catch (error) {
      problems.push(`${at}: contractMethod cannot be encoded: ${(error as Error).message}`);
    }
  });
  return problems;
}

/** Parses a batch file's JSON with the schema; throws {@link TaskError} naming the file and the fields at fault. */
export function parseSafeBatch(value: unknown, file: string): SafeBatchFile {
  const result = SafeBatchFileSchema.safeParse(value);
  if (!result.success) {
    const fields = result.error.issues
      .slice(0, 5)
      .map((issue) => `${issue.path.length ? issue.path.map(String).join(".") : "the file"}: ${issue.message}`);
    throw new TaskError(`${file}: not a Safe Transaction Builder batch: ${fields.join("; ")}`);
  }
  return result.data;
}

/** Reads and checks a batch file: its schema, then {@link safeBatchProblems}. */
export function readSafeBatch(file: string): SafeBatchFile {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new TaskError(`${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const batch = parseSafeBatch(json, file);
  const problems = safeBatchProblems(batch);
  if (problems.length > 0) throw new TaskError(`${file}: ${problems.join("; ")}`);
  return batch;
}

/**
 * Writes `batch` to `file` after checking it like {@link readSafeBatch} reads it (the schema, the checksum, each
 * call's method against its data), and reads it back. Refuses to overwrite an existing file.
 */
export function writeSafeBatch(file: string, batch: SafeBatchFile): void {
  const checked = parseSafeBatch(JSON.parse(JSON.stringify(batch)), file);
  const problems = safeBatchProblems(checked);
  if (problems.length > 0)
    throw new TaskError(`internal: the Safe batch for ${file} is unsound: ${problems.join("; ")}`);
  if (existsSync(file)) throw new TaskError(`--safe ${file} already exists: not overwritten (choose another file)`);
  const partial = join(dirname(file), `.${basename(file)}.${process.pid}.partial`);
  if (existsSync(partial)) throw new TaskError(`${partial} exists (left by an interrupted run?): remove it first`);
  try {
    writeFileSync(partial, `${JSON.stringify(batch, null, 2)}\n`, { flag: "wx" });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== "EEXIST") rmSync(partial, { force: true }); // created by this call, then a failed write
    throw new TaskError(`--safe ${file}: ${code ?? (error as Error).message}`);
  }
  try {
    if (existsSync(file)) throw new TaskError(`--safe ${file} already exists: not overwritten (choose another file)`);
    renameSync(partial, file);
  } catch (error) {
    // Only the temporary file this call wrote is removed.
    rmSync(partial, { force: true });
    throw error;
  }
  readSafeBatch(file);
}
