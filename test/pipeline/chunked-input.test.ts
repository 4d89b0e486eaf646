/**
 * votes.csv is read in chunks, never whole (input-files.ts, csv-fast.ts): whatever the chunk boundaries split — a
 * quoted cell with line ends, a CRLF, the byte order mark, a UTF-8 sequence, bytes that are not UTF-8 — the rows,
 * the line numbers and the errors are those of reading the file whole, and the file's keccak256 and its copy are
 * those of its bytes.
 */
import { expect } from "chai";
import fc from "fast-check";
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isUtf8 } from "node:buffer";
import { FastCsvScanner, recordTexts, scanFastCsv } from "../../scripts/lib/csv-fast.js";
import { InputChangedError, InputFile } from "../../scripts/lib/input-files.js";
import { checkVoteRows, type AnySource } from "../../scripts/lib/inputs.js";
import { allocateEpoch, computeEpoch, renderArtifacts, writeArtifacts } from "../../scripts/lib/index.js";
import { keccak256Hex } from "../../scripts/lib/keccak.js";
import { readVotes, type VoteTable } from "../../scripts/lib/vote-table.js";
import { addr, sources, writeSmallEpoch } from "./helpers.js";

const ADDRESS = "0x" + "ab".repeat(20);
const OTHER = "0xCD" + "cd".repeat(19);

/** Pieces of files: cells, separators, line ends, quotes, multi-byte UTF-8 and bytes that are not UTF-8. */
const piece = fc.constantFrom<Buffer>(
  ...[
    "a",
    "w1",
    ADDRESS,
    OTHER,
    "5",
    "-3",
    "123456789012345678901234",
    "2025-01-10T00:00:00Z",
    "1736467200",
    "é",
    "日本",
    "🙂",
    " ",
    ",",
    ",,",
    "\n",
    "\n\n",
    "\r\n",
    "\r",
    '"',
    '""',
    '"x"',
    '"a,b"',
    '"l1\nl2"',
    '"c\r\nd"',
    '"q""q"',
    "\ufeff",
  ].map((t) => Buffer.from(t)),
  Buffer.from([0xff]),
  Buffer.from([0xc3]),
  Buffer.from([0xe6, 0x97]),
  Buffer.from([0xed, 0xa0, 0x80]),
);

/** A votes file: a header (sometimes with a BOM or a signature column), rows mostly valid, sometimes broken. */
const cellOf = fc.oneof(
  { weight: 6, arbitrary: fc.constant(undefined) },
  { weight: 1, arbitrary: fc.array(piece, { maxLength: 4 }).map((p) => Buffer.concat(p)) },
);
const votesFile = fc
  .tuple(
    fc.boolean(),
    fc.boolean(),
    fc.array(
      fc.tuple(
        fc.constantFrom("w1", "w2", '"w,3"', '"w\n4"', "é"),
        fc.constantFrom(ADDRESS, OTHER, `"${ADDRESS}"`),
        fc.constantFrom("1", "10", "123456789012345678901234", '"7"'),
        fc.constantFrom("2025-01-10T00:00:00Z", "1736467200", '"2025-01-11T00:00:00Z"'),
        fc.constantFrom("", "0xsig", '"s,g"'),
        cellOf,
      ),
      { maxLength: 12 },
    ),
    fc.constantFrom("\n", "\r\n", "\n\n"),
    fc.boolean(),
  )
  .map(([bom, signature, rows, eol, trailing]) => {
    const parts: Buffer[] = [];
    if (bom) parts.push(Buffer.from("\ufeff"));
    parts.push(Buffer.from(`work_id,voter,points,cast_at${signature ? ",signature" : ""}`));
    for (const [work, voter, points, cast, sig, junk] of rows) {
      parts.push(Buffer.from(eol));
      const cells: Buffer[] = [work, voter, points, cast, ...(signature ? [sig] : [])].map((c) => Buffer.from(c));
      // Now and then one cell is replaced by arbitrary pieces.
      if (junk !== undefined) cells[junk.length % cells.length] = junk;
      cells.forEach((c, i) => {
        if (i > 0) parts.push(Buffer.from(","));
        parts.push(c);
      });
    }
    if (trailing) parts.push(Buffer.from(eol));
    return Buffer.concat(parts);
  });

