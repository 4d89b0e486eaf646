/**
 * A strict JSON reader for the inputs (docs/formats.md, Inputs). It returns what `JSON.parse`
 * returns for the same text, but reports what `JSON.parse` hides:
 *
 * - a key repeated in one object (`JSON.parse` keeps the last value silently);
 * - a number beyond 2^53 − 1 in magnitude, quoted with the digits as written (`JSON.parse` rounds
 *   it to the nearest double);
 * - bytes that are not UTF-8 (a decoder would turn them into U+FFFD).
 *
 * Each problem carries the path of the value it was found in and its position, so the caller
 * names the row and column. A syntax error stops the reader; the other problems do not, so that
 * one run reports them all.
 */
import { hasUtf8Bom, invalidUtf8Reason, isUtf8 } from "./encoding.js";

export type JsonPath = (string | number)[];

/** Something wrong at `path` (array indices and object keys from the top), at 1-based line and column. */
export interface JsonProblem {
  path: JsonPath;
  line: number;
  column: number;
  reason: string;
}

export interface JsonResult {
  /** The value, as `JSON.parse` would give it; undefined after a syntax error. */
  value: unknown;
  /** Repeated keys, numbers beyond 2^53 − 1, strings that are not UTF-8, in text order (at most `limit`). */
  problems: JsonProblem[];
  /** Problems found beyond `limit`. */
  more: number;
  /** The syntax error that stopped the reader. */
  syntaxError?: JsonProblem;
}

/** Nesting deeper than this is refused (the inputs are two levels deep). */
const MAX_DEPTH = 64;

const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;

class SyntaxProblem {
  constructor(
    readonly pos: number,
    readonly reason: string,
    readonly path: JsonPath,
  ) {}
}

const describe = (text: string, pos: number) =>
  pos >= text.length ? "the end of the file" : JSON.stringify(String.fromCodePoint(text.codePointAt(pos)!));

class Reader {
  pos = 0;
  readonly path: JsonPath = [];
  readonly found: { pos: number; path: JsonPath; reason: string }[] = [];
  more = 0;

  constructor(
    private readonly text: string,
    /** The text was decoded as latin1 because it is not UTF-8: every string is checked. */
    private readonly latin1: boolean,
    private readonly limit: number,
  ) {}

  problem(pos: number, reason: string, path: JsonPath = this.path.slice()): void {
    if (this.found.length < this.limit) this.found.push({ pos, path, reason });
    else this.more++;
  }

  fail(reason: string, pos = this.pos): never {
    throw new SyntaxProblem(pos, reason, this.path.slice());
  }

