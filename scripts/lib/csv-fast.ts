/**
 * A CSV scanner for the common shape of an export, byte by byte and without a string or an array per record:
 * each record's cells are handed over as byte ranges into the file. It reads exactly what csv-parse reads with the
 * pipeline's options (`bom`, `trim`, `skip_empty_lines`: inputs.ts) — the same records, cells and line numbers —
 * but only for files in that shape:
 *
 * - lines end with `\n` and the file holds no `\r`, or every line ends with `\r\n` (what a spreadsheet on Windows
 *   writes) and the file holds no other `\r` or `\n` — none inside a quoted cell either; the first line end says which;
 * - no cell starts or ends with a character csv-parse trims (space, tab, form feed): nothing to trim;
 * - a quote only opens a cell (`"…"`, with `""` for a quote inside) and is closed right before a comma, a line end
 *   or the end of the file;
 * - every record has as many cells as the header.
 *
 * On anything else it gives up (returns false) and the caller reads the file with csv-parse, which words the
 * error, if there is one, as it always did. test/pipeline/csv-fast.test.ts checks it against csv-parse.
 *
 * {@link FastCsvScanner} reads a file handed over in chunks (votes.csv is never held whole: input-files.ts) with the
 * same answers, whatever the chunks split (test/pipeline/chunked-input.test.ts).
 */
import { isUtf8 } from "node:buffer";

/** The cells of the record being handed over: cell c spans bytes [start[c], end[c]) of the file. */
export interface CsvCells {
  readonly start: Int32Array;
  readonly end: Int32Array;
  /** 0: plain; 1: was quoted, no `""` inside (the range excludes the quotes); 2: quoted with `""` inside. */
  readonly kind: Uint8Array;
}

const COMMA = 0x2c;
const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;
const SPACE = 0x20;
const TAB = 0x09;
const FF = 0x0c;

/** What csv-parse skips at the start of a cell (its trimmable characters; CR and LF cannot occur there here). */
const trimmable = (b: number) => b === SPACE || b === TAB || b === FF;

/**
 * Whether the cell [first, end) ends with what csv-parse trims at the end of an unquoted cell: it uses
 * String.prototype.trimEnd, so any white space (\s), also beyond ASCII (U+00A0, U+3000, U+FEFF …).
 */
function trailingSpace(bytes: Uint8Array, first: number, end: number): boolean {
  const b = bytes[end - 1]!;
  if (b < 0x80) return b === SPACE || b === TAB || b === FF || b === 0x0b;
  return /\s$/u.test(
    Buffer.from(bytes.buffer, bytes.byteOffset + Math.max(first, end - 4), end - Math.max(first, end - 4)).toString(
      "utf8",
    ),
  );
}

/** Where a scan of records is: the line it is on and the cell count of the header (−1 before it). */
interface ScanState {
  line: number;
  expected: number;
  cells: CsvCells;
  maxCells: number;
  /** Whether lines end with `\r\n` (undefined before the first line end is seen). */
  crlf: boolean | undefined;
}

const newState = (maxCells: number): ScanState => ({
  line: 1,
  expected: -1,
  crlf: undefined,
  cells: { start: new Int32Array(maxCells), end: new Int32Array(maxCells), kind: new Uint8Array(maxCells) },
  maxCells,
});

/** {@link scanRecords}' answer when the bytes are not in the shape the scanner reads. */
const GIVE_UP = -1;

/**
 * Sets `state.crlf` from the first line end of bytes [pos, n), if it is not set and there is one; false if the bytes
 * cannot be in the shape (a `\r` in a file whose lines end with `\n` alone).
 */
function lineEnds(bytes: Uint8Array, pos: number, n: number, state: ScanState): boolean {
  if (state.crlf === undefined) {
    const lf = bytes.subarray(pos, n).indexOf(LF);
    if (lf < 0) return bytes.subarray(pos, n).indexOf(CR) < 0;
    state.crlf = lf > 0 && bytes[pos + lf - 1] === CR;
  }
  return state.crlf || bytes.subarray(pos, n).indexOf(CR) < 0;
}

/**
 * Scans the records of bytes [pos, n) (no `\r` among them unless lines end with `\r\n`). With `eof`, n is the end of the file (a last record
 * may end there without a line end); otherwise n is just past a line end, and a record that does not end before n
 * (a quoted cell going on past it) is left for the next scan: returns where it starts (n if none is left), or
 * GIVE_UP.
 */
