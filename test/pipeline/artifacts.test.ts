import { expect } from "chai";
import fc from "fast-check";
import { appendFileSync, cpSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import {
  allocateEpoch,
  ArtifactsError,
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
import { addr, cleanup, epochJson, list, sources, tempDir, writeSmallEpoch } from "./helpers.js";
import { LEAF_ENCODING, shardOf } from "../../protocol/index.js";

const fixture = fileURLToPath(new URL("./fixtures/epoch-1/", import.meta.url));
const examples = fileURLToPath(new URL("../../examples/", import.meta.url));
/** The frozen root of fixtures/epoch-1: it changes only with a new artifact format version. */
const FROZEN_ROOT = "0xbd0db386cc76463de2581de24e363b4ce16a7783218481937a7dd81aba76845e";

const bytesOf = (files: ReturnType<typeof renderArtifacts>) =>
  new Map(files.map((f) => [f.path, Buffer.concat([...f.render()].map((p) => Buffer.from(p)))]));

/** reputation.csv of an artifacts directory as [account, reputation] rows. */
const reputationRows = (dir: string): [string, bigint][] => {
  const [header, ...rows] = readFileSync(join(dir, "reputation.csv"), "utf8").split("\n");
  expect(header).to.equal("account,reputation");
  expect(rows.pop(), "trailing newline").to.equal("");
  return rows.map((line) => {
    const [account, reputation] = line.split(",");
    return [account!, BigInt(reputation!)];
  });
};

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
        StandardMerkleTree.verify(claims.root, [...LEAF_ENCODING], [c.index, account, c.amount, c.reputation], c.proof),
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
        expect(shardOf(account)).to.equal(shard);
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
          // Something must score (U > 0): a voter outside the drawn range, so never a duplicate of a drawn vote.
          votes.push(["w0", addr(13), 1]);
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
        "reputation.csv",
        "claims/a0.json",
      ]) {
        expect(readFileSync(join(dir, `a-${n}`, path)).equals(readFileSync(join(dir, `b-${n}`, path))), path).to.equal(
          true,
        );
      }
      const manifest = readManifest(join(dir, `a-${n}`));
      expect(manifest.epoch).to.equal(n);
      // reputationTotal is Σ reputation.csv, and reputation.csv holds every leaf with reputation > 0.
      const rows = reputationRows(join(dir, `a-${n}`));
      expect(manifest.reputationTotal).to.equal(rows.reduce((s, [, r]) => s + r, 0n).toString());
      expect(rows.map(([a]) => a.toLowerCase())).to.deep.equal(rows.map(([a]) => a.toLowerCase()).sort());
      const byAccount = new Map(rows);
      for (const [account, claim] of Object.entries(readClaims(join(dir, `a-${n}`)).claims)) {
        expect(byAccount.get(account) ?? 0n).to.equal(BigInt(claim.reputation));
      }
      expect(readFileSync(join(dir, `a-${n}`, "report.md"), "utf8")).to.contain(
        `| Reputation total | ${manifest.reputationTotal} (${rows.length} accounts, reputation.csv) |`,
      );
      if (n > 1) {
        // The canonical copy covered by inputsHash is the previous epoch's reputation.csv, byte for byte.
        expect(
          readFileSync(join(dir, `a-${n}`, "inputs/previous-reputation.csv")).equals(
            readFileSync(join(dir, `a-${n - 1}`, "reputation.csv")),
          ),
        ).to.equal(true);
      }
    }
    expect(readManifest(join(dir, "a-2")).previous).to.deep.equal({
      epoch: 1,
      root: readManifest(join(dir, "a-1")).root,
    });
    expect(list(dir).filter((f) => f.startsWith("."))).to.deep.equal([]);
  });

  it("an account that only decays gets no leaf, stays in reputation.csv and is carried by --previous", () => {
    const [A, B, C] = [1, 2, 3].map(addr) as [string, string, string];
    const epoch = (n: number, works: string[][], votes: (string | number)[][], rules = {}) => {
      const inputs = writeSmallEpoch(join(dir, `in-${n}`), { works, votes, config: epochJson({ epoch: n }, rules) });
      const previous = n > 1 ? join(dir, `e${n - 1}`) : undefined;
      writeArtifacts(join(dir, `e${n}`), allocateEpoch({ ...inputs, previous }));
      expect(verifyArtifacts(join(dir, `e${n}`), { previous }).differences).to.deep.equal([]);
      return join(dir, `e${n}`);
    };
    // Epoch 1: A earns 5 points, B 10. Epochs 2 and 3: only A works; B only decays, 10 → 9 → 8.
    const e1 = epoch(
      1,
      [
        ["w1", A],
        ["w2", B],
      ],
      [
        ["w1", C, 5],
        ["w2", C, 10],
      ],
    );
    const e2 = epoch(2, [["w1", A]], [["w1", C, 1]]);
    // In epoch 3 only voters with prior reputation ≥ 9 count: B's vote is accepted only because its
    // reputation came through epoch 2's reputation.csv, not through a leaf.
    const e3 = epoch(3, [["w1", A]], [["w1", B, 2]], { minVoterReputation: "9" });

    expect(Object.keys(readClaims(e1).claims).sort()).to.deep.equal([A, B].sort());
    for (const e of [e2, e3]) {
      expect(Object.keys(readClaims(e).claims)).to.deep.equal([A]);
      expect(() => readClaim(e, B)).to.throw(/has no claim/);
      expect(readFileSync(join(e, "allocation.csv"), "utf8")).to.not.contain(B);
    }
    expect(new Map(reputationRows(e1)).get(B)).to.equal(10n);
    expect(new Map(reputationRows(e2)).get(B)).to.equal(9n);
    expect(new Map(reputationRows(e3)).get(B)).to.equal(8n); // decay(10, 2) at the default 1000 bps
    expect(readFileSync(join(e3, "inputs/previous-reputation.csv"), "utf8")).to.contain(`${B},9\n`);
    expect(readManifest(e3).summary.find((c) => c.file === "votes.csv")).to.include({ accepted: 1, excluded: 0 });
    // A: 5 → floor(5 × 0.9) + 1 = 5 → floor(5 × 0.9) + 2 = 6; B: 8. Total 14.
    expect(new Map(reputationRows(e3)).get(A)).to.equal(6n);
    expect(readManifest(e3).reputationTotal).to.equal("14");
  });

  it("--previous needs the previous epoch's reputation.csv", () => {
    writeArtifacts(join(dir, "e1"), allocateEpoch(exampleOptions(1)));
    rmSync(join(dir, "e1/reputation.csv"));
    expect(() => allocateEpoch({ ...exampleOptions(2), previous: join(dir, "e1") })).to.throw(
      ArtifactsError,
      /no reputation\.csv/,
    );
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

  it("verify recomputes reputationTotal and reputation.csv", () => {
    writeArtifacts(join(dir, "e"), allocateEpoch(exampleOptions(1)));
    const path = join(dir, "e/manifest.json");
    const manifest = readFileSync(path, "utf8");
    const recorded = readManifest(join(dir, "e")).reputationTotal;
    writeFileSync(
      path,
      manifest.replace(`"reputationTotal": "${recorded}"`, `"reputationTotal": "${BigInt(recorded) + 1n}"`),
    );
    const v = verifyArtifacts(join(dir, "e"));
    expect(v.differences[0]).to.deep.equal({
      file: "manifest.json",
      reason: `reputationTotal "${BigInt(recorded) + 1n}" ≠ recomputed ${recorded}`,
    });
    writeFileSync(path, manifest);
    const csvPath = join(dir, "e/reputation.csv");
    writeFileSync(
      csvPath,
      readFileSync(csvPath, "utf8").replace(/,(\d+)\n$/, (_m, r) => `,${Number(r) + 1}\n`),
    );
    expect(verifyArtifacts(join(dir, "e")).differences.map((d) => d.file)).to.deep.equal(["reputation.csv"]);
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
