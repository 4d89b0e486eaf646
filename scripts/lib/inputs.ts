/**
 * Reading the dashboard export (docs/formats.md, Inputs): CSV with a header row (csv-parse) or a JSON array
 * of objects, checked column by column with zod. Every failure is an {@link InputError} naming
 * the file, the 1-based data row (the header is not counted), the column and the reason; a file
 * with several bad rows throws an {@link InputErrors} listing them all (up to MAX_REPORTED_ERRORS).
 */
import { CsvError as StreamCsvError, Parser as CsvParser } from "csv-parse";
import { parse as parseCsv, CsvError } from "csv-parse/sync";
import { z } from "zod";
import { parseAddress } from "./address.js";
import { ByteInterner, checksumAddressCached, IntList, utcSecondsBytes } from "./cells.js";
import { asBuffer, cellText, recordTexts, scanFastCsv, type CsvCells } from "./csv-fast.js";
import { hasUtf8Bom, invalidUtf8Reason, isUtf8, Utf8Stream } from "./encoding.js";
import type { InputFile } from "./input-files.js";
import { ErrorCollector, InputError, MAX_REPORTED_ERRORS, type InputLocation } from "./errors.js";
import { readJsonStrict, type JsonPath, type JsonProblem } from "./json.js";
import { parseTimestamp } from "./timestamp.js";

export { parseTimestamp };

/** An input file: the name used in messages (and whose extension picks the format) and its bytes. */
export interface Source {
  name: string;
  bytes: Uint8Array;
}

/**
 * An input file too large to hold whole (votes.csv): read in chunks (input-files.ts), by the votes reader and by
 * the copy into the artifacts' inputs/.
 */
export interface StreamedSource {
  name: string;
  file: InputFile;
}

export type AnySource = Source | StreamedSource;

/** Hands the bytes of `source` to `onChunk` in order (all at once for a {@link Source}); stops if it returns false. */
export function forEachChunk(source: AnySource, onChunk: (chunk: Uint8Array) => boolean | void): void {
  if ("bytes" in source) onChunk(source.bytes);
  else source.file.read(onChunk);
}

/** `source` with its bytes in memory (a streamed file is read whole: for the rare paths, e.g. wording an error). */
export function inMemory(source: AnySource): Source {
  if ("bytes" in source) return source;
  const pieces: Buffer[] = [];
  source.file.read((chunk) => void pieces.push(Buffer.from(chunk)));
  return { name: source.name, bytes: Buffer.concat(pieces) };
}

export type SourceFormat = "csv" | "json";

/** `.json` files are JSON arrays of objects; anything else is CSV with a header row. */
export function formatOf(name: string): SourceFormat {
  return name.toLowerCase().endsWith(".json") ? "json" : "csv";
}

/** The columns a file must have, and those it may have. */
export interface TableSpec {
  required: readonly string[];
  optional?: readonly string[];
}

/** One data row: its 1-based number, the CSV line it ends on, and its cells by column. */
export interface TableRow {
  row: number;
  line?: number;
  values: Record<string, string>;
}

/** Throws if `present` (a header) lacks a required column of `spec`, has one it does not know, or one twice. */
export function checkColumns(present: readonly string[], spec: TableSpec, location: InputLocation): void {
  const allowed = new Set([...spec.required, ...(spec.optional ?? [])]);
  const seen = new Set<string>();
  for (const column of present) {
    if (!allowed.has(column)) {
      throw new InputError({ ...location, column }, `unknown column "${column}" (expected ${[...allowed].join(", ")})`);
    }
    if (seen.has(column)) throw new InputError({ ...location, column }, `column "${column}" appears twice`);
    seen.add(column);
  }
  for (const column of spec.required) {
    if (!seen.has(column)) throw new InputError({ ...location, column }, `missing column "${column}"`);
  }
}

const NON_ASCII = /[^\x00-\x7f]/;

/** The bytes csv-parse has read when it hands over a record (its `info.bytes`, not in its types). */
const bytesRead = (info: object): number => (info as { bytes?: number }).bytes ?? 0;

