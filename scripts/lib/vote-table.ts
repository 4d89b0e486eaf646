/**
 * The votes file as columns (docs/formats.md). A million-vote epoch used to build a row object, a zod
 * result and a vote object per row, and the garbage collector spent more time on them than the
 * pipeline spent on its work. Here csv-parse hands over each record and forgets it; the cells are
 * checked with the same functions the zod schema uses and stored in typed arrays, work ids and
 * voters interned once. Only a row that fails a check goes through the zod schema, to word its
 * error exactly as before.
 *
 * A file in the usual shape (csv-fast.ts) is not even handed to csv-parse: its cells are read as byte ranges, work
 * ids and voter texts interned by their bytes, points and timestamps parsed from the bytes — no string per row at
 * all. Anything else goes the csv-parse way, with the same result.
 */
import { parseAddress } from "./address.js";
import { ByteInterner, checksumAddressCached, smallIntegerBytes, utcSecondsBytes } from "./cells.js";
import { cellText, FastCsvScanner, recordTexts, type CsvCells } from "./csv-fast.js";
import { InputError, invariant } from "./errors.js";
import {
  checkColumns,
  forEachChunk,
  formatOf,
  inMemory,
  INTEGER,
  parseVotes,
  rowError,
  rowValues,
  scanCsv,
  VOTE_COLUMNS,
  voteRow,
  type AnySource,
  type Source,
  type Vote,
} from "./inputs.js";
import { parseTimestamp } from "./timestamp.js";
import type { ScreenedExclusions } from "./excluded.js";

/** The rows of a votes file; row `i` (0-based) is data row `i + 1` of the file. */
export interface VoteTable {
  length: number;
  /** Distinct work_id texts, in order of first appearance; `work[i]` indexes it. */
  workIds: string[];
  work: Uint32Array;
  /** Distinct voters, EIP-55 checksummed; `voter[i]` indexes it. */
  voters: string[];
  voter: Uint32Array;
  /** Points, exact: NaN where |points| > 2^53 − 1, whose value is then in `bigPoints`. */
  points: Float64Array;
  bigPoints: Map<number, bigint>;
  /** Milliseconds since the Unix epoch. */
  castAt: Float64Array;
  /** The CSV line where each row ends; undefined for a JSON file. */
  line: Uint32Array | undefined;
  /** Non-empty signatures by row index (checked with rules.signatures "required": signatures.ts, docs/rules.md). */
  signatures: Map<number, string>;
  /** Each voter's index in `voters`, when the reader kept it (it builds one anyway). */
  voterIndex?: ReadonlyMap<string, number>;
  /**
   * The file's data row (0-based) of each row, when the table holds only some of the file's rows (a screened read,
   * vote-screen.ts); absent, row `i` is data row `i + 1`.
   */
  row?: Uint32Array;
  /** Data rows in the file: `length`, unless the read was screened. */
  fileRows?: number;
  /** The rows a screened read excluded as it went: counted here, listed again from the file when written. */
  screened?: ScreenedExclusions;
}

/** The file's data row (1-based) of table row `i`. */
export function fileRowOf(table: VoteTable, i: number): number {
  return (table.row ? table.row[i]! : i) + 1;
}

/** What a reader hands over for each valid data row (indices into the reader's {@link VoteNames}). */
export interface VoteRowSink {
  /** Whether the sink keeps signatures (the reader then decodes them). */
  readonly keepSignatures: boolean;
  /**
   * Data row `row` (0-based), ending on CSV line `line`: points exact (`big` when beyond 2^53 − 1, `points` then
   * NaN), cast_at in milliseconds.
   */
  add(
    work: number,
    voter: number,
    points: number,
    big: bigint | undefined,
    castAt: number,
    line: number,
    row: number,
    signature: string | undefined,
  ): void;
}

/** The distinct work ids and voters of a votes file, numbered in order of first appearance. */
export class VoteNames {
  readonly workIds: string[] = [];
  readonly voters: string[] = [];
  readonly workIndex = new Map<string, number>();
  readonly voterIndex = new Map<string, number>();

  workOf(workId: string): number {
    let w = this.workIndex.get(workId);
    if (w === undefined) {
      w = this.workIds.push(workId) - 1;
      this.workIndex.set(workId, w);
    }
    return w;
  }

  /** The index of a checksummed address. */
  voterOf(address: string): number {
    let v = this.voterIndex.get(address);
    if (v === undefined) {
      v = this.voters.push(address) - 1;
      this.voterIndex.set(address, v);
    }
    return v;
  }
}

