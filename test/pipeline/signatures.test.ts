/**
 * rules.signatures (docs/rules.md §1): signed work reports and ballots, checked by the pipeline and again by
 * `verify`; the fast digests and recovery (scripts/lib/signatures.ts) against the protocol's own functions.
 */
import { expect } from "chai";
import fc from "fast-check";
import { parse } from "csv-parse/sync";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { id, SigningKey, Wallet } from "ethers";
import {
  BALLOT_TYPES,
  ballotDigest,
  isoSeconds,
  recoverBallotSigner,
  recoverWorkReportSigner,
  sortBallotVotes,
  typedDataDomain,
  WORK_REPORT_TYPES,
  workReportDigest,
  type Ballot,
  type TypedDataDomain,
  type WorkReport,
} from "../../protocol/typed-data.js";
import {
  allocateEpoch,
  computeEpoch,
  renderArtifacts,
  verifyArtifacts,
  writeArtifacts,
  InputError,
  type EpochResult,
  type EpochSources,
} from "../../scripts/lib/index.js";
import {
  fastBallotDigest,
  fastRecoverBallotSigner,
  fastRecoverWorkReportSigner,
  fastWorkReportDigest,
  signatureStats,
} from "../../scripts/lib/signatures.js";
import { cleanup, csv, src, tempDir } from "./helpers.js";

const POOL = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
const OTHER_POOL = "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512";
const CHAIN = 31337;
const EPOCH = 1;
const DOMAIN = typedDataDomain(CHAIN, POOL);

const wallet = (name: string) => new Wallet(id(`signatures test ${name}`));
const A = wallet("A");
const B = wallet("B");
const C = wallet("C");
const D = wallet("D");
const E = wallet("E");
const M1 = wallet("member 1");
const M2 = wallet("member 2");
const STRANGER = wallet("stranger");

/** Unix seconds in the test window. */
const T = Date.parse("2025-01-10T00:00:00Z") / 1000;
const SUBMITTED = Date.parse("2025-01-02T00:00:00Z") / 1000;

const WORKS_HEADER = "work_id,contributor,category,title,pov_url,submitted_at,signature";
const VOTES_HEADER = "work_id,voter,points,cast_at,signature";

interface WorkSpec {
  workId: string;
  /** A wallet, or `team:<name>`. */
  contributor: Wallet | string;
  title?: string;
  pov?: string[];
  /** Who signs (default the contributor; a team's first member); null: unsigned. */
  signer?: Wallet | null;
  /** A signature written verbatim instead. */
  signature?: string;
  domain?: TypedDataDomain;
  epoch?: number;
}

interface BallotSpec {
  voter: Wallet;
  castAt?: number;
  votes: [workId: string, points: number | bigint][];
  /** Who signs (default the voter); null: unsigned. */
  signer?: Wallet | null;
  signature?: string;
  domain?: TypedDataDomain;
  epoch?: number;
}

const TEAM = { name: "crew", members: [M1, M2] };

function report(w: WorkSpec): WorkReport {
  return {
    epoch: w.epoch ?? EPOCH,
    workId: w.workId,
    contributor: typeof w.contributor === "string" ? w.contributor : w.contributor.address.toLowerCase(),
    category: "article",
    title: w.title ?? `title of ${w.workId}`,
    pov: w.pov ?? [`https://example.org/${w.workId}`],
    submittedAt: SUBMITTED,
  };
}

function ballot(b: BallotSpec): Ballot {
  return {
    voter: b.voter.address,
    epoch: b.epoch ?? EPOCH,
    castAt: b.castAt ?? T,
    votes: sortBallotVotes(b.votes.map(([workId, points]) => ({ workId, points }))),
  };
}

async function workRow(w: WorkSpec): Promise<string[]> {
  const r = report(w);
  const signer = w.signer === undefined ? (typeof w.contributor === "string" ? M1 : w.contributor) : w.signer;
  const signature = w.signature ?? (signer ? await signer.signTypedData(w.domain ?? DOMAIN, WORK_REPORT_TYPES, r) : "");
  return [w.workId, r.contributor, r.category, r.title, r.pov.join(" "), isoSeconds(r.submittedAt), signature];
}

