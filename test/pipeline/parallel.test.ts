/**
 * The paths that make a ten-million-vote epoch fast must give what the simple ones give: the tree built on two
 * threads is the single-threaded tree, proofs written as bytes are the proofs as strings, digests made by a helper
 * thread are keccak256, claims.json and the shards written in one pass are the files rendered one by one, and the
 * byte-level readers of works.csv and votes.csv read what csv-parse and zod read.
 */
import { expect } from "chai";
import fc from "fast-check";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import {
  allocateEpoch,
  buildTree,
  largestRemainder,
  EpochTree,
  keccak256,
  LEAF_ENCODING,
  parseAddress,
  renderArtifacts,
  writeArtifacts,
  type Leaf,
} from "../../scripts/lib/index.js";
import { checksumAddressBytes, smallIntegerBytes, utcSecondsBytes } from "../../scripts/lib/cells.js";
import { hashInputsInBackground, readInputFile } from "../../scripts/lib/input-files.js";
import { parseWorks, INTEGER } from "../../scripts/lib/inputs.js";
import { keccakDirect } from "../../scripts/lib/keccak.js";
import { createMemory, instantiate, keccakModule } from "../../scripts/lib/keccak-f.js";
import { parseTimestamp } from "../../scripts/lib/timestamp.js";
import { readVotes } from "../../scripts/lib/vote-table.js";
import { helperChunks, keccakOf, startTreeHelper } from "../../scripts/lib/workers.js";
import { prng, randomHex } from "../support/random.js";
import { addr, cleanup, src, tempDir, writeSmallEpoch } from "./helpers.js";

function randomLeaves(n: number, seed: number): Leaf[] {
  const rand = prng(seed);
  return Array.from({ length: n }, (_, index) => ({
    index,
    account: randomHex(rand, 20),
    amount: BigInt(Math.floor(rand() * 2 ** 40)) * 10n ** BigInt(Math.floor(rand() * 40)),
    reputation: BigInt(Math.floor(rand() * 2 ** 32)),
  }));
}

const dumpBytes = (tree: EpochTree) => Buffer.concat([...tree.dumpJsonChunks()].map((p) => Buffer.from(p)));

describe("parallel and byte-level paths", function () {
  // generous: the suite also runs on loaded CI machines
  this.timeout(300_000);

  it("a tree built on two threads is the single-threaded tree: nodes, root, every proof, dump", () => {
    expect(startTreeHelper(keccakModule(true, 65536)), "the helper thread starts").to.equal(true);
    const leaves = randomLeaves(60_000, 7);
    const one = buildTree(leaves, undefined, undefined, { threads: 1 });
    // The helper takes chunks as soon as it wakes; on a busy machine the main thread may take them all, so retry.
    let two: EpochTree | undefined;
    for (let attempt = 0; attempt < 10; attempt++) {
      const before = helperChunks();
      two = buildTree(leaves, undefined, undefined, { threads: 2 });
      if (helperChunks() > before) break;
    }
    expect(helperChunks(), "the helper thread hashed chunks").to.be.greaterThan(0);
    expect(two!.root).to.equal(one.root);
    expect(two!.nodes.equals(one.nodes)).to.equal(true);
    expect([...two!.treeIndices]).to.deep.equal([...one.treeIndices]);
    for (let i = 0; i < leaves.length; i += 97) expect(two!.getProof(i)).to.deep.equal(one.getProof(i));
    expect(dumpBytes(two!).equals(dumpBytes(one))).to.equal(true);
  });

  it("a tree built on two threads equals StandardMerkleTree.of (root and proofs)", () => {
    const leaves = randomLeaves(9000, 11);
    const fast = buildTree(leaves, undefined, undefined, { threads: 2 });
    const oz = StandardMerkleTree.of(leaves.map(EpochTree.tuple), [...LEAF_ENCODING]);
    expect(fast.root).to.equal(oz.root);
    for (let i = 0; i < leaves.length; i += 301) expect(fast.getProof(i)).to.deep.equal(oz.getProof(i));
  });

  it("writeProof writes JSON.stringify(getProof(i)) as bytes", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 700 }), fc.integer(), (n, seed) => {
        const tree = buildTree(randomLeaves(n, seed));
        for (let i = 0; i < n; i += 1 + Math.floor(n / 20)) {
          const end = tree.writeProof(i, 5);
          expect(tree.scratch.toString("latin1", 5, end)).to.equal(JSON.stringify(tree.getProof(i)));
        }
      }),
      { numRuns: 30 },
    );
  });

  it("digests made by the helper thread are keccak256", () => {
    // keccakOf itself, at every length around the block size
    const memory = createMemory(20, 20, true);
    const exports = instantiate(keccakModule(true, 65536), memory);
    const rand = prng(3);
    for (const length of [0, 1, 31, 32, 135, 136, 137, 271, 272, 273, 1000, 136 * 7680 + 5]) {
      const data = Buffer.from(randomHex(rand, length).slice(2), "hex");
      expect(
        Buffer.from(keccakOf(exports, memory, data, 1024, 4096, 136 * 64)).equals(Buffer.from(keccakDirect(data))),
      ).to.equal(true, `length ${length}`);
    }
    // a file read into shared memory and hashed in the background
    const dir = tempDir();
    try {
      const path = join(dir, "big.csv");
      writeFileSync(path, Buffer.alloc(6 << 20, "w1,0xabc,5,2025-01-10T00:00:00Z\n"));
      const bytes = readInputFile(path);
      hashInputsInBackground([bytes]);
      expect(Buffer.from(keccak256(bytes)).equals(Buffer.from(keccakDirect(bytes)))).to.equal(true);
      expect(bytes.equals(readFileSync(path))).to.equal(true);
    } finally {
      cleanup(dir);
    }
  });

  it("claims.json and the shards written in one pass are the files rendered one by one", () => {
    const dir = tempDir();
    try {
      const works: (string | number)[][] = [];
      const votes: (string | number)[][] = [];
      for (let i = 0; i < 600; i++) {
        works.push([`w${i}`, addr(i)]);
        for (let k = 1; k <= 3; k++) votes.push([`w${i}`, addr((i + k * 7) % 600), 1 + ((i + k) % 9)]);
      }
      const paths = writeSmallEpoch(dir, { works, votes });
      const result = allocateEpoch(paths);
      const out = join(dir, "out");
      writeArtifacts(out, result);
      let files = 0;
      for (const file of renderArtifacts(result)) {
        const bytes = Buffer.concat([...file.render()].map((p) => Buffer.from(p)));
        expect(readFileSync(join(out, file.path)).equals(bytes), file.path).to.equal(true);
        files++;
      }
      expect(files).to.be.greaterThan(260);
    } finally {
      cleanup(dir);
    }
  });
});