/** The points of row `i` as bigint. */
export function pointsOf(table: VoteTable, i: number): bigint {
  const p = table.points[i]!;
  return Number.isNaN(p) ? table.bigPoints.get(i)! : BigInt(p);
}

/** Marks a row that {@link VoteColumns.compact} removes (no voter index is this large). */
export const REMOVED = 0xffffffff;

/** Rows in growable typed columns, with the names their indices refer to. */
export class VoteColumns implements VoteRowSink {
  length = 0;
  readonly keepSignatures: boolean;
  readonly bigPoints = new Map<number, bigint>();
  readonly signatures = new Map<number, string>();
  work: Uint32Array;
  voter: Uint32Array;
  points: Float64Array;
  castAt: Float64Array;
  line: Uint32Array;
  /** The file row of each row: only when rows are left out (screened). */
  row: Uint32Array | undefined;

  constructor(
    readonly names: VoteNames,
    capacity: number,
    options: { rows?: boolean; signatures?: boolean } = {},
  ) {
    capacity = Math.max(16, capacity);
    this.keepSignatures = options.signatures ?? true;
    this.work = new Uint32Array(capacity);
    this.voter = new Uint32Array(capacity);
    this.points = new Float64Array(capacity);
    this.castAt = new Float64Array(capacity);
    this.line = new Uint32Array(capacity);
    this.row = options.rows ? new Uint32Array(capacity) : undefined;
  }

  add(
    work: number,
    voter: number,
    points: number,
    big: bigint | undefined,
    castAt: number,
    line: number,
    row: number,
    signature: string | undefined,
  ): void {
    if (this.length === this.work.length) this.grow();
    const i = this.length++;
    this.work[i] = work;
    this.voter[i] = voter;
    this.points[i] = points;
    this.castAt[i] = castAt;
    this.line[i] = line;
    if (this.row) this.row[i] = row;
    if (big !== undefined) this.bigPoints.set(i, big);
    if (signature !== undefined && this.keepSignatures) this.signatures.set(i, signature);
  }

  /** Drops the rows whose voter is {@link REMOVED}, keeping the others in order. */
  compact(): void {
    const remap = this.bigPoints.size > 0 || this.signatures.size > 0;
    const big = new Map<number, bigint>();
    const signatures = new Map<number, string>();
    let to = 0;
    for (let i = 0; i < this.length; i++) {
      if (this.voter[i] === REMOVED) continue;
      if (to !== i) {
        this.work[to] = this.work[i]!;
        this.voter[to] = this.voter[i]!;
        this.points[to] = this.points[i]!;
        this.castAt[to] = this.castAt[i]!;
        this.line[to] = this.line[i]!;
        if (this.row) this.row[to] = this.row[i]!;
      }
      if (remap) {
        const b = this.bigPoints.get(i);
        if (b !== undefined) big.set(to, b);
        const s = this.signatures.get(i);
        if (s !== undefined) signatures.set(to, s);
      }
      to++;
    }
    this.length = to;
    if (remap) {
      this.bigPoints.clear();
      for (const [k, v] of big) this.bigPoints.set(k, v);
      this.signatures.clear();
      for (const [k, v] of signatures) this.signatures.set(k, v);
    }
  }

  private grow(): void {
    const capacity = Math.ceil(this.work.length * 1.5);
    const grow = <T extends Uint32Array | Float64Array>(a: T, make: (n: number) => T): T => {
      const b = make(capacity);
      b.set(a);
      return b;
    };
    this.work = grow(this.work, (n) => new Uint32Array(n));
    this.voter = grow(this.voter, (n) => new Uint32Array(n));
    this.points = grow(this.points, (n) => new Float64Array(n));
    this.castAt = grow(this.castAt, (n) => new Float64Array(n));
    this.line = grow(this.line, (n) => new Uint32Array(n));
    if (this.row) this.row = grow(this.row, (n) => new Uint32Array(n));
  }

  table(withLines: boolean): VoteTable {
    const n = this.length;
    // Trimmed copies only when the guess was far off: a copy of ten million rows is a second column set.
    const fit = <T extends Uint32Array | Float64Array>(a: T): T =>
      (n >= a.length * 0.75 ? a.subarray(0, n) : a.slice(0, n)) as T;
    return {
      length: n,
      workIds: this.names.workIds,
      work: fit(this.work),
      voters: this.names.voters,
      voter: fit(this.voter),
      points: fit(this.points),
      bigPoints: this.bigPoints,
      castAt: fit(this.castAt),
      line: withLines ? fit(this.line) : undefined,
      signatures: this.signatures,
      voterIndex: this.names.voterIndex,
      ...(this.row ? { row: fit(this.row) } : {}),
    };
  }
}