/** Any bytes made of the pieces. */
const anyFile = fc.array(piece, { maxLength: 40 }).map((p) => Buffer.concat(p));

type Scan = { records: string[][]; lines: number[] } | "gave up";

function scanWhole(bytes: Buffer): Scan {
  if (!isUtf8(bytes)) return "gave up";
  const records: string[][] = [];
  const lines: number[] = [];
  const ok = scanFastCsv(bytes, 8, (cells, count, line) => {
    records.push(recordTexts(bytes, cells, count));
    lines.push(line);
  });
  return ok ? { records, lines } : "gave up";
}

/** `bytes` cut at `cuts` (offsets, any order). */
function split(bytes: Buffer, cuts: number[]): Buffer[] {
  const at = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const pieces: Buffer[] = [];
  let from = 0;
  for (const c of [...at, bytes.length]) {
    pieces.push(bytes.subarray(from, c));
    from = c;
  }
  return pieces;
}

function scanChunks(chunks: Buffer[]): Scan {
  const records: string[][] = [];
  const lines: number[] = [];
  const scanner = new FastCsvScanner(8, (cells, count, line, bytes) => {
    records.push(recordTexts(bytes, cells, count));
    lines.push(line);
  });
  for (const chunk of chunks) if (!scanner.push(chunk)) return "gave up";
  return scanner.end() ? { records, lines } : "gave up";
}

/** What reading votes gives: the table's columns, or the error (every bad row, as epoch.ts reads them). */
function readAll(source: AnySource): unknown {
  let table: VoteTable;
  try {
    table = readVotes(source);
  } catch (error) {
    try {
      checkVoteRows(source);
    } catch (all) {
      return { error: String(all), first: String(error) };
    }
    return { error: String(error) };
  }
  return {
    length: table.length,
    workIds: table.workIds,
    voters: table.voters,
    work: [...table.work],
    voter: [...table.voter],
    points: [...table.points].map(String),
    bigPoints: [...table.bigPoints],
    castAt: [...table.castAt],
    line: table.line && [...table.line],
    signatures: [...table.signatures],
  };
}

