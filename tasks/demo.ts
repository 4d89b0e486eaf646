/**
 * `npm run demo` (`hardhat sm:demo`): three epochs end to end on the in-process network from examples/.
 *
 * Deploys the local suite with the Ignition modules, funds the pool, allocates the three example epochs with the
 * pipeline library (each chaining the previous epoch's reputation.csv), then proposes each in turn with the same
 * function as `sm:propose`, waits out the challenge period and lets the contributors that hold a default account
 * claim with their own signers. One contributor waits and claims epochs 1–3 in one claimMany; another leaves its
 * last leaf unclaimed; an idle contributor (no leaf after epoch 1) decays without any transaction. Finally epoch 1
 * expires and is swept. The summary compares every on-chain figure with the artifacts, decay included, and the
 * task exits non-zero on any mismatch.
 *
 * A fourth epoch comes from the community side (demo-community.ts): members sign work reports and ballots, a
 * collector checks and stores them, and its exports are allocated with every signature required.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { formatUnits, getAddress } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import LocalSuiteModule from "../deploy/modules/LocalSuite.js";
import { decay, readClaims, readManifest, type ClaimsFile, type Manifest } from "../scripts/lib/index.js";
import type { EpochRewards } from "../typechain-types/index.js";
import { readReputationCsv } from "./lib/artifacts.js";
import { runTask } from "./lib/connect.js";
import { allocateExport } from "./lib/epochs.js";
import { TaskError } from "./lib/errors.js";
import { stateName } from "../protocol/epoch.js";
import { isoDate } from "./lib/format.js";
import { claimRewards } from "./lib/ops/claim.js";
import { communityEpoch } from "./demo-community.js";
import { fundPool } from "./lib/ops/fund.js";
import { proposeEpoch } from "./lib/ops/propose.js";
import { sweepEpoch } from "./lib/ops/sweep.js";
import { tokenOf } from "./lib/token.js";

const DAY = 24 * 60 * 60;
const EPOCHS = [1, 2, 3];
const FUNDING = 50_000n * 10n ** 18n;
const DECAY_BPS = 1000;

const tokens = (units: bigint) => {
  const [whole, fraction = ""] = formatUnits(units, 18).split(".");
  return `${whole}.${fraction.padEnd(2, "0").slice(0, 2)}`;
};
const short = (address: string) => `${address.slice(0, 6)}…${address.slice(-4)}`;

/** One epoch's artifacts, read once. */
interface Epoch {
  epoch: number;
  dir: string;
  manifest: Manifest;
  claims: ClaimsFile;
  /** reputation.csv, by lowercase address: every account with reputation after the epoch, leaf or not. */
  reputation: Map<string, bigint>;
}

/** A leaf claimed during the demo. */
interface Claimed {
  epoch: number;
  amount: bigint;
  reputation: bigint;
}

export default async function demo(_args: Record<string, unknown>, hre: HardhatRuntimeEnvironment): Promise<void> {
  await runTask(() => runDemo(hre));
}

