/**
 * `claim`: every claimable, unclaimed leaf of one account, checked against the chain and paid with one claimMany;
 * and claims submitted in batches for many accounts at once.
 */
import { getAddress } from "ethers";
import type { EpochRewards } from "../../../typechain-types/index.js";
import type { IEpochRewards } from "../../../typechain-types/EpochRewards.js";
import { claimVerdict, epochView, verifyLeaf, type ClaimVerdict, type EpochView } from "../../../protocol/index.js";
import { epochOf, readAccountClaim, rootOf } from "../artifacts.js";
import { TaskError } from "../errors.js";
import { isoDate } from "../format.js";
import { execute, settled, type Planned } from "../send.js";
import { chainNow, mined, parsedLogs } from "../tx.js";
import { silent, type Log, type Noop, type Outcome } from "./outcome.js";

export type ClaimStruct = IEpochRewards.ClaimStruct;

export interface ClaimPlan {
  account: string;
  /** In epoch order: one run of one account, paid with one transfer. */
  claims: ClaimStruct[];
  /** Epochs left out, with why. */
  skipped: { epoch: number; reason: string }[];
  amount: bigint;
  /** The leaf that becomes the soul's anchor: the newest claimed epoch, if newer than every epoch claimed so far. */
  reputation?: { epoch: number; value: bigint };
  /** Why the claims change no score, when they pay tokens only (a soul recovered away, or older epochs). */
  tokensOnly?: string;
}

/** Why an epoch is left out of a claim, for each verdict that skips it. */
function skipReason(verdict: ClaimVerdict, chain: EpochView, account: string): string {
  switch (verdict) {
    case "not-proposed":
      return "not proposed yet";
    case "vetoed":
      return "vetoed: it pays nothing";
    case "not-eligible":
      return `no leaf for ${account}`;
    case "upcoming":
      return `in its challenge period, claimable from ${isoDate(chain.claimableAt)}`;
    case "claimed":
      return "already claimed";
    default:
      return chain.state === "Swept"
        ? `expired at ${isoDate(chain.expiresAt)} and swept`
        : `expired at ${isoDate(chain.expiresAt)}`;
  }
}

/**
 * Every claimable, unclaimed leaf of `account` in the artifacts `dirs`, checked against the chain, sorted by epoch.
 * Each epoch gets the protocol's claim verdict: epochs that are not claimable, already claimed by the account or
 * without a leaf for it are skipped with a reason; artifacts made for another root than the chain's, or a proof that
 * does not verify against it, are an error (the claim would revert).
 */
export async function planClaims(pool: EpochRewards, account: string, dirs: string[]): Promise<ClaimPlan> {
  const who = getAddress(account);
  const plan: ClaimPlan = { account: who, claims: [], skipped: [], amount: 0n };
  const now = Number(await chainNow(pool));
  const sorted = dirs.map((d) => ({ d, epoch: epochOf(d) })).sort((a, b) => a.epoch - b.epoch);
  for (const { d, epoch } of sorted) {
    const leaf = readAccountClaim(d, who);
    const [raw, claimed] = await Promise.all([pool.getEpoch(epoch), pool.isClaimed(epoch, who)]);
    const chain = epochView(raw);
    const value = leaf && {
      index: leaf.index,
      account: who,
      amount: BigInt(leaf.amount),
      reputation: BigInt(leaf.reputation),
    };
    const root = leaf?.root ?? rootOf(d);
    const verdict = claimVerdict({
      chain,
      artifacts: { root, leaf: value && { verified: verifyLeaf(chain.root, value, leaf.proof) } },
      claimed,
      now,
    });
    if (verdict === "wrong-root") {
      throw new TaskError(
        `${d}: root ${root} ≠ the root ${chain.root} on chain for epoch ${epoch}: wrong artifacts directory? (after a veto: the replacement's directory, or the publish root of sm:publish as --artifacts-root)`,
      );
    }
    if (verdict === "bad-proof") {
      throw new TaskError(
        `${d}: the proof of ${who} does not verify against the root on chain for epoch ${epoch} — the artifacts were altered; regenerate them or run \`social-mining verify\``,
      );
    }
    if (verdict !== "claimable" || !value || !leaf) {
      plan.skipped.push({ epoch, reason: skipReason(verdict, chain, who) });
      continue;
    }
    plan.claims.push({ ...value, epoch, proof: leaf.proof });
    plan.amount += value.amount;
  }
  const newest = plan.claims.at(-1);
  if (newest) {
    const soul = await pool.soulRecord(who);
    if (soul.recoveredAway) {
      plan.tokensOnly = "its soul was recovered away: its leaves pay tokens, never reputation";
    } else if (BigInt(newest.epoch) <= soul.lastClaimedEpoch) {
      plan.tokensOnly = `epoch ${newest.epoch} is not newer than its last claimed epoch ${soul.lastClaimedEpoch}: the score stays`;
    } else {
      plan.reputation = { epoch: Number(newest.epoch), value: BigInt(newest.reputation) };
    }
  }
  return plan;
}

