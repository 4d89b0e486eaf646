/**
 * Epoch states and the one decision every claimant-facing tool makes: can this account claim its leaf
 * of this epoch now, and if not, why. The tasks (`sm:claim`) and the claim page both call
 * {@link claimVerdict}; they differ only in how they show the answer.
 */

/** `IEpochRewards.EpochState`, in declaration order (the contract returns the index). */
export const EPOCH_STATES = ["None", "Challenge", "Claimable", "Expired", "Swept", "Vetoed"] as const;
export type EpochStateName = (typeof EPOCH_STATES)[number];

/** The name of an on-chain state index; throws on an index the contract does not define. */
export function stateName(state: bigint | number): EpochStateName {
  const name = EPOCH_STATES[Number(state)];
  if (name === undefined) throw new RangeError(`unknown epoch state ${state}`);
  return name;
}

/** An epoch as `getEpoch(epoch)` returns it, with the state by name and times in seconds. */
export interface EpochView {
  state: EpochStateName;
  /** 0x, lowercase. */
  root: string;
  total: bigint;
  claimed: bigint;
  reputationTotal: bigint;
  claimableAt: number;
  expiresAt: number;
}

/** The tuple or struct `getEpoch` returns, as ethers decodes it. */
export interface RawEpochView {
  state: bigint | number;
  root: string;
  total: bigint;
  claimed: bigint;
  reputationTotal: bigint;
  claimableAt: bigint | number;
  expiresAt: bigint | number;
}

/** Normalises what `getEpoch` returned. */
export function epochView(raw: RawEpochView): EpochView {
  return {
    state: stateName(raw.state),
    root: String(raw.root).toLowerCase(),
    total: BigInt(raw.total),
    claimed: BigInt(raw.claimed),
    reputationTotal: BigInt(raw.reputationTotal),
    claimableAt: Number(raw.claimableAt),
    expiresAt: Number(raw.expiresAt),
  };
}

/**
 * Whether an account can claim its leaf of an epoch:
 * - `not-proposed`: no root on chain;
 * - `vetoed`: the guardian rejected the root (the epoch pays nothing until proposed again);
 * - `wrong-root`: the artifacts were made for another root than the chain's (never claim from them);
 * - `not-eligible`: the published artifacts hold no leaf for the account;
 * - `bad-proof`: the leaf does not verify against the chain's root (tampered artifacts);
 * - `upcoming`: in its challenge period, claimable from `claimableAt`;
 * - `claimed`: the account's leaf was claimed already;
 * - `claimable`: the claim goes through now (unless the pool is paused);
 * - `expired`: the claim window closed before a claim (the tokens are or will be swept).
 */
export type ClaimVerdict =
  | "not-proposed"
  | "vetoed"
  | "wrong-root"
  | "not-eligible"
  | "bad-proof"
  | "upcoming"
  | "claimed"
  | "claimable"
  | "expired";

export interface ClaimFacts {
  chain: Pick<EpochView, "state" | "root" | "claimableAt" | "expiresAt">;
  /**
   * The published artifacts of the epoch: the root they were made for and, if they hold a leaf for the
   * account, whether its proof verifies against the chain's root. Absent when not read (yet).
   */
  artifacts?: { root: string; leaf?: { verified: boolean } };
  /** `isClaimed(epoch, account)`. */
  claimed: boolean;
  /** The latest block's timestamp. */
  now: number;
}

/** The verdict for one account and epoch; the checks run in the order of {@link ClaimVerdict}. */
export function claimVerdict(facts: ClaimFacts): ClaimVerdict {
  const { chain, artifacts, claimed, now } = facts;
  if (chain.state === "None") return "not-proposed";
  if (chain.state === "Vetoed") return "vetoed";
  if (artifacts && artifacts.root.toLowerCase() !== chain.root.toLowerCase()) return "wrong-root";
  if (!artifacts?.leaf) return "not-eligible";
  if (!artifacts.leaf.verified) return "bad-proof";
  if (chain.state === "Challenge" || now < chain.claimableAt) return "upcoming";
  if (claimed) return "claimed";
  if (chain.state === "Claimable" && now < chain.expiresAt) return "claimable";
  return "expired";
}
