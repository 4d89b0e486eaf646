/**
 * The collector's fast signature recovery (libsecp256k1) gives exactly the protocol's answer
 * (recoverWorkReportSigner / recoverBallotSigner) for good signatures, tampered messages and bad bytes.
 */
import { expect } from "chai";
import { Signature } from "ethers";
import {
  ballotDigest,
  recoverBallotSigner,
  recoverWorkReportSigner,
  sortBallotVotes,
  typedDataDomain,
  workReportDigest,
  type Ballot,
  type WorkReport,
} from "../../protocol/typed-data.js";
import { ballotSigner, recoverDigestSigner, reportSigner } from "../../collector/signatures.js";
import { fastBallotDigest, fastWorkReportDigest } from "../../scripts/lib/signatures.js";
import { DOMAIN, lower, signBallot, signReport, wallet } from "./support.js";

const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

/** Variants of a good signature: tampered r, s or v, the malleable twin, junk. */
function variants(signature: string): string[] {
  const sig = Signature.from(signature);
  const s = BigInt(sig.s);
  const hex = (n: bigint) => n.toString(16).padStart(64, "0");
  return [
    signature,
    signature.toUpperCase().replace("0X", "0x"),
    signature.slice(0, 130) + (sig.v === 27 ? "1c" : "1b"),
    signature.slice(0, 130) + "1d",
    signature.slice(0, 130) + "00",
    "0x" + hex(BigInt(sig.r) ^ 1n) + signature.slice(66),
    signature.slice(0, 66) + hex(s ^ 2n) + signature.slice(130),
    signature.slice(0, 66) + hex(N - s) + (sig.v === 27 ? "1c" : "1b"),
    "0x" + "00".repeat(64) + "1b",
    "0x" + "ff".repeat(64) + "1b",
    "0x" + hex(N + 1n) + hex(1n) + "1b",
    signature.slice(0, 128),
    "not a signature",
  ];
}

describe("collector: fast signature recovery", function () {
  this.timeout(20_000);

  it("recovers the protocol's signer of reports, for every variant of a signature", async function () {
    for (let i = 0; i < 12; i++) {
      const w = wallet(300 + i);
      const report: WorkReport = {
        epoch: 1 + i,
        workId: `w-${i}`,
        contributor: i % 3 === 0 ? "team:core" : lower(w),
        category: "é".repeat(i),
        title: `title ${i} ✓`,
        pov: Array.from({ length: 1 + (i % 3) }, (_, j) => `https://example.org/${i}/${j}`),
        submittedAt: 1_800_000_000 + i,
      };
      const { signature } = await signReport(w, report);
      for (const variant of variants(signature)) {
        const fast = reportSigner(DOMAIN, report, variant);
        expect(fast.signer, variant).to.equal(recoverWorkReportSigner(DOMAIN, report, variant));
      }
      expect(reportSigner(DOMAIN, report, signature).signer).to.equal(lower(w));
      const other = { ...report, title: report.title + "!" };
      expect(reportSigner(DOMAIN, other, signature).signer).to.equal(recoverWorkReportSigner(DOMAIN, other, signature));
      expect(reportSigner(DOMAIN, other, signature).signer).not.to.equal(lower(w));
    }
  });

  it("recovers the protocol's signer of ballots, for every variant of a signature", async function () {
    for (let i = 0; i < 12; i++) {
      const w = wallet(400 + i);
      const ballot: Ballot = {
        voter: i % 2 ? w.address : lower(w),
        epoch: 2,
        castAt: 1_800_000_000 + i,
        votes: sortBallotVotes(
          Array.from({ length: 1 + i }, (_, j) => ({ workId: `w-${(j * 7) % 13}-${j}`, points: String(j * 11) })),
        ),
      };
      const { signature } = await signBallot(w, ballot);
      for (const variant of variants(signature)) {
        expect(ballotSigner(DOMAIN, ballot, variant).signer, variant).to.equal(
          recoverBallotSigner(DOMAIN, ballot, variant),
        );
      }
      expect(ballotSigner(DOMAIN, ballot, signature).signer).to.equal(lower(w));
    }
  });

  it("recovers nothing from a digest that is not 32 bytes", function () {
    expect(recoverDigestSigner("0x1234", "0x" + "11".repeat(32) + "22".repeat(32) + "1b")).to.equal(undefined);
  });

  it("computes the protocol's EIP-712 digests", function () {
    let seed = 7;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    const alphabet = ["a", "Z", "0", " ", ",", '"', "é", "✓", "😀", "\n", "-", "ß"];
    const text = (max: number) => Array.from({ length: rand(max + 1) }, () => alphabet[rand(alphabet.length)]).join("");
    const domains = [
      DOMAIN,
      typedDataDomain(1n, "0x" + "ab".repeat(20)),
      typedDataDomain(2n ** 64n, "0x" + "01".repeat(20)),
    ];
    for (let i = 0; i < 300; i++) {
      const domain = domains[i % domains.length]!;
      const report: WorkReport = {
        epoch: rand(2 ** 31),
        workId: text(20),
        contributor: i % 2 ? `team:${text(10)}` : "0x" + "c".repeat(40),
        category: text(5),
        title: text(60),
        pov: Array.from({ length: rand(4) }, () => `https://x/${text(8)}`),
        submittedAt: rand(2 ** 31) * 500,
      };
      expect(fastWorkReportDigest(domain, report)).to.equal(workReportDigest(domain, report));
      const ballot: Ballot = {
        voter: i % 3 ? "0x5FbDB2315678afecb367f032d93F642f64180aa3" : "0x" + "d".repeat(40),
        epoch: rand(100),
        castAt: rand(2 ** 31),
        votes: Array.from({ length: rand(5) }, (_, j) => ({
          workId: `${text(6)}${j}`,
          points: [String(rand(1000)), BigInt(rand(1000)), rand(1000), "18446744073709551615"][j % 4]!,
        })),
      };
      expect(fastBallotDigest(domain, ballot)).to.equal(ballotDigest(domain, ballot));
    }
  });

  it("refuses what the protocol's encoder refuses", function () {
    const ballot: Ballot = {
      voter: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
      epoch: 1,
      castAt: 2,
      votes: [{ workId: "w", points: "1" }],
    };
    const bad: Ballot[] = [
      { ...ballot, votes: [{ workId: "w", points: "18446744073709551616" }] },
      { ...ballot, votes: [{ workId: "w", points: -1 }] },
      { ...ballot, voter: "0x5fbDB2315678afecb367f032d93F642f64180aa3" },
      { ...ballot, voter: "0x1234" },
      { ...ballot, castAt: undefined as unknown as number },
    ];
    for (const b of bad) {
      expect(() => ballotDigest(DOMAIN, b), JSON.stringify(b)).to.throw();
      expect(() => fastBallotDigest(DOMAIN, b), JSON.stringify(b)).to.throw();
    }
  });
});
