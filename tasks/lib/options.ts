/**
 * Validation of task options: every message names the option so that the operator knows what to fix.
 */
import { isAddress, getAddress } from "ethers";
import { TaskError } from "./errors.js";

/** A checksummed address from `--<option>`; a mixed-case address must carry a valid EIP-55 checksum. */
export function parseAddressOption(option: string, value: string | undefined): string {
  if (value === undefined || value === "") throw new TaskError(`--${option} is required (an 0x address)`);
  const text = value.trim();
  if (!/^0x[0-9a-fA-F]{40}$/.test(text)) {
    throw new TaskError(`--${option}: ${JSON.stringify(value)} is not an address (0x followed by 40 hex digits)`);
  }
  if (!isAddress(text)) throw new TaskError(`--${option}: ${text} has a wrong EIP-55 checksum (a typo?)`);
  return getAddress(text);
}

/** A positive integer amount in the token's smallest unit from `--<option>` (underscores allowed). */
export function parseUnitsOption(option: string, value: string | undefined): bigint {
  if (value === undefined || value === "") throw new TaskError(`--${option} is required (token units, an integer)`);
  const text = value.trim().replaceAll("_", "");
  if (!/^[0-9]+$/.test(text)) {
    throw new TaskError(
      `--${option}: ${JSON.stringify(value)} is not a whole number of token units (the token's smallest unit, e.g. 1000000000000000000 for 1 token of 18 decimals)`,
    );
  }
  const amount = BigInt(text);
  if (amount === 0n) throw new TaskError(`--${option} must be positive`);
  if (amount >= 1n << 256n) throw new TaskError(`--${option}: ${text} does not fit uint256`);
  return amount;
}

/** An epoch number (1, 2, …) from `--<option>`. */
export function parseEpochOption(option: string, value: string | undefined): number {
  if (value === undefined || value === "") throw new TaskError(`--${option} is required (an epoch number)`);
  const text = value.trim();
  if (!/^[0-9]+$/.test(text) || !Number.isSafeInteger(Number(text)) || Number(text) < 1) {
    throw new TaskError(`--${option}: ${JSON.stringify(value)} is not an epoch number (1, 2, 3, …)`);
  }
  return Number(text);
}

/** A non-empty text from `--<option>`. */
export function parseTextOption(option: string, value: string | undefined): string {
  if (value === undefined || value.trim() === "") throw new TaskError(`--${option} is required`);
  return value;
}
