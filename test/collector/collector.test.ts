/**
 * The collector, end to end over HTTP, against both stores: SQLite in a temp file and a PostgreSQL cluster the
 * test starts itself. Every rule of docs/collector.md is exercised with its status, code and field; the exports
 * are read back by the pipeline and their signatures recovered with the protocol's functions.
 */
import { rmSync } from "node:fs";
import { request } from "node:http";
import { join } from "node:path";
import { expect } from "chai";
import {
  BallotBody,
  CollectorInfo,
  COLLECTOR_ROUTES,
  EpochInfo,
  ErrorAnswer,
  FeedAnswer,
  MAX_BODY_BYTES,
} from "../../protocol/collector-api.js";
import {
  povLinks,
  recoverBallotSigner,
  recoverWorkReportSigner,
  type Ballot,
  type WorkReport,
} from "../../protocol/typed-data.js";
import { computeEpoch, type Source } from "../../scripts/lib/index.js";
import { parseTeams, parseVotes, parseWorks } from "../../scripts/lib/inputs.js";
import pg from "pg";
import { openStore, startCollector, type Collector } from "../../collector/index.js";
import { loadSqlite } from "../../collector/sqlite.js";
import { SCHEMA_VERSION } from "../../collector/store.js";
import { createCollectorServer } from "../../collector/server.js";
import type { Store } from "../../collector/store.js";
import {
  call,
  CHAIN_ID,
  DOMAIN,
  lower,
  POOL,
  postgresDatabase,
  randomToken,
  SEEN,
  signBallot,
  signReport,
  STACK_TRACE,
  tempDir,
  wallet,
  type Reply,
} from "./support.js";

const T0 = 1_800_000_000;
const DAY = 86_400;
const W1 = { epoch: 1, start: T0 - DAY, end: T0 + DAY };

const alice = wallet(1);
const bob = wallet(2);
const carol = wallet(3);
const dave = wallet(4);
const tina = wallet(5); // team "core"
const tom = wallet(6); // team "core"
const outsider = wallet(7);

function report(w: { address: string }, workId: string, extra: Partial<WorkReport> = {}): WorkReport {
  return {
    epoch: 1,
    workId,
    contributor: w.address.toLowerCase(),
    category: "code",
    title: `work ${workId}`,
    pov: [`https://example.org/${workId}`],
    submittedAt: T0 - 100,
    ...extra,
  };
}

function ballot(w: { address: string }, votes: [string, string | number][], extra: Partial<Ballot> = {}): Ballot {
  return {
    voter: w.address,
    epoch: 1,
    castAt: T0,
    votes: votes.map(([workId, points]) => ({ workId, points: String(points) })),
    ...extra,
  };
}

/** Expects a refusal with this status, code and field (undefined: no field), in the ErrorAnswer shape. */
function refused(reply: Reply, status: number, code: string, field?: string): void {
  expect(reply.status, reply.text).to.equal(status);
  const answer = ErrorAnswer.parse(reply.json);
  expect(answer.error.code, reply.text).to.equal(code);
  expect(answer.error.field, reply.text).to.equal(field);
  expect(answer.error.message.length).to.be.greaterThan(10);
}

/** A signature with s replaced by n − s and v flipped: the same signer, the malleable twin. */
function malleable(signature: string): string {
  const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
  const s = BigInt("0x" + signature.slice(66, 130));
  const v = parseInt(signature.slice(130), 16);
  return signature.slice(0, 66) + (N - s).toString(16).padStart(64, "0") + (v === 27 ? "1c" : "1b");
}

/** An address with the case of each letter swapped: a wrong EIP-55 checksum. */
const swapCase = (address: string) =>
  "0x" + [...address.slice(2)].map((c) => (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase())).join("");

const STORES = [
  { kind: "SQLite", database: async (dir: string) => join(dir, "collector.sqlite") },
  { kind: "PostgreSQL", database: async () => postgresDatabase() },
] as const;

