/**
 * The on-chain operations behind the `sm:*` tasks, shared by the tasks, the demo and the tests. Every function
 * takes an `EpochRewards` contract already connected to the signer that sends, checks everything it can before
 * sending (a failed check sends nothing), and is idempotent where docs/tasks.md says so: doing again
 * what is already done is a no-op with a message, never a second transaction.
 */
import { Contract, ZeroHash, getAddress, type ContractTransactionReceipt, type Signer } from "ethers";
import type { EpochRewards } from "../../typechain-types/index.js";
import type { IEpochRewards } from "../../typechain-types/EpochRewards.js";
import { epochOf, loadEpochArtifacts, readAccountClaim, type EpochArtifacts } from "./artifacts.js";
import { ERC20_ERRORS, TaskError } from "./errors.js";

export type { EpochRewards };
export type ClaimStruct = IEpochRewards.ClaimStruct;

/** `IEpochRewards.EpochState`, by its numeric value. */
export const EPOCH_STATES = ["None", "Challenge", "Claimable", "Expired", "Swept", "Vetoed"] as const;
export type EpochStateName = (typeof EPOCH_STATES)[number];

export const ERC20_ABI = [
  "function approve(address spender, uint256 amount) returns (bool)",
  "function allowance(address owner, address spender) view returns (uint256)",
  "function balanceOf(address account) view returns (uint256)",
  "function decimals() view returns (uint8)",
  "function symbol() view returns (string)",
  ...ERC20_ERRORS,
];

/** A line printer; tasks print to the console, tests collect the lines. */
export type Log = (line: string) => void;
const silent: Log = () => {};

/** What an operation did: `noop` when the chain was already in the requested state. */
export type Outcome<T> = { status: "done"; txHash: string } & T;
export type Noop = { status: "noop"; message: string };

export function stateName(state: bigint | number): EpochStateName {
  return EPOCH_STATES[Number(state)] ?? (`Unknown(${state})` as EpochStateName);
}

export function isoDate(seconds: bigint | number): string {
  return new Date(Number(seconds) * 1000).toISOString().replace(".000Z", "Z");
}

function signerOf(pool: EpochRewards): Signer {
  const runner = pool.runner as Signer | null;
  if (!runner || typeof (runner as Signer).getAddress !== "function") {
    throw new TaskError("internal: the pool contract must be connected to a signer");
  }
  return runner;
}

async function mined(tx: { wait(): Promise<ContractTransactionReceipt | null> }): Promise<ContractTransactionReceipt> {
  const receipt = await tx.wait();
  if (!receipt) throw new TaskError("the transaction was not mined");
  return receipt;
}

function event(receipt: ContractTransactionReceipt, pool: EpochRewards, name: string) {
  for (const log of receipt.logs) {
    try {
      const parsed = pool.interface.parseLog(log);
      if (parsed?.name === name) return parsed;
    } catch {
      // a log of another contract (the token)
    }
  }
  throw new TaskError(`the transaction ${receipt.hash} emitted no ${name} event`);
}

async function requireRole(pool: EpochRewards, role: "PROPOSER_ROLE" | "GUARDIAN_ROLE", what: string) {
  const account = await signerOf(pool).getAddress();
  const id = await pool[role]();
  if (!(await pool.hasRole(id, account))) {
    throw new TaskError(`${account} does not hold ${role} on ${await pool.getAddress()}: only the ${what} may do this`);
  }
}

async function chainNow(pool: EpochRewards): Promise<bigint> {
  const provider = signerOf(pool).provider;
  const block = await provider?.getBlock("latest");
  if (!block) throw new TaskError("cannot read the latest block");
  return BigInt(block.timestamp);
}

/** The token the pool pays, as an ERC-20 connected to the pool's signer. */
export async function tokenOf(pool: EpochRewards): Promise<Contract> {
  return new Contract(await pool.token(), ERC20_ABI, signerOf(pool));
}

/*//////////////////////////////////////////////////////////////
                                FUND
//////////////////////////////////////////////////////////////*/

