// The one generator of the pipeline's input exports (works.csv, votes.csv, teams.csv and epoch.json, docs/formats.md)
// for the tests, the benches and the examples: rows in, file texts or files out (`renderExport`, `writeExport`), and
// a seeded random community epoch (`communityExport`), as examples/generate.ts and the end-to-end test draw them.
import { closeSync, mkdirSync, openSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { pick, prng, randomInt } from "./random.js";

/** The files of an export, by their part. */
export const EXPORT_FILES = {
  works: "works.csv",
  votes: "votes.csv",
  teams: "teams.csv",
  config: "epoch.json",
} as const;
export type ExportPart = keyof typeof EXPORT_FILES;

export const HEADERS = {
  works: "work_id,contributor,category,title,pov_url,submitted_at",
  votes: "work_id,voter,points,cast_at",
  teams: "team,member,share_bps",
} as const;

export type Cell = string | number | bigint;
/** One CSV row; its cells are written as given (a cell that needs quotes carries them). */
export type Row = readonly Cell[];

/** An export: the rows of each CSV file (no header) and epoch.json, as text or as an object (written indented). */
export interface EpochExport {
  works: Iterable<Row>;
  votes: Iterable<Row>;
  /** No teams.csv when absent. */
  teams?: Iterable<Row>;
  config: string | object;
}

/** The text, or the path, of each file of an export. */
export interface ExportFiles {
  works: string;
  votes: string;
  teams?: string;
  config: string;
}

/** A CSV text: the header, then one line a row, each line ending with a newline. */
export function csv(header: string, rows: Iterable<Row>): string {
  const lines: string[] = [header];
  for (const row of rows) lines.push(row.join(","));
  return lines.join("\n") + "\n";
}

/** The texts of the export's files; `replace` gives some of them verbatim instead (a teams text adds teams.csv). */
export function renderExport(e: EpochExport, replace: Partial<ExportFiles> = {}): ExportFiles {
  const teams = replace.teams ?? (e.teams ? csv(HEADERS.teams, e.teams) : undefined);
  return {
    works: replace.works ?? csv(HEADERS.works, e.works),
    votes: replace.votes ?? csv(HEADERS.votes, e.votes),
    ...(teams === undefined ? {} : { teams }),
    config: configText(e, replace),
  };
}

/** epoch.json's text: as replaced, as given, or the object written indented. */
function configText(e: EpochExport, replace: Partial<ExportFiles>): string {
  return replace.config ?? (typeof e.config === "string" ? e.config : JSON.stringify(e.config, null, 2) + "\n");
}

/** Writes a CSV file line by line, in chunks: the same bytes as `csv`, for files larger than a string may be. */
function writeCsv(path: string, header: string, rows: Iterable<Row>): void {
  const fd = openSync(path, "w");
  try {
    let chunk: string[] = [header];
    for (const row of rows) {
      chunk.push(row.join(","));
      if (chunk.length === 65_536) {
        writeSync(fd, chunk.join("\n") + "\n");
        chunk = [];
      }
    }
    if (chunk.length > 0) writeSync(fd, chunk.join("\n") + "\n");
  } finally {
    closeSync(fd);
  }
}

/**
 * Writes the export's files into `dir` (made if missing) under their usual names, the same bytes as
 * `renderExport` gives, and returns their paths. The rows are read once, as they come: an export of millions of
 * rows can be generated on the fly.
 */
export function writeExport(dir: string, e: EpochExport, replace: Partial<ExportFiles> = {}): ExportFiles {
  mkdirSync(dir, { recursive: true });
  const path = (part: ExportPart) => join(dir, EXPORT_FILES[part]);
  const write = (part: "works" | "votes" | "teams", rows: Iterable<Row>) => {
    const text = replace[part];
    if (text === undefined) writeCsv(path(part), HEADERS[part], rows);
    else writeFileSync(path(part), text);
    return path(part);
  };
  const paths: ExportFiles = { works: write("works", e.works), votes: write("votes", e.votes), config: "" };
  if (e.teams || replace.teams !== undefined) paths.teams = write("teams", e.teams ?? []);
  paths.config = path("config");
  writeFileSync(paths.config, configText(e, replace));
  return paths;
}

/** A kind of work a contributor submits: its category, title (written in quotes) and link. */
export type WorkKind = readonly [category: string, title: string, url: string];

/** A random community epoch: who contributes, who votes, and what goes into epoch.json. */
export interface CommunityPlan {
  epoch: number;
  /** Seed of every draw. */
  seed: number;
  /** The epoch's window (ISO timestamps): works are submitted in its first 60%, votes cast after them. */
  start: string;
  end: string;
  /** One work each, in this order, of a kind drawn from `kinds`; its id is `e<epoch>-w<001…>`. */
  contributors: readonly string[];
  kinds: readonly WorkKind[];
  /** Every work gets between min and max distinct voters (default 3 and 7), never its own contributor. */
  voters: readonly string[];
  votesPerWork?: readonly [min: number, max: number];
  /** A team whose work `e<epoch>-team` (submitted at 10% of the window) follows the contributors' works. */
  team?: { name: string; members: readonly string[]; shares: readonly number[]; work: WorkKind };
  /** epoch.json is { epoch, ...settings, start, end, rules }. */
  settings: Record<string, unknown>;
  rules: Record<string, unknown>;
}

/** A generated export, its rows as arrays of strings (so that a caller can read them or add rows). */
export interface CommunityExport extends EpochExport {
  works: string[][];
  votes: string[][];
  teams?: string[][];
  config: object;
}

/** An ISO timestamp without milliseconds. */
const iso = (ms: number) => new Date(ms).toISOString().replace(".000Z", "Z");

/** Draws a community epoch from `plan`: the same plan gives the same rows on every run. */
export function communityExport(plan: CommunityPlan): CommunityExport {
  const rand = prng(plan.seed);
  const [fewest, most] = plan.votesPerWork ?? [3, 7];
  const start = Date.parse(plan.start);
  const end = Date.parse(plan.end);
  const at = (fraction: number) => start + Math.floor(((end - start) * fraction) / 60000) * 60000;

  const works: string[][] = [];
  const authors: { id: string; excluded: Set<string>; submitted: number }[] = [];
  for (const [n, contributor] of plan.contributors.entries()) {
    const [category, title, url] = pick(rand, plan.kinds);
    const id = `e${plan.epoch}-w${String(n + 1).padStart(3, "0")}`;
    const submitted = at(rand() * 0.6);
    works.push([id, contributor, category, `"${title}"`, `${url}?ref=${id}`, iso(submitted)]);
    authors.push({ id, excluded: new Set([contributor]), submitted });
  }
  const team = plan.team;
  if (team) {
    const id = `e${plan.epoch}-team`;
    const [category, title, url] = team.work;
    works.push([id, `team:${team.name}`, category, `"${title}"`, url, iso(at(0.1))]);
    authors.push({ id, excluded: new Set(team.members), submitted: at(0.1) });
  }

  const votes: string[][] = [];
  for (const work of authors) {
    const voters = new Set<string>();
    const wanted = fewest + randomInt(rand, most - fewest + 1);
    while (voters.size < wanted) {
      const voter = pick(rand, plan.voters);
      if (!work.excluded.has(voter)) voters.add(voter);
    }
    for (const voter of voters) {
      const cast = work.submitted + Math.floor((rand() * (end - work.submitted) * 0.9) / 60000) * 60000;
      votes.push([work.id, voter, String(1 + randomInt(rand, 10)), iso(cast)]);
    }
  }

  return {
    works,
    votes,
    ...(team ? { teams: team.members.map((member, i) => [team.name, member, String(team.shares[i])]) } : {}),
    config: { epoch: plan.epoch, ...plan.settings, start: plan.start, end: plan.end, rules: plan.rules },
  };
}