/** csv-parse's parser, driven chunk by chunk as its stream API drives it (not in its types). */
interface CsvApi {
  parse(buffer: Buffer | undefined, end: boolean, push: () => void, close: () => void): Error | undefined;
}

/**
 * csv-parse over `source` (records go to `options.on_record`): the bytes at once (csv-parse/sync), or a streamed
 * file chunk by chunk through the same parser. With `skipBom`, a UTF-8 byte order mark is dropped first (`onBom`
 * says whether there was one). `onChunk` sees every chunk first; if it returns false, the reading stops there
 * (returns false). Throws csv-parse's error.
 */
function parseCsvSource(
  source: AnySource,
  skipBom: boolean,
  onBom: (skipped: boolean) => void,
  options: object,
  onChunk?: (chunk: Uint8Array) => boolean,
): boolean {
  if ("bytes" in source) {
    let bytes = source.bytes;
    if (skipBom) {
      const bom = hasUtf8Bom(bytes);
      onBom(bom);
      if (bom) bytes = bytes.subarray(3);
    }
    parseCsv(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), options);
    return true;
  }
  const api = (new CsvParser(options) as unknown as { api: CsvApi }).api;
  const nothing = () => {};
  let error: Error | undefined;
  let stopped = false;
  /** The first bytes, until there are three to tell a byte order mark by. */
  let head: Buffer | undefined = skipBom ? Buffer.alloc(0) : undefined;
  const feed = (buffer: Buffer) => {
    if (head !== undefined) {
      head = Buffer.concat([head, buffer]);
      if (head.length < 3) return;
      const bom = hasUtf8Bom(head);
      onBom(bom);
      buffer = bom ? head.subarray(3) : head;
      head = undefined;
    }
    if (buffer.length > 0) error = api.parse(buffer, false, nothing, nothing);
  };
  source.file.read((chunk) => {
    if (onChunk && !onChunk(chunk)) {
      stopped = true;
      return false;
    }
    // A copy: the parser keeps the end of a chunk it has not finished, and the reader reuses its memory.
    feed(Buffer.from(chunk));
    return error === undefined;
  });
  if (stopped) return false;
  if (error === undefined && head !== undefined) {
    onBom(false);
    const rest: Buffer = head;
    head = undefined;
    if (rest.length > 0) error = api.parse(rest, false, nothing, nothing);
  }
  if (error === undefined) error = api.parse(undefined, true, nothing, nothing);
  // The stream entry's CsvError class may be another module's than csv-parse/sync's: the same error, as the latter.
  if (error !== undefined && !(error instanceof CsvError) && (error as object) instanceof StreamCsvError) {
    const e = error as CsvError;
    throw Object.assign(new CsvError(e.code, e.message, {} as never), e);
  }
  if (error !== undefined) throw error;
  return true;
}

/**
 * csv-parse over `chunks` with the options of {@link scanCsv}, one chunk at a time: `onRecord` gets every record (the
 * header first) with the line it ends on, and the generator yields after each chunk's records. For a second reading
 * of a file that {@link scanCsv} has read whole once (vote-screen.ts): an error is csv-parse's, unworded.
 */
export function* csvRecordsByChunk(
  chunks: Iterable<Uint8Array>,
  onRecord: (record: string[], line: number) => void,
): Generator<void> {
  const options = {
    bom: true,
    skip_empty_lines: true,
    trim: true,
    on_record: (record: string[], info: { lines: number }) => {
      onRecord(record, info.lines);
      return null;
    },
  };
  const api = (new CsvParser(options) as unknown as { api: CsvApi }).api;
  const nothing = () => {};
  for (const chunk of chunks) {
    // A copy: the parser keeps the end of a chunk it has not finished, and the reader reuses its memory.
    const error = api.parse(Buffer.from(chunk), false, nothing, nothing);
    if (error !== undefined) throw error;
    yield;
  }
  const error = api.parse(undefined, true, nothing, nothing);
  if (error !== undefined) throw error;
  yield;
}

