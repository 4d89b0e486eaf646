import { expect } from "chai";
import fc from "fast-check";
import { appendFileSync, cpSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import {
  allocateEpoch,
  computeEpoch,
  OutputExistsError,
  readClaim,
  readClaims,
  readManifest,
  renderArtifacts,
  SHARDS,
  verifyArtifacts,
  writeArtifacts,
} from "../../scripts/lib/index.js";
import { addr, cleanup, list, sources, tempDir } from "./helpers.js";

const fixture = fileURLToPath(new URL("./fixtures/epoch-1/", import.meta.url));
const examples = fileURLToPath(new URL("../../examples/", import.meta.url));
/** The frozen root of fixtures/epoch-1: it changes only with a new artifact format version. */
const FROZEN_ROOT = "0xbd0db386cc76463de2581de24e363b4ce16a7783218481937a7dd81aba76845e";

const bytesOf = (files: ReturnType<typeof renderArtifacts>) =>
  new Map(files.map((f) => [f.path, Buffer.concat([...f.render()].map((p) => Buffer.from(p)))]));

describe("artifacts: frozen fixture epoch", function () {
  // generous: the suite also runs on loaded CI machines
  this.timeout(60_000);
  it("recomputes the committed root and every committed file byte for byte", () => {
    const result = allocateEpoch({
      works: join(fixture, "inputs/works.csv"),
      votes: join(fixture, "inputs/votes.json"),
      teams: join(fixture, "inputs/teams.csv"),
      config: join(fixture, "inputs/epoch.json"),
    });
    expect(result.root).to.equal(FROZEN_ROOT);
    for (const [path, bytes] of bytesOf(renderArtifacts(result))) {
      expect(bytes.equals(readFileSync(join(fixture, "expected", path))), path).to.equal(true);
    }
  });

  it("verify passes on the committed artifacts", () => {
    const v = verifyArtifacts(join(fixture, "expected"), { root: FROZEN_ROOT });
    expect(v.differences).to.deep.equal([]);
    expect(v.ok).to.equal(true);
  });

  it("tree.json loads with StandardMerkleTree.load and proves every claim", () => {
    const tree = StandardMerkleTree.load(JSON.parse(readFileSync(join(fixture, "expected/tree.json"), "utf8")));
    const claims = readClaims(join(fixture, "expected"));
    expect(tree.root).to.equal(claims.root);
    for (const [account, c] of Object.entries(claims.claims)) {
      expect(
        StandardMerkleTree.verify(
          claims.root,
          ["uint256", "address", "uint256", "uint256"],
          [c.index, account, c.amount, c.reputation],
          c.proof,
        ),
      ).to.equal(true);
    }
  });

  it("shards: all 256 exist, hold exactly the claims of their prefix, and say 'no claim' by absence", () => {
    const dir = join(fixture, "expected");
    const claims = readClaims(dir);
    let count = 0;
    for (const shard of SHARDS) {
      const file = JSON.parse(readFileSync(join(dir, "claims", `${shard}.json`), "utf8"));
      expect(file).to.include({ root: claims.root, epoch: 1, shard });
      for (const [account, claim] of Object.entries(file.claims)) {
        expect(account.slice(2, 4).toLowerCase()).to.equal(shard);
        expect(claim).to.deep.equal(claims.claims[account]);
        count++;
      }
    }
    expect(count).to.equal(Object.keys(claims.claims).length);
    const [first] = Object.keys(claims.claims);
    expect(readClaim(dir, first!.toLowerCase()).account).to.equal(first);
    expect(() => readClaim(dir, addr(999))).to.throw(/has no claim/);
  });
});

describe("artifacts: writing and verifying", function () {
  // generous: the suite also runs on loaded CI machines
  this.timeout(60_000);
  let dir: string;
  beforeEach(() => (dir = tempDir()));
  afterEach(() => cleanup(dir));

  const exampleOptions = (n: number) => ({
    works: join(examples, `epoch-${n}/works.csv`),
    votes: join(examples, `epoch-${n}/votes.csv`),
    teams: join(examples, `epoch-${n}/teams.csv`),
    config: join(examples, `epoch-${n}/epoch.json`),
  });

  it("same inputs → byte-identical artifacts (property over random small epochs)", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 6, max: 12 }), fc.integer({ min: 0, max: 100 })),
          { minLength: 1, maxLength: 30 },
        ),
        (raw) => {
          const works = [0, 1, 2, 3, 4, 5].map((i) => [`w${i}`, addr(i)] as (string | number)[]);
          const votes = raw.map(([w, v, p]) => [`w${w}`, addr(v), p] as (string | number)[]);
          if (!raw.some(([, , p]) => p > 0)) votes.push(["w0", addr(7), 1]);
          const one = bytesOf(renderArtifacts(computeEpoch(sources({ works, votes }))));
          const two = bytesOf(renderArtifacts(computeEpoch(sources({ works, votes }))));
          expect([...one.keys()]).to.deep.equal([...two.keys()]);
          for (const [path, bytes] of one) expect(bytes.equals(two.get(path)!), path).to.equal(true);
          const read = computeEpoch(sources({ works, votes })).counts;
          for (const c of read) expect(c.accepted + c.excluded).to.equal(c.read);
        },
      ),
      { numRuns: 20 },
    );
  });

  it("writes identical directories twice, chains three example epochs, and verify passes on each", () => {
    for (const n of [1, 2, 3]) {
      const options = { ...exampleOptions(n), previous: n > 1 ? join(dir, `a-${n - 1}`) : undefined };
      writeArtifacts(join(dir, `a-${n}`), allocateEpoch(options));
      writeArtifacts(
        join(dir, `b-${n}`),
        allocateEpoch({ ...options, previous: n > 1 ? join(dir, `b-${n - 1}`) : undefined }),
      );
      const v = verifyArtifacts(join(dir, `a-${n}`), { previous: options.previous });
      expect(v.differences).to.deep.equal([]);
      for (const path of [
        "tree.json",
        "claims.json",
        "manifest.json",
        "report.md",
        "allocation.csv",
        "claims/a0.json",
      ]) {
        expect(readFileSync(join(dir, `a-${n}`, path)).equals(readFileSync(join(dir, `b-${n}`, path))), path).to.equal(
          true,
        );
      }
      expect(readManifest(join(dir, `a-${n}`)).epoch).to.equal(n);
    }
    expect(readManifest(join(dir, "a-2")).previous).to.deep.equal({
      epoch: 1,
      root: readManifest(join(dir, "a-1")).root,
    });
    expect(list(dir).filter((f) => f.startsWith("."))).to.deep.equal([]);
  });

  it("verify fails on a tampered input and names the first differing file", () => {
    writeArtifacts(join(dir, "e"), allocateEpoch(exampleOptions(1)));
    const votes = join(dir, "e/inputs/votes.csv");
    const text = readFileSync(votes, "utf8").replace(
      /,(\d+),2025-01-1/,
      (_m, p) => `,${Number(p) === 1 ? 2 : 1},2025-01-1`,
    );
    writeFileSync(votes, text);
    const v = verifyArtifacts(join(dir, "e"));
    expect(v.ok).to.equal(false);
    expect(v.differences[0]!.file).to.equal("manifest.json");
    expect(v.differences.map((d) => d.file)).to.include("tree.json");
  });

  it("verify fails on a tampered artifact, an extra file, and a wrong --root", () => {
    writeArtifacts(join(dir, "e"), allocateEpoch(exampleOptions(1)));
    appendFileSync(join(dir, "e/allocation.csv"), "\n");
    writeFileSync(join(dir, "e/notes.txt"), "hi");
    const v = verifyArtifacts(join(dir, "e"), { root: "0x" + "00".repeat(32) });
    expect(v.differences.map((d) => d.file)).to.deep.equal(["allocation.csv", "notes.txt", "tree.json"]);
  });

  it("refuses to overwrite an existing directory unless forced, and replaces it atomically when forced", () => {
    const result = allocateEpoch(exampleOptions(1));
    writeArtifacts(join(dir, "e"), result);
    expect(() => writeArtifacts(join(dir, "e"), result)).to.throw(OutputExistsError);
    writeFileSync(join(dir, "e/stale.txt"), "old");
    writeArtifacts(join(dir, "e"), result, { force: true });
    expect(list(join(dir, "e"))).to.not.include("stale.txt");
    expect(list(dir)).to.deep.equal(["e"]);
  });

  it("--previous must be the epoch before", () => {
    writeArtifacts(join(dir, "e1"), allocateEpoch(exampleOptions(1)));
    expect(() => allocateEpoch({ ...exampleOptions(3), previous: join(dir, "e1") })).to.throw(
      /does not follow the previous epoch 1/,
    );
  });

  it("copies the inputs so that the directory alone recomputes", () => {
    writeArtifacts(join(dir, "e1"), allocateEpoch(exampleOptions(1)));
    cpSync(join(dir, "e1"), join(dir, "moved"), { recursive: true });
    expect(verifyArtifacts(join(dir, "moved")).ok).to.equal(true);
    expect(readManifest(join(dir, "e1")).inputs.map((i) => i.file)).to.deep.equal([
      "inputs/works.csv",
      "inputs/votes.csv",
      "inputs/teams.csv",
      "inputs/epoch.json",
    ]);
  });
});
