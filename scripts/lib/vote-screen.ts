/**
 * Reading a votes file with its rows screened as they come, so that a run's memory grows with the votes it accepts,
 * not with the rows of a bad file (docs/pipeline.md, Memory).
 *
 * Every soft check of docs/rules.md §1 but one depends on the row alone once the works, the teams, the window, the
 * rules and the prior reputations are known: self-vote, points out of range, outside the window, voter below the
 * minimum reputation. The one that does not, the duplicate, keeps the first vote of a voter on a work in processing
 * order (cast_at, then row): that is the pair's vote with the smallest (cast_at, row) among those that pass the
 * other checks. So the reader excludes a row that fails a row check at once (it is only counted), and keeps one
 * row per (work, voter) pair: a later row with an earlier cast_at takes the place of the row kept so far, which
 * becomes the duplicate. The table then holds the accepted votes only, and the rows with hard errors (a work not in
 * the works file, the zero address as voter: validate.ts reports them all, as it would have). The verdicts are the
 * ones validate.ts reaches on the whole file: the tests read every epoch both ways.
 *
 * The excluded rows are held for excluded.csv, a few numbers each, up to `screenLimits.heldExclusions`; past that
 * they are dropped, and excluded.csv is written by reading the file again with the same reader (its size, CRC-32 and
 * counts by reason are checked to be the same), applying the same row checks, and taking a passing row that is not
 * a kept one as a duplicate. Every CSV votes file is screened, whether the fast scanner or csv-parse reads it, when
 * `rules.signatures` is "ignored" (a ballot's signature spans rows, so its checks need every row of it); JSON votes
 * and signed ballots are read whole into the table as before.
 */
import { ZERO_ADDRESS, type Rules } from "./config.js";
import { REJECTION_CODES, type ScreenedBatch, type ScreenedExclusions } from "./excluded.js";
import { InputError } from "./errors.js";
import { InputChangedError } from "./input-files.js";
import type { TeamMember, Work } from "./inputs.js";
import { csvRecordsByChunk, formatOf, type AnySource } from "./inputs.js";
import {
  chunksOf,
  csvVoteRows,
  estimateRows,
  fastVotesScanner,
  REMOVED,
  sizeOf,
  VoteColumns,
  VoteNames,
  readCsvVoteRows,
  type CsvShape,
  type VoteRowSink,
  type VoteTable,
} from "./vote-table.js";
import { CsvError as StreamCsvError } from "csv-parse";
import { CsvError } from "csv-parse/sync";

/** What the row checks need to know before the votes are read. */
export interface VoteScreen {
  /** Each work id's position among the works (the first row of a repeated id, as validate.ts takes it). */
  workPosition: ReadonlyMap<string, number>;
  /** Every contributor and team member, numbered: a voter is compared with them by number. */
  person: ReadonlyMap<string, number>;
  /** Per work position: its contributor's number, or −1 for a team's work. */
  contributor: Int32Array;
  /** Per work position: 1 + its team's number (in order of first appearance in the teams file), 0, or −1 (unknown). */
  team: Int32Array;
  /** Per team number: its members' numbers. */
  members: readonly ReadonlySet<number>[];
  window: { start: number; end: number };
  maxPoints: bigint;
  minVoterReputation: bigint;
  priorReputation: ReadonlyMap<string, bigint>;
}

/**
 * The screen of an epoch, or undefined when its votes cannot be screened (rules.signatures "required"). The works'
 * positions and the teams' numbers are taken as validate.ts takes them.
 */
