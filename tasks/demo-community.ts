/**
 * The demo's community epoch: members report work and vote with signatures, through a real collector, and the
 * epoch is allocated from the collector's exports with `rules.signatures: "required"`.
 *
 * A collector runs in-process on a SQLite file, on the chain's clock. The admin opens the epoch and sets a team;
 * members sign `WorkReport`s (one for the team) and one `Ballot` each with their own keys, as a wallet would; the
 * collector refuses a self-vote, a ballot signed by someone else and a late ballot, and says why. Its exports
 * (works.csv, votes.csv, teams.csv) and an epoch.json become the next epoch, computed with the previous one's
 * reputation and every signature checked again by the pipeline.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import {
  BALLOT_TYPES,
  COLLECTOR_ROUTES,
  ErrorAnswer,
  FeedAnswer,
  WORK_REPORT_TYPES,
  isoSeconds,
  sortBallotVotes,
  typedDataDomain,
  type Ballot,
  type WorkReport,
} from "../protocol/index.js";
import { startCollector } from "../collector/index.js";
import { allocateExport } from "./lib/epochs.js";
import { TaskError } from "./lib/errors.js";
import type { EpochResult } from "../scripts/lib/index.js";

const DAY = 24 * 60 * 60;

export interface CommunityEpoch {
  inputDir: string;
  result: EpochResult;
}

/** Runs the community side of epoch `epoch` and allocates it into `outDir`, chaining `previous`. */
export async function communityEpoch(options: {
  epoch: number;
  chainId: bigint;
  pool: string;
  /** Members with keys, none of them the operator's. */
  members: HardhatEthersSigner[];
  /** The chain's clock, in seconds, and a way to move it. */
  now: () => Promise<number>;
  increaseTo: (seconds: number) => Promise<void>;
  work: string;
  outDir: string;
  previous: string;
  log: (line: string) => void;
}): Promise<CommunityEpoch> {
  const { epoch, members, log } = options;
  if (members.length < 7) throw new TaskError(`the community epoch needs 7 members with keys, got ${members.length}`);
  let clock = await options.now();
  const adminToken = randomBytes(24).toString("hex");
  const collector = await startCollector({
    database: join(options.work, "collector.sqlite"),
    chainId: options.chainId,
    pool: options.pool,
    port: 0,
    adminToken,
    now: () => clock,
  });
  const domain = typedDataDomain(options.chainId, options.pool);
  const short = (address: string) => `${address.slice(0, 6)}…${address.slice(-4)}`;

  /** A request to the collector: the parsed answer, or the refusal's code and message. */
  const send = async (method: string, path: string, body?: unknown, admin = false) => {
    const response = await fetch(collector.url + path, {
      method,
      headers: {
        "content-type": "application/json",
        ...(admin ? { authorization: `Bearer ${adminToken}` } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (response.ok) return { ok: true as const, status: response.status, text };
    const refusal = ErrorAnswer.safeParse(JSON.parse(text));
    if (!refusal.success) throw new TaskError(`the collector answered ${response.status}: ${text.slice(0, 200)}`);
    return { ok: false as const, status: response.status, error: refusal.data.error };
  };
  const must = async (what: string, method: string, path: string, body?: unknown, admin = false) => {
    const answer = await send(method, path, body, admin);
    if (!answer.ok)
      throw new TaskError(`${what}: the collector refused it (${answer.error.code}: ${answer.error.message})`);
    return answer.text;
  };
  const refused = async (what: string, expected: string, path: string, body: unknown) => {
    const answer = await send("POST", path, body);
    if (answer.ok || answer.error.code !== expected) {
      throw new TaskError(
        `${what}: expected the collector to refuse it with ${expected}, got ${answer.ok ? "accepted" : answer.error.code}`,
      );
    }
    log(`refused ${what}: ${answer.status} ${answer.error.code} — ${answer.error.message}`);
  };

  try {
    log(
      `collector listening on ${collector.url} (SQLite), domain: chain ${options.chainId}, pool ${short(options.pool)}`,
    );
    const start = clock;
    const end = clock + 7 * DAY;
    await must("open the epoch", "POST", COLLECTOR_ROUTES.epochs, { epoch, start, end, maxPoints: "10" }, true);
    const [alice, bob, carol, dave, erin, frank, grace] = members as [
      HardhatEthersSigner,
      HardhatEthersSigner,
      HardhatEthersSigner,
      HardhatEthersSigner,
      HardhatEthersSigner,
      HardhatEthersSigner,
      HardhatEthersSigner,
    ];
    await must(
      "set the team",
      "PUT",
      COLLECTOR_ROUTES.teams(epoch),
      {
        teams: [
          {
            team: "lantern",
            members: [
              { member: dave.address, shareBps: 6000 },
              { member: erin.address, shareBps: 4000 },
            ],
          },
        ],
      },
      true,
    );
    log(
      `admin opened epoch ${epoch} (${isoSeconds(start)} to ${isoSeconds(end)}, at most 10 points) and set team lantern (${short(dave.address)} 60%, ${short(erin.address)} 40%)`,
    );

    // Work reports, each signed by its contributor (the team's by one of its members).
    const reports: { by: HardhatEthersSigner; report: WorkReport }[] = [
      {
        by: alice,
        report: report(epoch, `e${epoch}-guide`, alice.address, "article", "Claiming from a hardware wallet", [
          "https://mirror.xyz/alice/claims",
        ]),
      },
      {
        by: bob,
        report: report(epoch, `e${epoch}-subtitles`, bob.address, "translation", "Subtitles for the governance call", [
          "https://youtube.com/watch?v=gov-call",
          "https://github.com/dao/subtitles/pull/4",
        ]),
      },
      {
        by: carol,
        report: report(epoch, `e${epoch}-bug`, carol.address, "bug-report", "Collector feed sorts by title", [
          "https://github.com/dao/app/issues/91",
        ]),
      },
      {
        by: dave,
        report: report(epoch, `e${epoch}-meetup`, "team:lantern", "event", "Lantern meetup in Lisbon", [
          "https://x.com/lantern/status/meetup",
        ]),
      },
    ];
    for (const [i, { by, report: r }] of reports.entries()) {
      clock = start + 3600 * (i + 1);
      r.submittedAt = clock;
      const signature = await by.signTypedData(domain, WORK_REPORT_TYPES, r);
      await must(`report ${r.workId}`, "POST", COLLECTOR_ROUTES.reports, { report: r, signature });
    }
    log(
      `${reports.length} works reported, each signed by its contributor (${reports[3]!.report.workId} by ${short(dave.address)} for team lantern)`,
    );

    // One ballot a voter, one signature for all its votes.
    const ids = reports.map((r) => r.report.workId);
    const ballots: [HardhatEthersSigner, Record<string, number>][] = [
      [alice, { [ids[1]!]: 8, [ids[2]!]: 6, [ids[3]!]: 9 }],
      [bob, { [ids[0]!]: 7, [ids[2]!]: 5, [ids[3]!]: 8 }],
      [carol, { [ids[0]!]: 9, [ids[1]!]: 7, [ids[3]!]: 10 }],
      [frank, { [ids[0]!]: 6, [ids[1]!]: 9, [ids[2]!]: 4, [ids[3]!]: 7 }],
      [grace, { [ids[0]!]: 8, [ids[1]!]: 6, [ids[2]!]: 7 }],
    ];
    const signBallot = async (voter: HardhatEthersSigner, points: Record<string, number>, signer = voter) => {
      const ballot: Ballot = {
        voter: voter.address,
        epoch,
        castAt: clock,
        votes: sortBallotVotes(Object.entries(points).map(([workId, p]) => ({ workId, points: String(p) }))),
      };
      return { ballot, signature: await signer.signTypedData(domain, BALLOT_TYPES, ballot) };
    };
    clock = start + 2 * DAY;
    let votes = 0;
    for (const [voter, points] of ballots) {
      clock += 600;
      await must(`the ballot of ${voter.address}`, "POST", COLLECTOR_ROUTES.ballots, await signBallot(voter, points));
      votes += Object.keys(points).length;
    }
    log(`${ballots.length} ballots, ${votes} votes: one signature per voter for all its votes`);

    clock += 600;
    await refused(
      "a self-vote (a member of lantern scoring the team's work)",
      "self-vote",
      COLLECTOR_ROUTES.ballots,
      await signBallot(erin, { [ids[3]!]: 10 }),
    );
    await refused(
      "a ballot for erin signed with frank's key",
      "wrong-signer",
      COLLECTOR_ROUTES.ballots,
      await signBallot(erin, { [ids[0]!]: 10 }, frank),
    );
    const tampered = await signBallot(erin, { [ids[0]!]: 3 });
    tampered.ballot.votes[0]!.points = "10";
    await refused(
      "a ballot whose points were changed after signing",
      "wrong-signer",
      COLLECTOR_ROUTES.ballots,
      tampered,
    );
    // Grace changes her mind: a newer ballot replaces the whole first one.
    clock += 600;
    await must(
      "grace's new ballot",
      "POST",
      COLLECTOR_ROUTES.ballots,
      await signBallot(grace, { [ids[0]!]: 10, [ids[1]!]: 6, [ids[2]!]: 7 }),
    );
    log(`${short(grace.address)} signed a newer ballot: it replaced the first one whole`);

    const feed = FeedAnswer.parse(JSON.parse(await must("read the feed", "GET", COLLECTOR_ROUTES.feed(epoch))));
    for (const w of feed.works)
      log(`feed: ${w.workId.padEnd(14)} ${w.points.padStart(3)} points from ${w.voters} voters`);

    clock = end + 1;
    await options.increaseTo(clock);
    await refused(
      "a ballot after the epoch's end",
      "epoch-closed",
      COLLECTOR_ROUTES.ballots,
      await signBallot(erin, { [ids[0]!]: 5 }),
    );

    // The exports become the epoch's inputs.
    const inputDir = join(options.work, `epoch-${epoch}-inputs`);
    mkdirSync(inputDir, { recursive: true });
    for (const file of ["works.csv", "votes.csv", "teams.csv"] as const) {
      writeFileSync(join(inputDir, file), await must(`export ${file}`, "GET", COLLECTOR_ROUTES.export(epoch, file)));
    }
    writeFileSync(
      join(inputDir, "epoch.json"),
      JSON.stringify(
        {
          epoch,
          pool: "10000000000000000000000",
          tokenDecimals: 18,
          chainId: Number(options.chainId),
          distributor: options.pool,
          start: isoSeconds(start),
          end: isoSeconds(end),
          rules: { maxPoints: "10", signatures: "required" },
        },
        null,
        2,
      ) + "\n",
    );
    log(`exported works.csv, votes.csv (with signatures) and teams.csv; epoch.json requires signatures`);
    const result = allocateExport({ inputDir, outDir: options.outDir, previous: options.previous });
    if (result.rejections.length > 0) {
      throw new TaskError(`the pipeline excluded ${result.rejections.length} signed vote(s) of the collector's export`);
    }
    log(`pipeline checked every signature again: ${votes} votes counted, none excluded`);
    return { inputDir, result };
  } finally {
    await collector.close();
  }
}

function report(
  epoch: number,
  workId: string,
  contributor: string,
  category: string,
  title: string,
  pov: string[],
): WorkReport {
  return {
    epoch,
    workId,
    contributor: contributor.startsWith("team:") ? contributor : contributor.toLowerCase(),
    category,
    title,
    pov,
    submittedAt: 0,
  };
}
