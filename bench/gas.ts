/**
 * Gas of the claim paths on a 100k-leaf tree (depth 17), with each figure's ratio to its floor and to the
 * anchors of Uniswap's MerkleDistributor. Gas is deterministic: the figures are written to
 * snapshots/gas.json (committed) and `npm run bench:gas -- --check` fails when they drift.
 *
 * Floor of a transaction = 21,000 + its calldata (4 gas per zero byte, 16 per non-zero byte) + the storage
 * writes its state change cannot do without, each at its cold price (zero → non-zero 22,100; non-zero →
 * non-zero 5,000): the claimed bit, the epoch's claimed sum (the per-epoch cap), the payer's and the payee's
 * token balances, and, when the reputation changes or a soul is minted, the soul's slot and the total's slot.
 * Voting history, events, proof hashing and cold reads are above the floor.
 *
 * Run: npm run bench:gas            (prints the table, rewrites snapshots/gas.json)
 *      npm run bench:gas:check  (prints the table, exits 1 if it differs from the snapshot)
 */
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { network } from "hardhat";
import { buildTree, type EpochTree, type Leaf } from "../scripts/lib/merkle.js";
import { keccak256 } from "../scripts/lib/keccak.js";

const LEAVES = 100_000;
const EPOCHS = 12;
const SNAPSHOT = new URL("../snapshots/gas.json", import.meta.url);
const check = process.env.GAS_CHECK === "1";

const UNISWAP = { newHolderFreshWord: 92_970, holderFreshWord: 75_700, holderWarmWord: 58_700 };
const NAIVE_OZ = { firstClaimMint: 294_800, changedReputation: 162_400 };
const TARGETS = { firstClaimMint: 170_000, changedReputation: 110_000 };

const SSTORE_NEW = 22_100;
const SSTORE_UPDATE = 5_000;

const { ethers, networkHelpers } = await network.create();
const [deployer] = await ethers.getSigners();

// ---------------------------------------------------------------- accounts and trees
const accounts: string[] = [];
for (let i = 0; i < LEAVES; i++) {
  const seed = Buffer.alloc(32);
  seed.writeUInt32BE(i, 28);
  accounts.push(ethers.getAddress("0x" + Buffer.from(keccak256(seed)).subarray(12).toString("hex")));
}
accounts.sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : 1));

// Leaves chosen by position: bitmap word w holds indices 256w .. 256w+255.
const MINTER = 256 * 10 + 7; // scenario: first claim, soul minted, new holder, fresh word
const UNCHANGED_NEW = 256 * 20 + 7; // soul from epoch 1 with amount 0; epoch 2 pays it with the same reputation
const UNCHANGED_HOLDER = 256 * 30 + 7; // holder and soul from epoch 1; epoch 2, same reputation, warm word
const CHANGER = 256 * 40 + 7; // holder and soul; its reputation changes in every epoch
const BATCHER = 256 * 50 + 7; // holder and soul; claims 10 epochs in one claimMany
const WARMERS = [UNCHANGED_HOLDER + 1, CHANGER + 1, BATCHER + 1];

function leafOf(epoch: number, index: number): Leaf {
  let amount = 10n ** 18n + BigInt(index) * 1000n + BigInt(epoch);
  let reputation = BigInt((index % 997) + 1 + epoch);
  if (index === UNCHANGED_NEW) {
    amount = epoch === 1 ? 0n : amount;
    reputation = 500n;
  }
  if (index === UNCHANGED_HOLDER) reputation = 700n;
  if (index === CHANGER || index === BATCHER) reputation = 1000n + BigInt(epoch) * 37n;
  return { index, account: accounts[index]!, amount, reputation };
}

console.log(`building ${EPOCHS} trees of ${LEAVES.toLocaleString("en-US")} leaves…`);
const trees: EpochTree[] = [];
const totals: bigint[] = [];
for (let epoch = 1; epoch <= EPOCHS; epoch++) {
  const leaves = Array.from({ length: LEAVES }, (_, i) => leafOf(epoch, i));
  trees.push(buildTree(leaves));
  totals.push(leaves.reduce((sum, leaf) => sum + leaf.amount, 0n));
}