async function runDemo(hre: HardhatRuntimeEnvironment): Promise<void> {
  const started = Date.now();
  await hre.tasks.getTask("build").run({ quiet: true, noTests: true });
  const { ethers, ignition, networkHelpers, networkName } = await hre.network.create();
  const chainId = (await ethers.provider.getNetwork()).chainId;
  if (chainId !== 31337n)
    throw new TaskError(`the demo travels in time: run it on a local network, not ${networkName}`);
  const signers = await ethers.getSigners();
  const [deployer, proposer] = signers;
  const byAddress = new Map(signers.map((s) => [s.address, s]));
  const log = (line: string) => console.log(`  ${line}`);

  console.log("== deploy (Ignition LocalSuite: mock token + EpochRewards with roles)");
  const deployed = await ignition.deploy(LocalSuiteModule, {
    parameters: { LocalSuite: { challengePeriod: 2 * DAY, claimWindow: 30 * DAY, decayBps: DECAY_BPS } },
  });
  const poolAddress = await deployed.epochRewards.getAddress();
  const pool = (await ethers.getContractAt("EpochRewards", poolAddress)) as unknown as EpochRewards;
  const as = (s: HardhatEthersSigner) => pool.connect(s) as EpochRewards;
  const token = await tokenOf(as(deployer!));
  const decayBps = Number(await pool.decayBps());
  log(`pool ${poolAddress}, token ${await token.getAddress()} (${await token.symbol()}), chain ${chainId}`);
  log(
    `proposer ${proposer!.address}, guardian ${signers[2]!.address}; challenge 2 days, claim window 30 days, decay ${decayBps / 100}% per epoch`,
  );

  console.log("== fund");
  const funded = await fundPool(as(deployer!), FUNDING);
  log(`deployer funded ${tokens(funded.requested)}, pool credited ${tokens(funded.credited)}`);

  const work = mkdtempSync(join(tmpdir(), "sm-demo-"));
  const balancesBefore = new Map<string, bigint>();
  for (const s of signers) balancesBefore.set(s.address, await token.balanceOf(s.address));
  // What each account claimed: the expected on-chain effects.
  const claimed = new Map<string, Claimed[]>();
  const record = (account: string, e: Epoch) => {
    const c = e.claims.claims[account]!;
    claimed.set(account, [
      ...(claimed.get(account) ?? []),
      { epoch: e.epoch, amount: BigInt(c.amount), reputation: BigInt(c.reputation) },
    ]);
  };

  try {
    // The pipeline needs no chain: allocate the three epochs first, to cast the contributors' roles below.
    console.log("== allocate (pipeline library; each epoch reads the previous one's reputation.csv)");
    const epochs: Epoch[] = [];
    for (const epoch of EPOCHS) {
      const dir = join(work, `epoch-${epoch}`);
      const result = allocateExport({
        inputDir: join("examples", `epoch-${epoch}`),
        outDir: dir,
        previous: epochs.at(-1)?.dir,
        overrides: { distributor: poolAddress, chainId: Number(chainId) },
      });
      epochs.push({
        epoch,
        dir,
        manifest: readManifest(dir),
        claims: readClaims(dir),
        reputation: readReputationCsv(dir),
      });
      const idle = result.reputation.length - result.accounts.filter((a) => a.reputation > 0n).length;
      const excluded = result.rejections.length;
      log(
        `epoch ${epoch}: ${tokens(result.total)} to ${result.accounts.length} leaves, root ${result.root.slice(0, 18)}…, reputation ${result.reputationTotal} over ${result.reputation.length} accounts` +
          (idle > 0 ? ` (${idle} without a leaf: they only decay)` : "") +
          (excluded ? `, ${excluded} vote(s) excluded (see report.md)` : ""),
      );
    }
    const hasLeaf = (account: string, e: Epoch) => e.claims.claims[account] !== undefined;
    const local = (e: Epoch) => Object.keys(e.claims.claims).filter((a) => byAddress.has(a));
    const operators = [deployer!.address, proposer!.address];
    // Contributors with a leaf in every epoch: the first waits and claims all three at once, the second never
    // claims its last leaf. The idle one has a leaf in epoch 1 only and sends nothing after its first claim.
    const steady = local(epochs[0]!).filter((a) => !operators.includes(a) && epochs.every((e) => hasLeaf(a, e)));
    const late = steady[0];
    const forgetful = steady[1];
    const idle = local(epochs[0]!).find((a) => !operators.includes(a) && epochs.slice(1).every((e) => !hasLeaf(a, e)));
    const idleScores: bigint[] = [];
    let idleNonce: number | undefined;

    for (const e of epochs) {
      console.log(`== epoch ${e.epoch}`);
      const proposed = await proposeEpoch(as(proposer!), e.dir, { uri: `file://${e.dir}`, log });
      if (proposed.status !== "done") throw new TaskError(`epoch ${e.epoch} was not proposed`);
      await networkHelpers.time.increaseTo(proposed.claimableAt);
      log(
        `challenge period over at ${isoDate(proposed.claimableAt)}: claimable; ` +
          (e.epoch > 1 ? "every score decayed once more, " : "") +
          `total reputation now ${await pool.totalReputation()}`,
      );
      if (idle && idleScores.length > 0) {
        const score = await pool.getVotes(idle);
        const nonce = await ethers.provider.getTransactionCount(idle);
        log(
          `${short(idle)} has no leaf in epoch ${e.epoch}: its score went ${idleScores.at(-1)} → ${score} without a transaction (nonce ${nonce} unchanged); reputation.csv says ${e.reputation.get(idle.toLowerCase()) ?? 0n}`,
        );
        idleScores.push(score);
      }

      let claimers = 0;
      const members = local(e);
      for (const account of members) {
        if (account === late) continue;
        if (account === forgetful && e.epoch === EPOCHS.at(-1)) {
          log(`${short(account)} leaves its epoch ${e.epoch} leaf unclaimed`);
          continue;
        }
        const signer = byAddress.get(account)!;
        const outcome = await claimRewards(as(signer), account, [e.dir]);
        if (outcome.status === "done") {
          record(account, e);
          claimers++;
        }
      }
      if (idle && e.epoch === 1) {
        idleScores.push(await pool.getVotes(idle));
        idleNonce = await ethers.provider.getTransactionCount(idle);
      }
      log(
        `${claimers} contributors claimed with their own wallets; ${Object.keys(e.claims.claims).length - members.length} leaves belong to addresses without a local key`,
      );
    }

    if (late) {
      console.log(`== ${short(late)} claims every epoch in one claimMany`);
      const outcome = await claimRewards(
        as(byAddress.get(late)!),
        late,
        epochs.map((e) => e.dir),
        log,
      );
      if (outcome.status === "done") for (const c of outcome.plan.claims) record(late, epochs[Number(c.epoch) - 1]!);
    }

    // Epoch 4 comes from the community side: signed reports and ballots through a collector.
    const communityNumber = EPOCHS.at(-1)! + 1;
    console.log(`== epoch ${communityNumber}: members report and vote with signatures, through the collector`);
    const busy = new Set([...operators, signers[2]!.address, idle, late, forgetful]);
    const members = signers.slice(10).filter((s) => !busy.has(s.address));
    const communityDir = join(work, `epoch-${communityNumber}`);
    const community = await communityEpoch({
      epoch: communityNumber,
      chainId,
      pool: poolAddress,
      members,
      now: async () => Number(await networkHelpers.time.latest()),
      increaseTo: (seconds) => networkHelpers.time.increaseTo(seconds),
      work,
      outDir: communityDir,
      previous: epochs.at(-1)!.dir,
      log,
    });
    const r = community.result;
    log(
      `epoch ${communityNumber}: ${tokens(r.total)} to ${r.accounts.length} leaves, root ${r.root.slice(0, 18)}…, reputation ${r.reputationTotal} over ${r.reputation.length} accounts`,
    );
    const fourth: Epoch = {
      epoch: communityNumber,
      dir: communityDir,
      manifest: readManifest(communityDir),
      claims: readClaims(communityDir),
      reputation: readReputationCsv(communityDir),
    };
    epochs.push(fourth);
    const proposedFourth = await proposeEpoch(as(proposer!), communityDir, { uri: `file://${communityDir}`, log });
    if (proposedFourth.status !== "done") throw new TaskError(`epoch ${communityNumber} was not proposed`);
    await networkHelpers.time.increaseTo(proposedFourth.claimableAt);
    if (idle) idleScores.push(await pool.getVotes(idle));
    let communityClaims = 0;
    for (const account of local(fourth)) {
      if (account === late || account === forgetful) continue;
      const outcome = await claimRewards(as(byAddress.get(account)!), account, [communityDir]);
      if (outcome.status === "done") {
        record(account, fourth);
        communityClaims++;
      }
    }
    log(`${communityClaims} members claimed their epoch ${communityNumber} rewards`);

    console.log("== expiry");
    const first = await pool.getEpoch(1);
    await networkHelpers.time.increaseTo(first.expiresAt);
    log(`time is now ${isoDate(first.expiresAt)}: epoch 1 is ${stateName(await pool.epochState(1))}`);
    await sweepEpoch(as(signers[5]!), 1, log);
    await sweepEpoch(as(signers[5]!), 1, log);

    const mismatches = await summary(pool, token, epochs, claimed, balancesBefore, new Set(byAddress.keys()));
    if (idle && idleNonce !== undefined) {
      const nonce = await ethers.provider.getTransactionCount(idle);
      if (nonce !== idleNonce) mismatches.push(`idle ${idle} sent ${nonce - idleNonce} transaction(s)`);
      console.log(
        `\n${short(idle)} (idle since epoch 1, no transaction): score ${idleScores.join(" → ")} as epochs ${epochs.map((e) => e.epoch).join(", ")} became final; reputation.csv ${epochs.map((e) => e.reputation.get(idle.toLowerCase()) ?? 0n).join(" → ")}`,
      );
      epochs.forEach((e, i) => {
        const expected = e.reputation.get(idle.toLowerCase()) ?? 0n;
        if (idleScores[i] !== expected)
          mismatches.push(`idle ${idle}: score ${idleScores[i]} after epoch ${e.epoch} ≠ reputation.csv ${expected}`);
      });
    }
    if (mismatches.length > 0) {
      for (const m of mismatches) console.error(`MISMATCH: ${m}`);
      throw new TaskError(`${mismatches.length} on-chain figure(s) differ from the artifacts`);
    }
    console.log(`all on-chain figures match the artifacts (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  } catch (error) {
    console.error(`(artifacts kept in ${work})`);
    throw error;
  }
  rmSync(work, { recursive: true, force: true });
}

async function summary(
  pool: EpochRewards,
  token: Awaited<ReturnType<typeof tokenOf>>,
  epochs: Epoch[],
  claimed: Map<string, Claimed[]>,
  balancesBefore: Map<string, bigint>,
  localAccounts: Set<string>,
): Promise<string[]> {
  const mismatches: string[] = [];
  const decayBps = Number(await pool.decayBps());
  const provider = (pool.runner as { provider: { getBlock(tag: string): Promise<{ timestamp: number } | null> } })
    .provider;
  const now = BigInt((await provider.getBlock("latest"))!.timestamp);
  const final = Number(await pool.finalEpochAt(now));
  const newest = epochs.find((e) => e.epoch === final);
  if (!newest) {
    mismatches.push(`finalEpochAt(now) is ${final}, not one of the demo's epochs`);
    return mismatches;
  }

  console.log("\n== summary: epochs");
  console.log("epoch  state      root                 total        claimed      leaves claimed  reputationTotal");
  for (const e of epochs) {
    const onChain = await pool.getEpoch(e.epoch);
    let claimedByLeaves = 0n;
    let count = 0;
    for (const [account, c] of Object.entries(e.claims.claims)) {
      if (await pool.isClaimed(e.epoch, account)) {
        claimedByLeaves += BigInt(c.amount);
        count++;
      }
    }
    if (onChain.root.toLowerCase() !== e.claims.root.toLowerCase())
      mismatches.push(`epoch ${e.epoch} root ${onChain.root} ≠ ${e.claims.root}`);
    if (onChain.total !== BigInt(e.claims.total!))
      mismatches.push(`epoch ${e.epoch} total ${onChain.total} ≠ ${e.claims.total}`);
    if (onChain.claimed !== claimedByLeaves)
      mismatches.push(`epoch ${e.epoch} claimed ${onChain.claimed} ≠ Σ claimed leaves ${claimedByLeaves}`);
    if (onChain.reputationTotal !== BigInt(e.manifest.reputationTotal))
      mismatches.push(
        `epoch ${e.epoch} reputationTotal ${onChain.reputationTotal} ≠ manifest ${e.manifest.reputationTotal}`,
      );
    const leaves = `${count}/${Object.keys(e.claims.claims).length}`;
    console.log(
      `${String(e.epoch).padEnd(6)} ${stateName(onChain.state).padEnd(10)} ${onChain.root.slice(0, 18)}… ${tokens(onChain.total).padStart(12)} ${tokens(onChain.claimed).padStart(12)}  ${leaves.padEnd(14)}  ${onChain.reputationTotal}`,
    );
  }
  console.log(`available ${tokens(await pool.available())}, outstanding ${tokens(await pool.outstanding())}`);

  console.log("\n== summary: total reputation (on-chain supply vs manifest.reputationTotal)");
  console.log("epoch  final at              getPastTotalSupply  manifest  ok");
  for (const e of epochs) {
    const at = (await pool.getEpoch(e.epoch)).claimableAt;
    const supply = await pool.getPastTotalSupply(at);
    const expected = BigInt(e.manifest.reputationTotal);
    if (supply !== expected)
      mismatches.push(`getPastTotalSupply(${at}) ${supply} ≠ epoch ${e.epoch} reputationTotal ${expected}`);
    console.log(
      `${String(e.epoch).padEnd(6)} ${isoDate(at).padEnd(21)} ${String(supply).padStart(18)}  ${String(expected).padStart(8)}  ${supply === expected ? "yes" : "NO"}`,
    );
  }
  const total = await pool.totalReputation();
  if (total !== BigInt(newest.manifest.reputationTotal))
    mismatches.push(`totalReputation() ${total} ≠ epoch ${final} reputationTotal ${newest.manifest.reputationTotal}`);

  // Every account the artifacts know, local key or not: its score now is the pipeline's figure if it claimed all
  // its leaves, else its newest claimed leaf decayed since that leaf's epoch (0 if it claimed nothing).
  const everyone = new Set<string>();
  for (const e of epochs) {
    for (const a of Object.keys(e.claims.claims)) everyone.add(a);
    for (const a of e.reputation.keys()) everyone.add(getAddress(a));
  }
  const expectedScore = (account: string) => {
    const leaves = epochs.filter((e) => e.claims.claims[account] !== undefined).map((e) => e.epoch);
    const mine = claimed.get(account) ?? [];
    const all = leaves.every((epoch) => mine.some((c) => c.epoch === epoch));
    if (mine.length === 0) return { score: 0n, rule: "nothing claimed" };
    const top = mine.reduce((a, b) => (b.epoch > a.epoch ? b : a));
    const decayed = decay(top.reputation, final - top.epoch, decayBps);
    if (!all) return { score: decayed, rule: `decay(${top.reputation}, ${final - top.epoch})` };
    const csv = newest.reputation.get(account.toLowerCase()) ?? 0n;
    if (csv !== decayed)
      mismatches.push(`${account}: reputation.csv ${csv} ≠ decay(${top.reputation}, ${final - top.epoch}) ${decayed}`);
    return { score: csv, rule: "reputation.csv" };
  };

  console.log(`\n== summary: contributors with a local key (on-chain vs artifacts; newest final epoch ${final})`);
  console.log(
    `${"account".padEnd(11)}  ${"leaves".padEnd(7)} ${"claimed".padEnd(7)}  ${"received".padStart(12)} / ${"expected".padEnd(12)}     ${"score".padStart(8)} / ${"expected (from)".padEnd(28)} ${"synced".padStart(6)}  ok`,
  );
  let votes = 0n;
  let unclaimed = 0n;
  let behind = 0;
  for (const account of [...everyone].sort()) {
    const mine = claimed.get(account) ?? [];
    const leaves = epochs.filter((e) => e.claims.claims[account] !== undefined).map((e) => e.epoch);
    const { score: expected, rule } = expectedScore(account);
    const score = await pool.getVotes(account);
    const csv = newest.reputation.get(account.toLowerCase()) ?? 0n;
    votes += score;
    if (csv > score) {
      unclaimed += csv - score;
      behind++;
    }
    if (score !== expected) mismatches.push(`${account}: score ${score} ≠ ${expected} (${rule})`);
    if (score > csv) mismatches.push(`${account}: score ${score} above its reputation.csv figure ${csv}`);
    if (!localAccounts.has(account)) continue;
    const expectedAmount = mine.reduce((s, l) => s + l.amount, 0n);
    const received = (await token.balanceOf(account)) - balancesBefore.get(account)!;
    const newestClaimed = mine.reduce((n, l) => Math.max(n, l.epoch), 0);
    const synced = await pool.lastSyncedEpoch(account);
    const reputationOf = await pool.reputationOf(account);
    const soul = await pool.hasSoul(account);
    const ok =
      received === expectedAmount &&
      score === expected &&
      synced === BigInt(newestClaimed) &&
      reputationOf === score &&
      soul === mine.length > 0;
    if (!ok) {
      mismatches.push(
        `${account}: received ${received} (expected ${expectedAmount}), score ${score} (expected ${expected}), reputationOf ${reputationOf}, synced ${synced} (expected ${newestClaimed}), soul ${soul}`,
      );
    }
    const claimedEpochs = mine.map((l) => l.epoch).sort((a, b) => a - b);
    console.log(
      `${short(account)}  ${leaves.join(",").padEnd(7)} ${claimedEpochs.join(",").padEnd(7)}  ${tokens(received).padStart(12)} / ${tokens(expectedAmount).padEnd(12)}     ${String(score).padStart(8)} / ${`${expected} (${rule})`.padEnd(28)} ${String(synced).padStart(6)}  ${ok ? "yes" : "NO"}`,
    );
  }
  console.log(
    `\nΣ getVotes ${votes} ≤ totalReputation() ${total}: the difference ${total - votes} is the reputation of leaves not claimed yet (${behind} accounts score below their reputation.csv figure)`,
  );
  if (votes + unclaimed !== total)
    mismatches.push(`Σ votes ${votes} + reputation not claimed ${unclaimed} ≠ totalReputation ${total}`);
  return mismatches;
}
