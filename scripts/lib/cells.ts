/**
 * Cells read straight from the bytes of a CSV file (csv-fast.ts hands over byte ranges): interning, addresses,
 * integers and timestamps, without a string per cell. Each function answers only for text the general code
 * (address.ts, the INTEGER pattern, timestamp.ts) accepts, with the same value; for anything else it says so and
 * the caller decodes the cell and asks the general code, which also words the error.
 */
import { keccakScratch, keccakScratchHash } from "./keccak.js";

// ---------------------------------------------------------------------------------------------
// Interning byte strings
// ---------------------------------------------------------------------------------------------

/**
 * Distinct byte strings, each numbered in order of first appearance: an open-addressing table over a byte arena,
 * so that looking up a cell costs no string and no allocation.
 */
export class ByteInterner {
  private slots: Int32Array;
  private mask: number;
  private hashes = new Int32Array(1024);
  private starts = new Int32Array(1024);
  private lengths = new Int32Array(1024);
  private arena = new Uint8Array(1 << 16);
  private used = 0;
  size = 0;
  /** Whether the last {@link intern} added a new string. */
  added = false;

  constructor(expected = 1024) {
    let capacity = 1024;
    while (capacity < expected * 2) capacity *= 2;
    this.slots = new Int32Array(capacity).fill(-1);
    this.mask = capacity - 1;
  }

  /** The number of the bytes [start, end) of `bytes`, adding them if new (then `added` is true). */
  intern(bytes: Uint8Array, start: number, end: number): number {
    let h = 0x811c9dc5 ^ (end - start);
    for (let p = start; p < end; p++) h = Math.imul(h ^ bytes[p]!, 0x01000193);
    h ^= h >>> 15;
    const mask = this.mask;
    const slots = this.slots;
    const arena = this.arena;
    const length = end - start;
    let i = h & mask;
    for (;;) {
      const id = slots[i]!;
      if (id < 0) break;
      if (this.hashes[id] === h && this.lengths[id] === length) {
        const at = this.starts[id]!;
        let k = 0;
        while (k < length && arena[at + k] === bytes[start + k]) k++;
        if (k === length) {
          this.added = false;
          return id;
        }
      }
      i = (i + 1) & mask;
    }
    const id = this.size++;
    if (id === this.hashes.length) this.growEntries();
    if (this.used + length > this.arena.length) this.growArena(length);
    this.arena.set(bytes.subarray(start, end), this.used);
    this.hashes[id] = h;
    this.starts[id] = this.used;
    this.lengths[id] = length;
    this.used += length;
    slots[i] = id;
    if (this.size * 2 > slots.length) this.rehash();
    this.added = true;
    return id;
  }

  private growEntries(): void {
    const grow = (a: Int32Array) => {
      const b = new Int32Array(a.length * 2);
      b.set(a);
      return b;
    };
    this.hashes = grow(this.hashes);
    this.starts = grow(this.starts);
    this.lengths = grow(this.lengths);
  }

  private growArena(atLeast: number): void {
    const b = new Uint8Array(Math.max(this.arena.length * 2, this.used + atLeast));
    b.set(this.arena.subarray(0, this.used));
    this.arena = b;
  }

  private rehash(): void {
    const slots = new Int32Array(this.slots.length * 2).fill(-1);
    const mask = slots.length - 1;
    for (let id = 0; id < this.size; id++) {
      let i = this.hashes[id]! & mask;
      while (slots[i] !== -1) i = (i + 1) & mask;
      slots[i] = id;
    }
    this.slots = slots;
    this.mask = mask;
  }
}

/** A growable Int32Array. */
export class IntList {
  values: Int32Array;
  length = 0;
  constructor(capacity = 1024) {
    this.values = new Int32Array(capacity);
  }
  push(v: number): void {
    if (this.length === this.values.length) {
      const b = new Int32Array(this.values.length * 2);
      b.set(this.values);
      this.values = b;
    }
    this.values[this.length++] = v;
  }
}

// ---------------------------------------------------------------------------------------------
// Addresses
// ---------------------------------------------------------------------------------------------

/** The value of hex digit `c` (a byte), or -1. */
function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  return -1;
}

/**
 * Addresses already checksummed, by their text: works.csv and votes.csv name the same accounts (a contributor
 * votes too), and the keccak of each is the costly part. Bounded: emptied when it holds four million.
 */
const newAddressCache = () => ({ interner: new ByteInterner(1 << 16), results: [] as (string | null)[] });
let addressCache = newAddressCache();

