/**
 * Reading the dashboard export (docs/formats.md, Inputs): CSV with a header row (csv-parse) or a JSON array
 * of objects, checked column by column with zod. Every failure is an {@link InputError} naming
 * the file, the 1-based data row (the header is not counted), the column and the reason.
 */
import { parse as parseCsv, CsvError } from "csv-parse/sync";
import { z } from "zod";
import { parseAddress } from "./address.js";
import { InputError, type InputLocation } from "./errors.js";
import { parseTimestamp } from "./timestamp.js";

export { parseTimestamp };

/** An input file: the name used in messages (and whose extension picks the format) and its bytes. */
export interface Source {
  name: string;
  bytes: Uint8Array;
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

function checkColumns(file: string, present: readonly string[], spec: TableSpec, location: InputLocation): void {
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
  void file;
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
  source: Source,
  spec: TableSpec,
  onRow: (record: string[], row: number, line: number, header: readonly string[]) => boolean | void,
): { header: string[]; rows: number } {
  let header: string[] | undefined;
  let columnError: InputError | undefined;
  let rows = 0;
  let delivering = true;
  try {
    parseCsv(source.bytes, {
      bom: true,
      skip_empty_lines: true,
      trim: true,
      // Records are handled here and dropped (null): nothing of a million-row file is kept but
      // what `onRow` keeps.
      on_record: (record: string[], info: { lines: number }) => {
        if (header === undefined) {
          header = record;
          try {
            checkColumns(source.name, header, spec, { file: source.name, line: info.lines });
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
    });
  } catch (error) {
    if (error instanceof CsvError) {
      const line = (error as CsvError & { lines?: number }).lines;
      const records = (error as CsvError & { records?: number }).records;
      throw new InputError(
        {
          file: source.name,
          row: records !== undefined && records > 0 ? records : undefined,
          line,
        },
        `malformed CSV: ${error.message}`,
        { cause: error },
      );
    }
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

function readCsv(source: Source, spec: TableSpec): TableRow[] {
  const records: { row: number; line: number; record: string[] }[] = [];
  const { header } = scanCsv(source, spec, (record, row, line) => void records.push({ row, line, record }));
  return records.map(({ row, line, record }) => ({ row, line, values: rowValues(header, record) }));
}

const jsonCell = z.union([
  z.string(),
  z.number().int().refine(Number.isSafeInteger, "integer too large for a JSON number: write it as a string"),
]);

function readJson(source: Source, spec: TableSpec): TableRow[] {
  let data: unknown;
  try {
    data = JSON.parse(Buffer.from(source.bytes).toString("utf8"));
  } catch (error) {
    throw new InputError({ file: source.name }, `malformed JSON: ${(error as Error).message}`, { cause: error });
  }
  if (!Array.isArray(data)) throw new InputError({ file: source.name }, "malformed JSON: expected an array of objects");
  return data.map((item: unknown, i): TableRow => {
    const location = { file: source.name, row: i + 1 };
    if (typeof item !== "object" || item === null || Array.isArray(item)) {
      throw new InputError(location, "malformed JSON: expected an object");
    }
    checkColumns(source.name, Object.keys(item), spec, location);
    const values: Record<string, string> = {};
    for (const [column, cell] of Object.entries(item)) {
      const parsed = jsonCell.safeParse(cell);
      if (!parsed.success) {
        throw new InputError({ ...location, column }, `expected a string or an integer, got ${JSON.stringify(cell)}`);
      }
      values[column] = typeof parsed.data === "number" ? String(parsed.data) : parsed.data.trim();
    }
    return { row: i + 1, values };
  });
}

/** Reads a CSV or JSON table and checks its columns against `spec`. */
export function readTable(source: Source, spec: TableSpec): TableRow[] {
  return formatOf(source.name) === "json" ? readJson(source, spec) : readCsv(source, spec);
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

function parseRows<S extends z.ZodType, T>(
  source: Source,
  spec: TableSpec,
  schema: S,
  build: (data: z.output<S>, row: TableRow) => T,
): T[] {
  const rows = readTable(source, spec);
  const out: T[] = new Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    const parsed = schema.safeParse(row.values);
    if (!parsed.success) throw rowError(source, row, parsed.error);
    out[i] = build(parsed.data, row);
  }
  return out;
}

/** The error of a row that `schema` refuses: its first issue names the column and the reason. */
export function rowError(source: Source, row: TableRow, error: z.ZodError): InputError {
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

export function parseWorks(source: Source): Work[] {
  return parseRows(source, WORK_COLUMNS, workRow, (d, { row, line }) => ({
    workId: d.work_id,
    contributor: d.contributor,
    category: d.category,
    title: d.title,
    povUrl: d.pov_url,
    submittedAt: d.submitted_at,
    row,
    line,
  }));
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