function scanRecords(
  bytes: Uint8Array,
  pos: number,
  n: number,
  eof: boolean,
  hasQuotes: boolean,
  state: ScanState,
  onRecord: (cells: CsvCells, count: number, line: number) => void,
): number {
  const { cells, maxCells } = state;
  const { start, end, kind } = cells;
  const crlf = state.crlf === true;
  let line = state.line;
  let expected = state.expected;
  while (pos < n) {
    if (bytes[pos] === (crlf ? CR : LF)) {
      // an empty line: skipped, but counted
      if (crlf && (pos + 1 >= n || bytes[pos + 1] !== LF)) return GIVE_UP;
      line++;
      pos += crlf ? 2 : 1;
      continue;
    }
    const recordStart = pos;
    const recordLine = line;
    let count = 0;
    for (;;) {
      // one cell, starting at pos
      if (count === maxCells) return GIVE_UP;
      let b = pos < n ? bytes[pos]! : LF;
      if (hasQuotes && b === QUOTE) {
        let p = pos + 1;
        let escaped = false;
        for (;;) {
          if (p >= n) {
            if (eof) return GIVE_UP; // never closed
            // The record goes on in the next chunk.
            state.line = recordLine;
            state.expected = expected;
            return recordStart;
          }
          const c = bytes[p]!;
          if (c === QUOTE) {
            if (p + 1 < n && bytes[p + 1] === QUOTE) {
              escaped = true;
              p += 2;
              continue;
            }
            break;
          }
          if (c === LF) {
            if (crlf) return GIVE_UP; // a line end inside a quoted cell: csv-parse counts \r and \n there apart
            line++;
          } else if (c === CR) {
            return GIVE_UP; // (a \r only occurs where lines end with \r\n)
          }
          p++;
        }
        start[count] = pos + 1;
        end[count] = p;
        kind[count] = escaped ? 2 : 1;
        count++;
        pos = p + 1;
        b = pos < n ? bytes[pos]! : LF;
        if (crlf) {
          if (b === CR) b = pos + 1 < n && bytes[++pos] === LF ? LF : CR;
          else if (b === LF && pos < n) return GIVE_UP;
        }
        if (b !== COMMA && b !== LF) return GIVE_UP;
      } else {
        const first = pos;
        if (hasQuotes) {
          while (b !== COMMA && b !== LF && b !== CR) {
            if (b === QUOTE) return GIVE_UP;
            b = ++pos < n ? bytes[pos]! : LF;
          }
        } else {
          while (b !== COMMA && b !== LF && b !== CR) b = ++pos < n ? bytes[pos]! : LF;
        }
        if (pos > first && (trimmable(bytes[first]!) || trailingSpace(bytes, first, pos))) return GIVE_UP;
        start[count] = first;
        end[count] = pos;
        kind[count] = 0;
        count++;
        // \r\n ends the line where lines end so; a \r anywhere else, or a \n alone there, is not the shape.
        if (b === CR) {
          if (!crlf || pos + 1 >= n || bytes[pos + 1] !== LF) return GIVE_UP;
          pos++;
          b = LF;
        } else if (b === LF && crlf && pos < n) {
          return GIVE_UP;
        }
      }
      pos++; // past the comma or the line end
      if (b === LF) break;
    }
    if (expected < 0) expected = count;
    else if (count !== expected) return GIVE_UP;
    onRecord(cells, count, line);
    line++;
  }
  state.line = line;
  state.expected = expected;
  return n;
}

const hasBom = (bytes: Uint8Array) => bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;

/**
 * Scans `bytes` (UTF-8, checked by the caller). `onRecord(cells, count, line)` gets every record, the header first
 * (`line` is where the record ends, as csv-parse's `info.lines`); a record with another cell count than the header
 * makes the scan give up before it is handed over. Returns false if the file is not in the shape above.
 */
export function scanFastCsv(
  bytes: Uint8Array,
  maxCells: number,
  onRecord: (cells: CsvCells, count: number, line: number) => void,
): boolean {
  const state = newState(maxCells);
  const pos = hasBom(bytes) ? 3 : 0;
  if (!lineEnds(bytes, pos, bytes.length, state)) return false;
  const hasQuotes = bytes.indexOf(QUOTE) >= 0;
  return scanRecords(bytes, pos, bytes.length, true, hasQuotes, state, onRecord) >= 0;
}

/** The longest record {@link FastCsvScanner} carries from one chunk to the next before it gives up. */
export const MAX_RECORD_BYTES = 1 << 20;

/**
 * {@link scanFastCsv} over a file handed over in chunks of any size ({@link push}, then {@link end}): the same
 * records, cells and line numbers, the same giving up, with memory for one chunk and the record it ends in. A
 * record is scanned once it is complete: `onRecord` gets the bytes its cells index (valid until it returns). The
 * bytes are checked to be UTF-8 as they come, up to each chunk's last line end (a line end cannot be inside a
 * UTF-8 sequence): bytes that are not make the scan give up, as the caller's whole-file check did.
 */