/** Whether every byte of `source` is UTF-8, read in chunks. */
function isUtf8Source(source: AnySource): boolean {
  const check = new Utf8Stream();
  forEachChunk(source, (chunk) => check.push(chunk));
  return check.end();
}

/**
 * The error of a CSV file that is not UTF-8: every cell holding such bytes, found by reading the
 * file again with each byte as one character (the CSV structure is ASCII, so the records and cells
 * are the same) and checking the bytes of each cell.
 */
function csvUtf8Error(source: AnySource): InputError {
  const errors = new ErrorCollector();
  let header: string[] | undefined;
  let rows = 0;
  let end = 0;
  let bom = false;
  try {
    parseCsvSource(source, true, (skipped) => (bom = skipped), {
      encoding: "latin1",
      skip_empty_lines: true,
      trim: true,
      on_record: (record: string[], info: { lines: number }) => {
        const isHeader = header === undefined;
        if (isHeader) header = record;
        else rows++;
        end = bytesRead(info);
        record.forEach((cell, c) => {
          if (!NON_ASCII.test(cell)) return;
          const reason = invalidUtf8Reason(Buffer.from(cell, "latin1"), isHeader ? "a column name" : "the cell");
          if (reason === undefined) return;
          const location: InputLocation = isHeader
            ? { file: source.name, line: info.lines }
            : { file: source.name, row: rows, line: info.lines, column: header![c] };
          errors.add(() => new InputError(location, reason));
        });
        return null;
      },
    });
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
    errors.add(csvError(source, error, end + (bom ? 3 : 0)));
  }
  return errors.error() ?? new InputError({ file: source.name }, "not UTF-8 (save the file as UTF-8)");
}

/**
 * The line where a quoted field that never closes opens, scanning from `start` (where a record
 * starts): csv-parse reports the end of the file, where the quote was found missing. The file is
 * read in chunks if it is streamed.
 */
function unclosedQuoteLine(source: AnySource, start: number): number | undefined {
  let fieldStart = true;
  let quoted = false;
  /** A quote was the last byte seen inside a quoted field: closing, or the first of `""`. */
  let quote = false;
  let openLine = -1;
  let line = 1;
  let offset = 0;
  forEachChunk(source, (bytes) => {
    // Lines before `start` count too.
    for (let i = 0; i < Math.min(bytes.length, start - offset); i++) if (bytes[i] === 0x0a) line++;
    for (let i = Math.max(0, start - offset); i < bytes.length; i++) {
      const c = bytes[i]!;
      if (quote) {
        quote = false;
        if (c === 0x22) continue; // `""`: still inside
        quoted = false;
      }
      if (quoted) {
        if (c === 0x22) quote = true;
        else if (c === 0x0a) line++;
      } else if (c === 0x22 && fieldStart) {
        quoted = true;
        openLine = line;
        fieldStart = false;
      } else if (c === 0x2c || c === 0x0a || c === 0x0d) {
        fieldStart = true;
        if (c === 0x0a) line++;
      } else if (c !== 0x20 && c !== 0x09) {
        fieldStart = false;
      }
    }
    offset += bytes.length;
  });
  return quoted && !quote ? openLine : undefined;
}

/** A csv-parse error as an InputError; `recordStart` is where the record that failed starts. */
function csvError(source: AnySource, error: CsvError, recordStart: number): InputError {
  const line = (error as CsvError & { lines?: number }).lines;
  const records = (error as CsvError & { records?: number }).records;
  const row = records !== undefined && records > 0 ? records : undefined;
  if (error.code === "CSV_QUOTE_NOT_CLOSED") {
    const opened = unclosedQuoteLine(source, recordStart);
    if (opened !== undefined) {
      return new InputError(
        { file: source.name, row, line: opened },
        `malformed CSV: the quote opened on line ${opened} is never closed`,
        { cause: error },
      );
    }
  }
  return new InputError({ file: source.name, row, line }, `malformed CSV: ${error.message}`, { cause: error });
}