  space(): void {
    const text = this.text;
    let pos = this.pos;
    for (;;) {
      const c = text.charCodeAt(pos);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) pos++;
      else break;
    }
    this.pos = pos;
  }

  document(): unknown {
    const value = this.value(0);
    this.space();
    if (this.pos < this.text.length) this.fail(`unexpected ${describe(this.text, this.pos)} after the JSON value`);
    return value;
  }

  value(depth: number): unknown {
    this.space();
    const c = this.text.charCodeAt(this.pos);
    if (c === 0x7b) return this.object(depth);
    if (c === 0x5b) return this.array(depth);
    if (c === 0x22) return this.string("the value");
    if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return this.number();
    for (const [word, value] of [
      ["true", true],
      ["false", false],
      ["null", null],
    ] as const) {
      if (this.text.startsWith(word, this.pos)) {
        this.pos += word.length;
        return value;
      }
    }
    return this.fail(`expected a value, found ${describe(this.text, this.pos)}`);
  }

  object(depth: number): Record<string, unknown> {
    if (depth >= MAX_DEPTH) this.fail(`nested deeper than ${MAX_DEPTH} levels`);
    this.pos++;
    const object: Record<string, unknown> = {};
    this.space();
    if (this.text.charCodeAt(this.pos) === 0x7d) {
      this.pos++;
      return object;
    }
    for (;;) {
      this.space();
      if (this.text.charCodeAt(this.pos) !== 0x22) {
        this.fail(`expected a key in double quotes, found ${describe(this.text, this.pos)}`);
      }
      const keyPos = this.pos;
      const key = this.string("the key");
      this.space();
      if (this.text.charCodeAt(this.pos) !== 0x3a)
        this.fail(`expected ':' after a key, found ${describe(this.text, this.pos)}`);
      this.pos++;
      this.path.push(key);
      const value = this.value(depth + 1);
      this.path.pop();
      if (Object.hasOwn(object, key)) {
        this.problem(keyPos, `repeated key ${JSON.stringify(key)}: a key may appear only once in an object`, [
          ...this.path,
          key,
        ]);
      } else if (key === "__proto__") {
        // An own property, as JSON.parse makes it, not the prototype.
        Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
      } else {
        object[key] = value;
      }
      this.space();
      const c = this.text.charCodeAt(this.pos);
      this.pos++;
      if (c === 0x2c) continue;
      if (c === 0x7d) return object;
      this.fail(
        `expected ',' or '}' after a value in an object, found ${describe(this.text, this.pos - 1)}`,
        this.pos - 1,
      );
    }
  }

  array(depth: number): unknown[] {
    if (depth >= MAX_DEPTH) this.fail(`nested deeper than ${MAX_DEPTH} levels`);
    this.pos++;
    const array: unknown[] = [];
    this.space();
    if (this.text.charCodeAt(this.pos) === 0x5d) {
      this.pos++;
      return array;
    }
    for (;;) {
      this.path.push(array.length);
      array.push(this.value(depth + 1));
      this.path.pop();
      this.space();
      const c = this.text.charCodeAt(this.pos);
      this.pos++;
      if (c === 0x2c) continue;
      if (c === 0x5d) return array;
      this.fail(
        `expected ',' or ']' after a value in an array, found ${describe(this.text, this.pos - 1)}`,
        this.pos - 1,
      );
    }
  }

  string(what: string): string {
    const text = this.text;
    const open = this.pos;
    let pos = open + 1;
    let start = pos;
    let parts: string[] | undefined;
    for (;;) {
      const c = text.charCodeAt(pos);
      if (c === 0x22) break;
      if (Number.isNaN(c)) this.fail("a string is not closed", open);
      if (c < 0x20) this.fail("a control character (below U+0020) in a string must be escaped", pos);
      if (c !== 0x5c) {
        pos++;
        continue;
      }
      (parts ??= []).push(text.slice(start, pos));
      const e = text.charCodeAt(pos + 1);
      const simple = ESCAPES[e];
      if (simple !== undefined) {
        parts.push(simple);
        pos += 2;
      } else if (e === 0x75 && /^[0-9a-fA-F]{4}$/.test(text.slice(pos + 2, pos + 6))) {
        parts.push(String.fromCharCode(parseInt(text.slice(pos + 2, pos + 6), 16)));
        pos += 6;
      } else {
        this.fail(`invalid escape ${JSON.stringify(text.slice(pos, pos + 2))} in a string`, pos);
      }
      start = pos;
    }
    this.pos = pos + 1;
    if (this.latin1) {
      const raw = text.slice(open + 1, pos);
      // Escapes are ASCII: the raw text holds the bytes of the file as they are.
      if (/[^\x00-\x7f]/.test(raw)) {
        const reason = invalidUtf8Reason(Buffer.from(raw, "latin1"), what);
        if (reason !== undefined) this.problem(open, reason);
      }
    }
    if (parts === undefined) return text.slice(start, pos);
    parts.push(text.slice(start, pos));
    return parts.join("");
  }

  number(): number {
    NUMBER.lastIndex = this.pos;
    const match = NUMBER.exec(this.text);
    if (match === null) return this.fail(`expected a number, found ${describe(this.text, this.pos)}`);
    const literal = match[0];
    const start = this.pos;
    this.pos += literal.length;
    const value = Number(literal);
    if (!(Math.abs(value) <= Number.MAX_SAFE_INTEGER)) {
      this.problem(
        start,
        `the number ${literal} is beyond 2^53 − 1 (${Number.MAX_SAFE_INTEGER}), where JSON numbers stop being exact: write it as a string, "${literal}"`,
      );
    }
    return value;
  }
}

const ESCAPES: Record<number, string> = {
  0x22: '"',
  0x5c: "\\",
  0x2f: "/",
  0x62: "\b",
  0x66: "\f",
  0x6e: "\n",
  0x72: "\r",
  0x74: "\t",
};

/** 1-based line and column of each position (one pass over the text, positions in any order). */
function lineColumns(text: string, positions: readonly number[]): { line: number; column: number }[] {
  const order = positions.map((_, i) => i).sort((a, b) => positions[a]! - positions[b]!);
  const out: { line: number; column: number }[] = new Array(positions.length);
  let line = 1;
  let lineStart = 0;
  let scanned = 0;
  for (const i of order) {
    const pos = Math.min(positions[i]!, text.length);
    for (; scanned < pos; scanned++) {
      if (text.charCodeAt(scanned) === 0x0a) {
        line++;
        lineStart = scanned + 1;
      }
    }
    out[i] = { line, column: pos - lineStart + 1 };
  }
  return out;
}

/**
 * Reads `bytes` as JSON (an optional UTF-8 byte order mark is skipped). Never throws on bad input:
 * the syntax error and the problems are in the result.
 */
export function readJsonStrict(bytes: Uint8Array, limit = Number.MAX_SAFE_INTEGER): JsonResult {
  const body = hasUtf8Bom(bytes) ? bytes.subarray(3) : bytes;
  const utf8 = isUtf8(body);
  // Not UTF-8: read the bytes one char each, so that every string can be checked for what it holds.
  const text = Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString(utf8 ? "utf8" : "latin1");
  const reader = new Reader(text, !utf8, limit);
  let value: unknown;
  let syntax: SyntaxProblem | undefined;
  try {
    value = reader.document();
  } catch (error) {
    if (!(error instanceof SyntaxProblem)) throw error;
    syntax = error;
  }
  const positions = reader.found.map((p) => p.pos);
  if (syntax) positions.push(syntax.pos);
  const at = lineColumns(text, positions);
  const problems = reader.found.map((p, i) => ({ path: p.path, reason: p.reason, ...at[i]! }));
  return {
    value: syntax ? undefined : value,
    problems,
    more: reader.more,
    ...(syntax ? { syntaxError: { path: syntax.path, reason: syntax.reason, ...at[at.length - 1]! } } : {}),
  };
}
