/**
 * `propose`: check an epoch's artifacts against the chain, describe the proposal to the operator, and send it.
 * A no-op when the same root is already proposed for the epoch.
 */
import { getAddress } from "ethers";
import type { EpochRewards } from "../../../typechain-types/index.js";
import { loadEpochArtifacts, type EpochArtifacts } from "../artifacts.js";
import { stateName } from "../../../protocol/epoch.js";
import { TaskError } from "../errors.js";
import { proposedLogs, vetoedLogs } from "../events.js";
import { isoDate } from "../format.js";
import { execute, type Executed, type Planned, type SendOptions } from "../send.js";
import { findEvent, requireRole, signerOf } from "../tx.js";
import type { Noop } from "./outcome.js";

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

/** Describes a proposal for the operator before it is sent. */
function describeProposal(plan: Extract<ProposalPlan, { status: "send" }>, poolAddress: string): string[] {
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

export type Proposed = { epoch: number; root: string; claimableAt: bigint; expiresAt: bigint };

/**
 * Loads and checks the artifacts in `dir` and plans their `proposeEpoch`; a no-op when the same root is already
 * proposed for the epoch.
 */
export async function preparePropose(
  pool: EpochRewards,
  dir: string,
  options: { uri?: string } = {},
): Promise<Planned<Proposed, Noop & { epoch: number; root: string }>> {
  const artifacts = loadEpochArtifacts(dir);
  const plan = await planProposal(pool, artifacts, options);
  if (plan.status === "noop") return { noop: plan };
  return {
    context: describeProposal(plan, await pool.getAddress()),
    calls: [
      {
        contract: pool,
        label: "the pool",
        method: "proposeEpoch",
        args: [plan.epoch, plan.root, plan.total, plan.reputationTotal, plan.inputsHash, plan.uri],
        authority: { role: "PROPOSER_ROLE", pool },
      },
    ],
    finish: (receipts, log) => {
      const receipt = receipts[0]!;
      const proposed = findEvent(receipt, pool, "EpochProposed");
      const claimableAt = proposed.args.claimableAt as bigint;
      const expiresAt = proposed.args.expiresAt as bigint;
      log(
        `proposed epoch ${plan.epoch} root ${plan.root}: claimable at ${isoDate(claimableAt)}, expires at ${isoDate(expiresAt)} (tx ${receipt.hash})`,
      );
      return { epoch: plan.epoch, root: plan.root, claimableAt, expiresAt };
    },
  };
}

/**
 * The whole `propose`: loads and checks `dir`, plans, describes, asks `confirm` (if given) and sends. Returns the
 * no-op when the root is already proposed, `cancelled` when the operator declines, `dry-run` with `dryRun`.
 */
export async function proposeEpoch(
  pool: EpochRewards,
  dir: string,
  options: SendOptions & { uri?: string } = {},
): Promise<Executed<Proposed, Noop & { epoch: number; root: string }>> {
  return await execute(await preparePropose(pool, dir, { uri: options.uri }), options);
}