export function voteScreen(input: {
  works: readonly Work[];
  teams: readonly TeamMember[] | undefined;
  window: { start: number; end: number };
  rules: Rules;
  priorReputation: ReadonlyMap<string, bigint>;
}): VoteScreen | undefined {
  if (input.rules.signatures === "required") return undefined;
  const person = new Map<string, number>();
  const numberOf = (address: string) => {
    let n = person.get(address);
    if (n === undefined) person.set(address, (n = person.size));
    return n;
  };
  const teamNumber = new Map<string, number>();
  const members: Set<number>[] = [];
  for (const m of input.teams ?? []) {
    let t = teamNumber.get(m.team);
    if (t === undefined) {
      t = members.push(new Set()) - 1;
      teamNumber.set(m.team, t);
    }
    members[t]!.add(numberOf(m.member));
  }
  const workPosition = new Map<string, number>();
  const contributor: number[] = [];
  const team: number[] = [];
  for (const work of input.works) {
    if (workPosition.has(work.workId)) continue;
    workPosition.set(work.workId, contributor.length);
    const c = work.contributor;
    contributor.push(c.kind === "address" ? numberOf(c.address) : -1);
    // An unknown team is a hard error (validate.ts): its work's votes are kept for the run to stop on it.
    team.push(c.kind === "team" ? 1 + (teamNumber.get(c.team) ?? -2) : 0);
  }
  return {
    workPosition,
    person,
    contributor: Int32Array.from(contributor),
    team: Int32Array.from(team),
    members,
    window: input.window,
    maxPoints: input.rules.maxPoints,
    minVoterReputation: input.rules.minVoterReputation,
    priorReputation: input.priorReputation,
  };
}

const SELF = REJECTION_CODES.indexOf("self-vote");
const POINTS = REJECTION_CODES.indexOf("points-out-of-range");
const WINDOW = REJECTION_CODES.indexOf("outside-window");
const DUPLICATE = REJECTION_CODES.indexOf("duplicate");
const REPUTATION = REJECTION_CODES.indexOf("voter-below-min-reputation");
/** {@link RowChecks.check}: the row passes every row check. */
const PASS = -1;
/** {@link RowChecks.check}: the row has a hard error; it is kept for validate.ts to report. */
const HARD = -2;

/** The row checks of docs/rules.md §1, in their order, over the indices of a reader's {@link VoteNames}. */
class RowChecks {
  /** Per work index: 1 + its position among the works, −1 if not among them, 0 not looked up yet. */
  private position = new Int32Array(1024);
  /**
   * Per voter index, once looked up: 1 + its number among the contributors and members (or 0 if none), plus
   * {@link BELOW} if its reputation is below rules.minVoterReputation, plus {@link ZERO} for the zero address;
   * −1 not looked up yet.
   */
  private voterInfo = new Int32Array(1024).fill(-1);
  private readonly maxPoints: number;
  /** The value of the last exclusion (ExcludedVotes.add): points, cast_at, or the team number + 1 of a self-vote. */
  value = 0;

  constructor(
    private readonly screen: VoteScreen,
    private readonly names: VoteNames,
  ) {
    // Exact for every points value that is a safe integer (larger ones are compared as bigint), as validate.ts.
    this.maxPoints = Number(screen.maxPoints);
  }

  /** The code of the row's exclusion, or PASS, or HARD. */
  check(work: number, voter: number, points: number, big: bigint | undefined, castAt: number): number {
    const { screen } = this;
    if (work >= this.position.length) this.position = grown(this.position, work, 0);
    let p = this.position[work]!;
    if (p === 0) p = this.position[work] = 1 + (screen.workPosition.get(this.names.workIds[work]!) ?? -2);
    if (p < 0) return HARD;
    if (voter >= this.voterInfo.length) this.voterInfo = grown(this.voterInfo, voter, -1);
    let info = this.voterInfo[voter]!;
    if (info < 0) info = this.voterInfo[voter] = this.lookUp(voter);
    if (info & ZERO) return HARD;
    const position = p - 1;
    const team = screen.team[position]!;
    if (team < 0) return HARD;
    this.value = 0;
    const person = (info & PERSON) - 1;
    if (person >= 0 && (team === 0 ? screen.contributor[position] === person : screen.members[team - 1]!.has(person))) {
      this.value = team;
      return SELF;
    }
    if (big !== undefined ? big < 0n || big > screen.maxPoints : points < 0 || points > this.maxPoints) {
      this.value = big === undefined ? points : NaN;
      return POINTS;
    }
    if (castAt < screen.window.start || castAt > screen.window.end) {
      this.value = castAt;
      return WINDOW;
    }
    return info & BELOW ? REPUTATION : PASS;
  }

  private lookUp(voter: number): number {
    const { screen } = this;
    const address = this.names.voters[voter]!;
    const person = screen.person.get(address);
    const below = (screen.priorReputation.get(address) ?? 0n) < screen.minVoterReputation;
    return (person === undefined ? 0 : person + 1) | (below ? BELOW : 0) | (address === ZERO_ADDRESS ? ZERO : 0);
  }
}

