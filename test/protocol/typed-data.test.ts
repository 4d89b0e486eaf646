// The typed data members sign, and the collector's bodies: what the server, the app and the pipeline share.
import { expect } from "chai";
import fc from "fast-check";
import { Signature, Wallet, TypedDataEncoder } from "ethers";
import {
  BALLOT_TYPES,
  BallotBody,
  WORK_REPORT_TYPES,
  WorkReportBody,
  ballotDigest,
  compareWorkIds,
  isoSeconds,
  povLinks,
  POV_SEPARATOR,
  recoverBallotSigner,
  recoverWorkReportSigner,
  signatureProblem,
  sortBallotVotes,
  typedDataDomain,
  workReportDigest,
  type Ballot,
  type WorkReport,
} from "../../protocol/index.js";

const POOL = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
const OTHER_POOL = "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512";
const member = new Wallet("0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d");
const domain = typedDataDomain(31337, POOL);
const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

const ballot: Ballot = {
  voter: member.address,
  epoch: 3,
  castAt: 1_740_000_000,
  votes: sortBallotVotes([
    { workId: "e3-w002", points: "5" },
    { workId: "e3-w001", points: "8" },
  ]),
};
const report: WorkReport = {
  epoch: 3,
  workId: "e3-w001",
  contributor: member.address.toLowerCase(),
  category: "article",
  title: "Reputation decay explained",
  pov: ["https://mirror.xyz/member/decay", "https://x.com/member/status/1"],
  submittedAt: 1_740_000_000,
};

describe("protocol: typed data", function () {
  it("recovers the signer of a ballot and of a report", async function () {
    const signed = await member.signTypedData(domain, BALLOT_TYPES, ballot);
    expect(recoverBallotSigner(domain, ballot, signed)).to.equal(member.address.toLowerCase());
    const reported = await member.signTypedData(domain, WORK_REPORT_TYPES, report);
    expect(recoverWorkReportSigner(domain, report, reported)).to.equal(member.address.toLowerCase());
  });

  it("binds a signature to its chain, its pool, its epoch and every field", async function () {
    const signed = await member.signTypedData(domain, BALLOT_TYPES, ballot);
    const me = member.address.toLowerCase();
    expect(recoverBallotSigner(typedDataDomain(1, POOL), ballot, signed)).to.not.equal(me);
    expect(recoverBallotSigner(typedDataDomain(31337, OTHER_POOL), ballot, signed)).to.not.equal(me);
    expect(recoverBallotSigner(domain, { ...ballot, epoch: 4 }, signed)).to.not.equal(me);
    expect(recoverBallotSigner(domain, { ...ballot, castAt: ballot.castAt + 1 }, signed)).to.not.equal(me);
    const changed = ballot.votes.map((v, i) => (i === 1 ? { ...v, points: "6" } : v));
    expect(recoverBallotSigner(domain, { ...ballot, votes: changed }, signed)).to.not.equal(me);
    expect(recoverBallotSigner(domain, { ...ballot, votes: ballot.votes.slice(1) }, signed)).to.not.equal(me);
    const reported = await member.signTypedData(domain, WORK_REPORT_TYPES, report);
    expect(recoverWorkReportSigner(domain, { ...report, pov: report.pov.slice(0, 1) }, reported)).to.not.equal(me);
    expect(recoverWorkReportSigner(domain, { ...report, title: report.title + " " }, reported)).to.not.equal(me);
  });

  it("refuses the malleable twin of a signature, and malformed bytes, before recovering", async function () {
    const signed = Signature.from(await member.signTypedData(domain, BALLOT_TYPES, ballot));
    expect(signatureProblem(signed.serialized)).to.equal(undefined);
    const highS = "0x" + (N - BigInt(signed.s)).toString(16).padStart(64, "0");
    const twin = signed.r + highS.slice(2) + (signed.v === 27 ? "1c" : "1b");
    expect(signatureProblem(twin)).to.match(/lower half/);
    expect(recoverBallotSigner(domain, ballot, twin)).to.equal(undefined);
    expect(signatureProblem(signed.serialized.slice(0, -2) + "01")).to.match(/v must be 27 or 28/);
    expect(signatureProblem(signed.serialized.slice(0, -2))).to.match(/65 bytes/);
    expect(signatureProblem("0x" + "00".repeat(32) + signed.s.slice(2) + "1b")).to.match(/r is zero/);
  });

  it("orders a ballot's votes by the UTF-8 bytes of their work ids and refuses a work named twice", function () {
    // UTF-16 code units put U+FF61 after U+1F600's surrogates; UTF-8 bytes put it before.
    expect(compareWorkIds("\uff61", "😀")).to.be.lessThan(0);
    expect("\uff61" < "😀").to.equal(false);
    expect(() =>
      sortBallotVotes([
        { workId: "a", points: 1 },
        { workId: "a", points: 2 },
      ]),
    ).to.throw(/twice/);
    fc.assert(
      fc.property(fc.uniqueArray(fc.string({ unit: "grapheme", minLength: 1 }), { maxLength: 12 }), (ids) => {
        const sorted = sortBallotVotes(ids.map((workId) => ({ workId, points: 1 }))).map((v) => v.workId);
        const bytes = (s: string) => Buffer.from(s, "utf8");
        const expected = [...ids].sort((a, b) => Buffer.compare(bytes(a), bytes(b)));
        expect(sorted).to.deep.equal(expected);
      }),
    );
  });

  it("computes the digests a wallet signs with ethers' EIP-712 encoder", function () {
    expect(ballotDigest(domain, ballot)).to.equal(TypedDataEncoder.hash(domain, BALLOT_TYPES, ballot));
    expect(workReportDigest(domain, report)).to.equal(TypedDataEncoder.hash(domain, WORK_REPORT_TYPES, report));
    expect(TypedDataEncoder.from(BALLOT_TYPES).encodeType("Ballot")).to.equal(
      "Ballot(address voter,uint64 epoch,uint64 castAt,Vote[] votes)Vote(string workId,uint64 points)",
    );
  });

  it("round-trips proof-of-value links through pov_url and times through the CSV timestamp", function () {
    expect(povLinks(report.pov.join(POV_SEPARATOR))).to.deep.equal(report.pov);
    expect(povLinks("")).to.deep.equal([]);
    expect(isoSeconds(1_740_000_000)).to.equal("2025-02-19T21:20:00Z");
  });
});

describe("protocol: collector bodies", function () {
  it("accepts a well-formed ballot and report and names the field at fault otherwise", async function () {
    const signature = await member.signTypedData(domain, BALLOT_TYPES, ballot);
    const body = {
      ballot: { ...ballot, votes: ballot.votes.map((v) => ({ ...v, points: String(v.points) })) },
      signature,
    };
    expect(BallotBody.safeParse(body).success).to.equal(true);
    const bad = BallotBody.safeParse({ ...body, ballot: { ...body.ballot, votes: [{ workId: "x", points: "-1" }] } });
    expect(bad.success).to.equal(false);
    expect(bad.error!.issues[0]!.path).to.deep.equal(["ballot", "votes", 0, "points"]);
    const extra = BallotBody.safeParse({ ...body, admin: true });
    expect(extra.success).to.equal(false);
    const reportBody = { report, signature };
    expect(WorkReportBody.safeParse(reportBody).success).to.equal(true);
    const spaced = WorkReportBody.safeParse({ report: { ...report, pov: ["https://a.example/x y"] }, signature });
    expect(spaced.success).to.equal(false);
    expect(spaced.error!.issues[0]!.path).to.deep.equal(["report", "pov", 0]);
  });
});
