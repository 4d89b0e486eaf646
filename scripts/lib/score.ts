/**
 * Scoring (docs/rules.md §2 and §3): the points of each work, then the credit units of each
 * account. Integers only.
 */
import type { Rules } from "./config.js";
import type { ValidatedEpoch } from "./validate.js";
import { pointsOf } from "./vote-table.js";

/** Integer square root: the largest r with r² ≤ n. */
export function isqrt(n: bigint): bigint {
  if (n < 0n) throw new RangeError("square root of a negative number");
  if (n < 2n) return n;
  // Newton's method from an upper bound; decreases monotonically to floor(sqrt(n)).
  let x = 1n << BigInt(Math.ceil(n.toString(2).length / 2));
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) return x;
    x = y;
  }
}

/** The weight of a voter's votes under `rule`, from the voter's prior reputation. */
export function voterWeight(rule: Rules["voterWeight"], reputation: bigint): bigint {
  switch (rule) {
    case "equal":
      return 1n;
    case "reputation":
      return reputation;
    case "sqrt":
      return isqrt(reputation);
  }
}

/** One accepted vote as scoring sees it. */
export interface WeightedPoints {
  points: bigint;
  weight: bigint;
}

/**
 * Aggregates the accepted votes of one work (docs/rules.md):
 * - sum: floor(n × Σ wᵢpᵢ / Σ wᵢ) — with equal weights exactly Σ pᵢ;
 * - median: the lower weighted median, the smallest p with 2 × (weight of votes ≤ p) ≥ Σ w;
 * - trimmedMean: drop k = floor(n × trimBps / 10000) votes at each end (by points), then
 *   floor(Σ wᵢpᵢ / Σ wᵢ) over the rest.
 * A work whose votes weigh 0 in total scores 0.
 */
export function aggregate(votes: readonly WeightedPoints[], rules: Pick<Rules, "aggregation" | "trimBps">): bigint {
  const n = votes.length;
  if (n === 0) return 0n;
  if (rules.aggregation === "sum") {
    let weighted = 0n;
    let weights = 0n;
    for (const v of votes) {
      weighted += v.points * v.weight;
      weights += v.weight;
    }
    return weights === 0n ? 0n : (BigInt(n) * weighted) / weights;
  }
  const sorted = votes.slice().sort((a, b) => (a.points < b.points ? -1 : a.points > b.points ? 1 : 0));
  if (rules.aggregation === "median") {
    const total = sorted.reduce((s, v) => s + v.weight, 0n);
    if (total === 0n) return 0n;
    let cumulative = 0n;
    for (const v of sorted) {
      cumulative += v.weight;
      if (2n * cumulative >= total) return v.points;
    }
    return sorted[n - 1]!.points;
  }
  const k = Math.floor((n * rules.trimBps) / 10000);
  let weighted = 0n;
  let weights = 0n;
  for (let i = k; i < n - k; i++) {
    weighted += sorted[i]!.points * sorted[i]!.weight;
    weights += sorted[i]!.weight;
  }
  return weights === 0n ? 0n : weighted / weights;
}

/** The score of one work. */
export interface WorkScore {
  workId: string;
  /** The address, or `team:<name>`. */
  contributor: string;
  voters: number;
  points: bigint;
}

export interface Scores {
  works: WorkScore[];
  /** Credit units per account (checksummed address); only accounts with units > 0. */
  units: Map<string, bigint>;
  totalUnits: bigint;
}

/**
 * Scores every work from its accepted votes and credits the contributors. Validation hands the accepted votes over
 * grouped by work, each work's in processing order (which the trimmed mean's ties depend on); with equal weights
 * and the sum, a work's points are a plain sum of numbers.
 */
export function scoreEpoch(
  validated: Pick<ValidatedEpoch, "workList" | "teams" | "votes" | "accepted" | "workStarts">,
  rules: Rules,
  priorReputation: ReadonlyMap<string, bigint>,
): Scores {
  const { workList, teams, votes, accepted: byWork, workStarts: starts } = validated;

  const weights: (bigint | undefined)[] = new Array(votes.voters.length);
  const weightOf = (voter: number) =>
    (weights[voter] ??= voterWeight(rules.voterWeight, priorReputation.get(votes.voters[voter]!) ?? 0n));
  const plainSum = rules.aggregation === "sum" && rules.voterWeight === "equal";

  const scores: WorkScore[] = new Array(workList.length);
  const units = new Map<string, bigint>();
  const credit = (account: string, amount: bigint) => {
    if (amount > 0n) units.set(account, (units.get(account) ?? 0n) + amount);
  };
  for (let w = 0; w < workList.length; w++) {
    const work = workList[w]!;
    const from = starts[w]!;
    const to = starts[w + 1]!;
    // Accepted votes on a work come from distinct voters (duplicates are rejected).
    const voters = to - from;
    let points = 0n;
    if (voters >= rules.minVoters && voters > 0) {
      let sum = plainSum ? 0 : NaN;
      // Accepted points are in 0..maxPoints; the number sum is exact while it stays safe.
      for (let k = from; k < to && sum <= Number.MAX_SAFE_INTEGER; k++) sum += votes.points[byWork[k]!]!;
      if (sum <= Number.MAX_SAFE_INTEGER) {
        points = BigInt(sum);
      } else {
        const list: WeightedPoints[] = [];
        for (let k = from; k < to; k++) {
          const i = byWork[k]!;
          list.push({ points: pointsOf(votes, i), weight: weightOf(votes.voter[i]!) });
        }
        points = aggregate(list, rules);
      }
    }
    const c = work.contributor;
    scores[w] = {
      workId: work.workId,
      contributor: c.kind === "address" ? c.address : `team:${c.team}`,
      voters,
      points,
    };
    if (c.kind === "address") credit(c.address, points * 10000n);
    else for (const m of teams.get(c.team)!.members) credit(m.member, points * m.shareBps);
  }
  let totalUnits = 0n;
  for (const u of units.values()) totalUnits += u;
  return { works: scores, units, totalUnits };
}
