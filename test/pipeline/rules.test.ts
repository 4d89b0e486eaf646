/** The worked examples of docs/rules.md, and the allocation properties of DESIGN §5. */
import { expect } from "chai";
import fc from "fast-check";
import {
  aggregate,
  allocate,
  CapTooLowError,
  computeEpoch,
  isqrt,
  largestRemainder,
  nextReputation,
  ReputationOverflowError,
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

  it("example 6 (minVoterReputation 5): a voter with reputation 3 is rejected after the §4.2 checks", () => {
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

  it("example 7 (reputation): decay, and a leaf with amount 0 for reputation only", () => {
    const r = computeEpoch({
      ...sources({ works: [["w1", A]], votes: [["w1", B, 5]], config: epochJson({ epoch: 2 }) }),
      previous: previous({ [A]: 100n, [D]: 15n, [C]: 1n }),
    });
    expect([A, D].map((a) => [leaf(r, a)!.amount, leaf(r, a)!.reputation])).to.deep.equal([
      [1000n, 95n],
      [0n, 13n],
    ]);
    expect(leaf(r, C)).to.equal(undefined); // floor(1 × 9000 / 10000) = 0 and no reward: no leaf
    expect(r.accounts.map((a) => a.index)).to.deep.equal(r.accounts.map((_, i) => i));
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
  });
});
