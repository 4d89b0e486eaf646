/**
 * Validation (docs/design.md §4.2). Hard errors (docs/formats.md) throw an {@link InputError} (the
 * run stops, nothing is written); soft rejections (docs/rules.md §1) exclude a vote and are listed
 * in the report.
 */
import { ZERO_ADDRESS, type Rules } from "./config.js";
import { InputError } from "./errors.js";
import type { TeamMember, Work } from "./inputs.js";
import { PairSet } from "./pair-set.js";
import { castOrder } from "./vote-order.js";
import { pointsOf, type VoteTable } from "./vote-table.js";

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
  /** The works in file order; votes refer to them by position. */
  workList: Work[];
  teams: Map<string, Team>;
  votes: VoteTable;
  /** Position in `workList` of the work of each vote row. */
  voteWork: Uint32Array;
  /** Accepted vote rows (0-based indices into `votes`) in processing order (cast_at, then row). */
  accepted: Uint32Array;
  /** Rejected votes in processing order. */
  rejections: Rejection[];
  counts: FileCount[];
}

export interface ValidationInput {
  works: { name: string; rows: Work[] };
  votes: { name: string; table: VoteTable };
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
    if (member.member === ZERO_ADDRESS) {
      throw new InputError(
        { file, row: member.row, line: member.line, column: "member" },
        "the zero address cannot be a team member: nobody can claim for it",
      );
    }
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
    if (work.contributor.kind === "address" && work.contributor.address === ZERO_ADDRESS) {
      throw new InputError(
        {
          file: input.works.name,
          row: work.row,
          line: work.line,
          column: "contributor",
        },
        "the zero address cannot be a contributor: nobody can claim for it",
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

  const votes = input.votes.table;
  const n = votes.length;
  const workList = [...works.values()];
  const workPosition = new Map<string, number>(workList.map((w, i) => [w.workId, i]));
  const voteWork = new Uint32Array(n);
  {
    const known = new Int32Array(votes.workIds.length);
    votes.workIds.forEach((id, w) => (known[w] = workPosition.get(id) ?? -1));
    for (let i = 0; i < n; i++) {
      const w = known[votes.work[i]!]!;
      if (w < 0) {
        throw new InputError(
          {
            file: input.votes.name,
            row: i + 1,
            line: votes.line?.[i],
            column: "work_id",
          },
          `vote for unknown work "${votes.workIds[votes.work[i]!]}"`,
        );
      }
      voteWork[i] = w;
    }
  }

  // Self-votes compare voter indices: the contributor's (−1 if it never votes), or a team's members'.
  const voterIndex = new Map<string, number>(votes.voters.map((v, i) => [v, i]));
  const teamVoters = new Map<string, Set<number>>();
  for (const team of teams.values()) {
    const members = new Set<number>();
    for (const m of team.members) {
      const v = voterIndex.get(m.member);
      if (v !== undefined) members.add(v);
    }
    teamVoters.set(team.name, members);
  }
  const contributorVoter = new Int32Array(workList.length);
  const contributorTeam: (Set<number> | undefined)[] = new Array(workList.length);
  workList.forEach((work, w) => {
    const c = work.contributor;
    if (c.kind === "address") contributorVoter[w] = voterIndex.get(c.address) ?? -1;
    else contributorTeam[w] = teamVoters.get(c.team)!;
  });

  const rejections: Rejection[] = [];
  const reject = (i: number, code: RejectionCode, column: string, detail: string) =>
    rejections.push({
      file: input.votes.name,
      row: i + 1,
      line: votes.line?.[i],
      column,
      code,
      reason: `${REJECTION_REASONS[code]} (${detail})`,
      workId: votes.workIds[votes.work[i]!]!,
      voter: votes.voters[votes.voter[i]!]!,
    });

  // Exact for every points value that is a safe integer (larger ones are compared as bigint).
  const maxPoints = Number(rules.maxPoints);
  const priorOf = (v: number) => input.priorReputation.get(votes.voters[v]!) ?? 0n;
  /** Per voter: 0 not looked up yet, 1 reputation high enough, 2 below rules.minVoterReputation. */
  const reputationCheck = new Uint8Array(votes.voters.length);
  const acceptedPairs = new PairSet(n);
  const order = castOrder(votes.castAt);
  const accepted = new Uint32Array(n);
  let acceptedCount = 0;

  for (let k = 0; k < n; k++) {
    const i = order[k]!;
    const w = voteWork[i]!;
    const voter = votes.voter[i]!;
    const points = votes.points[i]!;
    const castAt = votes.castAt[i]!;
    const team = contributorTeam[w];
    if (team === undefined ? contributorVoter[w] === voter : team.has(voter)) {
      const c = workList[w]!.contributor;
      reject(i, "self-vote", "voter", c.kind === "address" ? "contributor" : `member of team "${c.team}"`);
    } else if (
      Number.isNaN(points)
        ? pointsOf(votes, i) < 0n || pointsOf(votes, i) > rules.maxPoints
        : points < 0 || points > maxPoints
    ) {
      reject(i, "points-out-of-range", "points", `${pointsOf(votes, i)} not in 0..${rules.maxPoints}`);
    } else if (castAt < window.start || castAt > window.end) {
      reject(i, "outside-window", "cast_at", `${new Date(castAt).toISOString()} not in the window`);
    } else if (acceptedPairs.has(w, voter)) {
      reject(i, "duplicate", "voter", `work "${votes.workIds[votes.work[i]!]}"`);
    } else if ((reputationCheck[voter] ||= priorOf(voter) < rules.minVoterReputation ? 2 : 1) === 2) {
      reject(i, "voter-below-min-reputation", "voter", `${priorOf(voter)} < ${rules.minVoterReputation}`);
    } else {
      acceptedPairs.add(w, voter);
      accepted[acceptedCount++] = i;
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
      read: n,
      accepted: acceptedCount,
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
  return {
    works,
    workList,
    teams,
    votes,
    voteWork,
    accepted: accepted.slice(0, acceptedCount),
    rejections,
    counts,
  };
}