/**
 * Reads a CSV file record by record with csv-parse, without keeping the records: `onRow` gets each
 * data row's cells (as many as the header's, which it also gets), its 1-based row number and the
 * line it ends on. If `onRow`
 * returns false it is not called again, but the rest of the file is still parsed, because a
 * malformed CSV anywhere in the file is the error to report (before any column or row error).
 * Returns the header and the number of data rows.
 */
export function scanCsv(
  source: AnySource,
  spec: TableSpec,
  onRow: (record: string[], row: number, line: number, header: readonly string[]) => boolean | void,
): { header: string[]; rows: number } {
  // Bytes that are not UTF-8 would decode to U+FFFD: refuse them, naming every cell that holds some. A streamed
  // file is checked as it is read (the rows handed over before such bytes are found are then of no account).
  const streamed = !("bytes" in source);
  if (!streamed && !isUtf8(source.bytes)) throw csvUtf8Error(source);
  const utf8 = new Utf8Stream();
  let header: string[] | undefined;
  let columnError: InputError | undefined;
  let rows = 0;
  let delivering = true;
  /** Where the record after the last one read starts (csv-parse counts the byte order mark too). */
  let recordStart = 0;
  try {
    const options = {
      bom: true,
      skip_empty_lines: true,
      trim: true,
      // Records are handled here and dropped (null): nothing of a million-row file is kept but
      // what `onRow` keeps.
      on_record: (record: string[], info: { lines: number }) => {
        recordStart = bytesRead(info);
        if (header === undefined) {
          header = record;
          try {
            checkColumns(header, spec, { file: source.name, line: info.lines });
          } catch (error) {
            columnError = error as InputError;
            delivering = false;
          }
        } else {
          rows++;
          if (delivering && onRow(record, rows, info.lines, header) === false) delivering = false;
        }
        return null;
      },
    };
    const read = parseCsvSource(source, false, () => {}, options, streamed ? (chunk) => utf8.push(chunk) : undefined);
    if (streamed && (!read || !utf8.end())) throw csvUtf8Error(source);
  } catch (error) {
    if (streamed && error instanceof CsvError && !isUtf8Source(source)) throw csvUtf8Error(source);
    if (error instanceof CsvError) throw csvError(source, error, recordStart);
    throw error;
  }
  if (header === undefined) throw new InputError({ file: source.name, line: 1 }, "malformed CSV: no header row");
  if (columnError) throw columnError;
  return { header, rows };
}

/** A row's cells by column name. */
export function rowValues(header: readonly string[], record: readonly string[]): Record<string, string> {
  const values: Record<string, string> = {};
  for (let c = 0; c < header.length; c++) values[header[c]!] = record[c]!;
  return values;
}

const jsonCell = z.union([
  z.string(),
  z.number().int().refine(Number.isSafeInteger, "integer too large for a JSON number: write it as a string"),
]);

/**
 * Reads a JSON input with the strict reader (json.ts). `locate` turns the path of a problem into a
 * row and column. Repeated keys, numbers beyond 2^53 − 1 and bytes that are not UTF-8 go to
 * `errors` (the value is still returned, with `badPaths` holding the path of each problem); a
 * syntax error is added last and the value is undefined.
 */
export function readJsonInput(
  source: Source,
  locate: (path: JsonPath) => Omit<InputLocation, "file">,
  errors: ErrorCollector,
): { value: unknown; badPaths: JsonPath[] } {
  const parsed = readJsonStrict(source.bytes, MAX_REPORTED_ERRORS);
  const error = (p: JsonProblem, reason: string) =>
    new InputError({ file: source.name, ...locate(p.path), line: p.line }, reason);
  for (const p of parsed.problems) errors.add(error(p, p.reason));
  errors.countMore(parsed.more);
  const syntax = parsed.syntaxError;
  if (syntax) errors.add(error(syntax, `malformed JSON: ${syntax.reason} (column ${syntax.column})`));
  return { value: parsed.value, badPaths: parsed.problems.map((p) => p.path) };
}

