/**
 * The on-chain operations behind the `sm:*` tasks, shared by the tasks, the demo and the tests. Every function
 * takes an `EpochRewards` contract already connected to the signer that sends, checks everything it can before
 * sending (a failed check sends nothing), and is idempotent where docs/tasks.md says so: doing again
 * what is already done is a no-op with a message, never a second transaction.
 */
import {
  Contract,
  ZeroHash,
  getAddress,
  type ContractTransactionReceipt,
  type LogDescription,
  type Signer,
} from "ethers";
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

/** The pool's events in a receipt, decoded (logs of other contracts, such as the token's, are left out). */
function parsedLogs(receipt: ContractTransactionReceipt, pool: EpochRewards): LogDescription[] {
  const parsed: LogDescription[] = [];
  for (const log of receipt.logs) {
    try {
      const description = pool.interface.parseLog(log);
      if (description) parsed.push(description);
    } catch {
      // a log of another contract (the token)
    }
  }
  return parsed;
}

function event(receipt: ContractTransactionReceipt, pool: EpochRewards, name: string): LogDescription {
  const found = parsedLogs(receipt, pool).find((e) => e.name === name);
  if (!found) throw new TaskError(`the transaction ${receipt.hash} emitted no ${name} event`);
  return found;
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
                                LOGS
//////////////////////////////////////////////////////////////*/

/** What the `EpochProposed` event of an epoch recorded (inputsHash and uri are stored nowhere else). */
export interface ProposedLog {
  epoch: number;
  root: string;
  total: bigint;
  reputationTotal: bigint;
  inputsHash: string;
  uri: string;
  claimableAt: bigint;
  expiresAt: bigint;
  txHash: string;
}

/**
 * The newest `EpochProposed` event of each epoch (an epoch vetoed and proposed again has several), or of `epoch`
 * only; undefined if the node cannot search logs.
 */
export async function proposedLogs(pool: EpochRewards, epoch?: number): Promise<Map<number, ProposedLog> | undefined> {
  let logs;
  try {
    logs = await pool.queryFilter(pool.filters.EpochProposed(epoch));
  } catch {
    return undefined;
  }
  const byEpoch = new Map<number, ProposedLog>();
  for (const l of logs) {
    const a = l.args;
    byEpoch.set(Number(a.epoch), {
      epoch: Number(a.epoch),
      root: String(a.root).toLowerCase(),
      total: a.total,
      reputationTotal: a.reputationTotal,
      inputsHash: a.inputsHash,
      uri: a.uri,
      claimableAt: a.claimableAt,
      expiresAt: a.expiresAt,
      txHash: l.transactionHash,
    });
  }
  return byEpoch;
}

/** The `EpochVetoed` events of each epoch, oldest first; undefined if the node cannot search logs. */
async function vetoedLogs(
  pool: EpochRewards,
): Promise<Map<number, { root: string; guardian: string; reason: string }[]> | undefined> {
  let logs;
  try {
    logs = await pool.queryFilter(pool.filters.EpochVetoed());
  } catch {
    return undefined;
  }
  const byEpoch = new Map<number, { root: string; guardian: string; reason: string }[]>();
  for (const l of logs) {
    const epoch = Number(l.args.epoch);
    byEpoch.set(epoch, [
      ...(byEpoch.get(epoch) ?? []),
      { root: String(l.args.root).toLowerCase(), guardian: l.args.guardian, reason: l.args.reason },
    ]);
  }
  return byEpoch;
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
      /** manifest.reputationTotal: the total voting supply while this epoch is the newest final one. */
      reputationTotal: bigint;
      /** The pool's decayBps(), equal to the manifest's rules.decayBps. */
      decayBps: number;
      inputsHash: string;
      uri: string;
      leafCount: number;
      available: bigint;
      /** True when the epoch number was vetoed and is proposed again. */
      reproposal: boolean;
    };

/**
 * Checks `artifacts` against the chain: the artifacts' chain id and distributor (when set) match, the pipeline
 * decayed reputation by the pool's `decayBps()`, the totals fit the contract's bounds, the epoch is
 * `latestEpoch() + 1` (a vetoed epoch number comes back as the next one), the root is not one the guardian
 * vetoed, at most `MAX_OPEN_EPOCHS` epochs stay open, the pool is not paused, the signer is a proposer and
 * `available()` covers the total. Throws {@link TaskError} otherwise; returns a no-op when the same root is
 * already proposed for the epoch.
 */
export async function planProposal(
  pool: EpochRewards,
  artifacts: EpochArtifacts,
  options: { uri?: string } = {},
): Promise<ProposalPlan> {
  const { epoch, root, total, manifest, reputationTotal } = artifacts;
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
  const decayBps = Number(await pool.decayBps());
  if (artifacts.decayBps !== decayBps) {
    throw new TaskError(
      `${artifacts.dir}: the artifacts were computed with rules.decayBps ${artifacts.decayBps} but the pool's decayBps() is ${decayBps}: on-chain scores would not match the pipeline's reputation; allocate the epoch again with "decayBps": ${decayBps} in epoch.json's rules`,
    );
  }
  const maxReputation = await pool.MAX_REPUTATION();
  if (reputationTotal > maxReputation) {
    throw new TaskError(
      `${artifacts.dir}: reputationTotal ${reputationTotal} exceeds MAX_REPUTATION() ${maxReputation}, the largest total reputation the pool stores`,
    );
  }
  const maxTotal = await pool.MAX_EPOCH_TOTAL();
  if (total > maxTotal) {
    throw new TaskError(`${artifacts.dir}: the epoch's total ${total} exceeds MAX_EPOCH_TOTAL() ${maxTotal}`);
  }

  const onChain = await pool.getEpoch(epoch);
  const state = stateName(onChain.state);
  if (state !== "None" && state !== "Vetoed") {
    if (onChain.root.toLowerCase() === root) {
      const proposed = (await proposedLogs(pool, epoch))?.get(epoch);
      const differs =
        proposed && proposed.inputsHash.toLowerCase() !== artifacts.inputsHash.toLowerCase()
          ? ` (note: it was proposed with inputsHash ${proposed.inputsHash}, the artifacts have ${artifacts.inputsHash})`
          : "";
      return {
        status: "noop",
        epoch,
        root,
        message: `epoch ${epoch} is already proposed with root ${root} (state ${state}, claimable at ${isoDate(onChain.claimableAt)}): nothing to do${differs}`,
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
  if (BigInt(epoch) !== latest + 1n) {
    const vetoed = state === "Vetoed" ? ` (epoch ${epoch} was vetoed: propose epoch ${latest + 1n} first)` : "";
    throw new TaskError(
      `epoch ${epoch} cannot be proposed: the next epoch is ${latest + 1n} (latest proposed ${latest}); epochs are proposed strictly in order${vetoed}`,
    );
  }
  if (state === "Vetoed") {
    const vetoed = (await vetoedLogs(pool))?.get(epoch) ?? [];
    if (vetoed.some((v) => v.root === root)) {
      throw new TaskError(
        `the guardian vetoed root ${root} for epoch ${epoch}: fix the inputs and propose a corrected root`,
      );
    }
  }
  const maxOpen = await pool.MAX_OPEN_EPOCHS();
  if (BigInt(epoch) > maxOpen) {
    const open = epoch - Number(maxOpen);
    const openEpoch = await pool.getEpoch(open);
    const openState = stateName(openEpoch.state);
    if (openState === "Challenge" || openState === "Claimable") {
      throw new TaskError(
        `epoch ${epoch} cannot be proposed before epoch ${open} expires at ${isoDate(openEpoch.expiresAt)}: at most ${maxOpen} epochs may be open for claims at once`,
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
    reputationTotal,
    decayBps,
    inputsHash: artifacts.inputsHash,
    uri: options.uri ?? "",
    leafCount: artifacts.leafCount,
    available,
    reproposal: state === "Vetoed",
  };
}

/** Sends a planned proposal; returns the epoch's claimableAt and expiresAt from the event. */
export async function sendProposal(
  pool: EpochRewards,
  plan: Extract<ProposalPlan, { status: "send" }>,
): Promise<Outcome<{ epoch: number; root: string; claimableAt: bigint; expiresAt: bigint }>> {
  const receipt = await mined(
    await pool.proposeEpoch(plan.epoch, plan.root, plan.total, plan.reputationTotal, plan.inputsHash, plan.uri),
  );
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
    `pool             ${poolAddress}`,
    `epoch            ${plan.epoch}${plan.reproposal ? " (vetoed, proposed again)" : ""}`,
    `root             ${plan.root}`,
    `total            ${plan.total} (available ${plan.available})`,
    `reputationTotal  ${plan.reputationTotal} (decay ${plan.decayBps} bps per epoch, as the pool)`,
    `leaves           ${plan.leafCount}`,
    `inputsHash       ${plan.inputsHash}`,
    `uri              ${plan.uri === "" ? '""' : plan.uri}`,
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

/**
 * Vetoes `epoch` during its challenge period, and with it every later live epoch (the contract vetoes them all);
 * a no-op if it is already vetoed. Only the guardian, even while paused.
 */
export async function vetoEpoch(
  pool: EpochRewards,
  epoch: number,
  reason: string,
  log: Log = silent,
): Promise<Noop | Outcome<{ root: string; released: bigint; epochs: number[] }>> {
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
  // The later epochs fall with it: they are in their challenge period too, with nothing claimed.
  const latest = Number(await pool.latestEpoch());
  let released = onChain.total;
  for (let later = epoch + 1; later <= latest; later++) released += (await pool.getEpoch(later)).total;
  const receipt = await mined(await pool.vetoEpoch(epoch, reason));
  const epochs = parsedLogs(receipt, pool)
    .filter((e) => e.name === "EpochVetoed")
    .map((e) => Number(e.args.epoch))
    .sort((a, b) => a - b);
  if (!epochs.includes(epoch)) throw new TaskError(`the transaction ${receipt.hash} emitted no EpochVetoed event`);
  const later = epochs.filter((e) => e !== epoch);
  log(
    `vetoed epoch ${epoch} (root ${onChain.root})` +
      (later.length > 0 ? ` and the later epoch${later.length > 1 ? "s" : ""} ${later.join(", ")}` : "") +
      `; ${released} released to available; epoch ${epoch} is the next to propose (tx ${receipt.hash})`,
  );
  return { status: "done", txHash: receipt.hash, root: onChain.root, released, epochs };
}

/*//////////////////////////////////////////////////////////////
                                SWEEP
//////////////////////////////////////////////////////////////*/

/** Sweeps an expired epoch; a no-op if it is already swept. Anyone may sweep, even while the pool is paused. */
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
    const paused = (await pool.paused())
      ? " if the pool is unpaused now (its claim window is stopped while the pool is paused)"
      : "";
    throw new TaskError(`epoch ${epoch} is ${state}: it can be swept from ${isoDate(onChain.expiresAt)}${paused}`);
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
  /** The leaf that becomes the soul's anchor: the newest claimed epoch, if newer than every epoch claimed so far. */
  reputation?: { epoch: number; value: bigint };
  /** Why the claims change no score, when they pay tokens only (a soul recovered away, or older epochs). */
  tokensOnly?: string;
}

/**
 * Every claimable, unclaimed leaf of `account` in the artifacts `dirs`, checked against the chain, sorted by epoch.
 * Epochs that are not claimable, already claimed by the account or without a leaf for it are skipped with a
 * reason; artifacts whose root differs from the chain's are an error (the proofs would fail).
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
    if (await pool.isClaimed(epoch, who)) {
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

/**
 * Claims every claimable, unclaimed epoch of `account` found in `dirs` with ONE claimMany (the signer pays gas,
 * the account gets the tokens). A no-op when there is nothing to claim; refused while the pool is paused.
 */
export async function claimRewards(
  pool: EpochRewards,
  account: string,
  dirs: string[],
  log: Log = silent,
): Promise<(Noop & { plan: ClaimPlan }) | Outcome<{ plan: ClaimPlan; paid: bigint; score: bigint }>> {
  const plan = await planClaims(pool, account, dirs);
  for (const s of plan.skipped) log(`epoch ${s.epoch}: skipped, ${s.reason}`);
  if (plan.claims.length === 0) {
    const message = `nothing to claim for ${plan.account}`;
    log(message);
    return { status: "noop", message, plan };
  }
  if (await pool.paused()) {
    throw new TaskError(
      `the pool is paused: claims are stopped until the guardian unpauses (the claim windows do not run meanwhile)`,
    );
  }
  const receipt = await mined(await pool.claimMany(plan.claims));
  const paid = parsedLogs(receipt, pool)
    .filter((e) => e.name === "Claimed")
    .reduce((sum, e) => sum + (e.args.amount as bigint), 0n);
  const score = await pool.getVotes(plan.account);
  const epochs = plan.claims.map((c) => c.epoch).join(", ");
  log(
    `claimed epoch${plan.claims.length > 1 ? "s" : ""} ${epochs} for ${plan.account} in one claimMany: ${paid} paid` +
      (plan.reputation ? `, reputation ${plan.reputation.value} from epoch ${plan.reputation.epoch}` : "") +
      (plan.tokensOnly ? ` (tokens only: ${plan.tokensOnly})` : "") +
      `, score now ${score} (tx ${receipt.hash})`,
  );
  return { status: "done", txHash: receipt.hash, plan, paid, score };
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
  /** From the epoch's EpochProposed event; null if the node cannot search logs (or for a vetoed epoch). */
  inputsHash: string | null;
  uri: string | null;
  total: bigint;
  claimed: bigint;
  reputationTotal: bigint;
  claimableAt: string | null;
  expiresAt: string | null;
  /** A vetoed epoch: the root the guardian rejected, from its EpochVetoed event. */
  vetoed?: { root: string; guardian: string; reason: string };
}

export interface PoolStatus {
  pool: string;
  token: string;
  now: string;
  latestEpoch: number;
  /** finalEpochAt(now): the newest epoch whose challenge period is over; scores are decayed up to it. */
  finalEpoch: number;
  available: bigint;
  outstanding: bigint;
  challengePeriod: bigint;
  claimWindow: bigint;
  paused: boolean;
  /** Seconds the pool has spent paused since its deployment, the current pause included. */
  pausedDuration: bigint;
  decayBps: bigint;
  /** totalReputation(): the reputationTotal of the newest final epoch. */
  totalReputation: bigint;
  soulCount: bigint;
  /** False when the node could not search logs: inputsHash and uri are unknown then. */
  logs: boolean;
  /** Epochs 1..latestEpoch, then the vetoed epochs after it. */
  epochs: EpochRow[];
}

/**
 * Every epoch 1..latestEpoch with its state and figures (inputsHash and uri from the EpochProposed events), then
 * the vetoed epochs after latestEpoch, plus the pool's funds, pause, newest final epoch and total reputation.
 */
export async function poolStatus(pool: EpochRewards): Promise<PoolStatus> {
  const latest = Number(await pool.latestEpoch());
  const proposed = await proposedLogs(pool);
  const epochs: EpochRow[] = [];
  for (let epoch = 1; epoch <= latest; epoch++) {
    const e = await pool.getEpoch(epoch);
    const log = proposed?.get(epoch);
    const fromLog = log && log.root === e.root.toLowerCase() ? log : undefined;
    epochs.push({
      epoch,
      state: stateName(e.state),
      root: e.root,
      inputsHash: fromLog?.inputsHash ?? null,
      uri: fromLog?.uri ?? null,
      total: e.total,
      claimed: e.claimed,
      reputationTotal: e.reputationTotal,
      claimableAt: isoDate(e.claimableAt),
      expiresAt: isoDate(e.expiresAt),
    });
  }
  // A veto takes every later epoch with it: they read Vetoed until proposed again.
  const vetoed = await vetoedLogs(pool);
  for (let epoch = latest + 1; stateName(await pool.epochState(epoch)) === "Vetoed"; epoch++) {
    epochs.push({
      epoch,
      state: "Vetoed",
      root: ZeroHash,
      inputsHash: null,
      uri: null,
      total: 0n,
      claimed: 0n,
      reputationTotal: 0n,
      claimableAt: null,
      expiresAt: null,
      vetoed: vetoed?.get(epoch)?.at(-1),
    });
  }
  const [challengePeriod, claimWindow] = await pool.durations();
  const now = await chainNow(pool);
  return {
    pool: await pool.getAddress(),
    token: await pool.token(),
    now: isoDate(now),
    latestEpoch: latest,
    finalEpoch: Number(await pool.finalEpochAt(now)),
    available: await pool.available(),
    outstanding: await pool.outstanding(),
    challengePeriod,
    claimWindow,
    paused: await pool.paused(),
    pausedDuration: await pool.pausedDuration(),
    decayBps: await pool.decayBps(),
    totalReputation: await pool.totalReputation(),
    soulCount: await pool.soulCount(),
    logs: proposed !== undefined,
    epochs,
  };
}

export interface ReputationStatus {
  account: string;
  hasSoul: boolean;
  soulId: bigint | null;
  /** getVotes(account): the anchor decayed to the newest final epoch (0 without a soul). */
  score: bigint;
  votes: bigint;
  delegate: string;
  /** lastSyncedEpoch(account): 0 if it never claimed or its soul was recovered away. */
  lastSyncedEpoch: bigint;
  /** soulRecord.lastClaimedEpoch: the newest epoch it claimed (for a recovered soul: the recovery's barrier). */
  lastClaimedEpoch: bigint;
  /** The anchor the score decays from; null if the account never held a soul. */
  anchor: { value: bigint; epoch: bigint; since: string } | null;
  recoveredAway: boolean;
  /** The recovery that moved this soul away (`from` is the account) or here (`to` is the account), from its event. */
  recovery?: { from: string; to: string; barrierEpoch: bigint; txHash: string };
  finalEpoch: bigint;
  decayBps: bigint;
  /** The score once one more epoch is final, if the account claims no newer leaf: decayed(score, 1). */
  nextScore: bigint;
  /** The epoch whose finality applies the next decay, if it is already proposed. */
  nextFinal?: { epoch: bigint; at: string };
}

/** An account's soul, score, anchor, claimed epochs, recovery and the decay ahead. */
export async function reputationStatus(pool: EpochRewards, account: string): Promise<ReputationStatus> {
  const who = getAddress(account);
  const hasSoul = await pool.hasSoul(who);
  const soul = await pool.soulRecord(who);
  const score = await pool.getVotes(who);
  const now = await chainNow(pool);
  const finalEpoch = await pool.finalEpochAt(now);
  const latest = await pool.latestEpoch();
  let nextFinal: ReputationStatus["nextFinal"];
  if (latest > finalEpoch) {
    const next = await pool.getEpoch(finalEpoch + 1n);
    nextFinal = { epoch: finalEpoch + 1n, at: isoDate(next.claimableAt) };
  }
  let recovery: ReputationStatus["recovery"];
  if (soul.since !== 0n) {
    try {
      const away = await pool.queryFilter(pool.filters.SoulRecovered(who));
      const here = await pool.queryFilter(pool.filters.SoulRecovered(undefined, who));
      const found = (soul.recoveredAway ? away : here).at(-1);
      if (found) {
        recovery = {
          from: found.args.from,
          to: found.args.to,
          barrierEpoch: found.args.barrierEpoch,
          txHash: found.transactionHash,
        };
      }
    } catch {
      // a node that cannot search logs: the recovery's other address stays unknown
    }
  }
  return {
    account: who,
    hasSoul,
    soulId: hasSoul ? await pool.soulOf(who) : null,
    score,
    votes: score,
    delegate: await pool.delegates(who),
    lastSyncedEpoch: await pool.lastSyncedEpoch(who),
    lastClaimedEpoch: soul.lastClaimedEpoch,
    anchor: soul.since === 0n ? null : { value: soul.value, epoch: soul.anchorEpoch, since: isoDate(soul.since) },
    recoveredAway: soul.recoveredAway,
    recovery,
    finalEpoch,
    decayBps: await pool.decayBps(),
    nextScore: score === 0n ? 0n : await pool.decayed(score, 1),
    nextFinal,
  };
}