describe("byte-level readers agree with csv-parse and zod", function () {
  // generous: the suite also runs on loaded CI machines
  this.timeout(120_000);

  const A = addr(1);
  const cell = fc.oneof(
    fc.constantFrom("w1", "w 2", "é", '"q,uoted"', '"with ""quote"""', '"two\nlines"', ""),
    fc.stringMatching(/^[a-z0-9]{1,6}$/),
  );
  const voter = fc.constantFrom(A, A.toLowerCase(), "0x" + A.slice(2).toUpperCase(), addr(2), "0x12");
  const points = fc.constantFrom("0", "5", "-3", "100", "123456789012345678901", "x", "5.5", '"7"');
  const castAt = fc.constantFrom(
    "2025-01-10T00:00:00Z",
    "2025-01-10 00:00:00Z",
    "1736467200",
    "2025-02-30T00:00:00Z",
    "yesterday",
  );

  /** Lines ended by `end`: with CRLF, csv-parse reads the file (the byte-level scanner gives up on "\r"). */
  const lines = (all: string[], end: string) => all.join(end) + end;

  it("votes: the same table (or the same error) as the csv-parse way", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(cell, voter, points, castAt), { minLength: 1, maxLength: 12 }), (rows) => {
        const all = ["work_id,voter,points,cast_at", ...rows.map((r) => r.join(","))];
        const read = (t: string) => {
          try {
            const v = readVotes(src("votes.csv", t));
            return {
              ...v,
              line: undefined,
              points: [...v.points],
              castAt: [...v.castAt],
              work: [...v.work],
              voter: [...v.voter],
            };
          } catch (error) {
            // the line differs (a CRLF counts twice in csv-parse's line numbers); the rest must not
            return { error: (error as Error).message.replace(/ \(line [0-9]+\)/, "") };
          }
        };
        expect(read(lines(all, "\n"))).to.deep.equal(read(lines(all, "\r\n")));
      }),
      { numRuns: 400 },
    );
  });

  it("works: the same rows (or the same errors) as the csv-parse and zod way", () => {
    const contributor = fc.constantFrom(A, A.toLowerCase(), "team:t", "team:", "0x12", '"team:a,b"');
    fc.assert(
      fc.property(fc.array(fc.tuple(cell, contributor, cell, castAt), { minLength: 1, maxLength: 10 }), (rows) => {
        const all = [
          "work_id,contributor,category,title,pov_url,submitted_at",
          ...rows.map(([id, c, t, at]) => [id, c, "article", t, "https://x", at].join(",")),
        ];
        const read = (t: string) => {
          try {
            return parseWorks(src("works.csv", t)).map((w) => ({
              workId: w.workId,
              contributor: w.contributor,
              category: w.category,
              title: w.title,
              povUrl: w.povUrl,
              submittedAt: w.submittedAt,
              row: w.row,
            }));
          } catch (error) {
            return { error: (error as Error).message.replace(/ \(line [0-9]+\)/g, "") };
          }
        };
        expect(read(lines(all, "\n"))).to.deep.equal(read(lines(all, "\r\n")));
      }),
      { numRuns: 400 },
    );
  });

  it("cells: addresses, integers and timestamps read from bytes give the general code's answers", () => {
    const rand = prng(5);
    const texts: string[] = [];
    for (let i = 0; i < 300; i++) {
      const a = addr(i);
      const mixed =
        a.slice(0, 2) + [...a.slice(2)].map((c) => (rand() < 0.5 ? c.toUpperCase() : c.toLowerCase())).join("");
      texts.push(
        a,
        a.toLowerCase(),
        "0x" + a.slice(2).toUpperCase(),
        mixed,
        a.slice(0, 41),
        "0X" + a.slice(2),
        a + "0",
      );
    }
    for (const text of texts) {
      const bytes = Buffer.from(text);
      const parsed = parseAddress(text);
      expect(checksumAddressBytes(bytes, 0, bytes.length), text).to.equal(parsed.ok ? parsed.address : undefined);
    }
    for (const text of [
      "0",
      "-0",
      "7",
      "-12",
      "999999999999999",
      "-99999999999999",
      "1234567890123456",
      "+1",
      "-",
      "",
      "1e3",
      "0x1",
    ]) {
      const value = smallIntegerBytes(Buffer.from(text), 0, Buffer.byteLength(text));
      if (INTEGER.test(text) && text.length <= 15) expect(value, text).to.equal(Number(text));
      else expect(value, text).to.be.NaN;
    }
    fc.assert(
      fc.property(
        fc.tuple(
          fc.integer({ min: 0, max: 9999 }),
          fc.integer({ min: 0, max: 13 }),
          fc.integer({ min: 0, max: 32 }),
          fc.integer({ min: 0, max: 25 }),
          fc.integer({ min: 0, max: 61 }),
          fc.integer({ min: 0, max: 61 }),
          fc.constantFrom("T", " ", "t"),
          fc.constantFrom("Z", "z", "+00:00"),
        ),
        ([y, mo, d, h, mi, s, t, z]) => {
          const two = (n: number) => String(n).padStart(2, "0");
          const text = `${String(y).padStart(4, "0")}-${two(mo)}-${two(d)}${t}${two(h)}:${two(mi)}:${two(s)}${z}`;
          const fast = utcSecondsBytes(Buffer.from(text), 0, text.length);
          if (!Number.isNaN(fast)) expect(fast, text).to.equal(parseTimestamp(text));
          else if (y >= 1000 && z === "Z" && t !== "t") expect(parseTimestamp(text), text).to.equal(undefined);
        },
      ),
      { numRuns: 20_000 },
    );
  });
});