/** `text` as exact points: a number, or a bigint beyond 2^53 − 1; undefined if it is not an integer. */
function parsePoints(text: string): number | bigint | undefined {
  if (!INTEGER.test(text)) return undefined;
  // At most 15 characters: below 10^15 in magnitude, exact as a double.
  if (text.length <= 15) return Number(text);
  const value = BigInt(text);
  if (value >= -BigInt(Number.MAX_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)) return Number(value);
  return value;
}

/**
 * Rows in a file of `size` bytes starting with `bytes`, estimated from the line length of their first megabyte (a
 * little over, rarely under).
 */
export function estimateRows(bytes: Uint8Array, size = bytes.length): number {
  const sample = Math.min(bytes.length, 1 << 20);
  let lines = 0;
  for (let p = bytes.indexOf(0x0a); p >= 0 && p < sample; p = bytes.indexOf(0x0a, p + 1)) lines++;
  if (lines === 0) return 16;
  return Math.ceil((size / sample) * lines * 1.05) + 16;
}

/** The size of `source`'s file, as far as it can be told before reading it. */
export const sizeOf = (source: AnySource): number =>
  "bytes" in source ? source.bytes.length : source.file.sizeOnDisk();

/** A bad row, kept to word its error once the reading is over. */
export interface BadRow {
  record: string[];
  row: number;
  line: number;
}

/** The fast CSV scan of a votes file, fed chunk by chunk ({@link fastVotesScanner}). */
export interface VotesScanner {
  /** Scans the file's next bytes; false once the file is not in the fast scanner's shape. */
  push(chunk: Uint8Array): boolean;
  /**
   * The end of the file: the data rows read, or undefined when the file is not in the shape the scanner reads (then
   * nothing the sink got counts, and csv-parse reads the file). Throws the error of the header or of the first bad
   * row.
   */
  end(): number | undefined;
}

/**
 * The fast CSV scan of a votes file (csv-fast.ts): hands every valid data row to the sink that `sinkFor` makes once
 * the header has passed (with the bytes of the first data row's chunk, to estimate the rows from).
 */