const tableLocation = (path: JsonPath): Omit<InputLocation, "file"> => ({
  row: typeof path[0] === "number" ? path[0] + 1 : undefined,
  column: typeof path[1] === "string" ? path[1] : undefined,
});

function scanJson(source: Source, spec: TableSpec, onRow: (row: TableRow) => void, errors: ErrorCollector): void {
  const { value: data, badPaths } = readJsonInput(source, tableLocation, errors);
  if (data === undefined) return;
  if (!Array.isArray(data)) {
    errors.add(new InputError({ file: source.name }, "malformed JSON: expected an array of objects"));
    return;
  }
  // A row whose text has a problem is reported once, for that problem.
  const bad = new Set(badPaths.map((path) => path[0]));
  data.forEach((item: unknown, i) => {
    if (bad.has(i)) return;
    const location = { file: source.name, row: i + 1 };
    if (typeof item !== "object" || item === null || Array.isArray(item)) {
      errors.add(new InputError(location, "malformed JSON: expected an object"));
      return;
    }
    try {
      checkColumns(Object.keys(item), spec, location);
    } catch (error) {
      errors.add(error as InputError);
      return;
    }
    const values: Record<string, string> = {};
    for (const [column, cell] of Object.entries(item)) {
      const parsed = jsonCell.safeParse(cell);
      if (!parsed.success) {
        errors.add(
          new InputError({ ...location, column }, `expected a string or an integer, got ${JSON.stringify(cell)}`),
        );
        return;
      }
      values[column] = typeof parsed.data === "number" ? String(parsed.data) : parsed.data.trim();
    }
    onRow({ row: i + 1, values });
  });
}

/**
 * Hands every data row of a CSV or JSON table to `onRow`. Problems of the file as a whole
 * (malformed CSV, bytes that are not UTF-8, the CSV header's columns) are thrown; problems of a
 * JSON row go to `errors` and the row is skipped.
 */
function forEachRow(source: Source, spec: TableSpec, onRow: (row: TableRow) => void, errors: ErrorCollector): void {
  if (formatOf(source.name) === "json") {
    scanJson(source, spec, onRow, errors);
  } else {
    scanCsv(source, spec, (record, row, line, header) => void onRow({ row, line, values: rowValues(header, record) }));
  }
}

/** Reads a CSV or JSON table and checks its columns against `spec`. */
export function readTable(source: Source, spec: TableSpec): TableRow[] {
  const errors = new ErrorCollector();
  const rows: TableRow[] = [];
  forEachRow(source, spec, (row) => void rows.push(row), errors);
  errors.throwIfAny();
  return rows;
}

// ---------------------------------------------------------------------------------------------
// Field schemas
// ---------------------------------------------------------------------------------------------

/** An address, normalised to its EIP-55 checksum; a mixed-case address must carry a valid one. */
export const addressField = z.string().transform((text, ctx) => {
  const parsed = parseAddress(text);
  if (parsed.ok) return parsed.address;
  ctx.addIssue({ code: "custom", message: parsed.reason });
  return z.NEVER;
});

/** The integers {@link integerField} accepts. */
export const INTEGER = /^-?[0-9]+$/;

/** A decimal integer of any size, as bigint. */
export const integerField = z.string().transform((text, ctx) => {
  if (INTEGER.test(text)) return BigInt(text);
  ctx.addIssue({
    code: "custom",
    message: `${JSON.stringify(text)} is not an integer`,
  });
  return z.NEVER;
});

export const timestampField = z.string().transform((text, ctx) => {
  const ms = parseTimestamp(text);
  if (ms !== undefined) return ms;
  ctx.addIssue({
    code: "custom",
    message: `${JSON.stringify(text)} is not a timestamp (ISO 8601 with a time zone, or Unix seconds)`,
  });
  return z.NEVER;
});