// ---------------------------------------------------------------- deployment
const token = await ethers.deployContract("MockERC20", ["Reward", "RWD", 18]);
const pool = await ethers.deployContract("EpochRewards", [
  await token.getAddress(),
  deployer.address,
  0,
  3600,
  30 * 86400,
  "Social Mining Reputation",
  "SMREP",
]);
const poolAddress = await pool.getAddress();
await pool.grantRole(await pool.PROPOSER_ROLE(), deployer.address);
const funding = totals.reduce((a, b) => a + b, 0n);
await token.mint(deployer.address, funding);
await token.approve(poolAddress, funding);
await pool.fund(funding);

// ---------------------------------------------------------------- helpers
interface Measured {
  scenario: string;
  gas: number;
  floor: number;
  anchor?: { name: string; gas: number };
  target?: number;
}
const results: Measured[] = [];

function calldataGas(data: string): number {
  const bytes = ethers.getBytes(data);
  let gas = 0;
  for (const b of bytes) gas += b === 0 ? 4 : 16;
  return gas;
}

async function gasOf(txPromise: Promise<{ wait: () => Promise<unknown> }>): Promise<{ gas: number; data: string }> {
  const tx = (await txPromise) as unknown as { data: string; wait: () => Promise<{ gasUsed: bigint }> };
  const receipt = await tx.wait();
  return { gas: Number(receipt.gasUsed), data: tx.data };
}

function claimArgs(epoch: number, index: number) {
  const leaf = trees[epoch - 1]!.leaves[index]!;
  return [epoch, index, leaf.account, leaf.amount, leaf.reputation, trees[epoch - 1]!.getProof(index)] as const;
}

async function claim(epoch: number, index: number) {
  return gasOf(pool.claim(...claimArgs(epoch, index)));
}

async function record(
  scenario: string,
  epoch: number,
  index: number,
  writes: number[],
  extra: Partial<Measured> = {},
): Promise<number> {
  const { gas, data } = await claim(epoch, index);
  results.push({ scenario, gas, floor: 21_000 + calldataGas(data) + writes.reduce((a, b) => a + b, 0), ...extra });
  return gas;
}

// ---------------------------------------------------------------- scenarios
for (let epoch = 1; epoch <= EPOCHS; epoch++) {
  const { gas, data } = await gasOf(
    pool.proposeEpoch(
      epoch,
      trees[epoch - 1]!.root,
      totals[epoch - 1]!,
      ethers.id(`inputs ${epoch}`),
      `ipfs://epoch-${epoch}`,
    ),
  );
  // Floor: the root slot and the packed times/total slot (new), the available funds (update).
  if (epoch === 2)
    results.push({ scenario: "proposeEpoch", gas, floor: 21_000 + calldataGas(data) + 2 * SSTORE_NEW + SSTORE_UPDATE });
}
await networkHelpers.time.increase(3600);

// Epoch 1 sets up souls and holders; the soul-minting claim is itself a scenario.
await record(
  "first claim: soul minted, new holder, fresh bitmap word",
  1,
  MINTER,
  [
    SSTORE_NEW, // bitmap word
    SSTORE_UPDATE, // epoch claimed
    SSTORE_UPDATE, // pool balance
    SSTORE_NEW, // recipient balance
    SSTORE_NEW, // soul
    SSTORE_UPDATE, // total reputation and soul count
  ],
  { target: TARGETS.firstClaimMint, anchor: { name: "naive OZ ERC721+Votes", gas: NAIVE_OZ.firstClaimMint } },
);
for (const index of [UNCHANGED_NEW, UNCHANGED_HOLDER, CHANGER, BATCHER, ...WARMERS]) await claim(1, index);
for (const index of WARMERS) await claim(2, index);

await record(
  "reputation unchanged: new holder, fresh bitmap word",
  2,
  UNCHANGED_NEW,
  [SSTORE_NEW, SSTORE_UPDATE, SSTORE_UPDATE, SSTORE_NEW],
  {
    anchor: { name: "Uniswap MerkleDistributor", gas: UNISWAP.newHolderFreshWord },
    target: Math.floor(UNISWAP.newHolderFreshWord * 1.1),
  },
);
await record(
  "reputation unchanged: holder, warm bitmap word",
  2,
  UNCHANGED_HOLDER,
  [SSTORE_UPDATE, SSTORE_UPDATE, SSTORE_UPDATE, SSTORE_UPDATE],
  {
    anchor: { name: "Uniswap MerkleDistributor", gas: UNISWAP.holderWarmWord },
    target: Math.floor(UNISWAP.holderWarmWord * 1.1),
  },
);
const changedWrites = [SSTORE_UPDATE, SSTORE_UPDATE, SSTORE_UPDATE, SSTORE_UPDATE, SSTORE_UPDATE, SSTORE_UPDATE];
const single = await record("reputation changed: existing soul, holder, warm word", 2, CHANGER, changedWrites, {
  target: TARGETS.changedReputation,
  anchor: { name: "naive OZ ERC721+Votes", gas: NAIVE_OZ.changedReputation },
});