describe("largest remainder without a comparator sort", function () {
  // generous: the suite also runs on loaded CI machines
  this.timeout(60_000);

  /** The rule as docs/rules.md words it: floor shares, then a unit each by remainder descending, ties by lowercase address. */
  function reference(pool: bigint, units: Map<string, bigint>): Map<string, bigint> {
    let total = 0n;
    for (const u of units.values()) total += u;
    const amounts = new Map<string, bigint>();
    const order: { account: string; remainder: bigint }[] = [];
    let left = pool;
    for (const [account, u] of units) {
      amounts.set(account, (pool * u) / total);
      left -= (pool * u) / total;
      order.push({ account, remainder: (pool * u) % total });
    }
    order.sort((a, b) =>
      a.remainder !== b.remainder
        ? a.remainder > b.remainder
          ? -1
          : 1
        : a.account.toLowerCase() < b.account.toLowerCase()
          ? -1
          : 1,
    );
    for (const { account } of order.slice(0, Number(left))) amounts.set(account, amounts.get(account)! + 1n);
    return amounts;
  }

  it("gives every account what the rule gives, remainders exact as numbers or not", () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 1n, max: 10n ** 30n }),
        fc.array(fc.oneof(fc.bigInt({ min: 0n, max: 50n }), fc.bigInt({ min: 1n, max: 10n ** 20n })), {
          minLength: 1,
          maxLength: 60,
        }),
        (pool, us) => {
          if (!us.some((u) => u !== 0n)) us[0] = 1n;
          const units = new Map(us.map((u, i) => [addr(i), u]));
          const actual = largestRemainder(pool, units);
          expect([...actual]).to.deep.equal([...reference(pool, units)]);
        },
      ),
      { numRuns: 500 },
    );
  });
});