const nonEmpty = (what: string) => z.string().min(1, `${what} is empty`);

const TEAM_PREFIX = "team:";

/** A contributor: an address, or `team:<name>`. */
export type Contributor = { kind: "address"; address: string } | { kind: "team"; team: string };

export const contributorField = z.string().transform((text, ctx): Contributor => {
  if (text.startsWith(TEAM_PREFIX)) {
    const team = text.slice(TEAM_PREFIX.length);
    if (team.length > 0) return { kind: "team", team };
    ctx.addIssue({ code: "custom", message: `"team:" needs a team name` });
    return z.NEVER;
  }
  const parsed = parseAddress(text);
  if (parsed.ok) return { kind: "address", address: parsed.address };
  ctx.addIssue({
    code: "custom",
    message: `${parsed.reason}; a contributor is an address or team:<name>`,
  });
  return z.NEVER;
});

// ---------------------------------------------------------------------------------------------
// Files
// ---------------------------------------------------------------------------------------------

export const WORK_COLUMNS: TableSpec = {
  required: ["work_id", "contributor", "category", "title", "pov_url", "submitted_at"],
  optional: ["signature"],
};
export const VOTE_COLUMNS: TableSpec = {
  required: ["work_id", "voter", "points", "cast_at"],
  optional: ["signature"],
};
export const TEAM_COLUMNS: TableSpec = {
  required: ["team", "member", "share_bps"],
};

const workRow = z.object({
  work_id: nonEmpty("work_id"),
  contributor: contributorField,
  category: z.string(),
  title: z.string(),
  pov_url: z.string(),
  submitted_at: timestampField,
  signature: z.string().optional(),
});
/** A votes row. The fast votes reader (vote-table.ts) uses it to word the error of a bad row. */
export const voteRow = z.object({
  work_id: nonEmpty("work_id"),
  voter: addressField,
  points: integerField,
  cast_at: timestampField,
  signature: z.string().optional(),
});
const teamRow = z.object({
  team: nonEmpty("team"),
  member: addressField,
  share_bps: integerField.refine((v) => v > 0n && v <= 10000n, "share_bps must be an integer in 1..10000"),
});

interface Located {
  /** 1-based data row (header not counted). */
  row: number;
  /** Physical line of a CSV file where the row ends. */
  line?: number;
}

export interface Work extends Located {
  workId: string;
  contributor: Contributor;
  category: string;
  title: string;
  povUrl: string;
  submittedAt: number;
  /** The contributor's EIP-712 signature of the report, when the file has one (docs/formats.md). */
  signature?: string;
}

export interface Vote extends Located {
  workId: string;
  voter: string;
  points: bigint;
  /** Milliseconds since the Unix epoch. */
  castAt: number;
  signature?: string;
}

export interface TeamMember extends Located {
  team: string;
  member: string;
  shareBps: bigint;
}

/** Parses every row with `schema`; throws every bad row (its first issue), not only the first. */
function parseRows<S extends z.ZodType, T>(
  source: Source,
  spec: TableSpec,
  schema: S,
  build: (data: z.output<S>, row: TableRow) => T,
): T[] {
  const errors = new ErrorCollector();
  const out: T[] = [];
  forEachRow(
    source,
    spec,
    (row) => {
      const parsed = schema.safeParse(row.values);
      if (parsed.success) out.push(build(parsed.data, row));
      else errors.add(() => rowError(source, row, parsed.error));
    },
    errors,
  );
  errors.throwIfAny();
  return out;
}

/** The error of a row that `schema` refuses: its first issue names the column and the reason. */
export function rowError(source: Pick<Source, "name">, row: TableRow, error: z.ZodError): InputError {
  const issue = error.issues[0]!;
  return new InputError(
    {
      file: source.name,
      row: row.row,
      line: row.line,
      column: issue.path.map(String).join(".") || undefined,
    },
    issue.message,
  );
}

