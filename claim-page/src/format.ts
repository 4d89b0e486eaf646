/** Display helpers. Amounts go through ethers' formatUnits on bigints, never through floating point. */
import { formatUnits } from "ethers";

/** `1234567.5` → `1,234,567.5` (exact: works on the decimal string). */
export function groupDigits(decimal: string): string {
  const [whole = "0", fraction] = decimal.split(".");
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return fraction === undefined || /^0*$/.test(fraction) ? grouped : `${grouped}.${fraction}`;
}

/** An amount in the token's smallest unit, as an exact decimal with its symbol. */
export function formatAmount(amount: bigint, decimals: number, symbol: string): string {
  return `${groupDigits(formatUnits(amount, decimals))} ${symbol}`;
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
