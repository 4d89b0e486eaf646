// The protocol module (protocol/): its ABI is the build's, its leaf hash is the pipeline's and the contract's, its
// bounds are the contract's, its claim verdict is total and ordered, its schemas accept every artifact the pipeline
// writes and name the field of every one they refuse, and its revert decoding finds errors wherever ethers nests them.
import { expect } from "chai";
import fc from "fast-check";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { network } from "hardhat";
import { Interface, Wallet } from "ethers";
import { ABI_MODULE, renderAbiModule } from "../../protocol/generate-abi.js";
import {
  ArtifactSchemaError,
  claimVerdict,
  ClaimsFileSchema,
  decodeRevert,
  EPOCH_REWARDS_ABI,
  EPOCH_STATES,
  leafHash,
  ManifestSchema,
  MAX_EPOCH_TOTAL,
  MAX_OPEN_EPOCHS,
  MAX_REPUTATION,
  parseArtifact,
  stateName,
  TreeDumpSchema,
  verifyLeaf,
  type ClaimFacts,
  type EpochStateName,
} from "../../protocol/index.js";
import { buildTree, hashLeaf, type Leaf } from "../../scripts/lib/index.js";
import { buildTree as epochTree, deploy, deployPool, propose } from "../contracts/helpers.js";
import type { MockERC20 } from "../../typechain-types/index.js";

const ROOT = join(import.meta.dirname, "..", "..");
const EXPECTED = join(ROOT, "test", "pipeline", "fixtures", "epoch-1", "expected");
const readJson = (file: string): unknown => JSON.parse(readFileSync(join(EXPECTED, file), "utf8"));
const hex = (bytes: Uint8Array) => `0x${Buffer.from(bytes).toString("hex")}`;

describe("protocol: ABI", function () {
  it("protocol/abi.ts is what `npm run abi` renders from this build (regenerate it after a contract change)", function () {
    expect(readFileSync(ABI_MODULE, "utf8")).to.equal(renderAbiModule(join(ROOT, "artifacts")));
  });

  it("names the contract's epoch states in order and holds the contract's bounds", async function () {
    const { ethers, networkHelpers } = await network.create();
    const token = await deploy<MockERC20>(ethers, "MockERC20", ["Reward", "RWD", 18]);
    const { pool, proposer, guardian, funder } = await deployPool(ethers, await token.getAddress());
    expect(await pool.MAX_REPUTATION()).to.equal(MAX_REPUTATION);
    expect(await pool.MAX_EPOCH_TOTAL()).to.equal(MAX_EPOCH_TOTAL);
    expect(await pool.MAX_OPEN_EPOCHS()).to.equal(BigInt(MAX_OPEN_EPOCHS));

    await token.mint(funder.address, 10n);
    await token.connect(funder).approve(await pool.getAddress(), 10n);
    await pool.connect(funder).fund(10n);
    const state = async (epoch: number) => stateName(await pool.epochState(epoch));
    const one = epochTree([{ account: funder.address, amount: 1n, reputation: 1n }]);
    const two = epochTree([{ account: funder.address, amount: 1n, reputation: 2n }]);
    expect(await state(1)).to.equal("None");
    const { claimableAt, expiresAt } = await propose(pool, proposer, 1n, one);
    expect(await state(1)).to.equal("Challenge");
    await propose(pool, proposer, 2n, two);
    await pool.connect(guardian).vetoEpoch(2, "test");
    expect(await state(2)).to.equal("Vetoed");
    await networkHelpers.time.increaseTo(claimableAt);
    expect(await state(1)).to.equal("Claimable");
    await networkHelpers.time.increaseTo(expiresAt);
    expect(await state(1)).to.equal("Expired");
    await pool.sweep(1);
    expect(await state(1)).to.equal("Swept");
    expect(EPOCH_STATES).to.have.length(6);
    expect(() => stateName(EPOCH_STATES.length)).to.throw(RangeError, "unknown epoch state 6");
  });
});