export function fastVotesScanner(
  source: AnySource,
  names: VoteNames,
  sinkFor: (firstChunk: Buffer) => VoteRowSink,
): VotesScanner {
  let sink: VoteRowSink | undefined;
  const works = new ByteInterner(1 << 14);
  const texts = new ByteInterner(1 << 14);
  /** Voter text number → voter index, or -1 if the text is not an address. */
  let voterOfText = new Int32Array(1 << 14);
  let header: string[] | undefined;
  let headerError: InputError | undefined;
  let bad: BadRow | undefined;
  let row = 0;
  let cWork = -1;
  let cVoter = -1;
  let cPoints = -1;
  let cCast = -1;
  let cSignature = -1;

  /** Interns cell c (with `""` inside a quoted cell made one quote). */
  const intern = (interner: ByteInterner, bytes: Buffer, cells: CsvCells, c: number): number => {
    if (cells.kind[c] !== 2) return interner.intern(bytes, cells.start[c]!, cells.end[c]!);
    const text = Buffer.from(cellText(bytes, cells, c));
    return interner.intern(text, 0, text.length);
  };

  // The file in chunks (a Source in one): each record's cells index the bytes it is handed with.
  const scanner = new FastCsvScanner(
    VOTE_COLUMNS.required.length + (VOTE_COLUMNS.optional?.length ?? 0),
    (cells, count, line, buffer) => {
      const bytes = buffer;
      if (header === undefined) {
        header = recordTexts(buffer, cells, count);
        try {
          checkColumns(header, VOTE_COLUMNS, { file: source.name, line });
        } catch (error) {
          headerError = error as InputError;
        }
        cWork = header.indexOf("work_id");
        cVoter = header.indexOf("voter");
        cPoints = header.indexOf("points");
        cCast = header.indexOf("cast_at");
        cSignature = header.indexOf("signature");
        return;
      }
      row++;
      if (headerError !== undefined || bad !== undefined) return;
      sink ??= sinkFor(buffer);
      const start = cells.start;
      const end = cells.end;
      // work_id
      if (end[cWork] === start[cWork]) {
        bad = { record: recordTexts(buffer, cells, count), row, line };
        return;
      }
      const w = intern(works, bytes, cells, cWork);
      if (works.added) names.workOf(cellText(buffer, cells, cWork));
      // voter: each distinct text checked once
      const t = intern(texts, bytes, cells, cVoter);
      if (texts.added) {
        if (t === voterOfText.length) {
          const grown = new Int32Array(voterOfText.length * 2);
          grown.set(voterOfText);
          voterOfText = grown;
        }
        let address = cells.kind[cVoter] === 2 ? undefined : checksumAddressCached(bytes, start[cVoter]!, end[cVoter]!);
        if (address === undefined) {
          const parsed = parseAddress(cellText(buffer, cells, cVoter));
          if (parsed.ok) address = parsed.address;
        }
        voterOfText[t] = address === undefined ? -1 : names.voterOf(address);
      }
      const voter = voterOfText[t]!;
      // points
      let points = cells.kind[cPoints] === 2 ? NaN : smallIntegerBytes(bytes, start[cPoints]!, end[cPoints]!);
      let big: bigint | undefined;
      let pointsOk = !Number.isNaN(points);
      if (!pointsOk) {
        const parsed = parsePoints(cellText(buffer, cells, cPoints));
        pointsOk = parsed !== undefined;
        if (typeof parsed === "bigint") big = parsed;
        else points = parsed ?? NaN;
      }
      // cast_at
      let castAt = cells.kind[cCast] === 2 ? NaN : utcSecondsBytes(bytes, start[cCast]!, end[cCast]!);
      if (Number.isNaN(castAt)) castAt = parseTimestamp(cellText(buffer, cells, cCast)) ?? NaN;
      if (voter < 0 || !pointsOk || Number.isNaN(castAt)) {
        bad = { record: recordTexts(buffer, cells, count), row, line };
        return;
      }
      const signature =
        sink.keepSignatures && cSignature >= 0 && end[cSignature]! > start[cSignature]!
          ? cellText(buffer, cells, cSignature)
          : undefined;
      sink.add(w, voter, points, big, castAt, line, row - 1, signature);
    },
  );
  return {
    push: (chunk) => scanner.push(chunk),
    end() {
      if (!scanner.end() || header === undefined) return undefined;
      if (headerError) throw headerError;
      if (bad) throw wordRowError(source, header, bad);
      return row;
    },
  };
}

/** {@link fastVotesScanner} over `chunks`: the data rows read, or undefined (not the fast scanner's shape). */
export function scanFastCsvVotes(
  source: AnySource,
  chunks: Iterable<Uint8Array>,
  names: VoteNames,
  sinkFor: (firstChunk: Buffer) => VoteRowSink,
): number | undefined {
  const scanner = fastVotesScanner(source, names, sinkFor);
  for (const chunk of chunks) if (!scanner.push(chunk)) break;
  return scanner.end();
}

/** The chunks of `source`: its bytes in pieces of `size` (views, no copy), or its file's. */
export function* chunksOf(source: AnySource, size = 4 << 20): Generator<Uint8Array> {
  if ("file" in source) {
    yield* source.file.chunks();
    return;
  }
  const bytes = source.bytes;
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, Math.min(bytes.length, at + size));
}

/** The error of a bad votes row, worded by the schema exactly as a row-by-row zod parse does. */
export function wordRowError(source: AnySource, header: string[], bad: BadRow): InputError {
  const values = rowValues(header, bad.record);
  const parsed = voteRow.safeParse(values);
  invariant(!parsed.success, `votes row ${bad.row} failed a check that the schema passes`);
  return rowError(source, { row: bad.row, line: bad.line, values }, parsed.error);
}

/** The rows of csv-parse's records of a votes file ({@link csvVoteRows}), and the first bad one. */
export interface CsvVoteRows {
  /** For scanCsv: each data record with its 1-based row, its line and the header; false once a row is bad. */
  onRow(record: string[], row: number, line: number, header: readonly string[]): boolean | void;
  bad: BadRow | undefined;
}

/**
 * csv-parse's records of a votes file as rows for the sink that `sinkFor` makes at the first data row (with a
 * sample of the file to estimate the rows from).
 */