export type Claimed = { plan: ClaimPlan; paid: bigint; score: bigint };

/**
 * Plans ONE claimMany of every claimable, unclaimed epoch of `account` found in `dirs` (the signer pays gas, the
 * account gets the tokens). A no-op when there is nothing to claim; refused while the pool is paused.
 */
export async function prepareClaim(
  pool: EpochRewards,
  account: string,
  dirs: string[],
): Promise<Planned<Claimed, Noop & { plan: ClaimPlan }>> {
  const plan = await planClaims(pool, account, dirs);
  const context = plan.skipped.map((s) => `epoch ${s.epoch}: skipped, ${s.reason}`);
  if (plan.claims.length === 0) {
    return { context, noop: { status: "noop", message: `nothing to claim for ${plan.account}`, plan } };
  }
  if (await pool.paused()) {
    throw new TaskError(
      `the pool is paused: claims are stopped until the guardian unpauses (the claim windows do not run meanwhile)`,
    );
  }
  const epochs = plan.claims.map((c) => c.epoch).join(", ");
  context.push(
    `claiming epoch${plan.claims.length > 1 ? "s" : ""} ${epochs} for ${plan.account}: ${plan.amount} in total` +
      (plan.reputation ? `, reputation ${plan.reputation.value} from epoch ${plan.reputation.epoch}` : "") +
      (plan.tokensOnly ? ` (tokens only: ${plan.tokensOnly})` : ""),
  );
  return {
    context,
    calls: [
      {
        contract: pool,
        label: "the pool",
        method: "claimMany",
        args: [plan.claims],
        authority: { holder: "no role needed: anyone may submit a claim, the tokens go to the leaf's account" },
      },
    ],
    finish: async (receipts, log) => {
      const receipt = receipts[0]!;
      const paid = parsedLogs(receipt, pool)
        .filter((e) => e.name === "Claimed")
        .reduce((sum, e) => sum + (e.args.amount as bigint), 0n);
      const score = await pool.getVotes(plan.account);
      log(
        `claimed epoch${plan.claims.length > 1 ? "s" : ""} ${epochs} for ${plan.account} in one claimMany: ${paid} paid` +
          (plan.reputation ? `, reputation ${plan.reputation.value} from epoch ${plan.reputation.epoch}` : "") +
          (plan.tokensOnly ? ` (tokens only: ${plan.tokensOnly})` : "") +
          `, score now ${score} (tx ${receipt.hash})`,
      );
      return { plan, paid, score };
    },
  };
}

/**
 * Claims every claimable, unclaimed epoch of `account` found in `dirs` with ONE claimMany (the signer pays gas,
 * the account gets the tokens). A no-op when there is nothing to claim; refused while the pool is paused.
 */
export async function claimRewards(
  pool: EpochRewards,
  account: string,
  dirs: string[],
  log: Log = silent,
): Promise<(Noop & { plan: ClaimPlan }) | Outcome<Claimed>> {
  return settled(await execute(await prepareClaim(pool, account, dirs), { log }));
}

/** Submits `claims` in claimMany batches of `chunk` (anyone may submit; each leaf pays its own account). */
export async function claimInBatches(pool: EpochRewards, claims: ClaimStruct[], chunk = 50): Promise<string[]> {
  const hashes: string[] = [];
  for (let i = 0; i < claims.length; i += chunk) {
    const receipt = await mined(await pool.claimMany(claims.slice(i, i + chunk)));
    hashes.push(receipt.hash);
  }
  return hashes;
}