/** {@link checksumAddressBytes}, remembering the answer for the same text. */
export function checksumAddressCached(bytes: Uint8Array, start: number, end: number): string | undefined {
  if (addressCache.interner.size >= 4_000_000) addressCache = newAddressCache();
  const { interner, results } = addressCache;
  const t = interner.intern(bytes, start, end);
  if (interner.added) results[t] = checksumAddressBytes(bytes, start, end) ?? null;
  return results[t] ?? undefined;
}

const checksummed = Buffer.alloc(42);
checksummed[0] = 0x30;
checksummed[1] = 0x78;

/**
 * The EIP-55 checksummed form of the address in bytes [start, end), exactly as `parseAddress` gives it: `0x` and 40
 * hex digits, all-lowercase, all-uppercase or carrying a valid checksum. Undefined for anything else (then
 * `parseAddress` words why).
 */
export function checksumAddressBytes(bytes: Uint8Array, start: number, end: number): string | undefined {
  if (end - start !== 42 || bytes[start] !== 0x30 || bytes[start + 1] !== 0x78) return undefined;
  const scratch = keccakScratch();
  let lower = false;
  let upper = false;
  for (let k = 0; k < 40; k++) {
    const c = bytes[start + 2 + k]!;
    const v = hexValue(c);
    if (v < 0) return undefined;
    if (v >= 10) {
      if (c >= 0x61) lower = true;
      else upper = true;
    }
    scratch[k] = v < 10 ? 0x30 + v : 0x61 + v - 10;
  }
  keccakScratchHash(40);
  // The digest replaced the start of the scratch buffer: nibble k of the hash decides the case of digit k.
  for (let k = 0; k < 40; k++) {
    const c = bytes[start + 2 + k]!;
    const v = hexValue(c);
    if (v < 10) {
      checksummed[2 + k] = c;
      continue;
    }
    const nibble = (scratch[k >> 1]! >> (k % 2 === 0 ? 4 : 0)) & 0xf;
    const want = nibble >= 8 ? 0x41 + v - 10 : 0x61 + v - 10;
    // A mixed-case address must carry the checksum.
    if (lower && upper && c !== want) return undefined;
    checksummed[2 + k] = want;
  }
  return checksummed.toString("latin1", 0, 42);
}

// ---------------------------------------------------------------------------------------------
// Integers and timestamps
// ---------------------------------------------------------------------------------------------

/**
 * The integer in bytes [start, end) as a number, if it matches `-?[0-9]+` with at most 15 characters (so that it
 * is exact); NaN for anything else (longer, or not an integer: the caller decides with the string).
 */
export function smallIntegerBytes(bytes: Uint8Array, start: number, end: number): number {
  if (end - start > 15) return NaN;
  let p = start;
  const negative = bytes[p] === 0x2d;
  if (negative) p++;
  if (p === end) return NaN;
  let v = 0;
  for (; p < end; p++) {
    const d = bytes[p]! - 0x30;
    if (d < 0 || d > 9) return NaN;
    v = v * 10 + d;
  }
  return negative ? -v : v;
}

function two(bytes: Uint8Array, i: number): number {
  const a = bytes[i]! - 0x30;
  const b = bytes[i + 1]! - 0x30;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

/** Days from 1970-01-01 to the given proleptic Gregorian date (exact integer arithmetic). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/**
 * `YYYY-MM-DDTHH:MM:SSZ` (or a space for T) of a date that exists, year 1000 or later, in bytes [start, end), as
 * milliseconds; NaN for anything else (the caller then uses timestamp.ts). The same answers as timestamp.ts's fast
 * path (test/pipeline/cells.test.ts).
 */
export function utcSecondsBytes(bytes: Uint8Array, start: number, end: number): number {
  if (end - start !== 20 || bytes[start + 19] !== 0x5a) return NaN;
  const t = bytes[start + 10];
  if (bytes[start + 4] !== 0x2d || bytes[start + 7] !== 0x2d || (t !== 0x54 && t !== 0x20)) return NaN;
  if (bytes[start + 13] !== 0x3a || bytes[start + 16] !== 0x3a) return NaN;
  const hi = two(bytes, start);
  const lo = two(bytes, start + 2);
  const month = two(bytes, start + 5);
  const day = two(bytes, start + 8);
  const hour = two(bytes, start + 11);
  const minute = two(bytes, start + 14);
  const second = two(bytes, start + 17);
  if (hi < 10 || lo < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23) return NaN;
  if (minute < 0 || minute > 59 || second < 0 || second > 59) return NaN;
  const year = hi * 100 + lo;
  if (day > daysInMonth(year, month)) return NaN;
  return ((daysFromCivil(year, month, day) * 24 + hour) * 60 + minute) * 60000 + second * 1000;
}
