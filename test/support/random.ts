// The one seeded random source of the tests, benches and examples: a failing random case replays from its seed,
// and a generated file is the same on every run.
import { toChecksumAddress } from "../../scripts/lib/index.js";

/** A random number in [0, 1), like `Math.random`. */
export type Rand = () => number;

/** Deterministic PRNG (mulberry32) seeded with the low 32 bits of `seed`. */
export function prng(seed: number): Rand {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** A random integer in [0, n). */
export function randomInt(rand: Rand, n: number): number {
  return Math.floor(rand() * n);
}

/** A random element of `list`. */
export function pick<T>(rand: Rand, list: readonly T[]): T {
  return list[randomInt(rand, list.length)]!;
}

/** A random bigint in [min, max]. */
export function randomBigInt(rand: Rand, min: bigint, max: bigint): bigint {
  const span = max - min + 1n;
  const high = BigInt(randomInt(rand, 2 ** 32));
  const low = BigInt(randomInt(rand, 2 ** 32));
  return min + (((high << 32n) | low) % span);
}

/** `length` random bytes as lowercase hex after "0x". */
export function randomHex(rand: Rand, length: number): string {
  const bytes = Buffer.alloc(length);
  for (let i = 0; i < length; i++) bytes[i] = randomInt(rand, 256);
  return "0x" + bytes.toString("hex");
}

/** `count` distinct random checksummed addresses (no keys: anyone may claim for a leaf account). */
export function randomAddresses(rand: Rand, count: number): string[] {
  const out = new Set<string>();
  while (out.size < count) out.add(toChecksumAddress(randomHex(rand, 20)));
  return [...out];
}