export function csvVoteRows(
  source: AnySource,
  names: VoteNames,
  sinkFor: (sample: Uint8Array) => VoteRowSink,
): CsvVoteRows {
  let sink: VoteRowSink | undefined;
  /** Voter cell text → voter index: each distinct text is checked (EIP-55) once. */
  const voterByText = new Map<string, number>();
  let cWork = -1;
  let cVoter = -1;
  let cPoints = -1;
  let cCast = -1;
  let cSignature = -1;
  const rows: CsvVoteRows = {
    bad: undefined,
    onRow(record, row, line, header) {
      if (sink === undefined) {
        // First row: the header has passed the column checks. About 70 bytes a row in practice.
        sink = sinkFor("bytes" in source ? source.bytes : Buffer.from(record.join(",") + "\n"));
        cWork = header.indexOf("work_id");
        cVoter = header.indexOf("voter");
        cPoints = header.indexOf("points");
        cCast = header.indexOf("cast_at");
        cSignature = header.indexOf("signature");
      }
      const workId = record[cWork]!;
      const voterText = record[cVoter]!;
      let voter = voterByText.get(voterText);
      if (voter === undefined) {
        const parsed = parseAddress(voterText);
        if (parsed.ok) {
          voter = names.voterOf(parsed.address);
          voterByText.set(voterText, voter);
        }
      }
      const points = parsePoints(record[cPoints]!);
      const castAt = parseTimestamp(record[cCast]!);
      if (workId.length === 0 || voter === undefined || points === undefined || castAt === undefined) {
        rows.bad = { record, row, line };
        return false;
      }
      const signature =
        sink.keepSignatures && cSignature >= 0 && record[cSignature]!.length > 0 ? record[cSignature]! : undefined;
      const big = typeof points === "bigint" ? points : undefined;
      sink.add(
        names.workOf(workId),
        voter,
        big === undefined ? (points as number) : NaN,
        big,
        castAt,
        line,
        row - 1,
        signature,
      );
    },
  };
  return rows;
}

/** Which reader read a CSV votes file: a second reading takes the same. */
export type CsvShape = "fast" | "csv-parse";

/**
 * The rows of a CSV votes file, handed to the sink that `sinkFor` makes at the first data row (with a sample of the
 * file to estimate the rows from): by the fast scanner if the file is in its shape, else by csv-parse (the same
 * rows; a sink the fast scanner filled before giving up is dropped). Throws InputError for the header or the first
 * bad row.
 */
export function readCsvVoteRows<S extends VoteRowSink>(
  source: AnySource,
  sinkFor: (names: VoteNames, sample: Uint8Array) => S,
): { names: VoteNames; sink: S | undefined; rows: number; shape: CsvShape } {
  let names = new VoteNames();
  let sink: S | undefined;
  const fast = scanFastCsvVotes(source, chunksOf(source), names, (first) => (sink = sinkFor(names, first)));
  if (fast !== undefined) return { names, sink, rows: fast, shape: "fast" };
  names = new VoteNames();
  sink = undefined;
  const csv = csvVoteRows(source, names, (sample) => (sink = sinkFor(names, sample)));
  const { header, rows } = scanCsv(source, VOTE_COLUMNS, (record, row, line, header) =>
    csv.onRow(record, row, line, header),
  );
  if (csv.bad) throw wordRowError(source, header, csv.bad);
  return { names, sink, rows, shape: "csv-parse" };
}

function fromRows(rows: Vote[]): VoteTable {
  const names = new VoteNames();
  const columns = new VoteColumns(names, rows.length);
  rows.forEach((vote, i) => {
    const safe = vote.points >= -BigInt(Number.MAX_SAFE_INTEGER) && vote.points <= BigInt(Number.MAX_SAFE_INTEGER);
    columns.add(
      names.workOf(vote.workId),
      names.voterOf(vote.voter),
      safe ? Number(vote.points) : NaN,
      safe ? undefined : vote.points,
      vote.castAt,
      0,
      i,
      vote.signature || undefined,
    );
  });
  return columns.table(false);
}

/** Reads a votes file (CSV or JSON) into columns; throws InputError as the row-by-row parse did. */
export function readVotes(source: AnySource): VoteTable {
  if (formatOf(source.name) === "json") return fromRows(parseVotes(inMemory(source)));
  // A streamed file is read in chunks either way, never whole.
  const { names, sink } = readCsvVoteRows(
    source,
    (names, sample) => new VoteColumns(names, estimateRows(sample, sizeOf(source))),
  );
  return (sink ?? new VoteColumns(names, 16)).table(true);
}