/** {@link RowChecks}' voter info: the person number + 1 in the low bits, and two flags. */
const PERSON = (1 << 29) - 1;
const BELOW = 1 << 29;
const ZERO = 1 << 30;

/** A copy of `a` long enough for index `i`, the new entries `fill`. */
function grown(a: Int32Array<ArrayBuffer>, i: number, fill: number): Int32Array<ArrayBuffer> {
  const b = new Int32Array(Math.max(a.length * 2, i + 1)).fill(fill);
  b.set(a);
  return b;
}

/**
 * How many excluded rows a screened read holds (about 35 bytes each, 37 MB at most); past it, excluded.csv reads
 * the file again; and whether votes are screened at all. Settings for tests: a small `heldExclusions` takes the
 * second way on small files, and `screening: false` reads every file whole, to compare.
 */
export const screenLimits = { heldExclusions: 1 << 20, screening: true };

/** Excluded rows as growable columns ({@link ScreenedBatch}). */
class ExclusionLog implements ScreenedBatch {
  length = 0;
  row: Uint32Array;
  line: Uint32Array;
  code: Uint8Array;
  value: Float64Array;
  castAt: Float64Array;
  work: Uint32Array;
  voter: Uint32Array;
  readonly big = new Map<number, bigint>();

  constructor(
    readonly workIds: readonly string[],
    readonly voters: readonly string[],
    capacity = 1024,
  ) {
    this.row = new Uint32Array(capacity);
    this.line = new Uint32Array(capacity);
    this.code = new Uint8Array(capacity);
    this.value = new Float64Array(capacity);
    this.castAt = new Float64Array(capacity);
    this.work = new Uint32Array(capacity);
    this.voter = new Uint32Array(capacity);
  }

  /** Adds data row `row` (0-based). */
  push(
    row: number,
    line: number,
    code: number,
    value: number,
    castAt: number,
    work: number,
    voter: number,
    big: bigint | undefined,
  ): void {
    if (this.length === this.row.length) this.grow();
    const i = this.length++;
    this.row[i] = row + 1;
    this.line[i] = line;
    this.code[i] = code;
    this.value[i] = value;
    this.castAt[i] = castAt;
    this.work[i] = work;
    this.voter[i] = voter;
    if (big !== undefined) this.big.set(i, big);
  }

  clear(): void {
    this.length = 0;
    this.big.clear();
  }

  /** The rows in row order (a displaced duplicate is added after rows that follow it): a sorted copy if need be. */
  inRowOrder(): ScreenedBatch {
    const n = this.length;
    let sorted = true;
    for (let i = 1; i < n && sorted; i++) sorted = this.row[i - 1]! < this.row[i]!;
    if (sorted) return this;
    const order = new Uint32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    order.sort((a, b) => this.row[a]! - this.row[b]!);
    const copy = new ExclusionLog(this.workIds, this.voters, n);
    for (const i of order) {
      copy.push(
        this.row[i]! - 1,
        this.line[i]!,
        this.code[i]!,
        this.value[i]!,
        this.castAt[i]!,
        this.work[i]!,
        this.voter[i]!,
        this.big.get(i),
      );
    }
    return copy;
  }

  private grow(): void {
    const capacity = Math.ceil(this.row.length * 1.5);
    const grow = <T extends Uint32Array | Uint8Array | Float64Array>(a: T): T => {
      const b = new (a.constructor as new (n: number) => T)(capacity);
      b.set(a);
      return b;
    };
    this.row = grow(this.row);
    this.line = grow(this.line);
    this.code = grow(this.code);
    this.value = grow(this.value);
    this.castAt = grow(this.castAt);
    this.work = grow(this.work);
    this.voter = grow(this.voter);
  }
}

/**
 * The sink of a screened read: the row checks, then one kept row per (work, voter) pair, found through an
 * open-addressing table of row indices. A kept row that a later row displaces is marked and the columns compacted
 * when such rows are as many as the live ones, so the columns stay within twice the accepted votes.
 */
class ScreenedColumns implements VoteRowSink {
  readonly keepSignatures = false;
  readonly byCode = new Uint32Array(REJECTION_CODES.length);
  count = 0;
  /** The excluded rows, until there are more than {@link screenLimits}' `heldExclusions`. */
  log: ExclusionLog | undefined;
  private readonly checks: RowChecks;
  private slots: Int32Array;
  private pairs = 0;
  private removed = 0;

