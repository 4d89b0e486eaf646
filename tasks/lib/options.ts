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

/**
 * An amount as the operator wrote it: a whole number of token units (`1000000`, `1_000units`), or tokens with a
 * `tokens` suffix (`12.5tokens`, `12.5 tokens`) converted with the token's decimals once they are known
 * ({@link amountInUnits}).
 */
export type AmountOption =
  { option: string; unit: "units"; units: bigint } | { option: string; unit: "tokens"; text: string };

/**
 * An amount from `--<option>`: `N` or `Nunits` (whole token units, the token's smallest unit) or `Ntokens` (whole or
 * decimal tokens, e.g. `12.5tokens`). Underscores separate digits. Checked here for its form; a token amount is
 * converted by {@link amountInUnits}.
 */
export function parseAmountOption(option: string, value: string | undefined): AmountOption {
  const forms = "token units (1000000 or 1000000units) or tokens (12.5tokens)";
  if (value === undefined || value.trim() === "") throw new TaskError(`--${option} is required: ${forms}`);
  const match = /^([0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9][0-9_]*)\s*(units|tokens)?$/i.exec(value.trim());
  if (!match) throw new TaskError(`--${option}: ${JSON.stringify(value)} is not an amount: ${forms}`);
  const number = match[1]!.replaceAll("_", "");
  const unit = (match[2] ?? "units").toLowerCase() as "units" | "tokens";
  if (unit === "tokens") {
    if (!/[1-9]/.test(number)) throw new TaskError(`--${option} must be positive`);
    return { option, unit, text: number };
  }
  if (number.includes(".")) {
    throw new TaskError(
      `--${option}: ${JSON.stringify(value)} is not a whole number of token units (the token's smallest unit); write ${number}tokens for tokens`,
    );
  }
  return { option, unit, units: parseUnitsOption(option, number) };
}

/**
 * An amount in token units: token units as given, tokens multiplied by 10^decimals exactly. Refuses more decimal
 * places than the token has (they would be rounded away) and an amount that does not fit uint256.
 */
export function amountInUnits(amount: AmountOption, decimals: number): bigint {
  if (amount.unit === "units") return amount.units;
  const [whole = "", fraction = ""] = amount.text.split(".");
  const places = fraction.replace(/0+$/, "");
  if (places.length > decimals) {
    throw new TaskError(
      `--${amount.option}: ${amount.text}tokens has ${places.length} decimal places but the token has ${decimals} decimals`,
    );
  }
  const units = BigInt(whole || "0") * 10n ** BigInt(decimals) + BigInt((places || "0").padEnd(decimals, "0") || "0");
  if (units === 0n) throw new TaskError(`--${amount.option} must be positive`);
  if (units >= 1n << 256n) throw new TaskError(`--${amount.option}: ${amount.text}tokens does not fit uint256`);
  return units;
}

/**
 * A duration in seconds from `--<option>`: a whole number of seconds, or with a unit: `90s`, `15m`, `72h`, `3d`.
 * `max` bounds it (e.g. 2^32 - 1 for a uint32).
 */
export function parseDurationOption(option: string, value: string | undefined, max: bigint): bigint {
  const forms = "seconds (3600) or with a unit (90s, 15m, 72h, 3d)";
  if (value === undefined || value.trim() === "") throw new TaskError(`--${option} is required: ${forms}`);
  const match = /^([0-9][0-9_]*)\s*([smhd]?)$/i.exec(value.trim());
  if (!match) throw new TaskError(`--${option}: ${JSON.stringify(value)} is not a duration: ${forms}`);
  const scale = { "": 1n, s: 1n, m: 60n, h: 3600n, d: 86_400n }[match[2]!.toLowerCase() as "" | "s" | "m" | "h" | "d"];
  const seconds = BigInt(match[1]!.replaceAll("_", "")) * scale;
  if (seconds > max)
    throw new TaskError(`--${option}: ${value.trim()} is ${seconds} s, more than the largest ${max} s`);
  return seconds;
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
