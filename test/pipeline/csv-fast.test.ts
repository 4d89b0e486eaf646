/**
 * The fast CSV scanner (scripts/lib/csv-fast.ts) must read what csv-parse reads with the pipeline's options — the
 * same records, cells and line numbers — whenever it does not give up, and give up on every file csv-parse refuses.
 */
import { expect } from "chai";
import fc from "fast-check";
import { parse } from "csv-parse/sync";
import { asBuffer, recordTexts, scanFastCsv } from "../../scripts/lib/csv-fast.js";

type Read = { records: string[][]; lines: number[] } | { error: string };

function viaCsvParse(text: string): Read {
  const records: string[][] = [];
  const lines: number[] = [];
  try {
    parse(Buffer.from(text), {
      bom: true,
      skip_empty_lines: true,
      trim: true,
      on_record: (record: string[], info: { lines: number }) => {
        records.push(record);
        lines.push(info.lines);
        return null;
      },
    });
  } catch (error) {
    return { error: (error as Error).message };
  }
  return { records, lines };
}

function viaFast(text: string): Read | undefined {
  const bytes = Buffer.from(text);
  const records: string[][] = [];
  const lines: number[] = [];
  const ok = scanFastCsv(bytes, 8, (cells, count, line) => {
    records.push(recordTexts(asBuffer(bytes), cells, count));
    lines.push(line);
  });
  return ok ? { records, lines } : undefined;
}

const piece = fc.constantFrom(
  "a",
  "bc",
  "0x12",
  "é",
  "日本",
  " ",
  "\t",
  "\f",
  "\v",
  "\u00a0",
  "\u3000",
  "\ufeff",
  ",",
  "\n",
  "\n\n",
  "\r\n",
  "\r",
  '"',
  '""',
  '"x"',
  '"a,b"',
  '"l1\nl2"',
  '"q""q"',
  "",
);
const texts = fc.oneof(
  fc.array(piece, { maxLength: 40 }).map((p) => p.join("")),
  // rows of a fixed width, sometimes broken
  fc
    .tuple(
      fc.integer({ min: 1, max: 4 }),
      fc.array(
        fc.array(fc.constantFrom("x", "yy", "", '"q"', '"a,b"', '"n\nn"', '"e""e"', " s", "t "), { maxLength: 5 }),
        {
          maxLength: 8,
        },
      ),
      fc.boolean(),
      fc.boolean(),
      // line ends: \n, or \r\n as a spreadsheet on Windows writes them
      fc.constantFrom("\n", "\r\n"),
    )
    .map(
      ([width, rows, bom, trailing, eol]) =>
        (bom ? "\ufeff" : "") +
        rows.map((r) => r.slice(0, width + (r.length > width ? 1 : 0)).join(",")).join(eol) +
        (trailing ? eol : ""),
    ),
);

describe("fast CSV scanner", function () {
  // generous: the suite also runs on loaded CI machines
  this.timeout(60_000);

  it("reads what csv-parse reads, or gives up (never when csv-parse refuses the file)", () => {
    let fast = 0;
    fc.assert(
      fc.property(texts, (text) => {
        const expected = viaCsvParse(text);
        const actual = viaFast(text);
        if (actual === undefined) return;
        fast++;
        expect(expected, JSON.stringify(text)).not.to.have.property("error");
        expect(actual, JSON.stringify(text)).to.deep.equal(expected);
      }),
      { numRuns: 20_000 },
    );
    // The generator is not only failures: most simple files take the fast path.
    expect(fast).to.be.greaterThan(2000);
  });

  it("reads the usual export shapes", () => {
    for (const text of [
      "a,b\n1,2\n",
      "a,b\n1,2",
      "\ufeffa,b\n\n1,2\n\n\n3,4\n",
      'a,b\n"x, y",2\n"multi\nline",3\n"q""uote",4\n',
      "a,b\n,\n",
      "a\n\u00e9t\u00e9\n",
      "a,b\r\n1,2\r\n",
      "a,b\r\n1,2",
      "\ufeffa,b\r\n\r\n1,2\r\n\r\n\r\n3,4\r\n",
      'a,b\r\n"x, y",2\r\n"q""uote",4\r\n"",\r\n',
    ]) {
      expect(viaFast(text), JSON.stringify(text)).not.to.equal(undefined);
      expect(viaFast(text), JSON.stringify(text)).to.deep.equal(viaCsvParse(text));
    }
  });

  it("gives up on what it does not handle", () => {
    for (const text of [
      "a,b\r\n1,2\n", // a \n alone where lines end with \r\n
      "a,b\n1,2\r\n", // a \r where lines end with \n
      "a,b\r\n1\r,2\r\n", // a \r that ends no line
      'a,b\r\n"l1\r\nl2",2\r\n', // a line end inside a quoted cell
      '"\r"\r\n', // a \r inside a quoted cell (csv-parse counts it as a line)
      "a,b\r1,2\r",
      "a,b\n 1,2\n",
      "a,b\n1 ,2\n",
      "a,b\n1,2,3\n",
      'a,b\nx"y,2\n',
      'a,b\n"x" ,2\n',
    ]) {
      expect(viaFast(text), JSON.stringify(text)).to.equal(undefined);
    }
  });
});