  constructor(
    readonly columns: VoteColumns,
    screen: VoteScreen,
  ) {
    this.checks = new RowChecks(screen, columns.names);
    this.slots = new Int32Array(1024);
    this.log = new ExclusionLog(columns.names.workIds, columns.names.voters);
  }

  add(
    work: number,
    voter: number,
    points: number,
    big: bigint | undefined,
    castAt: number,
    line: number,
    row: number,
  ): void {
    const code = this.checks.check(work, voter, points, big, castAt);
    if (code >= 0) {
      this.exclude(row, line, code, this.checks.value, castAt, work, voter, code === POINTS ? big : undefined);
      return;
    }
    const columns = this.columns;
    if (code === HARD) {
      columns.add(work, voter, points, big, castAt, line, row, undefined);
      return;
    }
    const s = this.find(work, voter);
    const kept = this.slots[s]! - 1;
    if (kept >= 0) {
      // Rows come in row order: the kept row stays first unless this one was cast earlier.
      if (castAt >= columns.castAt[kept]!) {
        this.exclude(row, line, DUPLICATE, 0, castAt, work, voter, undefined);
        return;
      }
      const keptRow = columns.row![kept]!;
      this.exclude(keptRow, columns.line[kept]!, DUPLICATE, 0, columns.castAt[kept]!, work, voter, undefined);
      columns.voter[kept] = REMOVED;
      this.removed++;
    } else if (++this.pairs * 2 > this.slots.length) {
      this.rehash(this.slots.length * 2);
      columns.add(work, voter, points, big, castAt, line, row, undefined);
      this.slots[this.find(work, voter)] = columns.length;
      return;
    }
    columns.add(work, voter, points, big, castAt, line, row, undefined);
    this.slots[s] = columns.length;
    if (this.removed > 1024 && this.removed * 2 > columns.length) this.compact();
  }

  /** The table, the displaced rows gone. */
  finish(): void {
    if (this.removed > 0) this.compact();
  }

  private exclude(
    row: number,
    line: number,
    code: number,
    value: number,
    castAt: number,
    work: number,
    voter: number,
    big: bigint | undefined,
  ): void {
    this.byCode[code]!++;
    this.count++;
    if (this.count > screenLimits.heldExclusions) this.log = undefined;
    else this.log?.push(row, line, code, value, castAt, work, voter, big);
  }

  /** The slot of the pair: the one holding its kept row, or the empty one where it goes. */
  private find(work: number, voter: number): number {
    const mask = this.slots.length - 1;
    const columns = this.columns;
    let s = (Math.imul(work, 0x9e3779b1) ^ Math.imul(voter + 0x7f4a7c15, 0x85ebca77)) >>> 0;
    s = (s ^ (s >>> 15)) & mask;
    for (;;) {
      const t = this.slots[s]! - 1;
      if (t < 0 || (columns.work[t] === work && columns.voter[t] === voter)) return s;
      s = (s + 1) & mask;
    }
  }

  /** The pairs' table anew, at `size` slots, from the live rows. */
  private rehash(size: number): void {
    this.slots = new Int32Array(size);
    const columns = this.columns;
    for (let t = 0; t < columns.length; t++) {
      if (columns.voter[t] === REMOVED) continue;
      this.slots[this.find(columns.work[t]!, columns.voter[t]!)] = t + 1;
    }
  }

  private compact(): void {
    this.columns.compact();
    this.removed = 0;
    this.rehash(this.slots.length);
  }
}

/**
 * Reads a votes file with its rows screened (the module's comment), or undefined when it cannot be (not CSV, or
 * screening turned off for a test: then it is read whole, readVotes). Throws InputError as readVotes does.
 */
