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
}

/** The points of row `i` as bigint. */
export function pointsOf(table: VoteTable, i: number): bigint {
  const p = table.points[i]!;
  return Number.isNaN(p) ? table.bigPoints.get(i)! : BigInt(p);
}

/** Appends rows to growable typed columns and interns work ids and voters. */
class VoteColumns {
  length = 0;
  readonly workIds: string[] = [];
  readonly voters: string[] = [];
  readonly bigPoints = new Map<number, bigint>();
  readonly signatures = new Map<number, string>();
  private readonly workIndex = new Map<string, number>();
  private readonly voterIndex = new Map<string, number>();
  private work: Uint32Array;
  private voter: Uint32Array;
  private points: Float64Array;
  private castAt: Float64Array;
  private line: Uint32Array;

  constructor(capacity: number) {
    capacity = Math.max(16, capacity);
    this.work = new Uint32Array(capacity);
    this.voter = new Uint32Array(capacity);
    this.points = new Float64Array(capacity);
    this.castAt = new Float64Array(capacity);
    this.line = new Uint32Array(capacity);
  }

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

  add(work: number, voter: number, points: number, castAt: number, line: number): void {
    if (this.length === this.work.length) this.grow();
    const i = this.length++;
    this.work[i] = work;
    this.voter[i] = voter;
    this.points[i] = points;
    this.castAt[i] = castAt;
    this.line[i] = line;
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
  }

  table(withLines: boolean): VoteTable {
    const n = this.length;
    // Trimmed copies only when the guess was far off: a copy of ten million rows is a second column set.
    const fit = <T extends Uint32Array | Float64Array>(a: T): T =>
      (n >= a.length * 0.75 ? a.subarray(0, n) : a.slice(0, n)) as T;
    return {
      length: n,
      workIds: this.workIds,
      work: fit(this.work),
      voters: this.voters,
      voter: fit(this.voter),
      points: fit(this.points),
      bigPoints: this.bigPoints,
      castAt: fit(this.castAt),
      line: withLines ? fit(this.line) : undefined,
      signatures: this.signatures,
      voterIndex: this.voterIndex,
    };
  }
}

/**
 * `text` as exact points: a number, or NaN with the value stored in `big` (beyond 2^53 − 1);
 * undefined if it is not an integer (the message then comes from the zod schema).
 */
function parsePoints(text: string, row: number, big: Map<number, bigint>): number | undefined {
  if (!INTEGER.test(text)) return undefined;
  // At most 15 characters: below 10^15 in magnitude, exact as a double.
  if (text.length <= 15) return Number(text);
  const value = BigInt(text);
  if (value >= -BigInt(Number.MAX_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)) return Number(value);
  big.set(row, value);
  return NaN;
}

/**
 * Rows in a file of `size` bytes starting with `bytes`, estimated from the line length of their first megabyte (a
 * little over, rarely under).
 */
function estimateRows(bytes: Uint8Array, size = bytes.length): number {
  const sample = Math.min(bytes.length, 1 << 20);
  let lines = 0;
  for (let p = bytes.indexOf(0x0a); p >= 0 && p < sample; p = bytes.indexOf(0x0a, p + 1)) lines++;
  if (lines === 0) return 16;
  return Math.ceil((size / sample) * lines * 1.05) + 16;
}

/** The size of `source`'s file, as far as it can be told before reading it. */
const sizeOf = (source: AnySource): number => ("bytes" in source ? source.bytes.length : source.file.sizeOnDisk());

/**
 * The fast way (csv-fast.ts): returns the table, throws the error of the first bad row (or of the header), or
 * returns undefined when the file is not in the shape the scanner reads — then csv-parse reads it.
 */
