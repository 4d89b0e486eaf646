/**
 * The excluded (soft-rejected) votes of an epoch, held compactly: a few numbers per row in typed arrays, no object
 * and no string per row, so that a votes file of millions of rejected rows costs little more memory than its
 * accepted rows. `excluded.csv` is rendered from them, streamed in chunks, and report.md only summarises them
 * (docs/formats.md). {@link ExcludedVotes.toRejections} makes the row objects, for callers that want them.
 *
 * A votes file read with its rows screened as they come (vote-screen.ts) leaves even less: the rows excluded then
 * are only counted, and listed again from the file when excluded.csv is written ({@link ScreenedExclusions}), so
 * that a run's memory does not grow with the rows of a bad file.
 *
 * With `rules.signatures: "required"` a work can be excluded too (its report is unsigned or badly signed): the few
 * excluded works are kept as objects and listed before the votes, since the works file comes first.
 */
import type { VoteTable } from "./vote-table.js";

/**
 * Excluded vote rows of a screened read (vote-screen.ts), in row order, as columns: `work` and `voter` index
 * `workIds` and `voters`; `value` is what {@link ExcludedVotes.add} takes (points, NaN when in `big`; cast_at ms;
 * team number + 1 or 0), `big` is keyed by position in the batch.
 */
export interface ScreenedBatch {
  length: number;
  /** 1-based data rows. */
  row: Uint32Array;
  line: Uint32Array;
  /** Index into {@link REJECTION_CODES}. */
  code: Uint8Array;
  value: Float64Array;
  castAt: Float64Array;
  work: Uint32Array;
  voter: Uint32Array;
  big: ReadonlyMap<number, bigint>;
  workIds: readonly string[];
  voters: readonly string[];
}

/** The rows a screened read excluded: counted as read, listed (in row order) on demand. */
export interface ScreenedExclusions {
  /** Rows by code, indexed like {@link REJECTION_CODES}. */
  byCode: Uint32Array;
  count: number;
  /**
   * The excluded rows in row order, in batches (each valid until the next is asked for): held since the reading,
   * or read again from the file (checked to be unchanged) when there were too many to hold.
   */
  batches(): Iterable<ScreenedBatch>;
}

/**
 * Why a vote (or, for the two `work-` codes, a work) was excluded, in the order the checks run (docs/rules.md). A
 * row's code is stored as its position here: the signature checks (rules.signatures) run first.
 */
export const REJECTION_REASONS = {
  unsigned: "unsigned: the vote has no signature (rules.signatures is required)",
  "bad-signature": "bad signature: malformed, or its ballot is not signed by the voter",
  "ballot-repeats-work": "the ballot names a work twice",
  "ballot-mixed-cast-at": "the rows of the ballot differ in cast_at",
  "superseded-ballot": "superseded: a newer ballot of the voter replaces this one",
  "unknown-work": "the signed ballot votes for a work that is not in the works file",
  "work-unsigned": "the work's report has no signature: the work and its votes are excluded",
  "work-bad-signature": "the work's report is not signed by its contributor: the work and its votes are excluded",
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
  /** The voter; empty for an excluded work. */
  voter: string;
}

/** An excluded work (rules.signatures: "required"): a row of the works file. */
export interface ExcludedWork {
  row: number;
  line?: number;
  code: "work-unsigned" | "work-bad-signature";
  workId: string;
  /** The address or `team:<name>`. */
  contributor: string;
  detail: string;
}

/** The codes in the order the checks run; a row's code is stored as its position here. */
export const REJECTION_CODES = Object.keys(REJECTION_REASONS) as RejectionCode[];

/** The column each check names. */
const COLUMN: Record<RejectionCode, string> = {
  unsigned: "signature",
  "bad-signature": "signature",
  "ballot-repeats-work": "work_id",
  "ballot-mixed-cast-at": "cast_at",
  "superseded-ballot": "signature",
  "unknown-work": "work_id",
  "work-unsigned": "work_id",
  "work-bad-signature": "work_id",
  "self-vote": "voter",
  "points-out-of-range": "points",
  "outside-window": "cast_at",
  duplicate: "voter",
  "voter-below-min-reputation": "voter",
};