export function readScreenedVotes(source: AnySource, screen: VoteScreen): VoteTable | undefined {
  if (formatOf(source.name) !== "csv" || !screenLimits.screening) return undefined;
  const read = readCsvVoteRows(
    source,
    (names, sample) =>
      // Room for every row: the pages no row is written to are never touched, so they take no memory (a fresh large
      // allocation is zero pages mapped on demand), and the columns are not copied as they grow.
      new ScreenedColumns(
        new VoteColumns(names, estimateRows(sample, sizeOf(source)), { rows: true, signatures: false }),
        screen,
      ),
  );
  const sink =
    read.sink ?? new ScreenedColumns(new VoteColumns(read.names, 16, { rows: true, signatures: false }), screen);
  sink.finish();
  const table = sink.columns.table(true);
  table.fileRows = read.rows;
  const kept = table.row!;
  table.screened = { byCode: sink.byCode, count: sink.count, batches: lister(source, screen, kept, sink, read.shape) };
  return table;
}

/**
 * How the excluded rows are listed: nothing to list, the rows held, or a second reading. Each way in a scope of its
 * own, so that a function keeps alive only what it uses (the screen's maps, for a million works, only if the file
 * is to be read again).
 */
function lister(
  source: AnySource,
  screen: VoteScreen,
  kept: Uint32Array,
  sink: ScreenedColumns,
  shape: CsvShape,
): () => Iterable<ScreenedBatch> {
  if (sink.count === 0) return () => [];
  const log = sink.log;
  if (log) return held(log.inRowOrder());
  return readAgain(source, screen, kept, sink.byCode, shape);
}

const held = (batch: ScreenedBatch) => () => [batch];

const readAgain =
  (source: AnySource, screen: VoteScreen, kept: Uint32Array, byCode: Uint32Array, shape: CsvShape) => () =>
    rescan(source, screen, kept, byCode, shape);

/**
 * The excluded rows of a screened file in row order, by reading it again: a row that fails a row check, or passes
 * them and is not one of the `kept` rows (ascending: the table's file rows), which makes it a duplicate. One batch a
 * chunk of the file, in the same columns each time. Checks that the counts by code come out as the first reading's.
 */
function* rescan(
  source: AnySource,
  screen: VoteScreen,
  kept: Uint32Array,
  byCode: Uint32Array,
  shape: CsvShape,
): Generator<ScreenedBatch> {
  const names = new VoteNames();
  const checks = new RowChecks(screen, names);
  const log = new ExclusionLog(names.workIds, names.voters, 1 << 16);
  const counts = new Uint32Array(byCode.length);
  let next = 0;
  const sink: VoteRowSink = {
    keepSignatures: false,
    add(work, voter, points, big, castAt, line, row) {
      let code = checks.check(work, voter, points, big, castAt);
      if (code === HARD) throw changed(source);
      if (code === PASS) {
        while (next < kept.length && kept[next]! < row) next++;
        if (next < kept.length && kept[next] === row) return;
        code = DUPLICATE;
      }
      counts[code]!++;
      const value = code === DUPLICATE || code === REPUTATION ? 0 : checks.value;
      log.push(row, line, code, value, castAt, work, voter, code === POINTS ? big : undefined);
    },
  };
  // The rows excluded in each chunk are handed over before the next chunk is read. A row that was valid at the
  // first reading and is not now, or a file that is no longer in the same shape, is a file that changed.
  try {
    if (shape === "fast") {
      const scanner = fastVotesScanner(source, names, () => sink);
      let shaped = true;
      for (const chunk of chunksOf(source)) {
        shaped = scanner.push(chunk);
        if (log.length > 0) yield log;
        log.clear();
        if (!shaped) break;
      }
      if (!shaped || scanner.end() === undefined) throw changed(source);
    } else {
      const csv = csvVoteRows(source, names, () => sink);
      let header: string[] | undefined;
      let row = 0;
      for (const _ of csvRecordsByChunk(chunksOf(source), (record, line) => {
        if (header === undefined) header = record;
        else if (csv.onRow(record, ++row, line, header) === false) throw changed(source);
      })) {
        if (log.length > 0) yield log;
        log.clear();
      }
    }
  } catch (error) {
    if (error instanceof InputError || error instanceof CsvError || error instanceof StreamCsvError) {
      throw changed(source);
    }
    throw error;
  }
  if (log.length > 0) yield log;
  if (counts.some((c, i) => c !== byCode[i])) throw changed(source);
}

/**
 * A second reading that differs from the first: a streamed file's size and CRC-32 are checked at its end, but a
 * change can show before it.
 */
function changed(source: AnySource): InputChangedError {
  return new InputChangedError(`${source.name} changed while the pipeline was reading it: run it again`);
}
