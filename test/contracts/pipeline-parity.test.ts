// The REAL pipeline against the contract, on random histories (fast-check): each epoch is an export (works and votes
// of four actors: idle, paid without earning through a team share, or earning), allocated by `allocateEpoch` with
// `--previous` the directory written for the epoch before (which it proves first) and, once, `--recoveries` after the
// recovery role moved an actor's soul on chain to a fresh address (the lost address may keep working: paid, never
// reputation again). Each epoch is proposed as the pipeline wrote it; once final, the accounts claim random subsets of
// their open leaves in random orders (claim or claimMany). Then, for every account:
//
// - getVotes equals the contract's rule applied to the claims made (anchor of the newest claim that set it, decayed to
//   the final epoch; recovery moves the anchor and tombstones the lost address);
// - getVotes never exceeds the pipeline's reputation.csv figure, and equals it once the account has claimed its
//   newest leaf (or never had one);
// - totalReputation() is the pipeline's reputationTotal, and the sum of votes stays below it.
//
// test/contracts/decay-parity.test.ts checks the same on a model of the pipeline; this one runs the pipeline itself.
import { expect } from "chai";
import fc from "fast-check";
import { network } from "hardhat";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { deploy, deployFundedPool, openClaims } from "./helpers.js";
import { prng, randomAddresses } from "../support/random.js";
import { writeExport, type Row } from "../support/exports.js";
import { allocateEpoch, writeArtifacts, type EpochResult } from "../../scripts/lib/index.js";
import { decay } from "../../protocol/decay.js";
import type { EpochRewards, MockERC20 } from "../../typechain-types/index.js";

const { ethers, networkHelpers } = await network.create();

const FUNDING = 10n ** 30n;
const POOL = 10n ** 24n;
const RATES = [0, 1000, 3333, 10000] as const;
const ACTORS = randomAddresses(prng(0x9a1e7), 4);
const [FILLER, VOTER, FRESH] = randomAddresses(prng(0xf1e5), 3) as [string, string, string];
const WINDOW = { start: "2025-01-01T00:00:00Z", end: "2025-01-31T23:59:59Z" };
const CAST = "2025-01-10T00:00:00Z";

async function poolsFixture() {
  const token = await deploy<MockERC20>(ethers, "MockERC20", ["Reward", "RWD", 18]);
  const pools = new Map<number, EpochRewards>();
  let proposer: HardhatEthersSigner | undefined;
  let recoverer: HardhatEthersSigner | undefined;
  for (const bps of RATES) {
    const setup = await deployFundedPool(ethers, FUNDING, { token, decayBps: bps });
    await setup.pool.connect(setup.admin).grantRole(await setup.pool.RECOVERY_ROLE(), setup.others[0]!.address);
    pools.set(bps, setup.pool);
    proposer = setup.proposer;
    recoverer = setup.others[0]!;
  }
  return { pools, proposer: proposer!, recoverer: recoverer! };
}

const actorEpoch = fc.record({
  kind: fc.constantFrom("idle", "idle", "paid", "earn", "earn"),
  points: fc.oneof(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1, max: 1_000_000 })),
  picks: fc.array(fc.nat(), { maxLength: 3 }),
  batched: fc.boolean(),
});
const scenario = fc.record({
  bps: fc.constantFrom(...RATES),
  epochs: fc.array(
    fc.record({
      actors: fc.tuple(actorEpoch, actorEpoch, actorEpoch, actorEpoch),
      wait: fc.constantFrom(0n, 3_600n, 86_400n, 3n * 86_400n),
    }),
    { minLength: 2, maxLength: 6 },
  ),
  // Before which epoch (index ≥ 1) the soul of which actor moves to FRESH, and whether the lost address goes on
  // working; no recovery when the actor has no soul or no reputation by then.
  recovery: fc.option(
    fc.record({
      before: fc.nat(),
      actor: fc.nat({ max: 3 }),
      lostWorks: fc.boolean(),
      points: fc.integer({ min: 1, max: 50 }),
    }),
  ),
});

/** The contract's rule for a soul (SoulboundReputation._applyClaim, _recoverSoul), to predict every score exactly. */
interface Soul {
  value: bigint;
  anchorEpoch: number;
  since: boolean;
  lastClaimed: number;
  recoveredAway: boolean;
}

interface Leaf {
  epoch: number;
  position: number;
  result: EpochResult;
}