/** What a row's detail needs besides the row: the rules it broke and the prior reputation of its voter. */
export interface ExclusionContext {
  maxPoints: bigint;
  minVoterReputation: bigint;
  priorReputation: ReadonlyMap<string, bigint>;
  /** Team names, for a self-vote by a member of the contributing team. */
  teams: readonly string[];
  /** The details of the signature checks' rejections, which store an index into it. */
  details?: readonly string[];
}

/** The codes whose detail is a text of {@link ExclusionContext.details}. */
const DETAILED = new Set<RejectionCode>([
  "unsigned",
  "bad-signature",
  "ballot-repeats-work",
  "ballot-mixed-cast-at",
  "superseded-ballot",
  "unknown-work",
  "work-unsigned",
  "work-bad-signature",
]);

/** A copy of `a`, half as long again (doubling would leave up to half of the last copy unused). */
function grow<T extends Uint32Array | Float64Array | Uint8Array>(a: T, make: (n: number) => T): T {
  const b = make(Math.ceil(a.length * 1.5));
  b.set(a);
  return b;
}

/** The first `n` entries of `a`: a view when most of it is in use, else a trimmed copy. */
function trim<T extends Uint32Array | Float64Array | Uint8Array>(a: T, n: number): T {
  return (n >= a.length * 0.6 ? a.subarray(0, n) : a.slice(0, n)) as T;
}

/** The header of excluded.csv. */
export const EXCLUDED_HEADER = "file,row,line,column,reason,work_id,voter,detail\n";