// Steady state: the same soul changes in every later epoch, which moves older checkpoints into the history.
let steady = 0;
let floorSum = 0;
for (let epoch = 3; epoch <= EPOCHS; epoch++) {
  await claim(epoch, CHANGER + 1);
  const { gas, data } = await claim(epoch, CHANGER);
  steady += gas;
  floorSum += 21_000 + calldataGas(data) + changedWrites.reduce((a, b) => a + b, 0);
}
results.push({
  scenario: `reputation changed, steady state (mean of epochs 3–${EPOCHS})`,
  gas: Math.round(steady / (EPOCHS - 2)),
  floor: Math.round(floorSum / (EPOCHS - 2)),
  target: TARGETS.changedReputation,
});

// claimMany: 10 epochs of one account, one transfer and one reputation write.
for (let epoch = 3; epoch <= EPOCHS; epoch++) await claim(epoch, BATCHER + 1);
const batchEpochs = Array.from({ length: 10 }, (_, i) => i + 2);
const batch = batchEpochs.map((epoch) => {
  const [e, index, account, amount, reputation, proof] = claimArgs(epoch, BATCHER);
  return { epoch: e, index, account, amount, reputation, proof };
});
{
  const { gas, data } = await gasOf(pool.claimMany(batch));
  results.push({
    scenario: "claimMany: 10 epochs, one account (warm words)",
    gas,
    floor: 21_000 + calldataGas(data) + 10 * 2 * SSTORE_UPDATE + 2 * SSTORE_UPDATE + 2 * SSTORE_UPDATE,
    anchor: { name: "3 × single changed-reputation claim", gas: 3 * single },
    target: 3 * single,
  });
}

// ---------------------------------------------------------------- report
const fmt = (n: number) => n.toLocaleString("en-US");
console.log(
  `\nGas on a ${fmt(LEAVES)}-leaf tree (depth ${trees[0]!.getProof(0).length}), solc ${await solcVersion()} optimizer on\n`,
);
console.log("| scenario | gas | floor | gas / floor | reference | gas / reference | target |");
console.log("|---|---:|---:|---:|---|---:|---:|");
for (const r of results) {
  const ref = r.anchor ? `${r.anchor.name} ${fmt(r.anchor.gas)}` : "";
  const refRatio = r.anchor ? (r.gas / r.anchor.gas).toFixed(2) + "×" : "";
  const target = r.target ? `≤ ${fmt(r.target)} ${r.gas <= r.target ? "met" : "MISSED"}` : "";
  console.log(
    `| ${r.scenario} | ${fmt(r.gas)} | ${fmt(r.floor)} | ${(r.gas / r.floor).toFixed(2)}× | ${ref} | ${refRatio} | ${target} |`,
  );
}

const snapshot = Object.fromEntries(results.map((r) => [r.scenario, r.gas]));
if (check) {
  const committed = JSON.parse(readFileSync(SNAPSHOT, "utf8")) as Record<string, number>;
  const drift = Object.entries(snapshot).filter(([k, v]) => committed[k] !== v);
  if (drift.length > 0) {
    for (const [k, v] of drift) console.error(`gas drift: ${k}: snapshot ${committed[k]}, now ${v}`);
    process.exitCode = 1;
  } else console.log("\nsnapshots/gas.json matches.");
} else {
  mkdirSync(new URL("../snapshots/", import.meta.url), { recursive: true });
  writeFileSync(SNAPSHOT, JSON.stringify(snapshot, null, 2) + "\n");
  console.log("\nwrote snapshots/gas.json");
}

async function solcVersion(): Promise<string> {
  const { createRequire } = await import("node:module");
  return (createRequire(import.meta.url)("solc/package.json") as { version: string }).version;
}