/** Approves the pool (if the allowance is short) and funds it with `amount`; returns what the pool credited. */
export async function fundPool(
  pool: EpochRewards,
  amount: bigint,
  log: Log = silent,
): Promise<Outcome<{ requested: bigint; credited: bigint; approveTx?: string }>> {
  if (amount <= 0n) throw new TaskError("--amount must be positive");
  const from = await signerOf(pool).getAddress();
  const poolAddress = await pool.getAddress();
  const token = await tokenOf(pool);
  const balance: bigint = await token.balanceOf(from);
  if (balance < amount) {
    throw new TaskError(`--amount ${amount} exceeds the token balance ${balance} of the sender ${from}`);
  }
  let approveTx: string | undefined;
  const allowance: bigint = await token.allowance(from, poolAddress);
  if (allowance < amount) {
    log(`approving ${amount} for the pool ${poolAddress} (allowance was ${allowance})`);
    const receipt = await mined(await token.approve(poolAddress, amount));
    approveTx = receipt.hash;
  }
  const receipt = await mined(await pool.fund(amount));
  const funded = event(receipt, pool, "Funded");
  const credited = funded.args.received as bigint;
  log(`funded: requested ${amount}, credited ${credited} (tx ${receipt.hash})`);
  return { status: "done", txHash: receipt.hash, requested: amount, credited, approveTx };
}

/*//////////////////////////////////////////////////////////////
                                PROPOSE
//////////////////////////////////////////////////////////////*/

/** What `propose` would send, or why it has nothing to do. */
export type ProposalPlan =
  | (Noop & { epoch: number; root: string })
  | {
      status: "send";
      epoch: number;
      root: string;
      total: bigint;
      inputsHash: string;
      uri: string;
      leafCount: number;
      available: bigint;
      /** True when the epoch number was vetoed and is proposed again. */
      reproposal: boolean;
    };

/**
 * Checks `artifacts` against the chain: the artifacts' chain id and distributor (when set) match, the epoch is
 * the next one or a vetoed one, the root is not one the guardian vetoed, `available()` covers the total, the
 * signer is a proposer and the pool is not paused. Throws {@link TaskError} otherwise; returns a no-op when the
 * same root is already proposed for the epoch.
 */
export async function planProposal(
  pool: EpochRewards,
  artifacts: EpochArtifacts,
  options: { uri?: string } = {},
): Promise<ProposalPlan> {
  const { epoch, root, total, manifest } = artifacts;
  const poolAddress = await pool.getAddress();
  const provider = signerOf(pool).provider!;
  const chainId = (await provider.getNetwork()).chainId;
  if (manifest.chainId !== 0 && BigInt(manifest.chainId) !== chainId) {
    throw new TaskError(
      `${artifacts.dir}: the artifacts are for chain ${manifest.chainId} but the network is chain ${chainId}`,
    );
  }
  if (BigInt(manifest.distributor) !== 0n && getAddress(manifest.distributor) !== poolAddress) {
    throw new TaskError(
      `${artifacts.dir}: the artifacts are for the pool ${manifest.distributor}, not --pool ${poolAddress}`,
    );
  }

  const onChain = await pool.getEpoch(epoch);
  const state = stateName(onChain.state);
  if (state !== "None" && state !== "Vetoed") {
    if (onChain.root.toLowerCase() === root) {
      return {
        status: "noop",
        epoch,
        root,
        message: `epoch ${epoch} is already proposed with root ${root} (state ${state}, claimable at ${isoDate(onChain.claimableAt)}): nothing to do`,
      };
    }
    const hint =
      state === "Challenge"
        ? `the guardian may veto it (sm:veto) until ${isoDate(onChain.claimableAt)}, then propose the corrected root`
        : "its challenge period is over: the root is final";
    throw new TaskError(
      `epoch ${epoch} is already proposed with a different root ${onChain.root} (state ${state}); ${hint}`,
    );
  }
  const latest = await pool.latestEpoch();
  if (state === "None" && BigInt(epoch) !== latest + 1n) {
    throw new TaskError(
      `epoch ${epoch} cannot be proposed: the next epoch is ${latest + 1n} (latest proposed ${latest}); only the next epoch or a vetoed one may be proposed`,
    );
  }
  if (state === "Vetoed") {
    const vetoed = await vetoedRoots(pool, epoch);
    if (vetoed.includes(root)) {
      throw new TaskError(
        `the guardian vetoed root ${root} for epoch ${epoch}: fix the inputs and propose a corrected root`,
      );
    }
  }
  if (await pool.paused()) throw new TaskError("the pool is paused: proposals are stopped until the guardian unpauses");
  await requireRole(pool, "PROPOSER_ROLE", "proposer");
  const available = await pool.available();
  if (total > available) {
    throw new TaskError(
      `the epoch's total ${total} exceeds available() ${available}: fund the pool with at least ${total - available} more (sm:fund)`,
    );
  }
  return {
    status: "send",
    epoch,
    root,
    total,
    inputsHash: artifacts.inputsHash,
    uri: options.uri ?? "",
    leafCount: artifacts.leafCount,
    available,
    reproposal: state === "Vetoed",
  };
}