describe("protocol: leaf", function () {
  const leafArb = fc.record({
    index: fc.nat({ max: 2 ** 32 - 1 }),
    account: fc.uint8Array({ minLength: 20, maxLength: 20 }).map(hex),
    amount: fc.bigInt({ min: 0n, max: 2n ** 256n - 1n }),
    reputation: fc.bigInt({ min: 0n, max: MAX_REPUTATION }),
  });

  it("leafHash is the pipeline's hand-encoded leaf hash", function () {
    fc.assert(
      fc.property(leafArb, (leaf: Leaf) => {
        expect(leafHash(leaf)).to.equal(hex(hashLeaf(leaf)));
      }),
      { numRuns: 300 },
    );
  });

  it("verifyLeaf accepts the pipeline's proofs and refuses a changed leaf, proof or root", function () {
    fc.assert(
      fc.property(fc.array(leafArb, { minLength: 1, maxLength: 20 }), fc.nat(), (drawn, pick) => {
        const leaves = drawn.map((leaf, index) => ({ ...leaf, index }));
        const tree = buildTree(leaves);
        const i = pick % leaves.length;
        const leaf = leaves[i]!;
        const proof = tree.getProof(i);
        expect(verifyLeaf(tree.root, leaf, proof)).to.equal(true);
        expect(verifyLeaf(tree.root, { ...leaf, amount: leaf.amount ^ 1n }, proof)).to.equal(false);
        expect(verifyLeaf(`0x${"00".repeat(32)}`, leaf, proof)).to.equal(false);
        if (proof.length > 0) expect(verifyLeaf(tree.root, leaf, proof.slice(1))).to.equal(false);
        expect(verifyLeaf("not a root", leaf, proof)).to.equal(false);
      }),
      { numRuns: 100 },
    );
  });
});

describe("protocol: claim verdict", function () {
  const ROOT_A = `0x${"aa".repeat(32)}`;
  const ROOT_B = `0x${"bb".repeat(32)}`;
  const base = (state: EpochStateName, over: Partial<ClaimFacts> = {}): ClaimFacts => ({
    chain: { state, root: ROOT_A, claimableAt: 100, expiresAt: 200 },
    artifacts: { root: ROOT_A, leaf: { verified: true } },
    claimed: false,
    now: 150,
    ...over,
  });

  it("decides each case in order: chain, artifacts, leaf, proof, time, claimed", function () {
    expect(claimVerdict(base("None"))).to.equal("not-proposed");
    expect(claimVerdict(base("Vetoed"))).to.equal("vetoed");
    expect(claimVerdict(base("Claimable", { artifacts: { root: ROOT_B, leaf: { verified: true } } }))).to.equal(
      "wrong-root",
    );
    // A published file with another root is refused whether or not it holds a leaf for the account.
    expect(claimVerdict(base("Claimable", { artifacts: { root: ROOT_B } }))).to.equal("wrong-root");
    expect(claimVerdict(base("Claimable", { artifacts: { root: ROOT_A } }))).to.equal("not-eligible");
    expect(claimVerdict(base("Claimable", { artifacts: undefined }))).to.equal("not-eligible");
    expect(claimVerdict(base("Claimable", { artifacts: { root: ROOT_A, leaf: { verified: false } } }))).to.equal(
      "bad-proof",
    );
    expect(claimVerdict(base("Challenge"))).to.equal("upcoming");
    expect(claimVerdict(base("Claimable", { now: 99 }))).to.equal("upcoming");
    expect(claimVerdict(base("Claimable", { claimed: true }))).to.equal("claimed");
    expect(claimVerdict(base("Expired", { claimed: true, now: 250 }))).to.equal("claimed");
    expect(claimVerdict(base("Claimable"))).to.equal("claimable");
    expect(claimVerdict(base("Claimable", { now: 200 }))).to.equal("expired");
    expect(claimVerdict(base("Expired", { now: 250 }))).to.equal("expired");
    expect(claimVerdict(base("Swept", { now: 250 }))).to.equal("expired");
  });

  it("is claimable only for a verified leaf of a live, unclaimed epoch inside its window", function () {
    fc.assert(
      fc.property(
        fc.constantFrom(...EPOCH_STATES),
        fc.boolean(),
        fc.boolean(),
        fc.boolean(),
        fc.boolean(),
        fc.integer({ min: 0, max: 300 }),
        (state, sameRoot, hasLeaf, verified, claimed, now) => {
          const facts = base(state, {
            artifacts: { root: sameRoot ? ROOT_A : ROOT_B, leaf: hasLeaf ? { verified } : undefined },
            claimed,
            now,
          });
          const claimable = claimVerdict(facts) === "claimable";
          expect(claimable).to.equal(
            state === "Claimable" && sameRoot && hasLeaf && verified && !claimed && now >= 100 && now < 200,
          );
        },
      ),
    );
  });
});