for (const { kind, database } of STORES) {
  describe(`collector on ${kind}`, function () {
    this.timeout(30_000);
    let dir: string;
    let db: string;
    let collector: Collector;
    let base: string;
    let clock = T0;
    const token = randomToken();
    /** The collector on this suite's database, on the suite's clock. */
    const start = () =>
      startCollector({ database: db, chainId: CHAIN_ID, pool: POOL, port: 0, adminToken: token, now: () => clock });
    const admin = { authorization: `Bearer ${token}` };
    const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
      call(base, "POST", path, body, headers);
    const get = (path: string) => call(base, "GET", path);

    before(async function () {
      dir = tempDir();
      db = await database(dir);
      collector = await start();
      base = collector.url;
    });

    after(async function () {
      await collector?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it("answers health and info, bound to its chain and pool", async function () {
      expect((await get(COLLECTOR_ROUTES.health)).json).to.deep.equal({ status: "ok" });
      const info = CollectorInfo.parse((await get(COLLECTOR_ROUTES.info)).json);
      expect(info).to.deep.equal({ chainId: "31337", pool: POOL, epochs: [] });
    });

    describe("admin", function () {
      it("refuses an admin route without a token or with a wrong one (401)", async function () {
        const none = await post(COLLECTOR_ROUTES.epochs, W1);
        refused(none, 401, "unauthorized");
        expect(none.headers.get("www-authenticate")).to.match(/^Bearer/);
        refused(await post(COLLECTOR_ROUTES.epochs, W1, { authorization: `Bearer ${token}x` }), 401, "unauthorized");
        refused(await post(COLLECTOR_ROUTES.epochs, W1, { authorization: `Basic ${token}` }), 401, "unauthorized");
        refused(await call(base, "PUT", COLLECTOR_ROUTES.teams(1), { teams: [] }), 401, "unauthorized");
        expect(CollectorInfo.parse((await get(COLLECTOR_ROUTES.info)).json).epochs).to.deep.equal([]);
      });

      it("opens an epoch (201), the same again (200), refuses a different one (409) and a bad window (422)", async function () {
        const opened = await post(COLLECTOR_ROUTES.epochs, W1, admin);
        expect(opened.status).to.equal(201);
        expect(EpochInfo.parse(opened.json)).to.deep.equal({ ...W1, maxPoints: "100", open: true });
        expect((await post(COLLECTOR_ROUTES.epochs, W1, admin)).status).to.equal(200);
        refused(await post(COLLECTOR_ROUTES.epochs, { ...W1, maxPoints: "10" }, admin), 409, "epoch-exists", "epoch");
        refused(
          await post(COLLECTOR_ROUTES.epochs, { epoch: 9, start: T0, end: T0 - 1 }, admin),
          422,
          "bad-window",
          "end",
        );
        refused(await post(COLLECTOR_ROUTES.epochs, { ...W1, epoch: 0 }, admin), 400, "invalid-body", "epoch");
        refused(
          await post(
            COLLECTOR_ROUTES.epochs,
            { epoch: 9, start: T0, end: T0, maxPoints: "18446744073709551616" },
            admin,
          ),
          422,
          "bad-max-points",
          "maxPoints",
        );
        refused(await post(COLLECTOR_ROUTES.epochs, { ...W1, colour: 1 }, admin), 400, "invalid-body", "colour");
        // Epoch 2 opens later; epoch 3 is over.
        expect(
          (
            await post(
              COLLECTOR_ROUTES.epochs,
              { epoch: 2, start: T0 + 2 * DAY, end: T0 + 3 * DAY, maxPoints: "10" },
              admin,
            )
          ).status,
        ).to.equal(201);
        expect(
          (await post(COLLECTOR_ROUTES.epochs, { epoch: 3, start: T0 - 3 * DAY, end: T0 - 2 * DAY }, admin)).status,
        ).to.equal(201);
        const epochs = CollectorInfo.parse((await get(COLLECTOR_ROUTES.info)).json).epochs;
        expect(epochs.map((e) => [e.epoch, e.open])).to.deep.equal([
          [1, true],
          [2, false],
          [3, false],
        ]);
        expect(EpochInfo.parse((await get(COLLECTOR_ROUTES.epoch(2))).json).maxPoints).to.equal("10");
        refused(await get(COLLECTOR_ROUTES.epoch(7)), 404, "unknown-epoch");
        refused(await get(COLLECTOR_ROUTES.epoch(0)), 400, "invalid-path", "epoch");
      });

      it("sets teams: shares sum to 10000, members unique, names clean (422 bad-teams)", async function () {
        const put = (teams: unknown, epoch = 1) => call(base, "PUT", COLLECTOR_ROUTES.teams(epoch), { teams }, admin);
        const m = (w: { address: string }, shareBps: number) => ({ member: w.address, shareBps });
        refused(
          await put([{ team: "core", members: [m(tina, 6000), m(tom, 3000)] }]),
          422,
          "bad-teams",
          "teams.0.members",
        );
        refused(
          await put([{ team: "core", members: [m(tina, 5000), { member: lower(tina), shareBps: 5000 }] }]),
          422,
          "bad-teams",
          "teams.0.members.1.member",
        );
        refused(
          await put([
            { team: "core", members: [m(tina, 10000)] },
            { team: "core", members: [m(tom, 10000)] },
          ]),
          422,
          "bad-teams",
          "teams.1.team",
        );
        refused(await put([{ team: " core", members: [m(tina, 10000)] }]), 422, "bad-teams", "teams.0.team");
        refused(
          await put([
            { team: "z", members: [{ member: "0x0000000000000000000000000000000000000000", shareBps: 10000 }] },
          ]),
          422,
          "bad-teams",
          "teams.0.members.0.member",
        );
        refused(
          await put([{ team: "core", members: [m(tina, 0)] }]),
          400,
          "invalid-body",
          "teams.0.members.0.shareBps",
        );
        refused(await put([{ team: "core", members: [m(tina, 10000)] }], 8), 404, "unknown-epoch");
        const ok = await put([
          { team: "core", members: [m(tom, 4000), m(tina, 6000)] },
          { team: "docs", members: [m(dave, 10000)] },
        ]);
        expect(ok.status, ok.text).to.equal(200);
        expect(ok.json.teams).to.deep.equal([
          {
            team: "core",
            members: [
              { member: lower(tina), shareBps: 6000 },
              { member: lower(tom), shareBps: 4000 },
            ].sort((a, b) => (a.member < b.member ? -1 : 1)),
          },
          { team: "docs", members: [{ member: lower(dave), shareBps: 10000 }] },
        ]);
      });

      it("answers 403 on admin routes when started without a token", async function () {
        const plain = await startCollector({ database: db, chainId: CHAIN_ID, pool: POOL, port: 0, now: () => clock });
        try {
          const reply = await call(plain.url, "POST", COLLECTOR_ROUTES.epochs, W1, admin);
          refused(reply, 403, "admin-disabled");
          expect(reply.json.error.message).to.include("SOCIAL_MINING_ADMIN_TOKEN");
        } finally {
          await plain.close();
        }
      });

      it("refuses to start on a database of another chain or pool, or with a short token", async function () {
        let error: unknown;
        await startCollector({ database: db, chainId: 1, pool: POOL, port: 0 }).catch((e) => (error = e));
        expect(String(error)).to.match(/chain 31337, not 1/);
        error = undefined;
        await startCollector({ database: db, chainId: CHAIN_ID, pool: lower(alice), port: 0 }).catch(
          (e) => (error = e),
        );
        expect(String(error)).to.match(/pool/);
        error = undefined;
        await startCollector({ database: db, chainId: CHAIN_ID, pool: POOL, port: 0, adminToken: "short" }).catch(
          (e) => (error = e),
        );
        expect(String(error)).to.match(/at least 16/);
      });
    });

    describe("reports", function () {
      it("accepts a signed report (201), the same again (200), and refuses its work id for another (409)", async function () {
        const body = await signReport(
          alice,
          report(alice, "w-alice", { title: ' Tabs\tand "quotes", commas\nand lines ' }),
        );
        const first = await post(COLLECTOR_ROUTES.reports, body);
        expect(first.status, first.text).to.equal(201);
        expect(first.json.status).to.equal("accepted");
        expect(first.json.digest).to.match(/^0x[0-9a-f]{64}$/);
        const again = await post(COLLECTOR_ROUTES.reports, body);
        expect(again.status).to.equal(200);
        expect(again.json.digest).to.equal(first.json.digest);
        refused(
          await post(COLLECTOR_ROUTES.reports, await signReport(bob, report(bob, "w-alice"))),
          409,
          "work-id-taken",
          "report.workId",
        );
        for (const [w, id] of [
          [bob, "w-bob"],
          [carol, "w-carol"],
          [bob, "w-bob-2"],
        ] as const) {
          expect((await post(COLLECTOR_ROUTES.reports, await signReport(w, report(w, id)))).status).to.equal(201);
        }
      });

      it("refuses bad signatures: malformed (400), malleable, bad v, another signer (422)", async function () {
        const body = await signReport(dave, report(dave, "w-dave"));
        refused(
          await post(COLLECTOR_ROUTES.reports, { ...body, signature: body.signature.slice(0, 100) }),
          400,
          "invalid-body",
          "signature",
        );
        refused(
          await post(COLLECTOR_ROUTES.reports, { ...body, signature: malleable(body.signature) }),
          422,
          "bad-signature",
          "signature",
        );
        refused(
          await post(COLLECTOR_ROUTES.reports, { ...body, signature: body.signature.slice(0, 130) + "1d" }),
          422,
          "bad-signature",
          "signature",
        );
        const forged = await signReport(bob, report(dave, "w-dave"));
        refused(await post(COLLECTOR_ROUTES.reports, forged), 422, "wrong-signer", "signature");
        // A signature over other content recovers another address.
        refused(
          await post(COLLECTOR_ROUTES.reports, {
            report: { ...body.report, title: "changed" },
            signature: body.signature,
          }),
          422,
          "wrong-signer",
          "signature",
        );
      });

      it("refuses a contributor that is not the signer's lowercase address", async function () {
        refused(
          await post(
            COLLECTOR_ROUTES.reports,
            await signReport(dave, report(dave, "w-d", { contributor: dave.address })),
          ),
          422,
          "bad-contributor",
          "report.contributor",
        );
        refused(
          await post(COLLECTOR_ROUTES.reports, await signReport(dave, report(dave, "w-d", { contributor: "dave" }))),
          422,
          "bad-contributor",
          "report.contributor",
        );
        refused(
          await post(COLLECTOR_ROUTES.reports, await signReport(dave, report(dave, "w-d", { contributor: "team:" }))),
          422,
          "bad-contributor",
          "report.contributor",
        );
      });

      it("refuses an unknown epoch (404), a closed one (409 epoch-closed) and times outside the window or ahead (422)", async function () {
        refused(
          await post(COLLECTOR_ROUTES.reports, await signReport(dave, report(dave, "w-d", { epoch: 5 }))),
          404,
          "unknown-epoch",
          "report.epoch",
        );
        refused(
          await post(
            COLLECTOR_ROUTES.reports,
            await signReport(dave, report(dave, "w-d", { epoch: 2, submittedAt: T0 + 2 * DAY })),
          ),
          409,
          "epoch-closed",
          "report.epoch",
        );
        refused(
          await post(
            COLLECTOR_ROUTES.reports,
            await signReport(dave, report(dave, "w-d", { epoch: 3, submittedAt: T0 - 2 * DAY })),
          ),
          409,
          "epoch-closed",
          "report.epoch",
        );
        refused(
          await post(
            COLLECTOR_ROUTES.reports,
            await signReport(dave, report(dave, "w-d", { submittedAt: T0 - 2 * DAY })),
          ),
          422,
          "time-out-of-window",
          "report.submittedAt",
        );
        refused(
          await post(COLLECTOR_ROUTES.reports, await signReport(dave, report(dave, "w-d", { submittedAt: T0 + 301 }))),
          422,
          "time-in-future",
          "report.submittedAt",
        );
        expect(
          (await post(COLLECTOR_ROUTES.reports, await signReport(dave, report(dave, "w-d", { submittedAt: T0 + 300 }))))
            .status,
        ).to.equal(201);
      });

      it("refuses schema failures with the field's path (400)", async function () {
        const body = await signReport(dave, report(dave, "w-x"));
        refused(
          await post(COLLECTOR_ROUTES.reports, { ...body, report: { ...body.report, pov: ["ftp://x"] } }),
          400,
          "invalid-body",
          "report.pov.0",
        );
        refused(
          await post(COLLECTOR_ROUTES.reports, { ...body, report: { ...body.report, workId: "a b" } }),
          400,
          "invalid-body",
          "report.workId",
        );
        refused(await post(COLLECTOR_ROUTES.reports, { ...body, extra: true }), 400, "invalid-body", "extra");
        refused(await post(COLLECTOR_ROUTES.reports, { report: body.report }), 400, "invalid-body", "signature");
      });

      it("takes team work signed by a member of the team; refuses others and unknown teams", async function () {
        const teamReport = (id: string) => report(tina, id, { contributor: "team:core", category: "design" });
        expect((await post(COLLECTOR_ROUTES.reports, await signReport(tom, teamReport("w-core")))).status).to.equal(
          201,
        );
        refused(
          await post(COLLECTOR_ROUTES.reports, await signReport(outsider, teamReport("w-core-2"))),
          422,
          "wrong-signer",
          "signature",
        );
        refused(
          await post(
            COLLECTOR_ROUTES.reports,
            await signReport(tina, report(tina, "w-g", { contributor: "team:ghosts" })),
          ),
          422,
          "unknown-team",
          "report.contributor",
        );
      });

      it("freezes a team's members and shares once it has a report (409), and takes other changes", async function () {
        const m = (w: { address: string }, shareBps: number) => ({ member: w.address, shareBps });
        const core = { team: "core", members: [m(tina, 6000), m(tom, 4000)] };
        const docs = { team: "docs", members: [m(dave, 10000)] };
        const put = (teams: unknown) => call(base, "PUT", COLLECTOR_ROUTES.teams(1), { teams }, admin);
        refused(
          await put([{ team: "core", members: [m(tina, 5000), m(tom, 5000)] }, docs]),
          409,
          "team-has-reports",
          "teams.0",
        );
        refused(await put([docs]), 409, "team-has-reports", "teams");
        expect((await put([core, { team: "docs", members: [m(dave, 5000), m(carol, 5000)] }])).status).to.equal(200);
        expect((await put([docs, core])).status).to.equal(200);
      });
    });

    describe("ballots", function () {
      let first: Reply;

      it("accepts a signed ballot (201) and answers it back, signature and all", async function () {
        first = await post(
          COLLECTOR_ROUTES.ballots,
          await signBallot(
            bob,
            ballot(bob, [
              ["w-alice", 5],
              ["w-carol", 3],
            ]),
          ),
        );
        expect(first.status, first.text).to.equal(201);
        expect(first.json.replaced).to.equal(undefined);
        const answer = await get(COLLECTOR_ROUTES.ballot(1, bob.address));
        const stored = BallotBody.parse(answer.json);
        expect(stored.ballot).to.deep.equal({
          ...ballot(bob, [
            ["w-alice", 5],
            ["w-carol", 3],
          ]),
          voter: lower(bob),
        });
        expect(recoverBallotSigner(DOMAIN, stored.ballot, stored.signature)).to.equal(lower(bob));
        refused(await get(COLLECTOR_ROUTES.ballot(1, carol.address)), 404, "no-ballot");
        refused(await get(COLLECTOR_ROUTES.ballot(1, "0x1234")), 400, "invalid-path", "voter");
        refused(await get(COLLECTOR_ROUTES.ballot(6, carol.address)), 404, "unknown-epoch");
      });

      it("replaces the voter's whole ballot with a newer one, keeps the old one, refuses stale ones (409)", async function () {
        const same = await post(
          COLLECTOR_ROUTES.ballots,
          await signBallot(
            bob,
            ballot(bob, [
              ["w-alice", 5],
              ["w-carol", 3],
            ]),
          ),
        );
        expect(same.status).to.equal(200);
        refused(
          await post(COLLECTOR_ROUTES.ballots, await signBallot(bob, ballot(bob, [["w-alice", 9]]))),
          409,
          "stale-ballot",
          "ballot.castAt",
        );
        refused(
          await post(
            COLLECTOR_ROUTES.ballots,
            await signBallot(bob, ballot(bob, [["w-alice", 9]], { castAt: T0 - 1 })),
          ),
          409,
          "stale-ballot",
          "ballot.castAt",
        );
        const newer = await post(
          COLLECTOR_ROUTES.ballots,
          await signBallot(bob, ballot(bob, [["w-alice", 9]], { castAt: T0 + 10 })),
        );
        expect(newer.status, newer.text).to.equal(201);
        expect(newer.json.replaced).to.equal(first.json.digest);
        const stored = BallotBody.parse((await get(COLLECTOR_ROUTES.ballot(1, lower(bob)))).json);
        expect(stored.ballot.votes).to.deep.equal([{ workId: "w-alice", points: "9" }]);
        expect(stored.ballot.castAt).to.equal(T0 + 10);
      });

      it("refuses votes out of order or naming a work twice (422)", async function () {
        refused(
          await post(
            COLLECTOR_ROUTES.ballots,
            await signBallot(
              carol,
              ballot(carol, [
                ["w-bob", 1],
                ["w-alice", 2],
              ]),
            ),
          ),
          422,
          "votes-not-sorted",
          "ballot.votes.1.workId",
        );
        refused(
          await post(
            COLLECTOR_ROUTES.ballots,
            await signBallot(
              carol,
              ballot(carol, [
                ["w-alice", 1],
                ["w-alice", 2],
              ]),
            ),
          ),
          422,
          "duplicate-work",
          "ballot.votes.1.workId",
        );
        // Byte order: upper case before lower case, "w-bob" before "w-bob-2".
        const ok = await post(
          COLLECTOR_ROUTES.ballots,
          await signBallot(
            carol,
            ballot(carol, [
              ["w-alice", 1],
              ["w-bob", 2],
              ["w-bob-2", 0],
              ["w-core", 4],
            ]),
          ),
        );
        expect(ok.status, ok.text).to.equal(201);
      });

      it("refuses an unknown work and self-votes, own or team's (422), naming the vote", async function () {
        refused(
          await post(
            COLLECTOR_ROUTES.ballots,
            await signBallot(
              dave,
              ballot(dave, [
                ["w-alice", 1],
                ["w-nope", 1],
              ]),
            ),
          ),
          422,
          "unknown-work",
          "ballot.votes.1.workId",
        );
        refused(
          await post(COLLECTOR_ROUTES.ballots, await signBallot(alice, ballot(alice, [["w-alice", 1]]))),
          422,
          "self-vote",
          "ballot.votes.0.workId",
        );
        refused(
          await post(
            COLLECTOR_ROUTES.ballots,
            await signBallot(
              tina,
              ballot(tina, [
                ["w-alice", 1],
                ["w-core", 1],
              ]),
            ),
          ),
          422,
          "self-vote",
          "ballot.votes.1.workId",
        );
        expect(
          (await post(COLLECTOR_ROUTES.ballots, await signBallot(tina, ballot(tina, [["w-alice", 100]])))).status,
        ).to.equal(201);
      });

      it("refuses points above the epoch's maxPoints (422)", async function () {
        refused(
          await post(
            COLLECTOR_ROUTES.ballots,
            await signBallot(
              dave,
              ballot(dave, [
                ["w-alice", 1],
                ["w-bob", 101],
              ]),
            ),
          ),
          422,
          "points-out-of-range",
          "ballot.votes.1.points",
        );
        // Beyond uint64, no wallet signs it: refused before the signature is looked at.
        const body = await signBallot(dave, ballot(dave, [["w-alice", 1]]));
        const huge = {
          ...body,
          ballot: { ...body.ballot, votes: [{ workId: "w-alice", points: "99999999999999999999" }] },
        };
        refused(await post(COLLECTOR_ROUTES.ballots, huge), 422, "points-out-of-range", "ballot.votes.0.points");
        refused(
          await post(COLLECTOR_ROUTES.ballots, {
            ...huge,
            ballot: { ...huge.ballot, votes: [{ workId: "w-alice", points: "-1" }] },
          }),
          400,
          "invalid-body",
          "ballot.votes.0.points",
        );
      });

      it("refuses a ballot signed by another, a closed epoch, and times outside the window", async function () {
        refused(
          await post(COLLECTOR_ROUTES.ballots, await signBallot(bob, ballot(dave, [["w-alice", 1]]))),
          422,
          "wrong-signer",
          "signature",
        );
        const body = await signBallot(dave, ballot(dave, [["w-alice", 1]]));
        refused(
          await post(COLLECTOR_ROUTES.ballots, { ...body, signature: malleable(body.signature) }),
          422,
          "bad-signature",
          "signature",
        );
        refused(
          await post(COLLECTOR_ROUTES.ballots, { ...body, ballot: { ...body.ballot, voter: swapCase(dave.address) } }),
          400,
          "invalid-body",
          "ballot.voter",
        );
        refused(
          await post(
            COLLECTOR_ROUTES.ballots,
            await signBallot(dave, ballot(dave, [["w-alice", 1]], { epoch: 3, castAt: T0 - 2 * DAY })),
          ),
          409,
          "epoch-closed",
          "ballot.epoch",
        );
        refused(
          await post(COLLECTOR_ROUTES.ballots, await signBallot(dave, ballot(dave, [["w-alice", 1]], { epoch: 4 }))),
          404,
          "unknown-epoch",
          "ballot.epoch",
        );
        refused(
          await post(
            COLLECTOR_ROUTES.ballots,
            await signBallot(dave, ballot(dave, [["w-alice", 1]], { castAt: T0 + 2 * DAY })),
          ),
          422,
          "time-out-of-window",
          "ballot.castAt",
        );
        refused(
          await post(
            COLLECTOR_ROUTES.ballots,
            await signBallot(dave, ballot(dave, [["w-alice", 1]], { castAt: T0 + 1000 })),
          ),
          422,
          "time-in-future",
          "ballot.castAt",
        );
        // Once the epoch is over, nothing more is taken.
        clock = W1.end + 1;
        try {
          refused(
            await post(COLLECTOR_ROUTES.ballots, await signBallot(dave, ballot(dave, [["w-alice", 1]]))),
            409,
            "epoch-closed",
            "ballot.epoch",
          );
          refused(
            await post(COLLECTOR_ROUTES.reports, await signReport(dave, report(dave, "w-late"))),
            409,
            "epoch-closed",
            "report.epoch",
          );
        } finally {
          clock = T0;
        }
      });

      it("commits concurrent ballots, each answered only once stored", async function () {
        const voters = Array.from({ length: 40 }, (_, i) => wallet(100 + i));
        const bodies = await Promise.all(
          voters.map((w, i) =>
            signBallot(
              w,
              ballot(w, [
                ["w-bob", i % 10],
                ["w-carol", 1],
              ]),
            ),
          ),
        );
        const replies = await Promise.all(bodies.map((b) => post(COLLECTOR_ROUTES.ballots, b)));
        expect(replies.map((r) => r.status)).to.deep.equal(voters.map(() => 201));
        for (const w of voters.slice(0, 5)) {
          expect((await get(COLLECTOR_ROUTES.ballot(1, w.address))).status).to.equal(200);
        }
        // Clean up for the feed's sums below: each voter replaces its ballot with an empty-handed vote.
        const again = await Promise.all(
          voters.map((w) => signBallot(w, ballot(w, [["w-carol", 0]], { castAt: T0 + 1 }))),
        );
        expect(
          (await Promise.all(again.map((b) => post(COLLECTOR_ROUTES.ballots, b)))).map((r) => r.status),
        ).to.deep.equal(voters.map(() => 201));
      });
    });

    describe("feed and exports", function () {
      it("feeds the works with the points of the current ballots and their voter count", async function () {
        const feed = FeedAnswer.parse((await get(COLLECTOR_ROUTES.feed(1))).json);
        const byId = Object.fromEntries(feed.works.map((w) => [w.workId, [w.points, w.voters]]));
        // bob's first ballot (5 on w-alice, 3 on w-carol) was replaced by 9 on w-alice.
        expect(byId).to.deep.equal({
          "w-alice": ["110", 3], // bob 9, carol 1, tina 100
          "w-bob": ["2", 1],
          "w-bob-2": ["0", 1],
          "w-carol": ["0", 40],
          "w-core": ["4", 1],
          "w-d": ["0", 0],
        });
        expect(feed.works.map((w) => w.workId)).to.deep.equal([
          "w-alice",
          "w-bob",
          "w-bob-2",
          "w-carol",
          "w-core",
          "w-d",
        ]);
        expect(feed.works[0]!.title).to.equal(' Tabs\tand "quotes", commas\nand lines ');
        // A team's work names the team's members (lowercase, in byte order), so that the app can tell a member
        // that the work is not votable for them; an individual's work has no members field at all.
        const members = Object.fromEntries(feed.works.map((w) => [w.workId, w.members]));
        expect(members).to.deep.equal({
          "w-alice": undefined,
          "w-bob": undefined,
          "w-bob-2": undefined,
          "w-carol": undefined,
          "w-core": [lower(tina), lower(tom)].sort(),
          "w-d": undefined,
        });
        const raw = (await get(COLLECTOR_ROUTES.feed(1))).json as { works: Record<string, unknown>[] };
        expect(raw.works.filter((w) => "members" in w).map((w) => w.workId)).to.deep.equal(["w-core"]);
        refused(await get(COLLECTOR_ROUTES.feed(9)), 404, "unknown-epoch");
      });

      it("exports works.csv, votes.csv and teams.csv that the pipeline reads, signatures that recover", async function () {
        const files = Object.fromEntries(
          await Promise.all(
            (["works.csv", "votes.csv", "teams.csv"] as const).map(async (name) => {
              const reply = await get(COLLECTOR_ROUTES.export(1, name));
              expect(reply.status).to.equal(200);
              expect(reply.headers.get("content-type")).to.equal("text/csv; charset=utf-8");
              return [name, { name, bytes: Buffer.from(reply.text) } satisfies Source];
            }),
          ),
        ) as Record<"works.csv" | "votes.csv" | "teams.csv", Source>;
        // Same data, same bytes.
        expect((await get(COLLECTOR_ROUTES.export(1, "votes.csv"))).text).to.equal(files["votes.csv"].bytes.toString());

        const works = parseWorks(files["works.csv"]);
        expect(works.map((w) => w.workId)).to.deep.equal(["w-alice", "w-bob", "w-bob-2", "w-carol", "w-core", "w-d"]);
        const teams = parseTeams(files["teams.csv"]);
        expect(teams.map((t) => [t.team, t.member.toLowerCase(), Number(t.shareBps)])).to.deep.equal(
          [
            ["core", lower(tina), 6000],
            ["core", lower(tom), 4000],
            ["docs", lower(dave), 10000],
          ].sort((a, b) => (`${a[0]}${a[1]}` < `${b[0]}${b[1]}` ? -1 : 1)),
        );
        const text = files["works.csv"].bytes.toString();
        const signatures = text
          .trim()
          .split("\n")
          .slice(1)
          .map((line) => line.split(",").at(-1)!);
        for (const [i, w] of works.entries()) {
          const signed: WorkReport = {
            epoch: 1,
            workId: w.workId,
            contributor:
              w.contributor.kind === "team" ? `team:${w.contributor.team}` : w.contributor.address.toLowerCase(),
            category: w.category,
            title: w.title,
            pov: povLinks(w.povUrl),
            submittedAt: w.submittedAt / 1000,
          };
          const signer = recoverWorkReportSigner(DOMAIN, signed, signatures.filter((s) => s.startsWith("0x"))[i]!);
          const members =
            w.contributor.kind === "team"
              ? teams.filter((t) => t.team === "core").map((t) => t.member.toLowerCase())
              : [signed.contributor];
          expect(members, w.workId).to.include(signer);
        }
        expect(works[0]!.title).to.equal(' Tabs\tand "quotes", commas\nand lines ');

        const votes = parseVotes(files["votes.csv"]);
        expect(votes.length).to.equal(1 + 4 + 1 + 40);
        const voters = votes.map((v) => v.voter.toLowerCase());
        expect(voters).to.deep.equal([...voters].sort());
        const ballots = new Map<string, typeof votes>();
        for (const v of votes) ballots.set(v.signature!, [...(ballots.get(v.signature!) ?? []), v]);
        expect(ballots.size).to.equal(43);
        for (const [signature, rows] of ballots) {
          const rebuilt: Ballot = {
            voter: rows[0]!.voter,
            epoch: 1,
            castAt: rows[0]!.castAt / 1000,
            votes: rows.map((r) => ({ workId: r.workId, points: r.points })),
          };
          expect(new Set(rows.map((r) => r.castAt)).size).to.equal(1);
          expect(recoverBallotSigner(DOMAIN, rebuilt, signature)).to.equal(rows[0]!.voter.toLowerCase());
        }

        // The whole pipeline takes the export as it is, every signature checked (the pool is the domain's
        // verifying contract, epoch.json's distributor).
        const config = {
          epoch: 1,
          pool: "1000000",
          chainId: Number(CHAIN_ID),
          distributor: POOL,
          start: new Date(W1.start * 1000).toISOString(),
          end: new Date(W1.end * 1000).toISOString(),
          rules: { signatures: "required" },
        };
        const result = computeEpoch({
          works: files["works.csv"],
          votes: files["votes.csv"],
          teams: files["teams.csv"],
          config: { name: "epoch.json", bytes: Buffer.from(JSON.stringify(config)) },
        });
        expect(result.excluded.length).to.equal(0);
        expect(result.accounts.length).to.be.greaterThan(3);
        expect(result.total).to.equal(1_000_000n);
      });

      it("exports only what it knows", async function () {
        refused(await get(COLLECTOR_ROUTES.export(9, "works.csv")), 404, "unknown-epoch");
        refused(await get(COLLECTOR_ROUTES.export(1, "epoch.json" as "works.csv")), 404, "not-found");
        const empty = await get(COLLECTOR_ROUTES.export(2, "votes.csv"));
        expect(empty.text).to.equal("work_id,voter,points,cast_at,signature\n");
      });
    });

    describe("HTTP", function () {
      it("answers 404 on unknown routes, 405 on wrong methods, and preflights with CORS", async function () {
        refused(await get(COLLECTOR_ROUTES.info + "/more"), 404, "not-found");
        refused(await get("/"), 404, "not-found");
        const wrong = await call(base, "DELETE", COLLECTOR_ROUTES.ballots);
        refused(wrong, 405, "method-not-allowed");
        expect(wrong.headers.get("allow")).to.equal("POST, OPTIONS");
        refused(await get(COLLECTOR_ROUTES.reports), 405, "method-not-allowed");
        const preflight = await call(base, "OPTIONS", COLLECTOR_ROUTES.ballots, undefined, {
          origin: "https://app.example",
          "access-control-request-method": "POST",
          "access-control-request-headers": "content-type",
        });
        expect(preflight.status).to.equal(204);
        expect(preflight.headers.get("access-control-allow-origin")).to.equal("*");
        expect(preflight.headers.get("access-control-allow-methods")).to.include("POST");
        expect(preflight.headers.get("access-control-allow-headers")).to.match(/content-type/i);
        expect((await get(COLLECTOR_ROUTES.health)).headers.get("access-control-allow-origin")).to.equal("*");
        expect((await post(COLLECTOR_ROUTES.ballots, "{")).headers.get("access-control-allow-origin")).to.equal("*");
      });

      it("refuses a body that is not JSON, not UTF-8 or not Unicode (400)", async function () {
        refused(await post(COLLECTOR_ROUTES.ballots, "{not json"), 400, "bad-json");
        refused(await post(COLLECTOR_ROUTES.ballots, ""), 400, "bad-json");
        refused(await post(COLLECTOR_ROUTES.ballots, new Uint8Array([0x7b, 0xff, 0x7d])), 400, "bad-json");
        const body = await signReport(dave, report(dave, "w-u"));
        const text = JSON.stringify(body).replace('"title":"work w-u"', '"title":"work \\ud800"');
        refused(await post(COLLECTOR_ROUTES.reports, text), 400, "bad-text", "report.title");
        refused(await post(COLLECTOR_ROUTES.ballots, "[]"), 400, "invalid-body");
      });

      it("refuses a body over the limit (413) without reading it", async function () {
        const big = { pad: "x".repeat(MAX_BODY_BYTES) };
        refused(await post(COLLECTOR_ROUTES.ballots, big), 413, "body-too-large");
        // Announced by Content-Length: answered before any byte of the body is sent.
        const announced = await new Promise<{ status: number; text: string }>((resolve, reject) => {
          const url = new URL(base + COLLECTOR_ROUTES.ballots);
          const req = request(
            {
              host: url.hostname,
              port: url.port,
              path: url.pathname,
              method: "POST",
              headers: { "content-length": String(10 * MAX_BODY_BYTES) },
            },
            (res) => {
              let text = "";
              res.on("data", (c) => (text += c));
              res.on("end", () => resolve({ status: res.statusCode!, text }));
            },
          );
          req.on("error", reject);
          req.flushHeaders();
        });
        expect(announced.status).to.equal(413);
        SEEN.push(announced.text);
        // Sent in chunks with no length: cut at the limit.
        const chunked = await new Promise<number>((resolve, reject) => {
          const url = new URL(base + COLLECTOR_ROUTES.reports);
          const req = request({ host: url.hostname, port: url.port, path: url.pathname, method: "POST" }, (res) => {
            res.resume();
            resolve(res.statusCode!);
          });
          req.on("error", (e) =>
            String(e).includes("EPIPE") || String(e).includes("ECONNRESET") ? undefined : reject(e),
          );
          const chunk = "x".repeat(16 * 1024);
          let sent = 0;
          const pump = () => {
            while (sent < 6 * MAX_BODY_BYTES && req.write(chunk)) sent += chunk.length;
            if (sent < 6 * MAX_BODY_BYTES) req.once("drain", () => ((sent += chunk.length), pump()));
          };
          pump();
        });
        expect(chunked).to.equal(413);
      });

      it("answers an unexpected error with a generic 500, logged and without a trace", async function () {
        const logged: string[] = [];
        const failing = new Proxy({} as Store, {
          get: () => async () => {
            throw new Error("database exploded at /secret/path.ts:12:3");
          },
        });
        const server = createCollectorServer({
          store: failing,
          chainId: CHAIN_ID,
          pool: POOL,
          now: () => T0,
          allowOrigin: "*",
          log: (l) => logged.push(l),
        });
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        try {
          const reply = await call(
            `http://127.0.0.1:${(server.address() as { port: number }).port}`,
            "GET",
            COLLECTOR_ROUTES.info,
          );
          refused(reply, 500, "internal");
          expect(reply.text).not.to.include("exploded");
          expect(logged.join("\n")).to.include("database exploded");
        } finally {
          await new Promise((resolve) => server.close(resolve));
        }
      });

      it("never answered with a stack trace", function () {
        expect(SEEN.length).to.be.greaterThan(50);
        const traced = SEEN.filter((text) => STACK_TRACE.test(text) && !text.startsWith("work_id,"));
        expect(traced).to.deep.equal([]);
      });
    });

    describe("restart", function () {
      it("keeps what it accepted across a restart", async function () {
        await collector.close();
        collector = await start();
        base = collector.url;
        const stored = BallotBody.parse((await get(COLLECTOR_ROUTES.ballot(1, bob.address))).json);
        expect(stored.ballot.castAt).to.equal(T0 + 10);
        const works = FeedAnswer.parse((await get(COLLECTOR_ROUTES.feed(1))).json).works;
        expect(works).to.have.length(6);
        expect(works.find((w) => w.workId === "w-core")!.members).to.deep.equal([lower(tina), lower(tom)].sort());
      });

      it("keeps every replaced ballot, with its votes, in the history", async function () {
        const store = await openStore(db);
        try {
          const replaced = await store.replacedBallots(1, lower(bob));
          expect(replaced.map((b) => [b.castAt, b.votes])).to.deep.equal([
            [
              T0,
              [
                { workId: "w-alice", points: "5" },
                { workId: "w-carol", points: "3" },
              ],
            ],
          ]);
          expect(recoverBallotSigner(DOMAIN, { ...replaced[0]!, voter: lower(bob) }, replaced[0]!.signature)).to.equal(
            lower(bob),
          );
          expect(replaced[0]!.replacedBy).to.equal((await store.ballot(1, lower(bob)))!.digest);
          expect(await store.replacedBallots(1, lower(carol))).to.deep.equal([]);
        } finally {
          await store.close();
        }
      });

      it("creates its schema once, and refuses a database of a newer schema", async function () {
        const setVersion = async (version: number) => {
          if (kind === "SQLite") {
            const { DatabaseSync } = await loadSqlite();
            const raw = new DatabaseSync(db);
            raw.exec("PRAGMA busy_timeout = 5000");
            raw.prepare("UPDATE collector_schema SET version = ?").run(version);
            raw.close();
          } else {
            const client = new pg.Client({ connectionString: db });
            await client.connect();
            await client.query("UPDATE collector_schema SET version = $1", [version]);
            await client.end();
          }
        };
        await setVersion(SCHEMA_VERSION + 1);
        let error: unknown;
        await openStore(db).catch((e) => (error = e));
        expect(String(error)).to.include(
          `schema is version ${SCHEMA_VERSION + 1}, newer than this collector's (${SCHEMA_VERSION})`,
        );
        await setVersion(SCHEMA_VERSION);
        // Opening again migrates nothing and loses nothing.
        const store = await openStore(db);
        try {
          expect((await store.epochs()).map((e) => e.epoch)).to.deep.equal([1, 2, 3]);
        } finally {
          await store.close();
        }
      });
    });
  });
}