/** Roots vetoed for `epoch` (from EpochVetoed logs; empty if the node cannot search logs). */
async function vetoedRoots(pool: EpochRewards, epoch: number): Promise<string[]> {
  try {
    const logs = await pool.queryFilter(pool.filters.EpochVetoed(epoch));
    return logs.map((l) => String(l.args.root).toLowerCase());
  } catch {
    return [];
  }
}

/** Sends a planned proposal; returns the epoch's claimableAt and expiresAt from the event. */
export async function sendProposal(
  pool: EpochRewards,
  plan: Extract<ProposalPlan, { status: "send" }>,
): Promise<Outcome<{ epoch: number; root: string; claimableAt: bigint; expiresAt: bigint }>> {
  const receipt = await mined(await pool.proposeEpoch(plan.epoch, plan.root, plan.total, plan.inputsHash, plan.uri));
  const proposed = event(receipt, pool, "EpochProposed");
  return {
    status: "done",
    txHash: receipt.hash,
    epoch: plan.epoch,
    root: plan.root,
    claimableAt: proposed.args.claimableAt as bigint,
    expiresAt: proposed.args.expiresAt as bigint,
  };
}

/** Describes a proposal for the operator before it is sent. */
export function describeProposal(plan: Extract<ProposalPlan, { status: "send" }>, poolAddress: string): string[] {
  return [
    `pool        ${poolAddress}`,
    `epoch       ${plan.epoch}${plan.reproposal ? " (vetoed, proposed again)" : ""}`,
    `root        ${plan.root}`,
    `total       ${plan.total} (available ${plan.available})`,
    `leaves      ${plan.leafCount}`,
    `inputsHash  ${plan.inputsHash}`,
    `uri         ${plan.uri === "" ? '""' : plan.uri}`,
  ];
}

/**
 * The whole `propose`: loads and checks `dir`, plans, asks `confirm` (if given) and sends. Returns the no-op
 * message when the root is already proposed, or `{ status: "cancelled" }` when the operator declines.
 */
export async function proposeEpoch(
  pool: EpochRewards,
  dir: string,
  options: { uri?: string; confirm?: (lines: string[]) => Promise<boolean>; log?: Log } = {},
): Promise<
  | (Noop & { epoch: number; root: string })
  | { status: "cancelled" }
  | Outcome<{ epoch: number; root: string; claimableAt: bigint; expiresAt: bigint }>
> {
  const log = options.log ?? silent;
  const artifacts = loadEpochArtifacts(dir);
  const plan = await planProposal(pool, artifacts, options);
  if (plan.status === "noop") {
    log(plan.message);
    return plan;
  }
  const lines = describeProposal(plan, await pool.getAddress());
  if (options.confirm && !(await options.confirm(lines))) {
    log("cancelled: nothing was sent");
    return { status: "cancelled" };
  }
  const done = await sendProposal(pool, plan);
  log(
    `proposed epoch ${done.epoch} root ${done.root}: claimable at ${isoDate(done.claimableAt)}, expires at ${isoDate(done.expiresAt)} (tx ${done.txHash})`,
  );
  return done;
}

/*//////////////////////////////////////////////////////////////
                                VETO
//////////////////////////////////////////////////////////////*/

/** Vetoes `epoch` during its challenge period; a no-op if it is already vetoed. Only the guardian. */
export async function vetoEpoch(
  pool: EpochRewards,
  epoch: number,
  reason: string,
  log: Log = silent,
): Promise<Noop | Outcome<{ root: string; released: bigint }>> {
  const onChain = await pool.getEpoch(epoch);
  const state = stateName(onChain.state);
  if (state === "Vetoed") {
    const message = `epoch ${epoch} is already vetoed (it may be proposed again): nothing to do`;
    log(message);
    return { status: "noop", message };
  }
  if (state === "None") throw new TaskError(`epoch ${epoch} was never proposed: there is nothing to veto`);
  if (state !== "Challenge") {
    throw new TaskError(
      `epoch ${epoch} is ${state}: its challenge period closed at ${isoDate(onChain.claimableAt)} and its root is final`,
    );
  }
  await requireRole(pool, "GUARDIAN_ROLE", "guardian");
  const receipt = await mined(await pool.vetoEpoch(epoch, reason));
  event(receipt, pool, "EpochVetoed");
  log(`vetoed epoch ${epoch} (root ${onChain.root}); ${onChain.total} released to available (tx ${receipt.hash})`);
  return { status: "done", txHash: receipt.hash, root: onChain.root, released: onChain.total };
}