describe("pipeline parity: the REAL pipeline's reputation is the contract's view (fast-check, with a recovery)", function () {
  this.timeout(900_000);

  /** How many runs moved a soul, and how many of those had the new address claim its recovered leaf. */
  const applied = { recoveries: 0, claimedByNew: 0 };

  it("getVotes follows the claims by the contract's rule, never exceeds reputation.csv, and equals it once the newest leaf is claimed", async function () {
    await fc.assert(
      fc.asyncProperty(scenario, async ({ bps, epochs, recovery }) => {
        const { pools, proposer, recoverer } = await networkHelpers.loadFixture(poolsFixture);
        const pool = pools.get(bps)!;
        const poolAddress = await pool.getAddress();
        const root = mkdtempSync(join(tmpdir(), "sm-parity-"));
        try {
          const souls = new Map<string, Soul>();
          const soul = (a: string) => {
            if (!souls.has(a))
              souls.set(a, { value: 0n, anchorEpoch: 0, since: false, lastClaimed: 0, recoveredAway: false });
            return souls.get(a)!;
          };
          const score = (a: string, final: number) => {
            const s = soul(a);
            return s.since && !s.recoveredAway ? decay(s.value, final - s.anchorEpoch, bps) : 0n;
          };
          const unclaimed = new Map<string, Leaf[]>();
          const newestLeaf = new Map<string, number>();
          const claimed = new Set<string>(); // `${epoch}:${account}`
          const identity = [...ACTORS];
          let lost: string | undefined;
          let lostSlot = 0;
          let recovered = false;
          let before: EpochResult | undefined;

          for (const [i, step] of epochs.entries()) {
            const epoch = i + 1;
            const dir = join(root, `epoch-${epoch}`);
            let recoveriesFile: string | undefined;
            if (recovery && !recovered && i === 1 + (recovery.before % (epochs.length - 1))) {
              // The first actor from the drawn one on that has a soul and reputation (else no recovery this run).
              let slot: number | undefined;
              for (let k = 0; k < 4 && slot === undefined; k++) {
                const candidate = (recovery.actor + k) % 4;
                const from = identity[candidate]!;
                const hasReputation = (before?.reputation ?? []).some((r) => r.account === from);
                if (hasReputation && (await pool.hasSoul(from))) slot = candidate;
              }
              if (slot !== undefined) {
                lostSlot = slot;
                const from = identity[slot]!;
                await pool.connect(recoverer).recoverSoul(from, FRESH);
                const barrier = Number(await pool.latestEpoch());
                const s = soul(from);
                souls.set(FRESH, { ...s, since: true, lastClaimed: barrier, recoveredAway: false });
                s.recoveredAway = true;
                recoveriesFile = join(root, `recoveries-${epoch}.csv`);
                writeFileSync(recoveriesFile, `lost,new\n${from},${FRESH}\n`);
                identity[slot] = FRESH;
                lost = from;
                recovered = true;
                applied.recoveries++;
              }
            }

            // The export: FILLER always scores; each actor idles, is paid a 1 bps team share, or earns its points.
            const works: Row[] = [["wf", FILLER, "article", "t", "https://x", CAST]];
            const votes: Row[] = [["wf", VOTER, 1, CAST]];
            const teams: Row[] = [];
            step.actors.forEach((a, k) => {
              if (a.kind === "earn") {
                works.push([`w${k}`, identity[k]!, "article", "t", "https://x", CAST]);
                votes.push([`w${k}`, VOTER, a.points, CAST]);
              } else if (a.kind === "paid") {
                teams.push([`t${k}`, identity[k]!, 1], [`t${k}`, FILLER, 9_999]);
                works.push([`p${k}`, `team:t${k}`, "article", "t", "https://x", CAST]);
                votes.push([`p${k}`, VOTER, 1, CAST]);
              }
            });
            if (lost && recovery?.lostWorks) {
              works.push(["wl", lost, "article", "t", "https://x", CAST]);
              votes.push(["wl", VOTER, recovery.points, CAST]);
            }
            const inputs = writeExport(join(root, `in-${epoch}`), {
              works,
              votes,
              teams: teams.length > 0 ? teams : undefined,
              config: JSON.stringify({
                epoch,
                pool: String(POOL),
                tokenDecimals: 18,
                chainId: 31337,
                ...WINDOW,
                rules: { maxPoints: "1000000", decayBps: bps },
              }),
            });
            const result = allocateEpoch({
              ...inputs,
              previous: epoch > 1 ? join(root, `epoch-${epoch - 1}`) : undefined,
              recoveries: recoveriesFile,
              overrides: { distributor: poolAddress },
            });
            writeArtifacts(dir, result);
            before = result;
            expect(result.recoveries.length).to.equal(recovered ? 1 : 0);

            for (const [position, a] of result.accounts.entries()) {
              if (a.account === FILLER) continue;
              unclaimed.set(a.account, [...(unclaimed.get(a.account) ?? []), { epoch, position, result }]);
              newestLeaf.set(a.account, epoch);
            }
            await pool
              .connect(proposer)
              .proposeEpoch(
                epoch,
                result.root,
                result.total,
                result.reputationTotal,
                result.inputsHash,
                `file://${dir}`,
              );
            await openClaims(networkHelpers, (await pool.getEpoch(epoch)).claimableAt);
            if (step.wait > 0n) await networkHelpers.time.increase(step.wait);

            // Claims: each claimer (the actors as they are now, and the lost address) picks among its open leaves.
            const now = BigInt(await networkHelpers.time.latest());
            const claimers = identity.map((account, k) => ({ account, a: step.actors[k]! }));
            if (lost) claimers.push({ account: lost, a: step.actors[lostSlot]! });
            for (const { account, a } of claimers) {
              const open: Leaf[] = [];
              for (const leaf of unclaimed.get(account) ?? []) {
                if ((await pool.getEpoch(leaf.epoch)).expiresAt > now + 3_600n) open.push(leaf);
              }
              const chosen: Leaf[] = [];
              for (const pick of a.picks) {
                if (open.length === 0) break;
                chosen.push(open.splice(pick % open.length, 1)[0]!);
              }
              if (chosen.length === 0) continue;
              const claims = chosen.map(({ epoch: e, position, result: r }) => {
                const leaf = r.accounts[position]!;
                return {
                  epoch: e,
                  index: leaf.index,
                  account: leaf.account,
                  amount: leaf.amount,
                  reputation: leaf.reputation,
                  proof: r.tree.getProof(position),
                };
              });
              if (a.batched) await pool.claimMany(claims);
              else
                for (const c of claims) await pool.claim(c.epoch, c.index, c.account, c.amount, c.reputation, c.proof);
              for (const c of claims) {
                const s = soul(account);
                const newest = c.epoch > s.lastClaimed;
                s.lastClaimed = Math.max(s.lastClaimed, c.epoch);
                claimed.add(`${c.epoch}:${account}`);
                if (account === FRESH && c.reputation > 0n) applied.claimedByNew++;
                if (!newest || s.recoveredAway) continue;
                if (s.since && c.reputation === decay(s.value, c.epoch - s.anchorEpoch, bps)) continue;
                Object.assign(s, { value: c.reputation, anchorEpoch: c.epoch, since: true });
              }
              unclaimed.set(
                account,
                (unclaimed.get(account) ?? []).filter((l) => !chosen.includes(l)),
              );
            }

            // Epoch `epoch` is final: every figure is the pipeline's reputation.csv of this epoch.
            expect(await pool.finalEpochAt(BigInt(await networkHelpers.time.latest()))).to.equal(BigInt(epoch));
            const pipeline = new Map(result.reputation.map((r) => [r.account, r.reputation]));
            let sum = 0n;
            for (const account of new Set([...ACTORS, FRESH])) {
              const votes = await pool.getVotes(account);
              const figure = pipeline.get(account) ?? 0n;
              expect(votes, `votes of ${account} after epoch ${epoch}`).to.equal(score(account, epoch));
              expect(votes <= figure, `votes of ${account} ≤ reputation.csv after epoch ${epoch}`).to.equal(true);
              const newest = newestLeaf.get(account);
              if (newest === undefined || claimed.has(`${newest}:${account}`)) {
                expect(votes, `votes of ${account} = reputation.csv after epoch ${epoch}`).to.equal(figure);
              }
              sum += votes;
            }
            if (lost) {
              expect(await pool.getVotes(lost)).to.equal(0n);
              expect(pipeline.has(lost)).to.equal(false);
            }
            const supply = await pool.totalReputation();
            expect(supply).to.equal(result.reputationTotal);
            expect(sum <= supply).to.equal(true);
          }
        } finally {
          rmSync(root, { recursive: true, force: true });
        }
      }),
      { numRuns: 25 },
    );
    // The recovery is part of the property: runs must exercise it (it needs a soul and reputation by then).
    expect(applied.recoveries, "runs that moved a soul").to.be.greaterThan(5);
    expect(applied.claimedByNew, "recovered leaves claimed").to.be.greaterThan(0);
  });
});
