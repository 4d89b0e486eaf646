/** The worked examples of docs/rules.md, and the allocation properties of docs/design.md §6 (invariant 5). */
import { expect } from "chai";
import fc from "fast-check";
import {
  aggregate,
  allocate,
  CapTooLowError,
  computeEpoch,
  decay,
  isqrt,
  largestRemainder,
  MAX_REPUTATION,
  MAX_REPUTATION_TOTAL,
  nextReputation,
  ReputationOverflowError,
  ReputationTotalOverflowError,
  type PreviousEpoch,
} from "../../scripts/lib/index.js";
import { addr, epochJson, sources, src, type SmallEpoch } from "./helpers.js";

const [A, B, C, D] = [1, 2, 3, 4].map(addr) as [string, string, string, string];

function previous(reputation: Record<string, bigint>): PreviousEpoch {
  const map = new Map(Object.entries(reputation));
  const text = ["account,reputation", ...[...map].map(([a, r]) => `${a},${r}`)].join("\n") + "\n";
  return { epoch: 1, root: "0x" + "11".repeat(32), reputation: map, source: src("previous-reputation.csv", text) };
}

const leaf = (result: ReturnType<typeof computeEpoch>, account: string) =>
  result.accounts.find((a) => a.account === account);
const votes = (points: number[]) => points.map((p) => ({ points: BigInt(p), weight: 1n }));

describe("rules: worked examples of docs/rules.md", function () {
  // generous: the suite also runs on loaded CI machines
  this.timeout(60_000);
  // Example 1: w1 by A gets 5 (C) + 3 (D); w2 by team t {B 7000, C 3000} gets 4 (D); pool 1000.
  const example: SmallEpoch = {
    works: [
      ["w1", A],
      ["w2", "team:t"],
    ],
    votes: [
      ["w1", C, 5],
      ["w1", D, 3],
      ["w2", D, 4],
    ],
    teams: [
      ["t", B, 7000],
      ["t", C, 3000],
    ],
  };

  it("example 1 (defaults): units, floor shares, largest remainder, reputation", () => {
    const r = computeEpoch(sources(example));
    expect(r.totalUnits).to.equal(120000n);
    expect(r.accounts.map((a) => [a.account, a.units, a.amount, a.reputation])).to.have.deep.members([
      [A, 80000n, 667n, 8n],
      [B, 28000n, 233n, 2n],
      [C, 12000n, 100n, 1n],
    ]);
    expect(leaf(r, D)).to.equal(undefined);
    expect(r.total).to.equal(1000n);
  });

  it("example 2 (cap 5000 bps): A is capped at 500 and the excess goes to B and C", () => {
    const r = computeEpoch(sources({ ...example, config: epochJson({}, { capBps: 5000 }) }));
    expect([A, B, C].map((a) => leaf(r, a)!.amount)).to.deep.equal([500n, 350n, 150n]);
    expect(() =>
      allocate(
        1000n,
        new Map([
          [A, 1n],
          [B, 1n],
        ]),
        4000,
      ),
    ).to.throw(CapTooLowError, /cannot be split/);
  });

  it("example 3 (median): lower weighted median", () => {
    expect(aggregate(votes([9, 2, 4]), { aggregation: "median", trimBps: 0 })).to.equal(4n);
    expect(aggregate(votes([5, 3]), { aggregation: "median", trimBps: 0 })).to.equal(3n);
    expect(
      aggregate(
        [
          { points: 2n, weight: 1n },
          { points: 8n, weight: 3n },
        ],
        { aggregation: "median", trimBps: 0 },
      ),
    ).to.equal(8n);
  });

  it("example 4 (trimmedMean, trimBps 2000): drop one vote at each end of five", () => {
    expect(aggregate(votes([10, 1, 6, 5, 7]), { aggregation: "trimmedMean", trimBps: 2000 })).to.equal(6n);
    expect(aggregate(votes([1, 2]), { aggregation: "trimmedMean", trimBps: 2000 })).to.equal(1n); // k = 0: floor(3/2)
  });

  it("example 5 (voter weight): equal 12, reputation 8, sqrt 10", () => {
    const e: SmallEpoch = {
      works: [["w1", A]],
      votes: [
        ["w1", B, 10],
        ["w1", C, 2],
      ],
    };
    const run = (voterWeight: string, reps: Record<string, bigint>) =>
      computeEpoch({ ...sources({ ...e, config: epochJson({ epoch: 2 }, { voterWeight }) }), previous: previous(reps) })
        .works[0]!.points;
    expect(run("equal", { [B]: 1n, [C]: 3n })).to.equal(12n);
    expect(run("reputation", { [B]: 1n, [C]: 3n })).to.equal(8n); // floor(2 × (10·1 + 2·3) / 4)
    expect(run("sqrt", { [B]: 4n, [C]: 9n })).to.equal(10n); // floor(2 × (10·2 + 2·3) / 5)
  });

  it("example 6 (minVoterReputation 5): a voter with reputation 3 is rejected after the other four checks", () => {
    const e: SmallEpoch = {
      works: [["w1", A]],
      votes: [
        ["w1", B, 10],
        ["w1", C, 2],
        ["w1", C, 101],
      ],
    };
    const r = computeEpoch({
      ...sources({ ...e, config: epochJson({ epoch: 2 }, { minVoterReputation: "5" }) }),
      previous: previous({ [B]: 5n, [C]: 3n }),
    });
    expect(r.rejections.map((x) => [x.row, x.code])).to.deep.equal([
      [2, "voter-below-min-reputation"],
      [3, "points-out-of-range"],
    ]);
    expect(r.works[0]!.points).to.equal(10n);
  });

  it("example 7 (reputation): decay, and no leaf for an account that only decays", () => {
    const r = computeEpoch({
      ...sources({ works: [["w1", A]], votes: [["w1", B, 5]], config: epochJson({ epoch: 2 }) }),
      previous: previous({ [A]: 100n, [D]: 15n, [C]: 1n }),
    });
    expect([leaf(r, A)!.amount, leaf(r, A)!.reputation]).to.deep.equal([1000n, 95n]);
    // D only decays (15 → 13): the contract decays it by itself, so no leaf, but reputation.csv has it.
    expect(leaf(r, D)).to.equal(undefined);
    expect(leaf(r, C)).to.equal(undefined); // floor(1 × 9000 / 10000) = 0 and no reward: no leaf
    expect(r.accounts.map((a) => a.account)).to.deep.equal([A]);
    expect(r.reputation.map((x) => [x.account, x.reputation])).to.have.deep.members([
      [A, 95n],
      [D, 13n],
    ]);
    expect(r.reputationTotal).to.equal(108n);
    expect(r.accounts.map((a) => a.index)).to.deep.equal(r.accounts.map((_, i) => i));
  });

  it("example 8 (leaf rule): a leaf with amount 0 for reputation gained, and one for an amount without any", () => {
    // Pool 1: A (5 points) and B (1 point) both floor to 0; the one unit left goes to A (the larger
    // remainder). B gains floor(10000 / 10000) = 1 reputation without an amount: it still gets a leaf.
    const r = computeEpoch(
      sources({
        works: [
          ["w1", A],
          ["w2", B],
        ],
        votes: [
          ["w1", C, 5],
          ["w2", C, 1],
        ],
        config: epochJson({ pool: "1" }),
      }),
    );
    expect([A, B].map((a) => [leaf(r, a)!.amount, leaf(r, a)!.reputation])).to.deep.equal([
      [1n, 5n],
      [0n, 1n],
    ]);
    // A team member with 3000 bps of 1 point earns 3000 units: paid, but floor(3000 / 10000) = 0.
    const t = computeEpoch(
      sources({
        works: [["w1", "team:t"]],
        votes: [["w1", D, 1]],
        teams: [
          ["t", B, 7000],
          ["t", C, 3000],
        ],
      }),
    );
    expect([B, C].map((a) => [leaf(t, a)!.amount, leaf(t, a)!.reputation])).to.deep.equal([
      [700n, 0n],
      [300n, 0n],
    ]);
    expect(t.reputation).to.deep.equal([]);
    expect(t.reputationTotal).to.equal(0n);
  });

  it("minVoters 2: a work with one voter scores 0", () => {
    const r = computeEpoch(
      sources({
        works: [
          ["w1", A],
          ["w2", B],
        ],
        votes: [
          ["w1", C, 5],
          ["w2", C, 5],
          ["w2", D, 1],
        ],
        config: epochJson({}, { minVoters: 2 }),
      }),
    );
    expect(r.works.map((w) => w.points)).to.deep.equal([0n, 6n]);
    expect(leaf(r, A)).to.equal(undefined);
  });
});

