/**
 * Validation of DESIGN §4.2. Hard errors throw an {@link InputError} (the run stops, nothing is
 * written); soft rejections exclude a vote and are listed in the report.
 */
import type { Rules } from "./config.js";
import { InputError } from "./errors.js";
import type { TeamMember, Vote, Work } from "./inputs.js";

/** Why a vote was excluded, in the order the checks run (docs/rules.md). */
export const REJECTION_REASONS = {
  "self-vote": "self-vote: the voter is the contributor or a member of the contributing team",
  "points-out-of-range": "points outside 0..maxPoints",
  "outside-window": "cast outside the epoch window",
  duplicate: "duplicate: the voter already has an accepted vote on this work",
  "voter-below-min-reputation": "voter reputation below rules.minVoterReputation",
} as const;
export type RejectionCode = keyof typeof REJECTION_REASONS;

/** A vote excluded by a soft check. */
export interface Rejection {
  file: string;
  row: number;
  line?: number;
  column: string;
  code: RejectionCode;
  reason: string;
  workId: string;
  voter: string;
}

/** Rows read, accepted and excluded in one input file; accepted + excluded = read. */
export interface FileCount {
  file: string;
  read: number;
  accepted: number;
  excluded: number;
}

export interface Team {
  name: string;
  members: TeamMember[];
}

export interface ValidatedEpoch {
  works: Map<string, Work>;
  teams: Map<string, Team>;
  /** Accepted votes in processing order (cast_at, then row). */
  accepted: Vote[];
  /** Rejected votes in processing order. */
  rejections: Rejection[];
  counts: FileCount[];
}

export interface ValidationInput {
  works: { name: string; rows: Work[] };
  votes: { name: string; rows: Vote[] };
  teams?: { name: string; rows: TeamMember[] };
  window: { start: number; end: number };
  rules: Rules;
  /** Reputation of each account after the previous epoch (absent = 0). */
  priorReputation: ReadonlyMap<string, bigint>;
}

function checkTeams(file: string, rows: TeamMember[]): Map<string, Team> {
  const teams = new Map<string, Team>();
  for (const member of rows) {
    let team = teams.get(member.team);
    if (!team) teams.set(member.team, (team = { name: member.team, members: [] }));
    const twice = team.members.find((m) => m.member === member.member);
    if (twice) {
      throw new InputError(
        { file, row: member.row, line: member.line, column: "member" },
        `${member.member} is already a member of team "${member.team}" (row ${twice.row})`,
      );
    }
    team.members.push(member);
  }
  for (const team of teams.values()) {
    const sum = team.members.reduce((s, m) => s + m.shareBps, 0n);
    if (sum !== 10000n) {
      const last = team.members[team.members.length - 1]!;
      throw new InputError(
        { file, row: last.row, line: last.line, column: "share_bps" },
        `shares of team "${team.name}" sum to ${sum}, not 10000 (rows ${team.members.map((m) => m.row).join(", ")})`,
      );
    }
  }
  return teams;
}

/** Runs the hard checks, then the soft checks of every vote in cast_at order. */
export function validateEpoch(input: ValidationInput): ValidatedEpoch {
  const { rules, window } = input;
  const teams = input.teams ? checkTeams(input.teams.name, input.teams.rows) : new Map<string, Team>();
  const teamsFile = input.teams?.name ?? "teams file";

  const works = new Map<string, Work>();
  for (const work of input.works.rows) {
    const first = works.get(work.workId);
    if (first) {
      throw new InputError(
        {
          file: input.works.name,
          row: work.row,
          line: work.line,
          column: "work_id",
        },
        `duplicate work_id "${work.workId}" (first at row ${first.row})`,
      );
    }
    if (work.contributor.kind === "team" && !teams.has(work.contributor.team)) {
      throw new InputError(
        {
          file: input.works.name,
          row: work.row,
          line: work.line,
          column: "contributor",
        },
        `unknown team "${work.contributor.team}" (not in ${input.teams ? teamsFile : "a teams file: pass --teams"})`,
      );
    }
    works.set(work.workId, work);
  }

  const votes = input.votes.rows;
  for (const vote of votes) {
    if (!works.has(vote.workId)) {
      throw new InputError(
        {
          file: input.votes.name,
          row: vote.row,
          line: vote.line,
          column: "work_id",
        },
        `vote for unknown work "${vote.workId}"`,
      );
    }
  }

  // Votes are taken in cast_at order, ties by row order (Array.prototype.sort is stable).
  const order = votes.slice().sort((a, b) => a.castAt - b.castAt || a.row - b.row);
  const accepted: Vote[] = [];
  const rejections: Rejection[] = [];
  const acceptedPairs = new Set<string>();
  const teamMembers = new Map<string, Set<string>>();
  for (const team of teams.values()) teamMembers.set(team.name, new Set(team.members.map((m) => m.member)));

  const reject = (vote: Vote, code: RejectionCode, column: string, detail: string) =>
    rejections.push({
      file: input.votes.name,
      row: vote.row,
      line: vote.line,
      column,
      code,
      reason: `${REJECTION_REASONS[code]} (${detail})`,
      workId: vote.workId,
      voter: vote.voter,
    });

  for (const vote of order) {
    const work = works.get(vote.workId)!;
    const contributor = work.contributor;
    const pair = `${vote.workId}\u0000${vote.voter}`;
    if (
      contributor.kind === "address"
        ? contributor.address === vote.voter
        : teamMembers.get(contributor.team)!.has(vote.voter)
    ) {
      reject(
        vote,
        "self-vote",
        "voter",
        contributor.kind === "address" ? "contributor" : `member of team "${contributor.team}"`,
      );
    } else if (vote.points < 0n || vote.points > rules.maxPoints) {
      reject(vote, "points-out-of-range", "points", `${vote.points} not in 0..${rules.maxPoints}`);
    } else if (vote.castAt < window.start || vote.castAt > window.end) {
      reject(vote, "outside-window", "cast_at", `${new Date(vote.castAt).toISOString()} not in the window`);
    } else if (acceptedPairs.has(pair)) {
      reject(vote, "duplicate", "voter", `work "${vote.workId}"`);
    } else if ((input.priorReputation.get(vote.voter) ?? 0n) < rules.minVoterReputation) {
      reject(
        vote,
        "voter-below-min-reputation",
        "voter",
        `${input.priorReputation.get(vote.voter) ?? 0n} < ${rules.minVoterReputation}`,
      );
    } else {
      acceptedPairs.add(pair);
      accepted.push(vote);
    }
  }

  const counts: FileCount[] = [
    {
      file: input.works.name,
      read: input.works.rows.length,
      accepted: input.works.rows.length,
      excluded: 0,
    },
    {
      file: input.votes.name,
      read: votes.length,
      accepted: accepted.length,
      excluded: rejections.length,
    },
  ];
  if (input.teams) {
    counts.push({
      file: input.teams.name,
      read: input.teams.rows.length,
      accepted: input.teams.rows.length,
      excluded: 0,
    });
  }
  return { works, teams, accepted, rejections, counts };
}
