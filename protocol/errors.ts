/**
 * Reverts decoded once for every caller: the tasks and the claim page both turn a failed call into a
 * {@link DecodedRevert} and only format it their own way. Every custom error of the pool (its own, the
 * reputation token's and OpenZeppelin's) and of an ERC-20 is known from the compiled ABI, so none is
 * listed by hand.
 */
import { Interface, type InterfaceAbi } from "ethers";
import { EPOCH_REWARDS_ABI, ERC20_ABI } from "./abi.js";

/** A custom error (or `Error(string)` / `Panic(uint256)`) found in a failed call. */
export interface DecodedRevert {
  /** The 4-byte selector, 0x and 8 hex digits. */
  selector: string;
  /** The whole revert data. */
  data: string;
  /** The error's name; undefined when no known ABI declares the selector. */
  name?: string;
  /** The error's arguments in declaration order (empty when the name is unknown). */
  args: { name: string; type: string; value: unknown }[];
}

/** The ABIs a revert is decoded with unless the caller passes others: the pool's and an ERC-20's. */
export const KNOWN_ABIS: readonly InterfaceAbi[] = [EPOCH_REWARDS_ABI, ERC20_ABI];

const interfaces = new WeakMap<object, Interface>();
function interfaceOf(abi: InterfaceAbi | Interface): Interface {
  if (abi instanceof Interface) return abi;
  if (typeof abi === "string") return new Interface(abi);
  let iface = interfaces.get(abi);
  if (!iface) interfaces.set(abi, (iface = new Interface(abi)));
  return iface;
}

const REVERT_DATA = /^0x[0-9a-fA-F]{8}(?:[0-9a-fA-F]{2})*$/;
const MAX_DEPTH = 8;

/**
 * The revert data inside `error`, searched breadth-first through the objects that ethers, Hardhat and
 * wallets nest (`data`, `error`, `info`, `cause`, …): the shallowest `data` field that holds revert data.
 */
export function findRevertData(error: unknown): string | undefined {
  const seen = new Set<unknown>();
  let level: unknown[] = [error];
  for (let depth = 0; depth < MAX_DEPTH && level.length > 0; depth++) {
    const next: unknown[] = [];
    for (const node of level) {
      if (typeof node !== "object" || node === null || seen.has(node)) continue;
      seen.add(node);
      let entries: [string, unknown][];
      try {
        entries = Object.entries(node);
      } catch {
        continue;
      }
      for (const [key, value] of entries) {
        if (key === "data" && typeof value === "string" && REVERT_DATA.test(value)) return value;
        if (typeof value === "object" && value !== null) next.push(value);
      }
      // `cause` is often not enumerable.
      const cause = (node as { cause?: unknown }).cause;
      if (typeof cause === "object" && cause !== null) next.push(cause);
    }
    level = next;
  }
  return undefined;
}

/** The revert of `error` decoded with `abis`; undefined when the error carries no revert data. */
export function decodeRevert(
  error: unknown,
  abis: readonly (InterfaceAbi | Interface)[] = KNOWN_ABIS,
): DecodedRevert | undefined {
  const data = findRevertData(error);
  if (!data) return undefined;
  return decodeRevertData(data, abis);
}

/** Revert data decoded with `abis` (the selector alone when none of them declares it). */
export function decodeRevertData(
  data: string,
  abis: readonly (InterfaceAbi | Interface)[] = KNOWN_ABIS,
): DecodedRevert {
  const selector = data.slice(0, 10).toLowerCase();
  for (const abi of abis) {
    let parsed;
    try {
      parsed = interfaceOf(abi).parseError(data);
    } catch {
      continue;
    }
    if (!parsed) continue;
    const args = parsed.fragment.inputs.map((input, i) => ({
      name: input.name || `arg${i}`,
      type: input.type,
      value: parsed.args[i] as unknown,
    }));
    return { selector, data, name: parsed.name, args };
  }
  return { selector, data, args: [] };
}

/** An argument's value as text: decimal integers, addresses and hashes as they are, arrays in brackets. */
export function revertValueText(value: unknown): string {
  if (typeof value === "bigint") return value.toString();
  if (Array.isArray(value)) return `[${value.map(revertValueText).join(", ")}]`;
  return String(value);
}
