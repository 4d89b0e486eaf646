/**
 * Validation (docs/design.md §4.2). Hard errors (docs/formats.md) throw an {@link InputError}, or an
 * {@link InputErrors} listing every one found (the run stops, nothing is written); soft rejections
 * (docs/rules.md §1) exclude a vote: they are recorded compactly (excluded.ts), written to excluded.csv and
 * summarised in the report. With rules.signatures "required" the signature checks (signatures.ts) run first: they
 * can exclude a work too (it then scores nothing: its votes are excluded with it), and the votes of a ballot whole.
 */
import { ZERO_ADDRESS, type Rules } from "./config.js";
import { ErrorCollector, InputError, invariant } from "./errors.js";
import { ExcludedVotes, REJECTION_CODES, type ExcludedWork } from "./excluded.js";
import type { TeamMember, Work } from "./inputs.js";
import { checkSignatures } from "./signatures.js";
import { castOrder } from "./vote-order.js";
import { fileRowOf, pointsOf, type VoteTable } from "./vote-table.js";

export { REJECTION_REASONS, type Rejection, type RejectionCode } from "./excluded.js";

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
  /** The works in file order; votes refer to them by position. */
  workList: Work[];
  teams: Map<string, Team>;
  votes: VoteTable;
  /** Position in `workList` of the work of each vote row (0xffffffff: not in the works file, an excluded vote). */
  voteWork: Uint32Array;
  /**
   * Accepted vote rows (0-based indices into `votes`) grouped by work: work w's are
   * `accepted[workStarts[w] .. workStarts[w + 1])`, in processing order (cast_at, then row).
   */
  accepted: Uint32Array;
  workStarts: Uint32Array;
  /** The excluded votes (excluded.ts). */
  excluded: ExcludedVotes;
  counts: FileCount[];
}

export interface ValidationInput {
  works: { name: string; rows: Work[] };
  votes: { name: string; table: VoteTable };
  teams?: { name: string; rows: TeamMember[] };
  window: { start: number; end: number };
  rules: Rules;
  /** What signatures are bound to (epoch.json); needed when rules.signatures is "required". */
  domain?: { epoch: number; chainId: number; distributor: string };
  /** Reputation of each account after the previous epoch (absent = 0). */
  priorReputation: ReadonlyMap<string, bigint>;
}

function checkTeams(file: string, rows: TeamMember[], errors: ErrorCollector): Map<string, Team> {
  const teams = new Map<string, Team>();
  for (const member of rows) {
    let team = teams.get(member.team);
    if (!team) teams.set(member.team, (team = { name: member.team, members: [] }));
    if (member.member === ZERO_ADDRESS) {
      errors.add(
        new InputError(
          { file, row: member.row, line: member.line, column: "member" },
          "the zero address cannot be a team member: nobody can claim for it",
        ),
      );
    }
    const twice = team.members.find((m) => m.member === member.member);
    if (twice) {
      errors.add(
        new InputError(
          { file, row: member.row, line: member.line, column: "member" },
          `${member.member} is already a member of team "${member.team}" (row ${twice.row})`,
        ),
      );
    }
    // Kept even when refused, so that the shares below add up as written.
    team.members.push(member);
  }
  for (const team of teams.values()) {
    const sum = team.members.reduce((s, m) => s + m.shareBps, 0n);
    if (sum !== 10000n) {
      const last = team.members[team.members.length - 1]!;
      errors.add(
        new InputError(
          { file, row: last.row, line: last.line, column: "share_bps" },
          `shares of team "${team.name}" sum to ${sum}, not 10000 (rows ${team.members.map((m) => m.row).join(", ")})`,
        ),
      );
    }
  }
  return teams;
}

/**
 * Runs the hard checks, then the soft checks of every vote in cast_at order. Every hard error is
 * collected before the run stops, so that one run reports them all.
 */