export class FastCsvScanner {
  private buffer = Buffer.alloc(0);
  private used = 0;
  /** Bytes [0, checked) of the buffer are known to be UTF-8. */
  private checked = 0;
  private started = false;
  private readonly state: ScanState;
  /** False once the file is not in the shape the scanner reads. */
  ok = true;

  constructor(
    maxCells: number,
    private readonly onRecord: (cells: CsvCells, count: number, line: number, bytes: Buffer) => void,
  ) {
    this.state = newState(maxCells);
  }

  /** Adds the next bytes of the file; returns false once the scan has given up. */
  push(chunk: Uint8Array): boolean {
    if (!this.ok) return false;
    const last = chunk.lastIndexOf(LF);
    if (this.used === 0 && last >= 0 && (this.started || chunk.length >= 3)) {
      // Nothing carried over: the chunk is scanned where it is (a file held whole is never copied), and only what
      // is left of it is kept.
      const bytes = asBuffer(chunk);
      this.checked = 0;
      const left = this.scan(bytes, last + 1, false);
      if (left < 0) return false;
      this.reserve(chunk.length - left);
      this.buffer.set(bytes.subarray(left), 0);
      this.used = chunk.length - left;
      this.checked = last + 1 - left;
      return this.bounded();
    }
    this.reserve(this.used + chunk.length);
    this.buffer.set(chunk, this.used);
    const from = this.used;
    this.used += chunk.length;
    if (last < 0 || (!this.started && this.used < 3)) return true;
    return this.scanBuffer(from + last + 1, false);
  }

  /** The end of the file: scans what is left; returns whether the whole file was in the shape. */
  end(): boolean {
    return this.ok && this.scanBuffer(this.used, true);
  }

  /** Room for `bytes` in the buffer, keeping what it holds. */
  private reserve(bytes: number): void {
    if (bytes <= this.buffer.length) return;
    // Room for a chunk and what is left of the one before (a record, usually), twice that for a record longer.
    const grown = Buffer.allocUnsafe(this.buffer.length === 0 ? bytes + (64 << 10) : Math.max(bytes, 2 * this.used));
    this.buffer.copy(grown, 0, 0, this.used);
    this.buffer = grown;
  }

  /** A record this long is not an export's usual shape (an unclosed quote, most likely): csv-parse words it. */
  private bounded(): boolean {
    return this.used > MAX_RECORD_BYTES ? (this.ok = false) : true;
  }

  /** Scans bytes [0, cut) of the buffer (all of them at the end of the file), keeping what is left for the next. */
  private scanBuffer(cut: number, eof: boolean): boolean {
    // What the records are handed with: the bytes read so far (not the free room after them).
    const bytes = this.buffer.subarray(0, this.used);
    const left = this.scan(bytes, cut, eof);
    if (left < 0) return false;
    bytes.copyWithin(0, left, this.used);
    this.used -= left;
    this.checked = cut - left;
    return this.bounded();
  }

  /**
   * Scans the records of bytes [0, cut) of `bytes` (the file's next bytes; its first ones until a scan has started)
   * after checking that they are UTF-8 from `checked` on; returns where the record left for the next scan starts,
   * or −1 (then the scan has given up).
   */
  private scan(bytes: Buffer, cut: number, eof: boolean): number {
    if (!lineEnds(bytes, this.checked, cut, this.state) || !isUtf8(bytes.subarray(this.checked, cut))) {
      return ((this.ok = false), -1);
    }
    let pos = 0;
    if (!this.started) {
      this.started = true;
      if (hasBom(bytes)) pos = 3;
    }
    const hasQuotes = bytes.subarray(pos, cut).indexOf(QUOTE) >= 0;
    const onRecord = this.onRecord;
    const left = scanRecords(bytes, pos, cut, eof, hasQuotes, this.state, (cells, count, line) =>
      onRecord(cells, count, line, bytes),
    );
    if (left < 0) this.ok = false;
    return left;
  }
}

/** Cell `c` of the record as a string (UTF-8; `""` inside a quoted cell is one quote). */
export function cellText(buffer: Buffer, cells: CsvCells, c: number): string {
  const text = buffer.toString("utf8", cells.start[c], cells.end[c]);
  return cells.kind[c] === 2 ? text.replace(/""/g, '"') : text;
}

/** Every cell of the record as strings, as csv-parse hands a record over. */
export function recordTexts(buffer: Buffer, cells: CsvCells, count: number): string[] {
  const record: string[] = new Array(count);
  for (let c = 0; c < count; c++) record[c] = cellText(buffer, cells, c);
  return record;
}

/** A Buffer over the same bytes (no copy). */
export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