async function ballotRows(b: BallotSpec): Promise<string[][]> {
  const signed = ballot(b);
  const signer = b.signer === undefined ? b.voter : b.signer;
  const signature = b.signature ?? (signer ? await signer.signTypedData(b.domain ?? DOMAIN, BALLOT_TYPES, signed) : "");
  // Written in the order given, not the signed one: the pipeline sorts them.
  return b.votes.map(([workId, points]) => [
    workId,
    b.voter.address,
    String(points),
    isoSeconds(signed.castAt),
    signature,
  ]);
}

interface SignedEpoch {
  works: string[][];
  votes: string[][];
  signatures?: "ignored" | "required";
  chainId?: number;
  distributor?: string;
}

function sourcesOf(e: SignedEpoch): EpochSources {
  const rules = e.signatures === undefined ? {} : { signatures: e.signatures };
  return {
    works: src("works.csv", csv(WORKS_HEADER, e.works)),
    votes: src("votes.csv", csv(VOTES_HEADER, e.votes)),
    teams: src(
      "teams.csv",
      csv("team,member,share_bps", [
        [TEAM.name, M1.address, 6000],
        [TEAM.name, M2.address, 4000],
      ]),
    ),
    config: src(
      "epoch.json",
      JSON.stringify({
        epoch: EPOCH,
        pool: "1000000",
        chainId: e.chainId ?? CHAIN,
        distributor: e.distributor ?? POOL,
        start: "2025-01-01T00:00:00Z",
        end: "2025-01-31T23:59:59Z",
        rules,
      }),
    ),
  };
}

const run = (e: SignedEpoch) => computeEpoch(sourcesOf(e));

/** The honest epoch: three works (one a team's), four voters, ballots of one to three votes. */
async function honest(): Promise<{ works: string[][]; votes: string[][] }> {
  const works = await Promise.all([
    workRow({ workId: "w1", contributor: A }),
    workRow({ workId: "w2", contributor: B, pov: [], title: "Übersicht — 概要" }),
    workRow({ workId: "w3", contributor: `team:${TEAM.name}`, signer: M2, pov: ["https://a", "https://b"] }),
  ]);
  const votes = (
    await Promise.all([
      ballotRows({
        voter: C,
        votes: [
          ["w2", 7],
          ["w1", 5],
          ["w3", 4],
        ],
      }),
      ballotRows({ voter: D, votes: [["w1", 3]] }),
      ballotRows({
        voter: E,
        votes: [
          ["w3", 9],
          ["w2", 1],
        ],
      }),
      ballotRows({ voter: A, votes: [["w2", 2]] }),
    ])
  ).flat();
  return { works, votes };
}

/** Rejections by row of votes.csv: code. */
function codes(result: EpochResult): Record<string, string> {
  const out: Record<string, string> = {};
  for (const r of result.rejections) out[`${r.file}:${r.row}`] = r.code;
  return out;
}

const points = (result: EpochResult) => Object.fromEntries(result.works.map((w) => [w.workId, w.points]));

function fileText(result: EpochResult, path: string): string {
  const file = renderArtifacts(result).find((f) => f.path === path)!;
  return Buffer.concat([...file.render()].map((p) => Buffer.from(p))).toString("utf8");
}

/** Every row of every file is accepted or excluded, and excluded.csv lists every excluded one. */
function expectAccounted(result: EpochResult): void {
  for (const c of result.counts) expect(c.accepted + c.excluded, c.file).to.equal(c.read);
  const rows = parse(fileText(result, "excluded.csv"), { columns: true }) as Record<string, string>[];
  expect(rows.length).to.equal(result.counts.reduce((s, c) => s + c.excluded, 0));
  expect(result.rejections.length).to.equal(rows.length);
}

