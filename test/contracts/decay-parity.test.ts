// Parity of the on-chain decay with the pipeline's (scripts/lib/reputation.ts), on random histories: accounts earn,
// are paid without earning, or stay idle (no leaf: the chain decays them by itself); after each epoch becomes final
// they claim random subsets of their open leaves in random orders, with claim or claimMany. At every step the
// contract's score is the pipeline's decay of the account's newest claimed leaf, and the pipeline's own reputation
// once the account has claimed its newest leaf; `decayed` is the pipeline's `decay` for random inputs (its revert
// above 64 bits is test/concrete/SoulboundReputation/Decay.t.sol's).
import { expect } from "chai";
import fc from "fast-check";
import { network } from "hardhat";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import {
  ReputationBook,
  claimLeaf,
  claimOf,
  deploy,
  deployFundedPool,
  openClaims,
  propose,
  type EpochTree,
  type Leaf,
} from "./helpers.js";
import { prng, randomAddresses } from "../support/random.js";
import { MAX_REPUTATION } from "../../protocol/bounds.js";
import { decay } from "../../protocol/decay.js";
import type { EpochRewards, MockERC20 } from "../../typechain-types/index.js";

const { ethers, networkHelpers } = await network.create();

const FUNDING = 10n ** 30n;
/** Decay rates the pools are deployed with: none, the smallest, the default, large, and everything. */
const RATES = [0, 1, 500, 1000, 3333, 9999, 10000] as const;
const ACTORS = randomAddresses(prng(0xdeca7), 4);
/** Paid every epoch without earning: every epoch has at least one leaf. */
const FILLER = randomAddresses(prng(0xf111e7), 1)[0]!;

/** One pool per decay rate over one funded token, so that a fixture snapshot serves every rate. */
async function poolsFixture() {
  const token = await deploy<MockERC20>(ethers, "MockERC20", ["Reward", "RWD", 18]);
  const pools = new Map<number, EpochRewards>();
  let proposer: HardhatEthersSigner | undefined;
  for (const bps of RATES) {
    const setup = await deployFundedPool(ethers, FUNDING, { token, decayBps: bps });
    pools.set(bps, setup.pool);
    proposer = setup.proposer;
  }
  return { token, pools, proposer: proposer! };
}

/** What an actor does in an epoch, and the picks of the leaves it claims once the epoch is final. */
const actorEpoch = fc.record({
  kind: fc.constantFrom("idle", "idle", "paid", "earn", "earn"),
  // Large gains too, kept so that ten epochs of four actors stay below the 64-bit total.
  gain: fc.oneof(fc.bigInt({ min: 1n, max: 10n ** 6n }), fc.bigInt({ min: 1n, max: 2n ** 57n })),
  // Each pick takes one of the actor's open, unclaimed leaves (modulo their number): random subsets and orders.
  picks: fc.array(fc.nat(), { maxLength: 3 }),
  batched: fc.boolean(),
});
const history = fc.record({
  bps: fc.constantFrom(...RATES),
  epochs: fc.array(
    fc.record({
      actors: fc.tuple(actorEpoch, actorEpoch, actorEpoch, actorEpoch),
      // Extra time before the claims: up to 3 days, so that older leaves sometimes expire unclaimed.
      wait: fc.constantFrom(0n, 0n, 3_600n, 86_400n, 3n * 86_400n),
    }),
    { minLength: 1, maxLength: 10 },
  ),
});

interface Open {
  epoch: bigint;
  tree: EpochTree;
  leaf: Leaf;
}

