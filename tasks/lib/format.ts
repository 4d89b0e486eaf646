/** How the tasks write chain figures for the operator. */
import { formatUnits } from "ethers";

/** A chain timestamp (seconds) as an ISO 8601 date in UTC, without milliseconds. */
export function isoDate(seconds: bigint | number): string {
  return new Date(Number(seconds) * 1000).toISOString().replace(".000Z", "Z");
}

/** What the tasks show of a token next to its amounts. */
export interface TokenFacts {
  address: string;
  decimals: number;
  symbol: string;
}

/** Token units as tokens: `12.5 USDC` for 12500000 units of a 6-decimal token. */
export function formatTokens(units: bigint, token: Pick<TokenFacts, "decimals" | "symbol">): string {
  return `${formatUnits(units, token.decimals)} ${token.symbol}`;
}

/** Token units with the same amount in tokens: `12500000 (12.5 USDC)`. */
export function formatAmount(units: bigint, token: Pick<TokenFacts, "decimals" | "symbol">): string {
  return `${units} (${formatTokens(units, token)})`;
}

/** Seconds in the largest whole unit: `2 d`, `36 h`, `15 min`, `90 s`. */
export function durationUnit(seconds: bigint | number): string {
  const s = BigInt(seconds);
  for (const [unit, size] of [
    ["d", 86_400n],
    ["h", 3600n],
    ["min", 60n],
  ] as const) {
    if (s >= size && s % size === 0n) return `${s / size} ${unit}`;
  }
  return `${s} s`;
}

/** Seconds with a readable form when they are whole days, hours or minutes: `172800 s (2 d)`. */
export function formatDuration(seconds: bigint | number): string {
  const readable = durationUnit(seconds);
  return readable.endsWith(" s") ? readable : `${seconds} s (${readable})`;
}