describe("chunked input", function () {
  this.timeout(120_000);
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), "sm-chunked-"))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("scans the same records and lines, or gives up alike, wherever the chunks are cut", () => {
    fc.assert(
      fc.property(fc.oneof(anyFile, votesFile), fc.array(fc.nat(), { maxLength: 12 }), (bytes, cuts) => {
        expect(scanChunks(split(bytes, cuts)), JSON.stringify(bytes.toString("latin1"))).to.deep.equal(
          scanWhole(bytes),
        );
      }),
      { numRuns: 20_000 },
    );
  });

  it("scans byte by byte as whole", () => {
    const text = Buffer.from('\ufeffa,b\n"x\ny",é\n\n"q""",日本\n🙂,"l\n\nm"');
    expect(scanChunks([...text].map((b) => Buffer.from([b])))).to.deep.equal(scanWhole(text));
    expect(scanWhole(text)).to.not.equal("gave up");
  });

  it("reads the same votes, or the same errors, from a file in chunks of any size", () => {
    let n = 0;
    fc.assert(
      fc.property(votesFile, fc.integer({ min: 1, max: 64 }), (bytes, chunkBytes) => {
        const path = join(dir, `votes-${n++}.csv`);
        writeFileSync(path, bytes);
        const whole = readAll({ name: "votes.csv", bytes });
        const file = new InputFile(path, chunkBytes);
        const streamed = readAll({ name: "votes.csv", file });
        expect(streamed, JSON.stringify(bytes.toString("latin1"))).to.deep.equal(whole);
        expect(Buffer.from(file.digest()).toString("hex")).to.equal(keccak256Hex(bytes).slice(2));
        expect(file.size).to.equal(bytes.length);
        rmSync(path);
      }),
      { numRuns: 400 },
    );
  });

  it("words an unclosed quote, and bad rows, as the whole file does", () => {
    const cases = [
      `work_id,voter,points,cast_at\nw1,${ADDRESS},1,2025-01-10T00:00:00Z\n"w2,${ADDRESS},1,2025-01-10T00:00:00Z\nw3\n`,
      `work_id,voter,points,cast_at\r\nw1,${ADDRESS},x,2025-01-10T00:00:00Z\r\n,${ADDRESS},1,nope\r\n`,
      `work_id,voter,points,cast_at\nw1,${ADDRESS},x,2025-01-10T00:00:00Z\n"w\n2",0x12,1,2025-01-10T00:00:00Z\n`,
    ];
    cases.forEach((text, i) => {
      const path = join(dir, `case-${i}.csv`);
      writeFileSync(path, text);
      for (const chunkBytes of [1, 2, 3, 7, 4096]) {
        const whole = readAll({ name: "votes.csv", bytes: Buffer.from(text) });
        expect(whole).to.have.property("error");
        expect(readAll({ name: "votes.csv", file: new InputFile(path, chunkBytes) })).to.deep.equal(whole);
      }
    });
  });

  it("hashes and copies the file as it is, and refuses one that changed in between", () => {
    for (const size of [0, 1, 135, 136, 137, 16383, 16384, 16385, 100_000]) {
      const bytes = Buffer.alloc(size);
      for (let i = 0; i < size; i++) bytes[i] = (i * 7 + (i >> 8)) & 0xff;
      const path = join(dir, `bytes-${size}`);
      writeFileSync(path, bytes);
      for (const chunkBytes of [1, 136, 1000, 1 << 20]) {
        if (size > 20_000 && chunkBytes < 100) continue;
        const file = new InputFile(path, chunkBytes);
        expect(Buffer.from(file.digest()).toString("hex"), `${size}/${chunkBytes}`).to.equal(
          keccak256Hex(bytes).slice(2),
        );
        const local = new InputFile(path, chunkBytes);
        local.read(() => true, true);
        expect(Buffer.from(local.digest()).toString("hex")).to.equal(keccak256Hex(bytes).slice(2));
        const copy: Buffer[] = [];
        for (const chunk of file.chunks()) copy.push(Buffer.from(chunk)); // a chunk is valid until the next
        expect(Buffer.concat(copy)).to.deep.equal(bytes);
      }
    }
    const path = join(dir, "changing.csv");
    writeFileSync(path, "work_id,voter,points,cast_at\n");
    const file = new InputFile(path);
    file.digest();
    writeFileSync(path, "work_id,voter,points,cast_at\nw1\n");
    expect(() => [...file.chunks()]).to.throw(InputChangedError, /changed while/);
    expect(readFileSync(path, "utf8")).to.contain("w1");
  });

  it("allocateEpoch streams votes.csv: the artifacts of the files in memory, and none if it changed meanwhile", () => {
    const epoch = {
      works: [["w1", addr(1)]],
      votes: [
        ["w1", addr(2), 3],
        ["w1", addr(3), 5],
      ],
    };
    const paths = writeSmallEpoch(join(dir, "epoch"), epoch);
    const streamed = allocateEpoch({ works: paths.works, votes: paths.votes, config: paths.config });
    const held = computeEpoch(sources(epoch));
    const render = (result: typeof held) =>
      renderArtifacts(result).map((f) => [
        f.path,
        Buffer.concat([...f.render()].map((p) => (typeof p === "string" ? Buffer.from(p) : Buffer.from(p)))),
      ]);
    const names = (result: typeof held) => result.inputs.map((x) => x.file);
    expect(names(streamed)).to.deep.equal(names(held));
    expect(streamed.inputsHash).to.equal(held.inputsHash);
    expect(render(streamed)).to.deep.equal(render(held));
    writeArtifacts(join(dir, "out"), streamed);
    expect(readFileSync(join(dir, "out", "inputs", "votes.csv"))).to.deep.equal(readFileSync(paths.votes));

    appendFileSync(paths.votes, `w1,${addr(4)},1,2025-01-10T00:00:00Z\n`);
    expect(() => writeArtifacts(join(dir, "out2"), streamed)).to.throw(InputChangedError);
    expect(existsSync(join(dir, "out2"))).to.equal(false);
  });
});