/** The free-text cells of works read the fast way, decoded only when asked for (the rules never read them). */
class WorkTexts {
  readonly start = new IntList();
  readonly end = new IntList();
  /** Indices (3 × work + k) of cells quoted with `""` inside. */
  readonly escaped = new Set<number>();
  constructor(readonly buffer: Buffer) {}
  text(at: number): string {
    const text = this.buffer.toString("utf8", this.start.values[at], this.end.values[at]);
    return this.escaped.has(at) ? text.replace(/""/g, '"') : text;
  }
}

/** A works row read the fast way: category, title and pov_url are decoded when read. */
class FastWork implements Work {
  signature?: string;
  constructor(
    readonly workId: string,
    readonly contributor: Contributor,
    readonly submittedAt: number,
    readonly row: number,
    readonly line: number,
    private readonly texts: WorkTexts,
    private readonly at: number,
  ) {}
  get category(): string {
    return this.texts.text(this.at);
  }
  get title(): string {
    return this.texts.text(this.at + 1);
  }
  get povUrl(): string {
    return this.texts.text(this.at + 2);
  }
}

/**
 * works.csv the fast way (csv-fast.ts): the rows, or every bad row's error (worded by the schema), or undefined
 * when the file is not in the shape the scanner reads.
 */
function parseFastCsvWorks(source: Source): Work[] | undefined {
  const bytes = source.bytes;
  const buffer = asBuffer(bytes);
  const texts = new WorkTexts(buffer);
  const errors = new ErrorCollector();
  const contributorTexts = new ByteInterner();
  /** Contributor text number → the contributor, or null if the text is not one. */
  const contributors: (Contributor | null)[] = [];
  const out: Work[] = [];
  let header: string[] | undefined;
  let headerError: InputError | undefined;
  let row = 0;
  const c = { work: -1, contributor: -1, category: -1, title: -1, url: -1, submitted: -1, signature: -1 };

  const contributorOf = (cells: CsvCells): Contributor | null => {
    const at = cells.start[c.contributor]!;
    const end = cells.end[c.contributor]!;
    const isTeam =
      end - at >= 5 &&
      bytes[at] === 0x74 &&
      bytes[at + 1] === 0x65 &&
      bytes[at + 2] === 0x61 &&
      bytes[at + 3] === 0x6d &&
      bytes[at + 4] === 0x3a; // "team:"
    if (isTeam || cells.kind[c.contributor] === 2) {
      // Teams are few: interned, so that each team name is checked and decoded once.
      const b = cells.kind[c.contributor] === 2 ? Buffer.from(cellText(buffer, cells, c.contributor)) : undefined;
      const t = b ? contributorTexts.intern(b, 0, b.length) : contributorTexts.intern(bytes, at, end);
      if (contributorTexts.added) {
        const parsed = contributorField.safeParse(cellText(buffer, cells, c.contributor));
        contributors[t] = parsed.success ? parsed.data : null;
      }
      return contributors[t]!;
    }
    let address = checksumAddressCached(bytes, at, end);
    if (address === undefined) {
      const parsed = parseAddress(cellText(buffer, cells, c.contributor));
      if (parsed.ok) address = parsed.address;
    }
    return address === undefined ? null : { kind: "address", address };
  };

  const maxCells = WORK_COLUMNS.required.length + (WORK_COLUMNS.optional?.length ?? 0);
  const complete = scanFastCsv(bytes, maxCells, (cells, count, line) => {
    if (header === undefined) {
      header = recordTexts(buffer, cells, count);
      try {
        checkColumns(header, WORK_COLUMNS, { file: source.name, line });
      } catch (error) {
        headerError = error as InputError;
      }
      c.work = header.indexOf("work_id");
      c.contributor = header.indexOf("contributor");
      c.category = header.indexOf("category");
      c.title = header.indexOf("title");
      c.url = header.indexOf("pov_url");
      c.submitted = header.indexOf("submitted_at");
      c.signature = header.indexOf("signature");
      return;
    }
    row++;
    if (headerError !== undefined) return;
    const contributor = contributorOf(cells);
    let submittedAt =
      cells.kind[c.submitted] === 2 ? NaN : utcSecondsBytes(bytes, cells.start[c.submitted]!, cells.end[c.submitted]!);
    if (Number.isNaN(submittedAt)) submittedAt = parseTimestamp(cellText(buffer, cells, c.submitted)) ?? NaN;
    if (cells.end[c.work] === cells.start[c.work] || contributor === null || Number.isNaN(submittedAt)) {
      const values = rowValues(header, recordTexts(buffer, cells, count));
      const rowNumber = row;
      errors.add(() => {
        const parsed = workRow.safeParse(values);
        return parsed.success
          ? new InputError({ file: source.name, row: rowNumber, line }, "the row does not pass the works checks")
          : rowError(source, { row: rowNumber, line, values }, parsed.error);
      });
      return;
    }
    const at = texts.start.length;
    for (const k of [c.category, c.title, c.url]) {
      if (cells.kind[k] === 2) texts.escaped.add(texts.start.length);
      texts.start.push(cells.start[k]!);
      texts.end.push(cells.end[k]!);
    }
    const work = new FastWork(cellText(buffer, cells, c.work), contributor, submittedAt, row, line, texts, at);
    if (c.signature >= 0 && cells.end[c.signature]! > cells.start[c.signature]!) {
      work.signature = cellText(buffer, cells, c.signature);
    }
    out.push(work);
  });
  if (!complete || header === undefined) return undefined;
  if (headerError) throw headerError;
  errors.throwIfAny();
  return out;
}