describe("rules: decay", function () {
  // generous: the suite also runs on loaded CI machines
  this.timeout(60_000);

  it("worked examples at decayBps 1000: 1000 → 900 → 810 → 729 → 656 → 590", () => {
    expect([1, 2, 3, 4, 5].map((n) => decay(1000n, n, 1000))).to.deep.equal([900n, 810n, 729n, 656n, 590n]);
    expect(decay(1000n, 5n, 1000)).to.equal(590n); // epochs as a bigint
    expect(decay(9n, 1, 1000)).to.equal(8n);
    expect(decay(1n, 1, 1000)).to.equal(0n);
    expect(decay(1000n, 0, 1000)).to.equal(1000n);
  });

  it("decayBps 0 keeps the value, decayBps 10000 clears it in one epoch, every score reaches 0", () => {
    for (const x of [0n, 1n, 12345n, MAX_REPUTATION]) {
      expect(decay(x, 1, 0)).to.equal(x);
      expect(decay(x, 1_000_000, 0)).to.equal(x);
      expect(decay(x, 2n ** 200n, 0)).to.equal(x);
      expect(decay(x, 1, 10000)).to.equal(0n);
    }
    expect(decay(MAX_REPUTATION, 2n ** 200n, 1)).to.equal(0n); // ends early at 0, however many epochs
    expect(decay(MAX_REPUTATION, 1000, 1000)).to.equal(0n);
  });

  it("rejects a negative epoch count and a decayBps outside 0..10000", () => {
    expect(() => decay(1n, -1, 1000)).to.throw(RangeError);
    expect(() => decay(1n, 1, 10001)).to.throw(RangeError);
    expect(() => decay(1n, 1.5, 1000)).to.throw(RangeError);
  });

  it("one epoch of nextReputation is decay(r, 1) + floor(u / 10000) = floor(r × (10000 − bps) / 10000) + floor(u / 10000)", () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 2n ** 63n }),
        fc.bigInt({ min: 0n, max: 10n ** 12n }),
        fc.integer({ min: 0, max: 10000 }),
        (r, u, bps) => {
          const expected = (r * BigInt(10000 - bps)) / 10000n + u / 10000n;
          expect(nextReputation(A, r, u, bps)).to.equal(expected);
          expect(decay(r, 1, bps) + u / 10000n).to.equal(expected);
        },
      ),
    );
  });

  const rep = fc.bigInt({ min: 0n, max: MAX_REPUTATION });
  const epochs = fc.integer({ min: 0, max: 60 });
  const bps = fc.integer({ min: 0, max: 10000 });

  it("decay(decay(r, a), b) === decay(r, a + b)", () => {
    fc.assert(
      fc.property(rep, epochs, epochs, bps, (r, a, b, d) => {
        expect(decay(decay(r, a, d), b, d)).to.equal(decay(r, a + b, d));
      }),
    );
  });

  it("monotone in r and superadditive: decay(a + b, n) ≥ decay(a, n) + decay(b, n)", () => {
    fc.assert(
      fc.property(rep, rep, epochs, bps, (a, b, n, d) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        expect(decay(lo, n, d) <= decay(hi, n, d)).to.equal(true);
        expect(decay(a + b, n, d) >= decay(a, n, d) + decay(b, n, d)).to.equal(true);
        expect(decay(a, n, d) <= a).to.equal(true);
      }),
    );
  });
});