describe("decay parity: the contract's scores are the pipeline's decay (fast-check)", function () {
  this.timeout(600_000);

  it("after each epoch becomes final, getVotes is the decay of the newest claimed leaf, and the pipeline's reputation once it is claimed", async function () {
    await fc.assert(
      fc.asyncProperty(history, async ({ bps, epochs }) => {
        const { pools, proposer } = await networkHelpers.loadFixture(poolsFixture);
        const pool = pools.get(bps)!;
        const book = new ReputationBook(bps);
        // Per actor: its leaves not claimed yet, its newest claimed leaf, and the newest epoch it has a leaf in.
        const unclaimed = new Map<string, Open[]>(ACTORS.map((a) => [a, []]));
        const newestClaimed = new Map<string, { epoch: bigint; reputation: bigint }>();
        const newestLeaf = new Map<string, bigint>();
        const seen: { at: bigint; account: string; votes: bigint }[] = [];

        for (const [i, step] of epochs.entries()) {
          const epoch = BigInt(i + 1);
          const work = [{ account: FILLER, amount: 1n, gain: 0n }];
          step.actors.forEach((a, k) => {
            if (a.kind === "idle") return;
            work.push({ account: ACTORS[k]!, amount: 10n ** 18n, gain: a.kind === "earn" ? a.gain : 0n });
          });
          const tree = book.next(work);
          for (const leaf of tree.leaves) {
            if (leaf.account === FILLER) continue;
            unclaimed.get(leaf.account)!.push({ epoch, tree, leaf });
            newestLeaf.set(leaf.account, epoch);
          }
          const { claimableAt } = await propose(pool, proposer, epoch, tree);
          await openClaims(networkHelpers, claimableAt);
          if (step.wait > 0n) await networkHelpers.time.increase(step.wait);

          // Claims, once the epoch is final: random picks among each actor's open leaves, in the picked order.
          const now = BigInt(await networkHelpers.time.latest());
          for (const [k, a] of step.actors.entries()) {
            const account = ACTORS[k]!;
            const open: Open[] = [];
            for (const o of unclaimed.get(account)!) {
              // Leave a margin before the expiry: the claims are a few blocks later.
              if ((await pool.getEpoch(o.epoch)).expiresAt > now + 3_600n) open.push(o);
            }
            const chosen: Open[] = [];
            for (const pick of a.picks) {
              if (open.length === 0) break;
              chosen.push(open.splice(pick % open.length, 1)[0]!);
            }
            if (chosen.length === 0) continue;
            if (a.batched) {
              await pool.claimMany(chosen.map((o) => claimOf(o.epoch, o.tree, o.leaf)));
            } else {
              for (const o of chosen) await claimLeaf(pool, o.epoch, o.tree, o.leaf);
            }
            const rest = unclaimed.get(account)!.filter((o) => !chosen.includes(o));
            unclaimed.set(account, rest);
            for (const o of chosen) {
              const newest = newestClaimed.get(account);
              if (!newest || o.epoch > newest.epoch) {
                newestClaimed.set(account, { epoch: o.epoch, reputation: o.leaf.reputation });
              }
            }
          }

          // The final epoch is `epoch`: every score has decayed to it.
          expect(await pool.finalEpochAt(BigInt(await networkHelpers.time.latest()))).to.equal(epoch);
          let sum = 0n;
          for (const account of ACTORS) {
            const votes = await pool.getVotes(account);
            const newest = newestClaimed.get(account);
            const expected = newest ? decay(newest.reputation, epoch - newest.epoch, bps) : 0n;
            expect(votes, `votes of ${account} after epoch ${epoch}`).to.equal(expected);
            expect(await pool.reputationOf(account)).to.equal(votes);
            // Claimed everything, or at least its newest leaf: the pipeline's own figure.
            const claimedAll = unclaimed.get(account)!.length === 0 && newestLeaf.has(account);
            if (claimedAll || (newest && newest.epoch === newestLeaf.get(account))) {
              expect(votes, `pipeline reputation of ${account} after epoch ${epoch}`).to.equal(book.of(account));
            }
            sum += votes;
            seen.push({ at: BigInt(await networkHelpers.time.latest()), account, votes });
          }
          sum += await pool.getVotes(FILLER); // never claims: 0
          const supply = await pool.totalReputation();
          expect(supply).to.equal(tree.reputationTotal);
          expect(sum <= supply).to.equal(true);
        }

        // The same figures, read back as past votes.
        await networkHelpers.mine();
        for (const { at, account, votes } of seen) expect(await pool.getPastVotes(account, at)).to.equal(votes);
      }),
      { numRuns: 40 },
    );
  });

  it("decayed(r, n) equals the pipeline's decay(r, n, bps) for random r and n, at every rate", async function () {
    const { pools } = await networkHelpers.loadFixture(poolsFixture);
    for (const [bps, pool] of pools) expect(await pool.decayBps()).to.equal(BigInt(bps));
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...RATES),
        fc.oneof(
          fc.bigInt({ min: 0n, max: 10n ** 6n }),
          fc.bigInt({ min: 0n, max: MAX_REPUTATION }),
          fc.constant(MAX_REPUTATION),
        ),
        fc.oneof(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 1_000 }), fc.constant(2 ** 32)),
        async (bps, r, n) => {
          expect(await pools.get(bps)!.decayed(r, n)).to.equal(decay(r, n, bps));
        },
      ),
      { numRuns: 300 },
    );
  });
});