/*//////////////////////////////////////////////////////////////
                                SWEEP
//////////////////////////////////////////////////////////////*/

/** Sweeps an expired epoch; a no-op if it is already swept. Anyone may sweep. */
export async function sweepEpoch(
  pool: EpochRewards,
  epoch: number,
  log: Log = silent,
): Promise<Noop | Outcome<{ released: bigint }>> {
  const onChain = await pool.getEpoch(epoch);
  const state = stateName(onChain.state);
  if (state === "Swept") {
    const message = `epoch ${epoch} is already swept: nothing to do`;
    log(message);
    return { status: "noop", message };
  }
  if (state === "None") throw new TaskError(`epoch ${epoch} was never proposed: there is nothing to sweep`);
  if (state === "Vetoed") throw new TaskError(`epoch ${epoch} was vetoed: its reservation was already released`);
  if (state !== "Expired") {
    throw new TaskError(`epoch ${epoch} is ${state}: it can be swept from ${isoDate(onChain.expiresAt)}`);
  }
  const receipt = await mined(await pool.sweep(epoch));
  const released = event(receipt, pool, "EpochSwept").args.released as bigint;
  log(`swept epoch ${epoch}: ${released} unclaimed released to available (tx ${receipt.hash})`);
  return { status: "done", txHash: receipt.hash, released };
}

/*//////////////////////////////////////////////////////////////
                                CLAIM
//////////////////////////////////////////////////////////////*/

export interface ClaimPlan {
  account: string;
  /** In epoch order: one run of one account, paid with one transfer. */
  claims: ClaimStruct[];
  /** Epochs left out, with why. */
  skipped: { epoch: number; reason: string }[];
  amount: bigint;
  /** The reputation the newest claimed epoch syncs (if newer than the last synced one). */
  reputation?: { epoch: number; value: bigint };
}

/**
 * Every claimable, unclaimed leaf of `account` in the artifacts `dirs`, checked against the chain. Epochs that are
 * not claimable, already claimed or without a leaf for the account are skipped with a reason; artifacts whose
 * root differs from the chain's are an error (the proofs would fail).
 */
export async function planClaims(pool: EpochRewards, account: string, dirs: string[]): Promise<ClaimPlan> {
  const who = getAddress(account);
  const plan: ClaimPlan = { account: who, claims: [], skipped: [], amount: 0n };
  const sorted = dirs.map((d) => ({ d, epoch: epochOf(d) })).sort((a, b) => a.epoch - b.epoch);
  for (const { d, epoch } of sorted) {
    const leaf = readAccountClaim(d, who);
    if (!leaf) {
      plan.skipped.push({ epoch, reason: `no leaf for ${who}` });
      continue;
    }
    const onChain = await pool.getEpoch(epoch);
    const state = stateName(onChain.state);
    if (state === "Claimable" && onChain.root.toLowerCase() !== leaf.root) {
      throw new TaskError(
        `${d}: root ${leaf.root} ≠ the root ${onChain.root} on chain for epoch ${epoch}: wrong artifacts directory?`,
      );
    }
    const reason = {
      None: "not proposed yet",
      Challenge: `in its challenge period, claimable from ${isoDate(onChain.claimableAt)}`,
      Claimable: undefined,
      Expired: `expired at ${isoDate(onChain.expiresAt)}`,
      Swept: `expired at ${isoDate(onChain.expiresAt)} and swept`,
      Vetoed: "vetoed: it pays nothing",
    }[state];
    if (reason) {
      plan.skipped.push({ epoch, reason });
      continue;
    }
    if (await pool.isClaimed(epoch, leaf.index)) {
      plan.skipped.push({ epoch, reason: "already claimed" });
      continue;
    }
    plan.claims.push({
      epoch,
      index: leaf.index,
      account: who,
      amount: BigInt(leaf.amount),
      reputation: BigInt(leaf.reputation),
      proof: leaf.proof,
    });
    plan.amount += BigInt(leaf.amount);
    plan.reputation = { epoch, value: BigInt(leaf.reputation) };
  }
  return plan;
}

