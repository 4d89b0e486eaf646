/**
 * A set of (a, b) pairs of small non-negative integers, for the duplicate-vote check (work, voter)
 * of a million votes. A `Set<string>` of "work\0voter" keys cost a string per vote and its
 * garbage; this is an open-addressing hash table in two typed arrays, with no allocation per pair.
 */
export class PairSet {
  private keysA: Int32Array;
  private keysB: Int32Array;
  private mask: number;
  private count = 0;

  constructor(expected = 16) {
    let capacity = 16;
    while (capacity < expected * 2) capacity *= 2;
    this.keysA = new Int32Array(capacity).fill(-1);
    this.keysB = new Int32Array(capacity);
    this.mask = capacity - 1;
  }

  get size(): number {
    return this.count;
  }

  private slot(a: number, b: number): number {
    // Multiplicative hashing of both halves; linear probing from there.
    let i = (Math.imul(a, 0x9e3779b1) ^ Math.imul(b + 0x7f4a7c15, 0x85ebca77)) & this.mask;
    const keysA = this.keysA;
    const keysB = this.keysB;
    while (keysA[i] !== -1 && (keysA[i] !== a || keysB[i] !== b)) i = (i + 1) & this.mask;
    return i;
  }

  has(a: number, b: number): boolean {
    return this.keysA[this.slot(a, b)] !== -1;
  }

  /** Adds the pair; a, b in 0..2^31 − 1. */
  add(a: number, b: number): void {
    const i = this.slot(a, b);
    if (this.keysA[i] !== -1) return;
    this.keysA[i] = a;
    this.keysB[i] = b;
    if (++this.count * 2 > this.keysA.length) this.rehash();
  }

  private rehash(): void {
    const oldA = this.keysA;
    const oldB = this.keysB;
    this.keysA = new Int32Array(oldA.length * 2).fill(-1);
    this.keysB = new Int32Array(oldA.length * 2);
    this.mask = this.keysA.length - 1;
    for (let i = 0; i < oldA.length; i++) {
      if (oldA[i] === -1) continue;
      const j = this.slot(oldA[i]!, oldB[i]!);
      this.keysA[j] = oldA[i]!;
      this.keysB[j] = oldB[i]!;
    }
  }
}
