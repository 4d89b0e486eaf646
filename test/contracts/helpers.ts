// Shared pieces of the contract flow tests: real OpenZeppelin trees, the pool's deployment and funding, the epoch
// lifecycle and the pipeline's reputation rule. The tests compute every expected value from these (and from
// scripts/lib/reputation.ts), never hard-code it; their random inputs come from ../support/random.ts.
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import type { HardhatEthers, HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import type { NetworkHelpers } from "@nomicfoundation/hardhat-network-helpers/types";
import type { EpochRewards, MockERC20 } from "../../typechain-types/index.js";
import type { IEpochRewards } from "../../typechain-types/EpochRewards.js";
import { nextReputation } from "../../scripts/lib/reputation.js";
import { EPOCH_STATES, LEAF_ENCODING, type EpochStateName } from "../../protocol/index.js";

export const CHALLENGE_PERIOD = 3600n; // 1 hour
export const CLAIM_WINDOW = 7n * 86_400n; // 7 days
/** Decay of an idle reputation each epoch: the pipeline's default rules.decayBps (10%). */
export const DECAY_BPS = 1000;
/** The index `epochState` returns for each state name. */
export const EpochState = Object.fromEntries(EPOCH_STATES.map((name, i) => [name, BigInt(i)])) as Record<
  EpochStateName,
  bigint
>;

/** One leaf of an epoch tree, as the pipeline publishes it. */
export interface Leaf {
  index: bigint;
  account: string;
  amount: bigint;
  reputation: bigint;
}

/**
 * A built epoch tree: the OpenZeppelin tree, its leaves in index order, the sum of their amounts and the epoch's
 * total reputation (what `proposeEpoch` commits as `reputationTotal`).
 */
export interface EpochTree {
  tree: StandardMerkleTree<[bigint, string, bigint, bigint]>;
  leaves: Leaf[];
  total: bigint;
  reputationTotal: bigint;
}

/**
 * Builds an epoch tree the way the pipeline does: leaves [index, account, amount, reputation] with index
 * 0..n−1 over the accounts sorted by lowercase address. `reputationTotal` defaults to the sum of the leaves'
 * reputations (right when every account with reputation has a leaf; see {@link ReputationBook} otherwise).
 */
export function buildTree(
  entries: { account: string; amount: bigint; reputation: bigint }[],
  reputationTotal?: bigint,
): EpochTree {
  const sorted = [...entries].sort((a, b) => {
    const x = a.account.toLowerCase();
    const y = b.account.toLowerCase();
    return x < y ? -1 : x > y ? 1 : 0;
  });
  const leaves = sorted.map((e, i) => ({
    index: BigInt(i),
    account: e.account,
    amount: e.amount,
    reputation: e.reputation,
  }));
  const tree = StandardMerkleTree.of(
    leaves.map((l) => [l.index, l.account, l.amount, l.reputation] as [bigint, string, bigint, bigint]),
    [...LEAF_ENCODING],
  );
  return {
    tree,
    leaves,
    total: leaves.reduce((sum, l) => sum + l.amount, 0n),
    reputationTotal: reputationTotal ?? leaves.reduce((sum, l) => sum + l.reputation, 0n),
  };
}

/** What an account did in an epoch: token units it is paid, and reputation points it gained. */
export interface Work {
  account: string;
  amount: bigint;
  gain: bigint;
}

/**
 * The pipeline's reputation over epochs (docs/rules.md): after each epoch every account's reputation is
 * `nextReputation(previous, units)` = `decay(previous, 1) + gain`, and only the accounts paid (amount > 0) or
 * gaining reputation get a leaf; idle accounts decay on chain by themselves. `reputationTotal` sums every account.
 */
export class ReputationBook {
  /** Reputation of every account after the latest epoch (accounts at 0 are dropped), by address as given. */
  readonly reputation = new Map<string, bigint>();
  /** The latest epoch applied. */
  epoch = 0;

  constructor(readonly decayBps: number = DECAY_BPS) {}

  /** Applies the next epoch and returns its tree (leaves and reputationTotal as the pipeline computes them). */
  next(work: Work[]): EpochTree {
    const byAccount = new Map(work.map((w) => [w.account, w]));
    const entries: { account: string; amount: bigint; reputation: bigint }[] = [];
    let reputationTotal = 0n;
    for (const account of new Set([...this.reputation.keys(), ...byAccount.keys()])) {
      const w = byAccount.get(account) ?? { account, amount: 0n, gain: 0n };
      const reputation = nextReputation(account, this.reputation.get(account) ?? 0n, w.gain * 10_000n, this.decayBps);
      if (reputation > 0n) this.reputation.set(account, reputation);
      else this.reputation.delete(account);
      reputationTotal += reputation;
      if (w.amount > 0n || w.gain > 0n) entries.push({ account, amount: w.amount, reputation });
    }
    this.epoch++;
    return buildTree(entries, reputationTotal);
  }

  /** The pipeline's reputation of `account` after the latest epoch. */
  of(account: string): bigint {
    return this.reputation.get(account) ?? 0n;
  }
}

/** The proof of `leaf`, looked up in the tree by value (the tree may reorder its leaves internally). */
export function proofOf(epochTree: EpochTree, leaf: Leaf): string[] {
  for (const [i, v] of epochTree.tree.entries()) {
    if (v[0] === leaf.index) return epochTree.tree.getProof(i);
  }
  throw new Error(`leaf ${leaf.index} is not in the tree`);
}

/** The `Claim` struct of `claimMany` for one leaf of an epoch. */
export function claimOf(epoch: bigint, epochTree: EpochTree, leaf: Leaf): IEpochRewards.ClaimStruct {
  return {
    epoch,
    index: leaf.index,
    account: leaf.account,
    amount: leaf.amount,
    reputation: leaf.reputation,
    proof: proofOf(epochTree, leaf),
  };
}

/** Claims one leaf with `claim`, from `signer` (default: the pool's runner). */
export async function claimLeaf(
  pool: EpochRewards,
  epoch: bigint,
  epochTree: EpochTree,
  leaf: Leaf,
  signer?: HardhatEthersSigner,
) {
  const p = signer ? pool.connect(signer) : pool;
  return p.claim(epoch, leaf.index, leaf.account, leaf.amount, leaf.reputation, proofOf(epochTree, leaf));
}

export interface PoolSetup {
  pool: EpochRewards;
  admin: HardhatEthersSigner;
  proposer: HardhatEthersSigner;
  guardian: HardhatEthersSigner;
  funder: HardhatEthersSigner;
  others: HardhatEthersSigner[];
}

/**
 * Deploys `name` typed as its typechain contract. (`ethers.deployContract(name, args)` resolves to the untyped
 * `Contract` overload, whose `connect` then loses the methods' types.)
 */
export async function deploy<T>(ethers: HardhatEthers, name: string, args: unknown[] = []): Promise<T> {
  return (await ethers.deployContract(name, args)) as unknown as T;
}

/** Deploys the pool over `tokenAddress` (decay `decayBps` an epoch), grants the proposer and guardian roles. */
export async function deployPool(
  ethers: HardhatEthers,
  tokenAddress: string,
  decayBps: number = DECAY_BPS,
): Promise<PoolSetup> {
  const [admin, proposer, guardian, funder, ...others] = await ethers.getSigners();
  const pool = (await ethers.deployContract("EpochRewards", [
    tokenAddress,
    admin.address,
    0,
    CHALLENGE_PERIOD,
    CLAIM_WINDOW,
    decayBps,
    "Social Mining Reputation",
    "SMR",
  ])) as unknown as EpochRewards;
  await pool.connect(admin).grantRole(await pool.PROPOSER_ROLE(), proposer.address);
  await pool.connect(admin).grantRole(await pool.GUARDIAN_ROLE(), guardian.address);
  return { pool, admin, proposer, guardian, funder, others };
}

/** A reward token the funder can be given: MockERC20 and the test tokens built like it (hooks, fees). */
interface MintableToken {
  getAddress(): Promise<string>;
  mint(to: string, amount: bigint): Promise<unknown>;
  connect(runner: HardhatEthersSigner): { approve(spender: string, amount: bigint): Promise<unknown> };
}

/**
 * A pool over `token` (default: a new MockERC20) decaying `decayBps` an epoch, with its roles granted, and funded
 * with `funding`: minted to the funder, who approves the pool and funds it.
 */
export async function deployFundedPool<T extends MintableToken = MockERC20>(
  ethers: HardhatEthers,
  funding: bigint,
  options: { token?: T; decayBps?: number } = {},
): Promise<PoolSetup & { token: T }> {
  const token = options.token ?? (await deploy<T>(ethers, "MockERC20", ["Reward", "RWD", 18]));
  const setup = await deployPool(ethers, await token.getAddress(), options.decayBps ?? DECAY_BPS);
  await token.mint(setup.funder.address, funding);
  await token.connect(setup.funder).approve(await setup.pool.getAddress(), funding);
  await setup.pool.connect(setup.funder).fund(funding);
  return { token, ...setup };
}

/**
 * Proposes `epochTree` as `epoch` for its exact total (or `total`) with its reputationTotal, and returns the
 * epoch's claimableAt and expiresAt.
 */
export async function propose(
  pool: EpochRewards,
  proposer: HardhatEthersSigner,
  epoch: bigint,
  epochTree: EpochTree,
  total: bigint = epochTree.total,
): Promise<{ claimableAt: bigint; expiresAt: bigint }> {
  const inputsHash = `0x${epoch.toString(16).padStart(64, "0")}`;
  await pool
    .connect(proposer)
    .proposeEpoch(epoch, epochTree.tree.root, total, epochTree.reputationTotal, inputsHash, `ipfs://epoch-${epoch}`);
  const view = await pool.getEpoch(epoch);
  return { claimableAt: view.claimableAt, expiresAt: view.expiresAt };
}

/** Moves the chain to `claimableAt` so that the next transaction can claim. */
export async function openClaims(networkHelpers: NetworkHelpers, claimableAt: bigint): Promise<void> {
  const now = BigInt(await networkHelpers.time.latest());
  if (now < claimableAt) await networkHelpers.time.increase(claimableAt - now);
}