/**
 * Claims every claimable, unclaimed epoch of `account` found in `dirs` with ONE claimMany (the signer pays gas,
 * the account gets the tokens). A no-op when there is nothing to claim.
 */
export async function claimRewards(
  pool: EpochRewards,
  account: string,
  dirs: string[],
  log: Log = silent,
): Promise<(Noop & { plan: ClaimPlan }) | Outcome<{ plan: ClaimPlan; paid: bigint }>> {
  const plan = await planClaims(pool, account, dirs);
  for (const s of plan.skipped) log(`epoch ${s.epoch}: skipped, ${s.reason}`);
  if (plan.claims.length === 0) {
    const message = `nothing to claim for ${plan.account}`;
    log(message);
    return { status: "noop", message, plan };
  }
  const receipt = await mined(await pool.claimMany(plan.claims));
  const paid = receipt.logs
    .map((l) => {
      try {
        return pool.interface.parseLog(l);
      } catch {
        return null;
      }
    })
    .filter((e) => e?.name === "Claimed")
    .reduce((sum, e) => sum + (e!.args.amount as bigint), 0n);
  const epochs = plan.claims.map((c) => c.epoch).join(", ");
  log(
    `claimed epoch${plan.claims.length > 1 ? "s" : ""} ${epochs} for ${plan.account} in one claimMany: ${paid} paid` +
      (plan.reputation ? `, reputation ${plan.reputation.value} from epoch ${plan.reputation.epoch}` : "") +
      ` (tx ${receipt.hash})`,
  );
  return { status: "done", txHash: receipt.hash, plan, paid };
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

/*//////////////////////////////////////////////////////////////
                                VIEWS
//////////////////////////////////////////////////////////////*/

export interface EpochRow {
  epoch: number;
  state: EpochStateName;
  root: string;
  inputsHash: string;
  total: bigint;
  claimed: bigint;
  claimableAt: string | null;
  expiresAt: string | null;
}

export interface PoolStatus {
  pool: string;
  token: string;
  now: string;
  latestEpoch: number;
  available: bigint;
  outstanding: bigint;
  challengePeriod: bigint;
  claimWindow: bigint;
  paused: boolean;
  epochs: EpochRow[];
}

/** Every epoch 1..latestEpoch with its state, plus the pool's available and outstanding funds. */
export async function poolStatus(pool: EpochRewards): Promise<PoolStatus> {
  const latest = Number(await pool.latestEpoch());
  const epochs: EpochRow[] = [];
  for (let epoch = 1; epoch <= latest; epoch++) {
    const e = await pool.getEpoch(epoch);
    const live = e.root !== ZeroHash;
    epochs.push({
      epoch,
      state: stateName(e.state),
      root: e.root,
      inputsHash: e.inputsHash,
      total: e.total,
      claimed: e.claimed,
      claimableAt: live ? isoDate(e.claimableAt) : null,
      expiresAt: live ? isoDate(e.expiresAt) : null,
    });
  }
  const [challengePeriod, claimWindow] = await pool.durations();
  return {
    pool: await pool.getAddress(),
    token: await pool.token(),
    now: isoDate(await chainNow(pool)),
    latestEpoch: latest,
    available: await pool.available(),
    outstanding: await pool.outstanding(),
    challengePeriod,
    claimWindow,
    paused: await pool.paused(),
    epochs,
  };
}

export interface ReputationStatus {
  account: string;
  hasSoul: boolean;
  soulId: bigint | null;
  score: bigint;
  lastSyncedEpoch: bigint;
  votes: bigint;
  delegate: string;
}

/** An account's soul, reputation score, last synced epoch and voting power. */
export async function reputationStatus(pool: EpochRewards, account: string): Promise<ReputationStatus> {
  const who = getAddress(account);
  const hasSoul = await pool.hasSoul(who);
  return {
    account: who,
    hasSoul,
    soulId: hasSoul ? await pool.soulOf(who) : null,
    score: await pool.reputationOf(who),
    lastSyncedEpoch: await pool.lastSyncedEpoch(who),
    votes: await pool.getVotes(who),
    delegate: await pool.delegates(who),
  };
}