function readFastCsvVotes(source: AnySource): VoteTable | undefined {
  let columns: VoteColumns | undefined;
  const works = new ByteInterner(1 << 14);
  const texts = new ByteInterner(1 << 14);
  /** Voter text number → voter index, or -1 if the text is not an address. */
  let voterOfText = new Int32Array(1 << 14);
  let header: string[] | undefined;
  let headerError: InputError | undefined;
  let bad: { record: string[]; row: number; line: number } | undefined;
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
      columns ??= new VoteColumns(estimateRows(bytes, sizeOf(source)));
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
      const start = cells.start;
      const end = cells.end;
      // work_id
      if (end[cWork] === start[cWork]) {
        bad = { record: recordTexts(buffer, cells, count), row, line };
        return;
      }
      const w = intern(works, bytes, cells, cWork);
      if (works.added) columns.workIds.push(cellText(buffer, cells, cWork));
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
        voterOfText[t] = address === undefined ? -1 : columns.voterOf(address);
      }
      const voter = voterOfText[t]!;
      // points
      let points = cells.kind[cPoints] === 2 ? NaN : smallIntegerBytes(bytes, start[cPoints]!, end[cPoints]!);
      let pointsOk = !Number.isNaN(points);
      if (!pointsOk) {
        const parsed = parsePoints(cellText(buffer, cells, cPoints), columns.length, columns.bigPoints);
        pointsOk = parsed !== undefined;
        points = parsed ?? NaN;
      }
      // cast_at
      let castAt = cells.kind[cCast] === 2 ? NaN : utcSecondsBytes(bytes, start[cCast]!, end[cCast]!);
      if (Number.isNaN(castAt)) castAt = parseTimestamp(cellText(buffer, cells, cCast)) ?? NaN;
      if (voter < 0 || !pointsOk || Number.isNaN(castAt)) {
        columns.bigPoints.delete(columns.length);
        bad = { record: recordTexts(buffer, cells, count), row, line };
        return;
      }
      if (cSignature >= 0 && end[cSignature]! > start[cSignature]!) {
        columns.signatures.set(columns.length, cellText(buffer, cells, cSignature));
      }
      columns.add(w, voter, points, castAt, line);
    },
  );
  forEachChunk(source, (chunk) => scanner.push(chunk));
  if (!scanner.end() || header === undefined) return undefined;
  if (headerError) throw headerError;
  if (bad) throw wordRowError(source, header, bad);
  return (columns ?? new VoteColumns(16)).table(true);
}

/** The error of a bad votes row, worded by the schema exactly as a row-by-row zod parse does. */
function wordRowError(
  source: AnySource,
  header: string[],
  bad: { record: string[]; row: number; line: number },
): InputError {
  const values = rowValues(header, bad.record);
  const parsed = voteRow.safeParse(values);
  invariant(!parsed.success, `votes row ${bad.row} failed a check that the schema passes`);
  return rowError(source, { row: bad.row, line: bad.line, values }, parsed.error);
}

function readCsvVotes(source: AnySource): VoteTable {
  // A streamed file is read in chunks either way, never whole.
  const fast = readFastCsvVotes(source);
  if (fast) return fast;
  // About 70 bytes a row in practice; the columns grow if the guess is short.
  let columns = new VoteColumns(16);
  /** Voter cell text → voter index: each distinct text is checked (EIP-55) once. */
  const voterByText = new Map<string, number>();
  let bad: { record: string[]; row: number; line: number } | undefined;
  let cWork = -1;
  let cVoter = -1;
  let cPoints = -1;
  let cCast = -1;
  let cSignature = -1;

  const { header } = scanCsv(source, VOTE_COLUMNS, (record, row, line, header) => {
    if (cWork < 0) {
      // First row: the header has passed the column checks. About 70 bytes a row in practice; the columns grow
      // if the guess is short.
      const sample = "bytes" in source ? source.bytes : Buffer.from(record.join(",") + "\n");
      columns = new VoteColumns(estimateRows(sample, sizeOf(source)));
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
        voter = columns.voterOf(parsed.address);
        voterByText.set(voterText, voter);
      }
    }
    const points = parsePoints(record[cPoints]!, columns.length, columns.bigPoints);
    const castAt = parseTimestamp(record[cCast]!);
    if (workId.length === 0 || voter === undefined || points === undefined || castAt === undefined) {
      bad = { record, row, line };
      return false;
    }
    if (cSignature >= 0 && record[cSignature]!.length > 0) columns.signatures.set(columns.length, record[cSignature]!);
    columns.add(columns.workOf(workId), voter, points, castAt, line);
  });
  if (bad) throw wordRowError(source, header, bad);
  return columns.table(true);
}

function fromRows(rows: Vote[]): VoteTable {
  const columns = new VoteColumns(rows.length);
  for (const vote of rows) {
    const i = columns.length;
    let points: number;
    if (vote.points >= -BigInt(Number.MAX_SAFE_INTEGER) && vote.points <= BigInt(Number.MAX_SAFE_INTEGER)) {
      points = Number(vote.points);
    } else {
      points = NaN;
      columns.bigPoints.set(i, vote.points);
    }
    if (vote.signature) columns.signatures.set(i, vote.signature);
    columns.add(columns.workOf(vote.workId), columns.voterOf(vote.voter), points, vote.castAt, 0);
  }
  return columns.table(false);
}

/** Reads a votes file (CSV or JSON) into columns; throws InputError as the row-by-row parse did. */
export function readVotes(source: AnySource): VoteTable {
  return formatOf(source.name) === "json" ? fromRows(parseVotes(inMemory(source))) : readCsvVotes(source);
}
