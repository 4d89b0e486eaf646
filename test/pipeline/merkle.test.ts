import { expect } from "chai";
import fc from "fast-check";
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { buildTree, EpochTree, keccak256Hex, LEAF_ENCODING, type Leaf } from "../../scripts/lib/index.js";

const leafArb = fc.record({
  account: fc.uint8Array({ minLength: 20, maxLength: 20 }).map((b) => "0x" + Buffer.from(b).toString("hex")),
  amount: fc.bigInt({ min: 0n, max: (1n << 256n) - 1n }),
  reputation: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
});

function sameAsOpenZeppelin(leaves: Leaf[]): void {
  const fast = buildTree(leaves);
  const oz = StandardMerkleTree.of(leaves.map(EpochTree.tuple), [...LEAF_ENCODING]);
  expect(fast.root).to.equal(oz.root);
  expect(JSON.stringify(fast.dump())).to.equal(JSON.stringify(oz.dump()));
  expect([...fast.dumpJsonChunks(3)].join("")).to.equal(JSON.stringify(oz.dump()));
  leaves.forEach((_, i) => expect(fast.getProof(i)).to.deep.equal(oz.getProof(i)));
  expect(StandardMerkleTree.load(JSON.parse(JSON.stringify(fast.dump()))).root).to.equal(oz.root);
}

describe("keccak256", function () {
  // generous: the suite also runs on loaded CI machines
  this.timeout(60_000);
  it("matches the known vectors", () => {
    expect(keccak256Hex("")).to.equal("0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
    expect(keccak256Hex("abc")).to.equal("0x4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45");
  });
});

describe("buildTree (fast Merkle builder)", function () {
  // generous: the suite also runs on loaded CI machines
  this.timeout(60_000);
  for (const size of [1, 2, 3, 4, 5, 7, 16, 33]) {
    it(`equals StandardMerkleTree.of with ${size} leaves (root, dump, every proof)`, () => {
      fc.assert(
        fc.property(fc.array(leafArb, { minLength: size, maxLength: size }), (values) =>
          sameAsOpenZeppelin(values.map((v, index) => ({ index, ...v }))),
        ),
        { numRuns: 10 },
      );
    });
  }

  it("equals StandardMerkleTree.of on random sizes up to 300", () => {
    fc.assert(
      fc.property(fc.array(leafArb, { minLength: 1, maxLength: 300 }), (values) =>
        sameAsOpenZeppelin(values.map((v, index) => ({ index, ...v }))),
      ),
      { numRuns: 25 },
    );
  });

  it("refuses an empty tree", () => {
    expect(() => buildTree([])).to.throw(RangeError);
  });
});