describe("signatures: rules.signatures", function () {
  this.timeout(120_000);

  describe("the fast digests and signers equal the protocol's", () => {
    const text = fc.oneof(fc.string({ unit: "grapheme", maxLength: 12 }), fc.string({ maxLength: 12 }));
    const workId = text.filter((s) => s.length > 0);
    const uint64 = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n });
    const domain = fc
      .record({
        chainId: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
        pool: fc.uint8Array({ minLength: 20, maxLength: 20 }),
      })
      .map(({ chainId, pool }) => typedDataDomain(chainId, "0x" + Buffer.from(pool).toString("hex")));
    const ballotArb = fc
      .record({
        voter: fc.uint8Array({ minLength: 20, maxLength: 20 }),
        epoch: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
        castAt: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
        votes: fc.uniqueArray(fc.record({ workId, points: fc.oneof(uint64, fc.integer({ min: 0, max: 100 })) }), {
          selector: (v) => v.workId,
          maxLength: 6,
        }),
      })
      .map((b): Ballot => ({
        voter: typedDataDomain(0, "0x" + Buffer.from(b.voter).toString("hex")).verifyingContract,
        epoch: b.epoch,
        castAt: b.castAt,
        votes: sortBallotVotes(b.votes),
      }));
    const reportArb = fc.record({
      epoch: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
      workId,
      contributor: fc.oneof(
        fc.constant(A.address.toLowerCase()),
        text.map((t) => `team:${t}`),
      ),
      category: text,
      title: fc.string({ unit: "grapheme", maxLength: 40 }),
      pov: fc.array(text, { maxLength: 3 }),
      submittedAt: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
    });
    /** Any 65 bytes with v 27 or 28 (mostly not a signature of anything here), or a real one tampered. */
    const wrongSignature = fc
      .record({ rs: fc.uint8Array({ minLength: 64, maxLength: 64 }), v: fc.constantFrom(27, 28) })
      .map(({ rs, v }) => "0x" + Buffer.from(rs).toString("hex") + v.toString(16));

    it("ballot digests, for random ballots (unicode work ids, large points, empty ballots)", () => {
      fc.assert(
        fc.property(domain, ballotArb, (d, b) => {
          expect(fastBallotDigest(d, b)).to.equal(ballotDigest(d, b));
        }),
        { numRuns: 300 },
      );
    });

    it("report digests, for random reports (unicode titles, empty pov arrays)", () => {
      fc.assert(
        fc.property(domain, reportArb, (d, r) => {
          expect(fastWorkReportDigest(d, r)).to.equal(workReportDigest(d, r));
        }),
        { numRuns: 300 },
      );
    });

    it("signers, for real signatures and wrong ones", async () => {
      const key = new SigningKey(id("property signer"));
      await fc.assert(
        fc.asyncProperty(domain, ballotArb, reportArb, wrongSignature, fc.boolean(), async (d, b, r, wrong, real) => {
          const ballotSig = real ? key.sign(ballotDigest(d, b)).serialized : wrong;
          const reportSig = real ? key.sign(workReportDigest(d, r)).serialized : wrong;
          expect(fastRecoverBallotSigner(d, b, ballotSig)).to.equal(recoverBallotSigner(d, b, ballotSig));
          expect(fastRecoverWorkReportSigner(d, r, reportSig)).to.equal(recoverWorkReportSigner(d, r, reportSig));
          // A signature of another message recovers someone else.
          const other = key.sign(ballotDigest(d, { ...b, castAt: b.castAt === 0 ? 1 : b.castAt - 1 })).serialized;
          expect(fastRecoverBallotSigner(d, b, other)).to.equal(recoverBallotSigner(d, b, other));
        }),
        { numRuns: 60 },
      );
    });
  });

  describe("allocate", () => {
    let base: { works: string[][]; votes: string[][] };
    before(async () => {
      base = await honest();
    });

    it('"ignored" (the default) changes nothing: the signature columns are read and not checked', () => {
      const unsignedWorks = base.works.map((w) => [...w.slice(0, 6), ""]);
      const plain = run({ works: unsignedWorks, votes: base.votes.map((v) => [...v.slice(0, 4), ""]) });
      const defaulted = run({ ...base });
      const ignored = run({ ...base, signatures: "ignored" });
      expect(defaulted.root).to.equal(plain.root);
      expect(ignored.root).to.equal(plain.root);
      expect(ignored.inputsHash).to.equal(defaulted.inputsHash);
      expect(fileText(ignored, "inputs/epoch.json")).to.equal(fileText(defaulted, "inputs/epoch.json"));
      expect(fileText(defaulted, "inputs/epoch.json")).not.to.contain("signatures");
      expect(fileText(defaulted, "manifest.json")).not.to.contain("signatures");
      // Every artifact, byte for byte.
      const bytes = (result: EpochResult) =>
        renderArtifacts(result).map((f) => [f.path, fileText(result, f.path)] as const);
      expect(bytes(ignored)).to.deep.equal(bytes(defaulted));
      expect(ignored.rejections).to.deep.equal([]);
    });

    it('"required": valid ballots and reports count exactly as the same votes unsigned under "ignored"', () => {
      const required = run({ ...base, signatures: "required" });
      const ignored = run({ ...base });
      expect(required.rejections).to.deep.equal([]);
      expect(required.root).to.equal(ignored.root);
      expect(points(required)).to.deep.equal({ w1: 8n, w2: 10n, w3: 13n });
      expect(fileText(required, "inputs/epoch.json")).to.contain('"signatures": "required"');
      // The same works as JSON: the same signatures hold.
      const keys = WORKS_HEADER.split(",");
      const json = JSON.stringify(base.works.map((w) => Object.fromEntries(keys.map((k, c) => [k, w[c]]))));
      const fromJson = computeEpoch({
        ...sourcesOf({ ...base, signatures: "required" }),
        works: src("works.json", json),
      });
      expect(fromJson.rejections).to.deep.equal([]);
      expect(fromJson.root).to.equal(required.root);
      expect(required.inputsHash).not.to.equal(ignored.inputsHash);
      expectAccounted(required);
    });

    it("a vote without a signature, or with a malformed one, is excluded with its reason", async () => {
      const good = await ballotRows({ voter: D, votes: [["w1", 3]] });
      const sig = good[0]![4]!;
      const highS = (() => {
        const s = BigInt("0x" + sig.slice(66, 130));
        const n = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
        const v = parseInt(sig.slice(130), 16) === 27 ? 28 : 27;
        return sig.slice(0, 66) + (n - s).toString(16).padStart(64, "0") + v.toString(16);
      })();
      const votes = [
        ["w1", C.address, "3", isoSeconds(T), ""],
        ["w1", D.address, "3", isoSeconds(T), sig.slice(0, 100)],
        ["w1", E.address, "3", isoSeconds(T), sig.slice(0, 130) + "1d"],
        ["w1", D.address, "3", isoSeconds(T), highS],
        ...good,
      ];
      const result = run({ works: base.works, votes, signatures: "required" });
      expect(codes(result)).to.deep.equal({
        "votes.csv:1": "unsigned",
        "votes.csv:2": "bad-signature",
        "votes.csv:3": "bad-signature",
        "votes.csv:4": "bad-signature",
      });
      const reasons = result.rejections.map((r) => r.reason);
      expect(reasons[0]).to.contain("no signature");
      expect(reasons[1]).to.contain("65 bytes");
      expect(reasons[2]).to.contain("v must be 27 or 28");
      expect(reasons[3]).to.contain("lower half");
      expect(points(result).w1).to.equal(3n);
      expectAccounted(result);
    });

    it("a ballot signed by someone else, or tampered with, is excluded whole; the others stand", async () => {
      const c = await ballotRows({
        voter: C,
        votes: [
          ["w2", 7],
          ["w1", 5],
          ["w3", 4],
        ],
      });
      const d = await ballotRows({ voter: D, votes: [["w1", 3]] });
      const e = await ballotRows({
        voter: E,
        votes: [
          ["w3", 9],
          ["w2", 1],
        ],
      });
      const forged = await ballotRows({ voter: A, votes: [["w2", 2]], signer: STRANGER });
      const honestResult = run({ works: base.works, votes: [...c, ...d, ...e], signatures: "required" });
      const cases: [string, string[][], number[]][] = [
        // points changed: the ballot no longer recovers to its voter
        [
          "points changed",
          [...c.map((r, k) => (k === 1 ? [r[0]!, r[1]!, "50", r[3]!, r[4]!] : r)), ...d, ...e],
          [1, 2, 3],
        ],
        // a row added with the ballot's signature
        ["row added", [...c, ["w3", D.address, "9", d[0]![3]!, d[0]![4]!], ...d, ...e], [4, 5]],
        // a row removed from a ballot
        ["row removed", [...c.slice(1), ...d, ...e], [1, 2]],
        // signatures swapped between two voters
        [
          "signatures swapped",
          [...c, [...d[0]!.slice(0, 4), e[0]![4]!], ...e.map((r) => [...r.slice(0, 4), d[0]![4]!])],
          [4, 5, 6],
        ],
        // signed by a stranger
        ["forged", [...c, ...d, ...e, ...forged], [7]],
      ];
      for (const [what, votes, rows] of cases) {
        const result = run({ works: base.works, votes, signatures: "required" });
        const expected = Object.fromEntries(rows.map((r) => [`votes.csv:${r}`, "bad-signature"]));
        expect(codes(result), what).to.deep.equal(expected);
        expectAccounted(result);
        // The untouched ballots count as before.
        const touched = new Set(rows.map((r) => votes[r - 1]![1]));
        for (const w of ["w1", "w2", "w3"]) {
          const untouched = votes.filter((v) => v[0] === w && !touched.has(v[1]!));
          const sum = untouched.reduce((s, v) => s + BigInt(v[2]!), 0n);
          expect(points(result)[w], `${what}: ${w}`).to.equal(sum);
        }
        if (what === "forged") expect(result.root, what).to.equal(honestResult.root);
        else expect(result.root, what).not.to.equal(honestResult.root);
      }
      const forgedResult = run({ works: base.works, votes: [...c, ...d, ...e, ...forged], signatures: "required" });
      expect(forgedResult.rejections[0]!.reason).to.contain(`signed by ${STRANGER.address.toLowerCase()}`);
      expect(forgedResult.root).to.equal(honestResult.root);
    });

    it("a signature replayed from another epoch, chain or pool is refused", async () => {
      const replays = [
        await ballotRows({ voter: C, votes: [["w1", 5]], epoch: EPOCH + 1 }),
        await ballotRows({ voter: D, votes: [["w1", 5]], domain: typedDataDomain(1, POOL) }),
        await ballotRows({ voter: E, votes: [["w1", 5]], domain: typedDataDomain(CHAIN, OTHER_POOL) }),
      ].flat();
      const keep = await ballotRows({ voter: B, votes: [["w1", 1]] });
      const result = run({ works: base.works, votes: [...replays, ...keep], signatures: "required" });
      expect(Object.values(codes(result))).to.deep.equal(["bad-signature", "bad-signature", "bad-signature"]);
      // The same files under another chain id or pool: every signature is refused.
      // (Only a work and a ballot signed for the other domain count.)
      for (const other of [{ chainId: 1 }, { distributor: OTHER_POOL }]) {
        const domain = typedDataDomain(other.chainId ?? CHAIN, other.distributor ?? POOL);
        const works = [...base.works, await workRow({ workId: "w9", contributor: A, domain })];
        const votes = [...base.votes, ...(await ballotRows({ voter: B, votes: [["w9", 1]], domain }))];
        const moved = run({ works, votes, signatures: "required", ...other });
        expect(moved.counts[0]).to.include({ read: 4, accepted: 1, excluded: 3 });
        expect(moved.counts[1]).to.include({ read: votes.length, accepted: 1, excluded: votes.length - 1 });
        const byFile = (file: string) => new Set(moved.rejections.filter((r) => r.file === file).map((r) => r.code));
        expect(byFile("works.csv")).to.deep.equal(new Set(["work-bad-signature"]));
        expect(byFile("votes.csv")).to.deep.equal(new Set(["bad-signature"]));
      }
    });

    it("a ballot that names a work twice or mixes cast_at is excluded whole", async () => {
      const twice = await ballotRows({ voter: C, votes: [["w1", 5]] });
      const repeated = [...twice, [...twice[0]!.slice(0, 2), "6", ...twice[0]!.slice(3)]];
      const keep = await ballotRows({ voter: B, votes: [["w1", 1]] });
      const result = run({ works: base.works, votes: [...repeated, ...keep], signatures: "required" });
      expect(codes(result)).to.deep.equal({
        "votes.csv:1": "ballot-repeats-work",
        "votes.csv:2": "ballot-repeats-work",
      });
      const mixed = await ballotRows({
        voter: C,
        votes: [
          ["w1", 5],
          ["w2", 1],
        ],
      });
      mixed[1]![3] = isoSeconds(T + 60);
      const mixedResult = run({ works: base.works, votes: [...mixed, ...keep], signatures: "required" });
      expect(codes(mixedResult)).to.deep.equal({
        "votes.csv:1": "ballot-mixed-cast-at",
        "votes.csv:2": "ballot-mixed-cast-at",
      });
    });

    it("a newer ballot replaces the voter's whole ballot; the older one's rows are superseded", async () => {
      const older = await ballotRows({
        voter: C,
        castAt: T,
        votes: [
          ["w1", 5],
          ["w2", 7],
        ],
      });
      const newer = await ballotRows({ voter: C, castAt: T + 3600, votes: [["w3", 2]] });
      const result = run({ works: base.works, votes: [...newer, ...older], signatures: "required" });
      expect(codes(result)).to.deep.equal({ "votes.csv:2": "superseded-ballot", "votes.csv:3": "superseded-ballot" });
      expect(result.rejections[0]!.reason).to.contain(`replaced by the ballot cast at ${isoSeconds(T + 3600)}`);
      expect(points(result)).to.deep.equal({ w1: 0n, w2: 0n, w3: 2n });
      // A badly signed newer ballot replaces nothing.
      const forgedNewer = await ballotRows({ voter: C, castAt: T + 7200, votes: [["w3", 9]], signer: STRANGER });
      const kept = run({ works: base.works, votes: [...older, ...forgedNewer], signatures: "required" });
      expect(codes(kept)).to.deep.equal({ "votes.csv:3": "bad-signature" });
      expect(points(kept)).to.deep.equal({ w1: 5n, w2: 7n, w3: 0n });
    });

    it("a valid ballot's bad votes are excluded alone: a self-vote, a vote for an unknown work", async () => {
      const votes = await ballotRows({
        voter: A,
        votes: [
          ["w1", 5],
          ["w2", 7],
          ["gone", 3],
        ],
      });
      const result = run({ works: base.works, votes, signatures: "required" });
      expect(codes(result)).to.deep.equal({ "votes.csv:1": "self-vote", "votes.csv:3": "unknown-work" });
      expect(points(result)).to.deep.equal({ w1: 0n, w2: 7n, w3: 0n });
      expectAccounted(result);
      // Under "ignored", a vote for an unknown work is still a hard error.
      expect(() => run({ works: base.works, votes })).to.throw(InputError, /unknown work "gone"/);
    });

    it("an unsigned or badly signed work is excluded with its votes; a team's work is signed by a member", async () => {
      const works = await Promise.all([
        workRow({ workId: "w1", contributor: A, signer: null }),
        workRow({ workId: "w2", contributor: B, signer: STRANGER }),
        workRow({ workId: "w3", contributor: `team:${TEAM.name}`, signer: M1 }),
        workRow({ workId: "w4", contributor: `team:${TEAM.name}`, signer: A }),
        workRow({ workId: "w5", contributor: C, epoch: EPOCH + 1 }),
      ]);
      const votes = await ballotRows({
        voter: D,
        votes: [
          ["w1", 1],
          ["w2", 2],
          ["w3", 3],
          ["w4", 4],
          ["w5", 5],
        ],
      });
      const result = run({ works, votes, signatures: "required" });
      expect(codes(result)).to.deep.equal({
        "works.csv:1": "work-unsigned",
        "works.csv:2": "work-bad-signature",
        "works.csv:4": "work-bad-signature",
        "works.csv:5": "work-bad-signature",
        "votes.csv:1": "work-unsigned",
        "votes.csv:2": "work-bad-signature",
        "votes.csv:4": "work-bad-signature",
        "votes.csv:5": "work-bad-signature",
      });
      expect(points(result)).to.deep.equal({ w1: 0n, w2: 0n, w3: 3n, w4: 0n, w5: 0n });
      expect(result.counts[0]).to.include({ read: 5, accepted: 1, excluded: 4 });
      const byRow = Object.fromEntries(result.rejections.map((r) => [`${r.file}:${r.row}`, r.reason]));
      expect(byRow["works.csv:2"]).to.contain(`signed by ${STRANGER.address.toLowerCase()}, not the contributor`);
      expect(byRow["works.csv:4"]).to.contain(`not a member of team "crew"`);
      expectAccounted(result);
      const excludedCsv = fileText(result, "excluded.csv").split("\n");
      expect(excludedCsv[1]).to.match(/^works\.csv,1,2,signature,work-unsigned,w1,,no signature$/);
      const report = fileText(result, "report.md");
      expect(report).to.contain("| works.csv | 5 | 1 | 4 |");
      expect(report).to.contain("`work-bad-signature` | 6 |");
    });

    it("many ballots: the helper threads give what this thread alone gives", async () => {
      const keys = Array.from({ length: 40 }, (_, k) => new SigningKey(id(`voter ${k}`)));
      const voters = keys.map((k) => new Wallet(k));
      const votes: string[][] = [];
      for (let k = 0; k < 700; k++) {
        const voter = voters[k % voters.length]!;
        const b = ballot({ voter, castAt: T + k, votes: [[`w${1 + (k % 3)}`, k % 11]] });
        const signer = k % 7 === 0 ? keys[(k + 1) % keys.length]! : keys[k % keys.length]!;
        votes.push([
          b.votes[0]!.workId,
          voter.address,
          String(b.votes[0]!.points),
          isoSeconds(b.castAt),
          signer.sign(ballotDigest(DOMAIN, b)).serialized,
        ]);
      }
      const saved = process.env.SOCIAL_MINING_THREADS;
      try {
        process.env.SOCIAL_MINING_THREADS = "1";
        const one = run({ works: base.works, votes, signatures: "required" });
        expect(signatureStats.threads).to.equal(1);
        process.env.SOCIAL_MINING_THREADS = "4";
        const four = run({ works: base.works, votes, signatures: "required" });
        expect(signatureStats.threads).to.equal(4);
        expect(four.root).to.equal(one.root);
        expect(four.rejections).to.deep.equal(one.rejections);
        const tally: Record<string, number> = {};
        for (const r of one.rejections) tally[r.code] = (tally[r.code] ?? 0) + 1;
        // Each voter's newest valid ballot counts; a seventh are signed by the wrong key.
        expect(tally["bad-signature"]).to.equal(100);
        expect(one.counts[1]!.accepted).to.equal(40);
        expect(tally["superseded-ballot"]).to.equal(700 - 100 - 40);
      } finally {
        if (saved === undefined) delete process.env.SOCIAL_MINING_THREADS;
        else process.env.SOCIAL_MINING_THREADS = saved;
      }
    });
  });

  describe("verify re-checks the signatures", () => {
    let dir: string;
    before(() => {
      dir = tempDir();
    });
    after(() => cleanup(dir));

    it("an epoch built from tampered inputs does not verify against the honest root", async () => {
      const base = await honest();
      const honestResult = run({ ...base, signatures: "required" });
      // Read from files (allocate's way) as from memory.
      const files = sourcesOf({ ...base, signatures: "required" });
      mkdirSync(join(dir, "in"));
      for (const source of [files.works, files.votes, files.teams!, files.config]) {
        writeFileSync(join(dir, "in", source.name), (source as { bytes: Uint8Array }).bytes);
      }
      const fromFiles = allocateEpoch({
        works: join(dir, "in", "works.csv"),
        votes: join(dir, "in", "votes.csv"),
        teams: join(dir, "in", "teams.csv"),
        config: join(dir, "in", "epoch.json"),
      });
      expect(fromFiles.root).to.equal(honestResult.root);
      expect(fromFiles.rejections).to.deep.equal([]);
      writeArtifacts(join(dir, "honest"), honestResult);
      expect(verifyArtifacts(join(dir, "honest"), { root: honestResult.root }).ok).to.equal(true);

      // D's ballot gets a point more: the pipeline excludes it, so the tampered epoch is another epoch.
      const tampered = base.votes.map((v) => (v[1] === D.address ? [v[0]!, v[1]!, "4", v[3]!, v[4]!] : v));
      const tamperedResult = run({ works: base.works, votes: tampered, signatures: "required" });
      expect(Object.values(codes(tamperedResult))).to.deep.equal(["bad-signature"]);
      writeArtifacts(join(dir, "tampered"), tamperedResult);
      const v = verifyArtifacts(join(dir, "tampered"), { root: honestResult.root });
      expect(v.ok).to.equal(false);
      expect(v.differences.map((d) => d.reason).join("\n")).to.contain(`≠ expected ${honestResult.root}`);

      // The honest artifacts with the copied votes tampered (and nothing else): verify recomputes and differs.
      const copy = join(dir, "honest", "inputs", "votes.csv");
      const text = readFileSync(copy, "utf8");
      writeFileSync(copy, text.replace(`,${D.address},3,`, `,${D.address},4,`));
      const again = verifyArtifacts(join(dir, "honest"), { root: honestResult.root });
      expect(again.ok).to.equal(false);
    });
  });
});