export function parseWorks(source: Source): Work[] {
  if (formatOf(source.name) === "csv" && isUtf8(source.bytes)) {
    const fast = parseFastCsvWorks(source);
    if (fast) return fast;
  }
  return parseRows(source, WORK_COLUMNS, workRow, (d, { row, line }) => ({
    workId: d.work_id,
    contributor: d.contributor,
    category: d.category,
    title: d.title,
    povUrl: d.pov_url,
    submittedAt: d.submitted_at,
    ...(d.signature ? { signature: d.signature } : {}),
    row,
    line,
  }));
}

/**
 * Checks every row of a votes CSV with the checks of the fast reader (vote-table.ts), wording each
 * bad row with the schema, and throws them all; returns if every row passes. The fast reader stops
 * at the first bad row; this finds the others.
 */
export function checkVoteRows(source: AnySource): void {
  const errors = new ErrorCollector();
  let c: { work: number; voter: number; points: number; cast: number } | undefined;
  scanCsv(source, VOTE_COLUMNS, (record, row, line, header) => {
    c ??= {
      work: header.indexOf("work_id"),
      voter: header.indexOf("voter"),
      points: header.indexOf("points"),
      cast: header.indexOf("cast_at"),
    };
    if (
      record[c.work]!.length > 0 &&
      parseAddress(record[c.voter]!).ok &&
      INTEGER.test(record[c.points]!) &&
      parseTimestamp(record[c.cast]!) !== undefined
    ) {
      return;
    }
    errors.add(() => {
      const values = rowValues(header, record);
      const parsed = voteRow.safeParse(values);
      return parsed.success
        ? new InputError({ file: source.name, row, line }, "the row does not pass the votes checks")
        : rowError(source, { row, line, values }, parsed.error);
    });
  });
  errors.throwIfAny();
}

export function parseVotes(source: Source): Vote[] {
  return parseRows(source, VOTE_COLUMNS, voteRow, (d, { row, line }) => ({
    workId: d.work_id,
    voter: d.voter,
    points: d.points,
    castAt: d.cast_at,
    ...(d.signature ? { signature: d.signature } : {}),
    row,
    line,
  }));
}

export function parseTeams(source: Source): TeamMember[] {
  return parseRows(source, TEAM_COLUMNS, teamRow, (d, { row, line }) => ({
    team: d.team,
    member: d.member,
    shareBps: d.share_bps,
    row,
    line,
  }));
}