/** A CSV cell: quoted (quotes doubled) when it holds a comma, a quote or a line break. */
function csvCell(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Indices 0..n−1 ordered by `key` ascending (ties in index order): an LSD radix sort, 16 bits a pass. */
function orderBy(key: Uint32Array, n: number): Uint32Array {
  let from = new Uint32Array(n);
  for (let j = 0; j < n; j++) from[j] = j;
  let to = new Uint32Array(n);
  const counts = new Uint32Array(65537);
  for (const shift of [0, 16]) {
    counts.fill(0);
    for (let j = 0; j < n; j++) counts[((key[j]! >>> shift) & 0xffff) + 1]!++;
    for (let b = 1; b <= 65536; b++) counts[b]! += counts[b - 1]!;
    for (let j = 0; j < n; j++) {
      const x = from[j]!;
      to[counts[(key[x]! >>> shift) & 0xffff]!++] = x;
    }
    [from, to] = [to, from];
  }
  return from;
}

export class ExcludedVotes {
  /** Excluded vote rows. */
  length = 0;
  /** Excluded works, in file order (rules.signatures: "required"), and the works file's name. */
  readonly works: ExcludedWork[] = [];
  worksFile = "";
  /** Excluded rows by reason, indexed like {@link REJECTION_CODES}. */
  readonly byCode = new Uint32Array(REJECTION_CODES.length);
  /** Position of the row in processing order (cast_at, then row). */
  private position: Uint32Array;
  /** 0-based row index in the votes table. */
  private row: Uint32Array;
  private code: Uint8Array;
  /**
   * The CSV line where a row ends (0 for a JSON file), and the indices of its work_id text and voter in the table's
   * lists: while rows are added, and after {@link seal} when most of the table's rows are excluded, these are the
   * table's own columns, indexed by row; otherwise copies of the excluded rows' entries, indexed by record.
   */
  private line: Uint32Array;
  private work: Uint32Array;
  private voter: Uint32Array;
  /** Whether `line`, `work` and `voter` are indexed by row (the table's columns) rather than by record. */
  private byRow = true;
  /** Points (points-out-of-range; NaN: in `bigPoints`), cast_at ms (outside-window), team + 1 or 0 (self-vote). */
  private value: Float64Array;
  private readonly bigPoints = new Map<number, bigint>();
  private readonly workIds: readonly string[];
  private readonly voters: readonly string[];
  private readonly hasLines: boolean;
  /** The table, while rows are added: afterwards only its id lists are kept, and perhaps three columns (seal). */
  private table: VoteTable | undefined;
  /** The rows the reader excluded itself, when it screened them (vote-screen.ts). */
  private readonly screened: ScreenedExclusions | undefined;

  /**
   * `file` is the votes file's name as the artifacts give it (epoch.ts renames it); `table` the votes read from it,
   * of which the work id texts and voters are kept (they are kept anyway, as the accounts' addresses) and, when most
   * of its rows are excluded, its line, work and voter columns (seal).
   */
  constructor(
    public file: string,
    table: VoteTable,
    private readonly context: ExclusionContext,
  ) {
    this.table = table;
    this.workIds = table.workIds;
    this.voters = table.voters;
    this.hasLines = table.line !== undefined;
    this.line = table.line ?? new Uint32Array(0);
    this.work = table.work;
    this.voter = table.voter;
    // Room for every row at once: no copy as they come. The pages no row is written to are never touched, so they
    // take no memory (a fresh large allocation is zero pages mapped on demand); seal gives back what is unused.
    const capacity = Math.max(64, table.length);
    this.position = new Uint32Array(capacity);
    this.row = new Uint32Array(capacity);
    this.code = new Uint8Array(capacity);
    this.value = new Float64Array(capacity);
    this.screened = table.screened;
    if (this.screened) this.screened.byCode.forEach((count, code) => (this.byCode[code]! += count));
  }

  /** Where record j's line, work and voter are in `line`, `work` and `voter`. */
  private at(j: number): number {
    return this.byRow ? this.row[j]! : j;
  }

  /** Records row `i` (processing position `k`) as excluded for `code` (an index into REJECTION_CODES). */
  add(k: number, i: number, code: number, value: number, big?: bigint): void {
    const j = this.length++;
    if (j === this.row.length) {
      this.position = grow(this.position, (n) => new Uint32Array(n));
      this.row = grow(this.row, (n) => new Uint32Array(n));
      this.code = grow(this.code, (n) => new Uint8Array(n));
      this.value = grow(this.value, (n) => new Float64Array(n));
    }
    this.position[j] = k;
    this.row[j] = i;
    this.code[j] = code;
    this.value[j] = value;
    if (big !== undefined) this.bigPoints.set(j, big);
    this.byCode[code]!++;
  }

  /** Records an excluded work (its row of the works file). */
  addWork(file: string, work: ExcludedWork): void {
    this.worksFile = file;
    this.works.push(work);
    this.byCode[REJECTION_CODES.indexOf(work.code)]!++;
  }

  /** Excluded rows of the votes file. */
  get votes(): number {
    return this.length + (this.screened?.count ?? 0);
  }

  /** Excluded rows of every file: the works, then the votes. */
  get total(): number {
    return this.works.length + this.votes;
  }

  /**
   * Stops growing: the arrays are trimmed to the rows recorded (viewed, not copied, when mostly full), and the table
   * let go. When most of its rows are excluded its line, work and voter columns are kept as they are (a copy of the
   * excluded rows' entries would be nearly as large); otherwise the excluded rows' entries are copied out of them.
   */
  seal(): this {
    const n = this.length;
    const table = this.table;
    if (table === undefined) return this;
    this.position = trim(this.position, n);
    this.row = trim(this.row, n);
    this.code = trim(this.code, n);
    this.value = trim(this.value, n);
    if (n * 2 < table.length) {
      const gather = (column: Uint32Array) => {
        const out = new Uint32Array(n);
        for (let j = 0; j < n; j++) out[j] = column[this.row[j]!]!;
        return out;
      };
      this.line = this.hasLines ? gather(this.line) : new Uint32Array(0);
      this.work = gather(this.work);
      this.voter = gather(this.voter);
      this.byRow = false;
    }
    this.table = undefined;
    return this;
  }

  /** The record indices in file row order (the order of excluded.csv and report.md). */
  inRowOrder(): Uint32Array {
    return orderBy(this.row, this.length);
  }

  /** The first `k` excluded votes in file row order (report.md's examples), without ordering them all. */
  firstInRowOrder(k: number): Rejection[] {
    if (this.screened) {
      const first: Rejection[] = [];
      if (k <= 0) return first;
      // The file is read only as far as the k-th excluded row.
      for (const batch of this.screened.batches()) {
        for (let i = 0; i < batch.length && first.length < k; i++) first.push(this.screenedRejection(batch, i));
        if (first.length >= k) break;
      }
      return first;
    }
    return Array.from(this.firstRecordsInRowOrder(k), (j) => this.rejection(j));
  }

  /** The first `k` record indices in file row order. */
  firstRecordsInRowOrder(k: number): Uint32Array {
    const first = new Uint32Array(Math.max(0, Math.min(k, this.length)));
    if (first.length === 0) return first;
    let m = 0;
    for (let j = 0; j < this.length; j++) {
      const row = this.row[j]!;
      if (m === first.length && row >= this.row[first[m - 1]!]!) continue;
      // Insertion into the (short) sorted list, dropping its last when full; a row is excluded at most once.
      let p = m < first.length ? m++ : m - 1;
      for (; p > 0 && this.row[first[p - 1]!]! > row; p--) first[p] = first[p - 1]!;
      first[p] = j;
    }
    return first;
  }

  /** The record indices in processing order (cast_at, then row: the order the checks ran in). */
  inProcessingOrder(): Uint32Array {
    return orderBy(this.position, this.length);
  }

  codeOf(j: number): RejectionCode {
    return REJECTION_CODES[this.code[j]!]!;
  }

  /** The 1-based row of record j. */
  rowOf(j: number): number {
    return this.row[j]! + 1;
  }

  lineOf(j: number): number | undefined {
    return this.hasLines ? this.line[this.at(j)] : undefined;
  }

  columnOf(j: number): string {
    return COLUMN[this.codeOf(j)];
  }

  workIdOf(j: number): string {
    return this.workIds[this.work[this.at(j)]!]!;
  }

  voterOf(j: number): string {
    return this.voters[this.voter[this.at(j)]!]!;
  }

  /** The detail of the reason, e.g. `11 not in 0..10`. */
  detailOf(j: number): string {
    return this.detail(this.code[j]!, this.value[j]!, this.bigPoints.get(j), this.workIdOf(j), this.voterOf(j));
  }

  /** The detail of a row excluded for `code`, with its value (as {@link add} takes it), work id and voter. */
  private detail(code: number, value: number, big: bigint | undefined, workId: string, voter: string): string {
    const { context } = this;
    const name = REJECTION_CODES[code]!;
    if (DETAILED.has(name)) return context.details![value]!;
    switch (name) {
      case "self-vote":
        return value === 0 ? "contributor" : `member of team "${context.teams[value - 1]}"`;
      case "points-out-of-range":
        return `${Number.isNaN(value) ? big! : BigInt(value)} not in 0..${context.maxPoints}`;
      case "outside-window":
        return `${new Date(value).toISOString()} not in the window`;
      case "duplicate":
        return `work "${workId}"`;
      case "voter-below-min-reputation":
        return `${context.priorReputation.get(voter) ?? 0n} < ${context.minVoterReputation}`;
      default:
        throw new Error(`no detail for ${name}`);
    }
  }

  /** Row `i` of a batch of a screened read, as a {@link Rejection} object. */
  private screenedRejection(b: ScreenedBatch, i: number): Rejection {
    const code = REJECTION_CODES[b.code[i]!]!;
    const workId = b.workIds[b.work[i]!]!;
    const voter = b.voters[b.voter[i]!]!;
    return {
      file: this.file,
      row: b.row[i]!,
      line: b.line[i]!,
      column: COLUMN[code],
      code,
      reason: `${REJECTION_REASONS[code]} (${this.detail(b.code[i]!, b.value[i]!, b.big.get(i), workId, voter)})`,
      workId,
      voter,
    };
  }

  /** The reason as report.md words it: the rule, then the detail. */
  reasonOf(j: number): string {
    return `${REJECTION_REASONS[this.codeOf(j)]} (${this.detailOf(j)})`;
  }

  /** Record j as a {@link Rejection} object. */
  rejection(j: number): Rejection {
    return {
      file: this.file,
      row: this.rowOf(j),
      line: this.lineOf(j),
      column: this.columnOf(j),
      code: this.codeOf(j),
      reason: this.reasonOf(j),
      workId: this.workIdOf(j),
      voter: this.voterOf(j),
    };
  }

  /** An excluded work as a {@link Rejection} object (its voter empty). */
  workRejection(w: ExcludedWork): Rejection {
    return {
      file: this.worksFile,
      row: w.row,
      line: w.line,
      column: "signature",
      code: w.code,
      reason: `${REJECTION_REASONS[w.code]} (${w.detail})`,
      workId: w.workId,
      voter: "",
    };
  }

  /**
   * Every excluded row as an object: the excluded works in file order, then the votes in processing order. For tests
   * and small epochs (an object a row).
   */
  toRejections(): Rejection[] {
    const works = this.works.map((w) => this.workRejection(w));
    if (this.screened) {
      const rows: { castAt: number; rejection: Rejection }[] = [];
      for (const batch of this.screened.batches()) {
        for (let i = 0; i < batch.length; i++) {
          rows.push({ castAt: batch.castAt[i]!, rejection: this.screenedRejection(batch, i) });
        }
      }
      rows.sort((a, b) => a.castAt - b.castAt || a.rejection.row - b.rejection.row);
      return [...works, ...rows.map((r) => r.rejection)];
    }
    return [...works, ...Array.from(this.inProcessingOrder(), (j) => this.rejection(j))];
  }

  /** excluded.csv, in file row order, in chunks of about `rowsPerChunk` rows. */
  *renderCsv(rowsPerChunk = 8192): Generator<string> {
    yield EXCLUDED_HEADER;
    if (this.works.length > 0) {
      yield this.works
        .map((w) => {
          const r = this.workRejection(w);
          return `${csvCell(r.file)},${r.row},${r.line ?? ""},${r.column},${r.code},${csvCell(r.workId)},,${csvCell(w.detail)}\n`;
        })
        .join("");
    }
    const file = csvCell(this.file);
    if (this.screened) {
      yield* this.renderScreened(file, rowsPerChunk);
      return;
    }
    const order = this.inRowOrder();
    // Cells that repeat are escaped once: a work's id (and its duplicate detail), the codes with their columns.
    const workCells: (string | undefined)[] = new Array(this.workIds.length);
    const duplicateCells: (string | undefined)[] = new Array(this.workIds.length);
    const codeCells = REJECTION_CODES.map((code) => `${COLUMN[code]},${code}`);
    const DUPLICATE = REJECTION_CODES.indexOf("duplicate");
    const WINDOW = REJECTION_CODES.indexOf("outside-window");
    let batch: string[] = [];
    for (let k = 0; k < order.length; k++) {
      const j = order[k]!;
      const a = this.at(j);
      const w = this.work[a]!;
      const code = this.code[j]!;
      const line = this.hasLines ? this.line[a] : "";
      let detail: string;
      if (code === DUPLICATE) detail = duplicateCells[w] ??= csvCell(this.detailOf(j));
      // An ISO timestamp and "not in the window": nothing to escape.
      else if (code === WINDOW) detail = `${new Date(this.value[j]!).toISOString()} not in the window`;
      else detail = csvCell(this.detailOf(j));
      batch.push(
        `${file},${this.row[j]! + 1},${line},${codeCells[code]},${(workCells[w] ??= csvCell(this.workIds[w]!))},${this.voters[this.voter[a]!]},${detail}\n`,
      );
      if (batch.length === rowsPerChunk) {
        yield batch.join("");
        batch = [];
      }
    }
    if (batch.length > 0) yield batch.join("");
  }

  /** The rows of excluded.csv that a screened read lists, formatted as {@link renderCsv}'s. */
  private *renderScreened(file: string, rowsPerChunk: number): Generator<string> {
    const codeCells = REJECTION_CODES.map((code) => `${COLUMN[code]},${code}`);
    let batch: string[] = [];
    for (const b of this.screened!.batches()) {
      for (let i = 0; i < b.length; i++) {
        const code = b.code[i]!;
        const workId = b.workIds[b.work[i]!]!;
        const voter = b.voters[b.voter[i]!]!;
        const detail = csvCell(this.detail(code, b.value[i]!, b.big.get(i), workId, voter));
        batch.push(`${file},${b.row[i]},${b.line[i]},${codeCells[code]},${csvCell(workId)},${voter},${detail}\n`);
        if (batch.length === rowsPerChunk) {
          yield batch.join("");
          batch = [];
        }
      }
    }
    if (batch.length > 0) yield batch.join("");
  }
}
