/**
 * Splitting the pool (docs/rules.md §4): floor shares plus largest remainders, and the
 * optional per-account cap. Σ amounts = pool exactly, integers only.
 */
import { compareAddresses } from "./address.js";
import { CapTooLowError, NothingToSplitError, invariant } from "./errors.js";

/**
 * Each account gets floor(pool × u / U); the remainder pool − Σ floor goes one unit each to the
 * accounts with the largest (pool × u) mod U, ties by lowercase address ascending.
 */
export function largestRemainder(pool: bigint, units: ReadonlyMap<string, bigint>): Map<string, bigint> {
  let total = 0n;
  for (const u of units.values()) total += u;
  if (total === 0n)
    throw new NothingToSplitError("no work scored (total credit units U = 0): there is nothing to split");
  if (total <= MAX_EXACT) return largestRemainderExact(pool, units, total);
  const amounts = new Map<string, bigint>();
  const remainders: { account: string; key: string; remainder: bigint }[] = [];
  let given = 0n;
  for (const [account, u] of units) {
    const product = pool * u;
    const amount = product / total;
    amounts.set(account, amount);
    given += amount;
    remainders.push({
      account,
      key: account.toLowerCase(),
      remainder: product % total,
    });
  }
  let left = pool - given;
  invariant(left >= 0n && left < BigInt(units.size || 1), "remainder out of range");
  if (left > 0n) {
    remainders.sort((a, b) =>
      a.remainder > b.remainder ? -1 : a.remainder < b.remainder ? 1 : a.key < b.key ? -1 : a.key > b.key ? 1 : 0,
    );
    for (const { account } of remainders) {
      if (left === 0n) break;
      amounts.set(account, amounts.get(account)! + 1n);
      left--;
    }
  }
  return amounts;
}

/** Remainders below this are exact as numbers. */
const MAX_EXACT = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * {@link largestRemainder} when U ≤ 2^53 − 1, so that every remainder is an exact number: instead of sorting a
 * million remainders with a comparator, the `left`-th largest is found by a native numeric sort, every larger one
 * gets its unit, and the ties at that value are decided by lowercase address — the same accounts as the sort.
 */
function largestRemainderExact(pool: bigint, units: ReadonlyMap<string, bigint>, total: bigint): Map<string, bigint> {
  const n = units.size;
  const accounts: string[] = new Array(n);
  const amounts: bigint[] = new Array(n);
  const remainders = new Float64Array(n);
  let given = 0n;
  let i = 0;
  for (const [account, u] of units) {
    const product = pool * u;
    const amount = product / total;
    accounts[i] = account;
    amounts[i] = amount;
    remainders[i] = Number(product - amount * total);
    given += amount;
    i++;
  }
  const left = pool - given;
  invariant(left >= 0n && left < BigInt(n || 1), "remainder out of range");
  if (left > 0n) {
    const count = Number(left);
    const threshold = Float64Array.from(remainders).sort()[n - count]!;
    const ties: number[] = [];
    let above = 0;
    for (let j = 0; j < n; j++) {
      if (remainders[j]! > threshold) {
        amounts[j]! += 1n;
        above++;
      } else if (remainders[j] === threshold) {
        ties.push(j);
      }
    }
    const keyed = ties.map((j) => ({ j, key: accounts[j]!.toLowerCase() }));
    keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    for (let k = 0; k < count - above; k++) amounts[keyed[k]!.j]! += 1n;
  }
  const out = new Map<string, bigint>();
  for (let j = 0; j < n; j++) out.set(accounts[j]!, amounts[j]!);
  return out;
}

/**
 * Allocation with an optional cap of `capBps` of the pool per account. Accounts above the cap are
 * set to it and the rest of the pool is split again among the others by {@link largestRemainder},
 * until nobody exceeds the cap. If the cap cannot hold the pool (accounts × cap < pool) the run
 * stops with {@link CapTooLowError}: nothing would receive the excess.
 */
export function allocate(pool: bigint, units: ReadonlyMap<string, bigint>, capBps: number | null): Map<string, bigint> {
  const scoring = new Map<string, bigint>();
  for (const [account, u] of units) if (u > 0n) scoring.set(account, u);
  if (capBps === null) return largestRemainder(pool, scoring);
  const cap = (pool * BigInt(capBps)) / 10000n;
  if (BigInt(scoring.size) * cap < pool && scoring.size > 0) {
    throw new CapTooLowError(
      `rules.capBps ${capBps} caps each account at ${cap} units, and ${scoring.size} scoring accounts × ${cap} < pool ${pool}: the pool cannot be split`,
    );
  }
  const fixed = new Map<string, bigint>();
  let active = scoring;
  let remaining = pool;
  for (;;) {
    const amounts = largestRemainder(remaining, active);
    const over = [...amounts].filter(([, amount]) => amount > cap);
    if (over.length === 0) {
      for (const [account, amount] of amounts) fixed.set(account, amount);
      break;
    }
    for (const [account] of over) {
      fixed.set(account, cap);
      remaining -= cap;
    }
    active = new Map([...active].filter(([account]) => !fixed.has(account)));
    invariant(active.size > 0, "cap left the pool unsplit");
  }
  // Same key order as without a cap: by lowercase address.
  return new Map([...fixed].sort(([a], [b]) => compareAddresses(a, b)));
}