describe("protocol: artifact schemas", function () {
  it("accept the artifacts the pipeline writes", function () {
    expect(parseArtifact(ManifestSchema, readJson("manifest.json"), "manifest.json").epoch).to.equal(1);
    const claims = parseArtifact(ClaimsFileSchema, readJson("claims.json"), "claims.json");
    expect(Object.keys(claims.claims)).to.have.length(claims.leafCount!);
    const tree = parseArtifact(TreeDumpSchema, readJson("tree.json"), "tree.json");
    expect(tree.values).to.have.length(claims.leafCount!);
  });

  it("name the file and every field at fault", function () {
    const manifest = readJson("manifest.json") as Record<string, unknown>;
    const bad = { ...manifest, root: "0x1234", rules: { ...(manifest.rules as object), decayBps: 10001 } };
    expect(() => parseArtifact(ManifestSchema, bad, "epoch-1/manifest.json"))
      .to.throw(ArtifactSchemaError)
      .with.property("message")
      .that.matches(/^epoch-1\/manifest\.json: field root: expected 0x and 64 hex digits; field rules\.decayBps: /);
    const claims = readJson("claims.json") as { claims: Record<string, { amount: string }> };
    const [account] = Object.keys(claims.claims);
    claims.claims[account!]!.amount = "-1";
    expect(() => parseArtifact(ClaimsFileSchema, claims, "claims.json")).to.throw(
      ArtifactSchemaError,
      `claims.json: field claims.${account}.amount: expected a decimal integer string`,
    );
    const tree = readJson("tree.json") as { leafEncoding: string[] };
    tree.leafEncoding = ["uint256", "address", "uint256"];
    expect(() => parseArtifact(TreeDumpSchema, tree, "tree.json")).to.throw(ArtifactSchemaError, "field leafEncoding");
    expect(() => parseArtifact(ManifestSchema, { ...manifest, format: "social-mining-epoch-v1" }, "m.json")).to.throw(
      ArtifactSchemaError,
      "m.json: field format",
    );
  });
});

describe("protocol: revert decoding", function () {
  const pool = new Interface(EPOCH_REWARDS_ABI);
  const data = pool.encodeErrorResult("AlreadyClaimed", [2, Wallet.createRandom().address]);

  it("finds revert data however deep ethers, Hardhat or a wallet nests it", function () {
    for (const error of [
      { data },
      { error: { data } },
      { info: { error: { data: { data } } } },
      Object.assign(new Error("outer"), { cause: { error: { data } } }),
    ]) {
      const decoded = decodeRevert(error)!;
      expect(decoded.name).to.equal("AlreadyClaimed");
      expect(decoded.args.map((a) => a.name)).to.deep.equal(["epoch", "account"]);
      expect(decoded.args[0]!.value).to.equal(2n);
    }
  });

  it("gives the selector of an error no known ABI declares, and nothing without revert data", function () {
    const unknown = decodeRevert({ data: "0xdeadbeef" })!;
    expect(unknown).to.deep.equal({ selector: "0xdeadbeef", data: "0xdeadbeef", args: [] });
    expect(decodeRevert(new Error("network down"))).to.equal(undefined);
    expect(decodeRevert({ data: "0x12" })).to.equal(undefined);
  });
});