describe("rules: properties", function () {
  // generous: the suite also runs on loaded CI machines
  this.timeout(60_000);
  const unitsArb = fc.array(fc.tuple(fc.integer({ min: 1, max: 50 }), fc.bigInt({ min: 1n, max: 10n ** 30n })), {
    minLength: 1,
    maxLength: 40,
  });
  const toMap = (xs: [number, bigint][]) => new Map(xs.map(([a, u]) => [addr(a), u]));

  it("Σ amounts = pool, and each amount is within one unit of pool × u / U", () => {
    fc.assert(
      fc.property(unitsArb, fc.bigInt({ min: 1n, max: 10n ** 27n }), (xs, pool) => {
        const units = toMap(xs);
        const amounts = largestRemainder(pool, units);
        const U = [...units.values()].reduce((s, u) => s + u, 0n);
        expect([...amounts.values()].reduce((s, a) => s + a, 0n)).to.equal(pool);
        for (const [account, u] of units) {
          const diff = amounts.get(account)! * U - pool * u; // amount − exact share, scaled by U
          expect(diff < U && diff > -U).to.equal(true);
        }
      }),
    );
  });

  it("with a cap: Σ = pool and nobody above the cap", () => {
    fc.assert(
      fc.property(
        unitsArb,
        fc.bigInt({ min: 1n, max: 10n ** 24n }),
        fc.integer({ min: 1, max: 10000 }),
        (xs, pool, capBps) => {
          const units = toMap(xs);
          const cap = (pool * BigInt(capBps)) / 10000n;
          if (BigInt(units.size) * cap < pool) {
            expect(() => allocate(pool, units, capBps)).to.throw(CapTooLowError);
            return;
          }
          const amounts = allocate(pool, units, capBps);
          expect([...amounts.values()].reduce((s, a) => s + a, 0n)).to.equal(pool);
          for (const a of amounts.values()) expect(a <= cap).to.equal(true);
        },
      ),
    );
  });

  it("isqrt is the integer square root", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 1n << 200n }), (n) => {
        const r = isqrt(n);
        expect(r * r <= n && (r + 1n) * (r + 1n) > n).to.equal(true);
      }),
    );
  });

  it("reputation overflow is an error", () => {
    expect(() => nextReputation(A, (1n << 64n) - 1n, 10000n, 0)).to.throw(ReputationOverflowError, /uint64/);
    expect(nextReputation(A, MAX_REPUTATION, 0n, 0)).to.equal(MAX_REPUTATION);
  });

  it("a total reputation above 2^64 − 1 is an error, exactly at it is not", () => {
    const run = (reps: Record<string, bigint>) =>
      computeEpoch({
        ...sources({ works: [["w1", A]], votes: [["w1", B, 1]], config: epochJson({ epoch: 2 }, { decayBps: 0 }) }),
        previous: previous(reps),
      });
    // A gains 1; C and D carry the rest without decay.
    expect(run({ [C]: 2n ** 63n, [D]: 2n ** 63n - 2n }).reputationTotal).to.equal(MAX_REPUTATION_TOTAL);
    expect(() => run({ [C]: 2n ** 63n, [D]: 2n ** 63n - 1n })).to.throw(
      ReputationTotalOverflowError,
      /total reputation after epoch 2 would be 18446744073709551616, which does not fit/,
    );
  });
});
