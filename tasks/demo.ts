/**
 * `npm run demo` (`hardhat sm:demo`): three epochs end to end on the in-process network from examples/.
 *
 * Deploys the local suite with the Ignition modules, funds the pool, then for each example epoch allocates it with
 * the pipeline library (chaining the previous epoch), proposes it with the same function as `sm:propose`, waits out
 * the challenge period and lets the contributors that hold a default account claim with their own signers. One
 * contributor waits and claims epochs 1–3 in one claimMany. Finally epoch 1 expires and is swept. The summary
 * compares every on-chain figure with the artifacts and the task exits non-zero on any mismatch.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { formatUnits } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import LocalSuiteModule from "../deploy/modules/LocalSuite.js";
import { readClaims } from "../scripts/lib/index.js";
import type { EpochRewards } from "../typechain-types/index.js";
import { runTask } from "./lib/connect.js";
import { allocateExport } from "./lib/epochs.js";
import { TaskError } from "./lib/errors.js";
import { claimRewards, fundPool, isoDate, proposeEpoch, stateName, sweepEpoch, tokenOf } from "./lib/pool.js";

const DAY = 24 * 60 * 60;
const EPOCHS = [1, 2, 3];
const FUNDING = 50_000n * 10n ** 18n;

const tokens = (units: bigint) => {
  const [whole, fraction = ""] = formatUnits(units, 18).split(".");
  return `${whole}.${fraction.padEnd(2, "0").slice(0, 2)}`;
};
const short = (address: string) => `${address.slice(0, 6)}…${address.slice(-4)}`;

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
    parameters: { LocalSuite: { challengePeriod: 2 * DAY, claimWindow: 30 * DAY } },
  });
  const poolAddress = await deployed.epochRewards.getAddress();
  const pool = (await ethers.getContractAt("EpochRewards", poolAddress)) as unknown as EpochRewards;
  const as = (s: HardhatEthersSigner) => pool.connect(s) as EpochRewards;
  const token = await tokenOf(as(deployer!));
  log(`pool ${poolAddress}, token ${await token.getAddress()} (${await token.symbol()}), chain ${chainId}`);
  log(`proposer ${proposer!.address}, guardian ${signers[2]!.address}; challenge 2 days, claim window 30 days`);

  console.log("== fund");
  const funded = await fundPool(as(deployer!), FUNDING);
  log(`deployer funded ${tokens(funded.requested)}, pool credited ${tokens(funded.credited)}`);

  const work = mkdtempSync(join(tmpdir(), "sm-demo-"));
  const dirs: string[] = [];
  const balancesBefore = new Map<string, bigint>();
  for (const s of signers) balancesBefore.set(s.address, await token.balanceOf(s.address));
  // What each account claimed, by epoch: the expected on-chain effects.
  const claimedLeaves = new Map<string, { epoch: number; amount: bigint; reputation: bigint }[]>();
  const record = (account: string, epoch: number, dir: string) => {
    const c = readClaims(dir).claims[account]!;
    const list = claimedLeaves.get(account) ?? [];
    list.push({ epoch, amount: BigInt(c.amount), reputation: BigInt(c.reputation) });
    claimedLeaves.set(account, list);
  };

  try {
    // Allocate every epoch up front only to pick the patient contributor; each is proposed in turn below.
    let late: string | undefined;
    for (const epoch of EPOCHS) {
      console.log(`== epoch ${epoch}`);
      const dir = join(work, `epoch-${epoch}`);
      const result = allocateExport({
        inputDir: join("examples", `epoch-${epoch}`),
        outDir: dir,
        previous: dirs.at(-1),
        overrides: { distributor: poolAddress, chainId: Number(chainId) },
      });
      dirs.push(dir);
      const excluded = result.rejections.length;
      log(
        `allocated ${tokens(result.total)} to ${result.accounts.length} leaves, root ${result.root.slice(0, 18)}…` +
          (excluded ? `, ${excluded} vote(s) excluded (see report.md)` : ""),
      );
      const proposed = await proposeEpoch(as(proposer!), dir, { uri: `file://${dir}`, log });
      if (proposed.status !== "done") throw new TaskError(`epoch ${epoch} was not proposed`);
      await networkHelpers.time.increaseTo(proposed.claimableAt);
      log(`challenge period over at ${isoDate(proposed.claimableAt)}: claimable`);

      const members = result.accounts.filter((a) => byAddress.has(a.account));
      if (late === undefined) {
        // A contributor with a reward in epoch 1 who claims nothing until epoch 3, then all three at once.
        late = members.find(
          (a) => a.amount > 0n && ![deployer, proposer].some((s) => s!.address === a.account),
        )?.account;
      }
      let claimers = 0;
      for (const member of members) {
        if (member.account === late) continue;
        const signer = byAddress.get(member.account)!;
        const outcome = await claimRewards(as(signer), signer.address, [dir]);
        if (outcome.status === "done") {
          record(signer.address, epoch, dir);
          claimers++;
        }
      }
      log(
        `${claimers} contributors claimed with their own wallets; ${result.accounts.length - members.length} leaves belong to addresses without a local key`,
      );
    }

    if (late) {
      console.log(`== ${short(late)} claims every epoch in one claimMany`);
      const outcome = await claimRewards(as(byAddress.get(late)!), late, dirs, log);
      if (outcome.status === "done")
        for (const c of outcome.plan.claims) record(late, Number(c.epoch), dirs[Number(c.epoch) - 1]!);
    }

    console.log("== expiry");
    const first = await pool.getEpoch(1);
    await networkHelpers.time.increaseTo(first.expiresAt);
    log(`time is now ${isoDate(first.expiresAt)}: epoch 1 is ${stateName(await pool.epochState(1))}`);
    await sweepEpoch(as(signers[5]!), 1, log);
    await sweepEpoch(as(signers[5]!), 1, log);

    const mismatches = await summary(pool, token, dirs, claimedLeaves, balancesBefore);
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
  dirs: string[],
  claimedLeaves: Map<string, { epoch: number; amount: bigint; reputation: bigint }[]>,
  balancesBefore: Map<string, bigint>,
): Promise<string[]> {
  const mismatches: string[] = [];
  console.log("\n== summary: epochs");
  console.log("epoch  state      root                 total        claimed      leaves claimed");
  for (const [i, dir] of dirs.entries()) {
    const epoch = i + 1;
    const claims = readClaims(dir);
    const e = await pool.getEpoch(epoch);
    let claimedByLeaves = 0n;
    let count = 0;
    for (const c of Object.values(claims.claims)) {
      if (await pool.isClaimed(epoch, c.index)) {
        claimedByLeaves += BigInt(c.amount);
        count++;
      }
    }
    if (e.root.toLowerCase() !== claims.root.toLowerCase())
      mismatches.push(`epoch ${epoch} root ${e.root} ≠ ${claims.root}`);
    if (e.total !== BigInt(claims.total!)) mismatches.push(`epoch ${epoch} total ${e.total} ≠ ${claims.total}`);
    if (e.claimed !== claimedByLeaves)
      mismatches.push(`epoch ${epoch} claimed ${e.claimed} ≠ Σ claimed leaves ${claimedByLeaves}`);
    console.log(
      `${String(epoch).padEnd(6)} ${stateName(e.state).padEnd(10)} ${e.root.slice(0, 18)}… ${tokens(e.total).padStart(12)} ${tokens(e.claimed).padStart(12)}  ${count}/${Object.keys(claims.claims).length}`,
    );
  }
  console.log(`available ${tokens(await pool.available())}, outstanding ${tokens(await pool.outstanding())}`);

  console.log("\n== summary: contributors (on-chain vs artifacts)");
  console.log("account        epochs   rewards received / expected      reputation on-chain / artifacts  synced  ok");
  for (const [account, leaves] of [...claimedLeaves.entries()].sort()) {
    const expectedAmount = leaves.reduce((s, l) => s + l.amount, 0n);
    const newest = leaves.reduce((a, b) => (b.epoch > a.epoch ? b : a));
    const received = (await token.balanceOf(account)) - balancesBefore.get(account)!;
    const reputation = await pool.reputationOf(account);
    const synced = await pool.lastSyncedEpoch(account);
    const votes = await pool.getVotes(account);
    const ok =
      received === expectedAmount &&
      reputation === newest.reputation &&
      synced === BigInt(newest.epoch) &&
      votes === reputation &&
      (await pool.hasSoul(account));
    if (!ok) {
      mismatches.push(
        `${account}: received ${received} (expected ${expectedAmount}), reputation ${reputation} (expected ${newest.reputation}), synced ${synced} (expected ${newest.epoch}), votes ${votes}`,
      );
    }
    console.log(
      `${short(account)}  ${leaves
        .map((l) => l.epoch)
        .join(",")
        .padEnd(
          7,
        )} ${tokens(received).padStart(12)} / ${tokens(expectedAmount).padEnd(12)}     ${String(reputation).padStart(8)} / ${String(newest.reputation).padEnd(8)}            ${String(synced).padStart(6)}  ${ok ? "yes" : "NO"}`,
    );
  }
  return mismatches;
}
