/**
 * A CSV scanner for the common shape of an export, byte by byte and without a string or an array per record:
 * each record's cells are handed over as byte ranges into the file. It reads exactly what csv-parse reads with the
 * pipeline's options (`bom`, `trim`, `skip_empty_lines`: inputs.ts) — the same records, cells and line numbers —
 * but only for files in that shape:
 *
 * - lines end with `\n` and the file holds no `\r`;
 * - no cell starts or ends with a character csv-parse trims (space, tab, form feed): nothing to trim;
 * - a quote only opens a cell (`"…"`, with `""` for a quote inside) and is closed right before a comma, a line end
 *   or the end of the file;
 * - every record has as many cells as the header.
 *
 * On anything else it gives up (returns false) and the caller reads the file with csv-parse, which words the
 * error, if there is one, as it always did. test/pipeline/csv-fast.test.ts checks it against csv-parse.
 */

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
  const n = bytes.length;
  if (bytes.indexOf(CR) >= 0) return false;
  const hasQuotes = bytes.indexOf(QUOTE) >= 0;
  const start = new Int32Array(maxCells);
  const end = new Int32Array(maxCells);
  const kind = new Uint8Array(maxCells);
  const cells: CsvCells = { start, end, kind };
  let pos = n >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  let line = 1;
  let expected = -1;
  while (pos < n) {
    if (bytes[pos] === LF) {
      // an empty line: skipped, but counted
      line++;
      pos++;
      continue;
    }
    let count = 0;
    for (;;) {
      // one cell, starting at pos
      if (count === maxCells) return false;
      let b = pos < n ? bytes[pos]! : LF;
      if (hasQuotes && b === QUOTE) {
        let p = pos + 1;
        let escaped = false;
        for (;;) {
          if (p >= n) return false; // never closed
          const c = bytes[p]!;
          if (c === QUOTE) {
            if (p + 1 < n && bytes[p + 1] === QUOTE) {
              escaped = true;
              p += 2;
              continue;
            }
            break;
          }
          if (c === LF) line++;
          p++;
        }
        start[count] = pos + 1;
        end[count] = p;
        kind[count] = escaped ? 2 : 1;
        count++;
        pos = p + 1;
        b = pos < n ? bytes[pos]! : LF;
        if (b !== COMMA && b !== LF) return false;
      } else {
        const first = pos;
        if (hasQuotes) {
          while (b !== COMMA && b !== LF) {
            if (b === QUOTE) return false;
            b = ++pos < n ? bytes[pos]! : LF;
          }
        } else {
          while (b !== COMMA && b !== LF) b = ++pos < n ? bytes[pos]! : LF;
        }
        if (pos > first && (trimmable(bytes[first]!) || trailingSpace(bytes, first, pos))) return false;
        start[count] = first;
        end[count] = pos;
        kind[count] = 0;
        count++;
      }
      pos++; // past the comma or the line end
      if (b === LF) break;
    }
    if (expected < 0) expected = count;
    else if (count !== expected) return false;
    onRecord(cells, count, line);
    line++;
  }
  return true;
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
