/**
 * Display helpers: pure functions, no DOM (the Node tests import this file). Amounts are bigints in the token's
 * smallest unit and are only ever handled as bigints and decimal strings, never as floating point.
 *
 * How an amount is shown (docs/claim-page.md, "Amounts"):
 * - at most 4 fractional digits, rounded toward zero (the page never shows more than is paid), trailing zeros
 *   dropped: `1,234.5678 SMT`, `12.5 SMT`, `3 SMT`;
 * - thousands separated by commas, `.` as the decimal point, whatever the browser's language;
 * - a non-zero amount too small to show is `< 0.0001 SMT`, never `0 SMT`;
 * - the exact value (every decimal, and the integer in the token's smallest unit) goes in the hover title, and is
 *   what copying the amount puts on the clipboard.
 */

/** Fractional digits shown at most. */
export const FRACTION_DIGITS = 4;

function checkDigits(name: string, value: number) {
  if (!Number.isSafeInteger(value) || value < 0)
    throw new RangeError(`${name} must be a whole number ≥ 0, got ${value}`);
}

/** `1234567.5` → `1,234,567.5` (exact: works on the decimal string; a zero fraction is dropped). */
export function groupDigits(decimal: string): string {
  const sign = decimal.startsWith("-") ? "-" : "";
  const [whole = "0", fraction] = decimal.slice(sign.length).split(".");
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return fraction === undefined || /^0*$/.test(fraction) ? `${sign}${grouped}` : `${sign}${grouped}.${fraction}`;
}

/** Splits `amount` into its whole part and its `decimals` fractional digits (zero-padded), sign apart. */
function split(amount: bigint, decimals: number): { sign: string; whole: bigint; fraction: string } {
  checkDigits("decimals", decimals);
  const abs = amount < 0n ? -amount : amount;
  const base = 10n ** BigInt(decimals);
  return {
    sign: amount < 0n ? "-" : "",
    whole: abs / base,
    fraction: decimals === 0 ? "" : (abs % base).toString().padStart(decimals, "0"),
  };
}

/**
 * The exact amount as a plain decimal, every significant digit, no separators, no trailing zeros:
 * `1234567890000000000000n, 18` → `1234.56789`. What copying an amount gives, ready to paste into a wallet.
 */
export function exactAmount(amount: bigint, decimals: number): string {
  const { sign, whole, fraction } = split(amount, decimals);
  const digits = fraction.replace(/0+$/, "");
  return `${sign}${whole}${digits ? `.${digits}` : ""}`;
}

/**
 * The amount as shown: grouped, at most `fractionDigits` fractional digits rounded toward zero, trailing zeros
 * dropped; `< 0.0001` for a non-zero amount that would otherwise show as 0 (`> -0.0001` below zero).
 */
export function displayAmount(amount: bigint, decimals: number, fractionDigits = FRACTION_DIGITS): string {
  checkDigits("fractionDigits", fractionDigits);
  const { sign, whole, fraction } = split(amount, decimals);
  const shown = fraction.slice(0, fractionDigits).replace(/0+$/, "");
  if (whole === 0n && shown === "" && amount !== 0n) {
    const smallest = fractionDigits === 0 ? "1" : `0.${"0".repeat(fractionDigits - 1)}1`;
    return sign ? `> -${smallest}` : `< ${smallest}`;
  }
  return `${sign}${groupDigits(whole.toString())}${shown ? `.${shown}` : ""}`;
}

/** The amount as shown, with the token's symbol: `1,234.5678 SMT`. */
export function formatAmount(amount: bigint, decimals: number, symbol: string): string {
  return `${displayAmount(amount, decimals)} ${symbol}`;
}

/**
 * The hover text of an amount, on two lines: the exact value, then the integer in the token's smallest unit.
 * `Exact: 1234.567890123456789012 SMT` / `Smallest units: 1234567890123456789012 (18 decimals)`.
 */
export function amountTitle(amount: bigint, decimals: number, symbol: string): string {
  return `Exact: ${exactAmount(amount, decimals)} ${symbol}\nSmallest units: ${amount} (${decimals} decimals)`;
}

/** Everything the page shows of one amount. */
export interface Money {
  /** As displayed: `1,234.5678 SMT`. */
  text: string;
  /** Exact plain decimal, without symbol: `1234.567890123456789012` (copied). */
  exact: string;
  /** The integer in the token's smallest unit: `1234567890123456789012`. */
  units: string;
  /** Hover text: exact value and smallest units. */
  title: string;
}

export function money(amount: bigint, decimals: number, symbol: string): Money {
  return {
    text: formatAmount(amount, decimals, symbol),
    exact: exactAmount(amount, decimals),
    units: amount.toString(),
    title: amountTitle(amount, decimals, symbol),
  };
}

/** `2026-11-21 23:12 UTC`. */
export function formatTime(seconds: number): string {
  return `${new Date(seconds * 1000).toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

/** A duration in words, coarse: `2 d 3 h`, `1 h 5 min`, `42 s`. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d > 0) return h > 0 ? `${d} d ${h} h` : `${d} d`;
  if (h > 0) return m > 0 ? `${h} h ${m} min` : `${h} h`;
  if (m > 0) return `${m} min`;
  return `${s} s`;
}

export const shortAddress = (a: string) => `${a.slice(0, 6)}…${a.slice(-4)}`;