export function validateEpoch(input: ValidationInput): ValidatedEpoch {
  const { rules, window } = input;
  const errors = new ErrorCollector();
  const teams = input.teams ? checkTeams(input.teams.name, input.teams.rows, errors) : new Map<string, Team>();
  const teamsFile = input.teams?.name ?? "teams file";

  /** The works in file order (the first of a repeated work_id), and each one's position among them. */
  const workList: Work[] = [];
  const workPosition = new Map<string, number>();
  /** A hard error in a row of the works file. */
  const workError = (work: (typeof input.works.rows)[number], column: string, message: string) =>
    errors.add(new InputError({ file: input.works.name, row: work.row, line: work.line, column }, message));
  for (const work of input.works.rows) {
    const at = workPosition.get(work.workId);
    const first = at === undefined ? undefined : workList[at]!;
    if (first) {
      workError(work, "work_id", `duplicate work_id "${work.workId}" (first at row ${first.row})`);
      continue;
    }
    if (work.contributor.kind === "address" && work.contributor.address === ZERO_ADDRESS) {
      workError(work, "contributor", "the zero address cannot be a contributor: nobody can claim for it");
    }
    if (work.contributor.kind === "team" && !teams.has(work.contributor.team)) {
      workError(
        work,
        "contributor",
        `unknown team "${work.contributor.team}" (not in ${input.teams ? teamsFile : "a teams file: pass --teams"})`,
      );
    }
    workPosition.set(work.workId, workList.push(work) - 1);
  }

  const votes = input.votes.table;
  const n = votes.length;
  const voteWork = new Uint32Array(n);
  // With signatures required, a signed ballot may name a work that is not in the works file: that vote alone is
  // excluded (the row cannot be taken out of the file without breaking the ballot's signature).
  const signed = rules.signatures === "required";
  {
    const known = new Int32Array(votes.workIds.length);
    votes.workIds.forEach((id, w) => (known[w] = workPosition.get(id) ?? -1));
    // The zero address is interned once, if it votes at all.
    const zeroVoter = votes.voters.indexOf(ZERO_ADDRESS);
    for (let i = 0; i < n; i++) {
      const w = known[votes.work[i]!]!;
      if (w < 0 && !signed) {
        errors.add(
          () =>
            new InputError(
              {
                file: input.votes.name,
                row: fileRowOf(votes, i),
                line: votes.line?.[i],
                column: "work_id",
              },
              `vote for unknown work "${votes.workIds[votes.work[i]!]}"`,
            ),
        );
      }
      if (votes.voter[i] === zeroVoter) {
        errors.add(
          () =>
            new InputError(
              { file: input.votes.name, row: fileRowOf(votes, i), line: votes.line?.[i], column: "voter" },
              "the zero address cannot be a voter: nobody holds its key",
            ),
        );
      }
      voteWork[i] = w;
    }
  }
  errors.throwIfAny();

  invariant(!signed || input.domain !== undefined, "rules.signatures is required but no domain is given");
  const verdicts = signed
    ? checkSignatures({
        ...input.domain!,
        works: workList,
        teamMembers: new Map([...teams.values()].map((t) => [t.name, t.members.map((m) => m.member)])),
        votes,
        voteWork,
      })
    : undefined;

  // Self-votes compare voter indices: the contributor's (−1 if it never votes), or a team's members'.
  const voterIndex = votes.voterIndex ?? new Map<string, number>(votes.voters.map((v, i) => [v, i]));
  const teamVoters = new Map<string, Set<number>>();
  const teamNames = [...teams.keys()];
  const teamNumber = new Map(teamNames.map((name, t) => [name, t + 1]));
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

  const excluded = new ExcludedVotes(input.votes.name, votes, {
    maxPoints: rules.maxPoints,
    minVoterReputation: rules.minVoterReputation,
    priorReputation: input.priorReputation,
    teams: teamNames,
    details: verdicts?.details,
  });
  if (verdicts) {
    workList.forEach((work, w) => {
      if (verdicts.work[w] === 0) return;
      const c = work.contributor;
      excluded.addWork(input.works.name, {
        row: work.row,
        line: work.line,
        code: REJECTION_CODES[verdicts.work[w]! - 1] as ExcludedWork["code"],
        workId: work.workId,
        contributor: c.kind === "address" ? c.address : `team:${c.team}`,
        detail: verdicts.workDetail[w]!,
      });
    });
  }
  /** Per vote row: 1 + the code of the signature checks' rejection, or 0. */
  const early = verdicts?.vote;

  // Exact for every points value that is a safe integer (larger ones are compared as bigint).
  const maxPoints = Number(rules.maxPoints);
  const priorOf = (v: number) => input.priorReputation.get(votes.voters[v]!) ?? 0n;
  /** Per voter: 0 not looked up yet, 1 reputation high enough, 2 below rules.minVoterReputation. */
  const reputationCheck = new Uint8Array(votes.voters.length);

  // Processing order (cast_at, then row), then grouped by work keeping that order: a duplicate is a second vote of
  // a voter on one work, so each work's votes can be checked on their own, with a per-voter mark instead of a set
  // of (work, voter) pairs.
  const order = castOrder(votes.castAt);
  const starts = new Uint32Array(workList.length + 1);
  for (let i = 0; i < n; i++) if (early === undefined || early[i] === 0) starts[voteWork[i]! + 1]!++;
  for (let w = 1; w <= workList.length; w++) starts[w]! += starts[w - 1]!;
  /** Processing positions k, grouped by work; becomes the accepted rows, in place. */
  const grouped = new Uint32Array(n);
  {
    const fill = starts.slice(0, workList.length);
    for (let k = 0; k < n; k++) {
      const i = order[k]!;
      // Rows the signature checks excluded never reach the rules' checks.
      if (early !== undefined && early[i] !== 0) excluded.add(k, i, early[i]! - 1, verdicts!.voteDetail[i]!);
      else grouped[fill[voteWork[i]!]!++] = k;
    }
  }
  /** Per voter: 1 + the last work it has an accepted vote on. */
  const acceptedOn = new Int32Array(votes.voters.length);
  const SELF = REJECTION_CODES.indexOf("self-vote");
  const POINTS = REJECTION_CODES.indexOf("points-out-of-range");
  const WINDOW = REJECTION_CODES.indexOf("outside-window");
  const DUPLICATE = REJECTION_CODES.indexOf("duplicate");
  const REPUTATION = REJECTION_CODES.indexOf("voter-below-min-reputation");
  let acceptedCount = 0;
  let from = 0;
  for (let w = 0; w < workList.length; w++) {
    const to = starts[w + 1]!;
    starts[w] = acceptedCount;
    const team = contributorTeam[w];
    const contributor = contributorVoter[w]!;
    const teamValue = team === undefined ? 0 : teamNumber.get((workList[w]!.contributor as { team: string }).team)!;
    for (let g = from; g < to; g++) {
      const k = grouped[g]!;
      const i = order[k]!;
      const voter = votes.voter[i]!;
      const points = votes.points[i]!;
      const castAt = votes.castAt[i]!;
      if (team === undefined ? contributor === voter : team.has(voter)) {
        excluded.add(k, i, SELF, teamValue);
      } else if (
        Number.isNaN(points)
          ? pointsOf(votes, i) < 0n || pointsOf(votes, i) > rules.maxPoints
          : points < 0 || points > maxPoints
      ) {
        excluded.add(k, i, POINTS, points, Number.isNaN(points) ? pointsOf(votes, i) : undefined);
      } else if (castAt < window.start || castAt > window.end) {
        excluded.add(k, i, WINDOW, castAt);
      } else if (acceptedOn[voter] === w + 1) {
        excluded.add(k, i, DUPLICATE, 0);
      } else if ((reputationCheck[voter] ||= priorOf(voter) < rules.minVoterReputation ? 2 : 1) === 2) {
        excluded.add(k, i, REPUTATION, 0);
      } else {
        acceptedOn[voter] = w + 1;
        grouped[acceptedCount++] = i;
      }
    }
    from = to;
  }
  starts[workList.length] = acceptedCount;
  excluded.seal();
  // A screened read (vote-screen.ts) kept only rows that pass every check: its verdicts are these checks'.
  invariant(!votes.screened || excluded.length === 0, "a screened votes table had a row to exclude");

  const counts: FileCount[] = [
    {
      file: input.works.name,
      read: input.works.rows.length,
      accepted: input.works.rows.length - excluded.works.length,
      excluded: excluded.works.length,
    },
    {
      file: input.votes.name,
      read: votes.fileRows ?? n,
      accepted: acceptedCount,
      excluded: excluded.votes,
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
    workList,
    teams,
    votes,
    voteWork,
    accepted: grouped.subarray(0, acceptedCount),
    workStarts: starts,
    excluded,
    counts,
  };
}
