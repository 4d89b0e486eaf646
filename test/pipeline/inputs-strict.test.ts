/**
 * Inputs that used to pass, or fail with the wrong location, are refused before anything is
 * written, naming file, row, column and reason; one run reports every hard error of the inputs.
 */
import { expect } from "chai";
import fc from "fast-check";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  allocateEpoch,
  computeEpoch,
  InputError,
  InputErrors,
  MAX_REPORTED_ERRORS,
  writeArtifacts,
  ZERO_ADDRESS,
} from "../../scripts/lib/index.js";
import { readJsonStrict } from "../../scripts/lib/json.js";
import { addr, cleanup, csv, epochJson, list, sources, src, tempDir, WINDOW } from "./helpers.js";

const A = addr(1);
const B = addr(2);
const C = addr(3);
const WORKS_HEADER = "work_id,contributor,category,title,pov_url,submitted_at";
const VOTES_HEADER = "work_id,voter,points,cast_at";
const worksCsv = (rows: (string | number)[][]) =>
  csv(
    WORKS_HEADER,
    rows.map((w) => [...w, "a", "t", "u", "2025-01-02T00:00:00Z"]),
  );
const votesCsv = (rows: (string | number)[][]) =>
  csv(
    VOTES_HEADER,
    rows.map((v) => (v.length === 3 ? [...v, "2025-01-10T00:00:00Z"] : v)),
  );
const vote = (voter: string, points: unknown = 5) =>
  `{"work_id":"w1","voter":"${voter}","points":${JSON.stringify(points)},"cast_at":"2025-01-10T00:00:00Z"}`;

type Files = Partial<Record<"works.csv" | "votes.csv" | "votes.json" | "teams.csv" | "epoch.json", string | Buffer>>;

/** Writes the files (defaults: one work of A, one vote of B) and runs allocate + write as the CLI does. */
function run(files: Files): { error: InputError; left: string[] } {
  const dir = tempDir();
  try {
    const all: Files = {
      "works.csv": worksCsv([["w1", A]]),
      ...(files["votes.json"] === undefined ? { "votes.csv": votesCsv([["w1", B, 5]]) } : {}),
      "epoch.json": epochJson(),
      ...files,
    };
    for (const [name, content] of Object.entries(all)) writeFileSync(join(dir, name), content!);
    const votes = files["votes.json"] === undefined ? "votes.csv" : "votes.json";
    try {
      writeArtifacts(
        join(dir, "out"),
        allocateEpoch({
          works: join(dir, "works.csv"),
          votes: join(dir, votes),
          teams: all["teams.csv"] === undefined ? undefined : join(dir, "teams.csv"),
          config: join(dir, "epoch.json"),
        }),
      );
    } catch (error) {
      expect(error).to.be.instanceOf(InputError);
      const left = list(dir).filter((f) => f === "out" || f.startsWith("."));
      return { error: error as InputError, left };
    }
    throw new Error("the run succeeded");
  } finally {
    cleanup(dir);
  }
}

/** The errors of a run, one per entry (an InputErrors flattened). */
const errorsOf = (error: InputError): InputError[] => (error instanceof InputErrors ? [...error.errors] : [error]);
const where = (e: InputError) => [e.file.split("/").pop(), e.row, e.column];

describe("inputs: refused before anything is written", function () {
  this.timeout(60_000);

  it("the zero address as a voter (CSV and JSON), as it is as a contributor or a team member", () => {
    const csvRun = run({
      "votes.csv": votesCsv([
        ["w1", B, 5],
        ["w1", ZERO_ADDRESS, 5],
      ]),
    });
    expect(where(csvRun.error)).to.deep.equal(["votes.csv", 2, "voter"]);
    expect(csvRun.error.reason).to.match(/zero address cannot be a voter/);
    expect(csvRun.error.line).to.equal(3);
    expect(csvRun.left).to.deep.equal([]);
    const jsonRun = run({ "votes.json": `[${vote(ZERO_ADDRESS)}]` });
    expect(where(jsonRun.error)).to.deep.equal(["votes.json", 1, "voter"]);
    expect(run({ "works.csv": worksCsv([["w1", ZERO_ADDRESS]]) }).error.reason).to.match(
      /zero address cannot be a contributor/,
    );
  });

  it("bytes that are not UTF-8: two work ids differing only in them are two errors, not one work", () => {
    const works = Buffer.concat([
      Buffer.from(`${WORKS_HEADER}\nw`),
      Buffer.from([0xff]),
      Buffer.from(`,${A},a,t,u,2025-01-02T00:00:00Z\nw`),
      Buffer.from([0xfe]),
      Buffer.from(`,${B},a,t,u,2025-01-02T00:00:00Z\n`),
    ]);
    const { error, left } = run({ "works.csv": works });
    expect(errorsOf(error).map(where)).to.deep.equal([
      ["works.csv", 1, "work_id"],
      ["works.csv", 2, "work_id"],
    ]);
    expect(errorsOf(error).map((e) => e.line)).to.deep.equal([2, 3]);
    expect(error.reason).to.match(/not UTF-8: byte 0xff at offset 1/);
    expect(error.message).to.not.match(/duplicate/);
    expect(left).to.deep.equal([]);
  });

  it("bytes that are not UTF-8 in free text, in a header, after a byte order mark and in a JSON string", () => {
    const title = Buffer.concat([
      Buffer.from(`\uFEFF${WORKS_HEADER}\nw1,${A},a,caf`),
      Buffer.from([0xe9]), // latin1 é
      Buffer.from(`,u,2025-01-02T00:00:00Z\n`),
    ]);
    expect(where(run({ "works.csv": title }).error)).to.deep.equal(["works.csv", 1, "title"]);
    const header = Buffer.concat([
      Buffer.from("work_id,vot"),
      Buffer.from([0xc3, 0x28]),
      Buffer.from(`er,points,cast_at\n`),
    ]);
    const h = run({ "votes.csv": header }).error;
    expect([h.row, h.line]).to.deep.equal([undefined, 1]);
    expect(h.reason).to.match(/not UTF-8: byte 0xc3 at offset 3 of a column name/);
    const json = Buffer.concat([
      Buffer.from(`[${vote(B)},{"work_id":"w`),
      Buffer.from([0x80]),
      Buffer.from(`1","voter":"${C}","points":1,"cast_at":"2025-01-10T00:00:00Z"}]`),
    ]);
    const j = run({ "votes.json": json }).error;
    expect(where(j)).to.deep.equal(["votes.json", 2, "work_id"]);
    expect(j.reason).to.match(/not UTF-8/);
  });

  it("a key repeated in a JSON object (votes.json and epoch.json)", () => {
    const votes = `[${vote(B)},\n{"work_id":"w1","voter":"${C}","points":1,"points":9,"cast_at":"2025-01-10T00:00:00Z"}]`;
    const { error, left } = run({ "votes.json": votes });
    expect(where(error)).to.deep.equal(["votes.json", 2, "points"]);
    expect(error.line).to.equal(2);
    expect(error.reason).to.equal(`repeated key "points": a key may appear only once in an object`);
    expect(left).to.deep.equal([]);
    const config = JSON.stringify({ epoch: 1, pool: "1000", ...WINDOW, rules: { maxPoints: "10" } }).replace(
      `"maxPoints":"10"`,
      `"maxPoints":"10","maxPoints":"100"`,
    );
    const c = run({ "epoch.json": config }).error;
    expect([c.column, c.reason]).to.deep.equal([
      "rules.maxPoints",
      `repeated key "maxPoints": a key may appear only once in an object`,
    ]);
  });

  it("a JSON integer beyond 2^53 is reported with the digits as written, not the rounded double", () => {
    const { error } = run({
      "votes.json": `[{"work_id":"w1","voter":"${B}","points":9007199254740993,"cast_at":"2025-01-10T00:00:00Z"}]`,
    });
    expect(where(error)).to.deep.equal(["votes.json", 1, "points"]);
    expect(error.reason).to.contain("9007199254740993").and.not.contain("9007199254740992,");
    expect(error.reason).to.match(/write it as a string/);
    // In epoch.json it used to pass as the nearest double.
    const epoch = run({ "epoch.json": epochJson().replace(`"epoch":1`, `"epoch":9007199254740993`) }).error;
    expect([epoch.column, epoch.reason.split(" ")[2]]).to.deep.equal(["epoch", "9007199254740993"]);
    const chain = run({
      "epoch.json": epochJson({ chainId: 1 }).replace(`"chainId":1`, `"chainId":123456789012345678901234567890`),
    }).error;
    expect(chain.column).to.equal("chainId");
    expect(chain.reason).to.contain("123456789012345678901234567890");
  });

  it("a missing start or end of epoch.json is named as such", () => {
    const { error } = run({ "epoch.json": JSON.stringify({ epoch: 1, pool: "1000", end: WINDOW.end }) });
    expect([error.file.endsWith("epoch.json"), error.column]).to.deep.equal([true, "start"]);
    expect(error.reason).to.match(/^missing "start": the first instant of the epoch window/);
    const both = errorsOf(run({ "epoch.json": JSON.stringify({ epoch: 1, pool: "1000" }) }).error);
    expect(both.map((e) => [e.column, e.reason.slice(0, 15)])).to.deep.equal([
      ["start", 'missing "start"'],
      ["end", 'missing "end": '],
    ]);
  });

  it("an unterminated CSV quote is reported at the line where the quote opens", () => {
    const votes = `${VOTES_HEADER}\nw1,${B},5,2025-01-10T00:00:00Z\nw1,"${C}\n,5,2025-01-10T00:00:00Z\n\nw1,${A},5,2025-01-10T00:00:00Z\n`;
    const { error, left } = run({ "votes.csv": votes });
    expect([error.row, error.line, error.column]).to.deep.equal([2, 3, undefined]);
    expect(error.reason).to.equal("malformed CSV: the quote opened on line 3 is never closed");
    expect(left).to.deep.equal([]);
    // After a quoted field that spans lines, and with a byte order mark.
    const spanning = `\uFEFF${WORKS_HEADER}\n"w\n1",${A},a,t,u,2025-01-02T00:00:00Z\nw2,${A},a,"open,u,2025-01-02T00:00:00Z\n`;
    const s = run({ "works.csv": spanning }).error;
    expect([s.row, s.line]).to.deep.equal([2, 4]);
  });
});

describe("inputs: every hard error in one run", function () {
  this.timeout(60_000);

  it("every bad row of a file, in row order (works, teams, votes)", () => {
    const works = run({
      "works.csv": worksCsv([
        ["w1", "0x12"],
        ["w2", A],
        ["", B],
        ["w4", "team:ghosts"],
        ["w2", C],
      ]),
    });
    expect(errorsOf(works.error).map(where)).to.deep.equal([
      ["works.csv", 1, "contributor"],
      ["works.csv", 3, "work_id"],
    ]);
    // The reading errors come first; the checks across rows run once the rows read.
    const rows = run({
      "works.csv": worksCsv([
        ["w1", ZERO_ADDRESS],
        ["w2", A],
        ["w4", "team:ghosts"],
        ["w2", C],
      ]),
    });
    expect(errorsOf(rows.error).map(where)).to.deep.equal([
      ["works.csv", 1, "contributor"],
      ["works.csv", 3, "contributor"],
      ["works.csv", 4, "work_id"],
    ]);
    const teams = run({
      "works.csv": worksCsv([["w1", "team:t"]]),
      "teams.csv": csv("team,member,share_bps", [
        ["t", A, 6000],
        ["t", ZERO_ADDRESS, 4000],
        ["u", B, 5000],
        ["t", A, 0],
      ]),
    });
    expect(errorsOf(teams.error).map(where)).to.deep.equal([["teams.csv", 4, "share_bps"]]);
    const teams2 = run({
      "works.csv": worksCsv([["w1", "team:t"]]),
      "teams.csv": csv("team,member,share_bps", [
        ["t", A, 6000],
        ["t", ZERO_ADDRESS, 4000],
        ["u", B, 5000],
      ]),
    });
    expect(errorsOf(teams2.error).map(where)).to.deep.equal([
      ["teams.csv", 2, "member"],
      ["teams.csv", 3, "share_bps"],
    ]);
  });

  it("the votes file: every bad row, the fast reader's first one included", () => {
    const { error, left } = run({
      "votes.csv": votesCsv([
        ["w1", B, 5],
        ["w1", "0x12", 5],
        ["w1", C, "x"],
        ["w1", C, 5, "yesterday"],
        ["w9", A, 1],
      ]),
    });
    expect(errorsOf(error).map(where)).to.deep.equal([
      ["votes.csv", 2, "voter"],
      ["votes.csv", 3, "points"],
      ["votes.csv", 4, "cast_at"],
    ]);
    expect(error.message.split("\n")).to.have.length(3);
    expect(left).to.deep.equal([]);
    const unknown = run({
      "votes.csv": votesCsv([
        ["w1", B, 5],
        ["w8", C, 5],
        ["w9", A, 1],
      ]),
    });
    expect(errorsOf(unknown.error).map((e) => e.reason)).to.deep.equal([
      'vote for unknown work "w8"',
      'vote for unknown work "w9"',
    ]);
    // Rows excluded as the file is read (outside the window, a self-vote, a duplicate) leave the vote table, and
    // the rows with hard errors are still named by their row in the file.
    const screened = run({
      "votes.csv": votesCsv([
        ["w1", B, 5, "2024-12-01T00:00:00Z"],
        ["w1", A, 5],
        ["w1", B, 5],
        ["w1", B, 5],
        ["w8", C, 5],
        ["w1", ZERO_ADDRESS, 5],
        ["w9", A, 1],
      ]),
    });
    expect(errorsOf(screened.error).map((e) => [...where(e), e.reason])).to.deep.equal([
      ["votes.csv", 5, "work_id", 'vote for unknown work "w8"'],
      ["votes.csv", 6, "voter", "the zero address cannot be a voter: nobody holds its key"],
      ["votes.csv", 7, "work_id", 'vote for unknown work "w9"'],
    ]);
    expect(screened.left).to.deep.equal([]);
    const json = run({ "votes.json": `[${vote("0x12")},${vote(B, 1.5)},{"work_id":"w1"},7]` });
    expect(errorsOf(json.error).map(where)).to.deep.equal([
      ["votes.json", 1, "voter"],
      ["votes.json", 2, "points"],
      ["votes.json", 3, "voter"],
      ["votes.json", 4, undefined],
    ]);
  });

  it(`at most ${MAX_REPORTED_ERRORS} listed, with a count of the rest`, () => {
    const rows = Array.from({ length: 120 }, (_, i) => ["w1", B, `x${i}`]);
    const { error } = run({ "votes.csv": votesCsv(rows) });
    expect(error).to.be.instanceOf(InputErrors);
    const all = error as InputErrors;
    expect(all.errors).to.have.length(MAX_REPORTED_ERRORS);
    expect(all.more).to.equal(120 - MAX_REPORTED_ERRORS);
    expect(all.errors.map((e) => e.row)).to.deep.equal(Array.from({ length: MAX_REPORTED_ERRORS }, (_, i) => i + 1));
    const lines = all.message.split("\n");
    expect(lines).to.have.length(MAX_REPORTED_ERRORS + 1);
    expect(lines.at(-1)).to.equal(`… and ${120 - MAX_REPORTED_ERRORS} more errors`);
    // The first error is the error's own location, as for a single error.
    expect([all.row, all.column, all.reason]).to.deep.equal([1, "points", `"x0" is not an integer`]);
  });

  it("the errors of every input at once: epoch.json, works and votes", () => {
    const { error } = run({
      "epoch.json": JSON.stringify({ epoch: 0, pool: "1000", start: WINDOW.start }),
      "works.csv": worksCsv([["w1", "0x00"]]),
      "votes.csv": votesCsv([["w1", B, "x"]]),
    });
    expect(errorsOf(error).map(where)).to.deep.equal([
      ["epoch.json", undefined, "end"],
      ["epoch.json", undefined, "epoch"],
      ["works.csv", 1, "contributor"],
      ["votes.csv", 1, "points"],
    ]);
  });

  it("computeEpoch (in memory) reports the same way", () => {
    const s = sources({
      works: [["w1", A]],
      votes: [
        ["w1", "0x1", 1],
        ["w1", "0x2", 1],
      ],
    });
    expect(() => computeEpoch(s)).to.throw(InputErrors, /row 1 .*\n.*row 2/);
    expect(() => computeEpoch({ ...s, votes: src("votes.csv", votesCsv([["w1", B, 1]])) })).to.not.throw();
  });
});

describe("the strict JSON reader", function () {
  this.timeout(60_000);

  it("returns what JSON.parse returns (property over random JSON, compact and indented)", () => {
    const value = fc.jsonValue({ maxDepth: 4 });
    const text = fc.oneof(fc.string({ unit: "binary" }), fc.string({ unit: "grapheme" }));
    fc.assert(
      fc.property(fc.oneof(value, fc.dictionary(text, value), fc.array(text)), fc.boolean(), (v, indent) => {
        const json = JSON.stringify(v, null, indent ? 2 : undefined);
        const read = readJsonStrict(Buffer.from(json));
        expect(read.syntaxError).to.equal(undefined);
        expect(read.value).to.deep.equal(JSON.parse(json));
        // Only numbers beyond 2^53 − 1 are problems here (the keys of a stringified object are unique).
        for (const p of read.problems) expect(p.reason).to.match(/beyond 2\^53 − 1/);
      }),
      { numRuns: 500 },
    );
  });

  it("refuses what JSON.parse refuses, and keeps __proto__ an own key", () => {
    for (const bad of [
      "",
      "[1,]",
      "{'a':1}",
      '{"a" 1}',
      "[01]",
      '"\u0001"',
      '"\\x"',
      "[1] 2",
      "{",
      '"open',
      "NaN",
      "-",
    ]) {
      expect(() => JSON.parse(bad), bad).to.throw();
      expect(readJsonStrict(Buffer.from(bad)).syntaxError, bad).to.not.equal(undefined);
    }
    const proto = readJsonStrict(Buffer.from('{"__proto__":{"x":1}}')).value as Record<string, unknown>;
    expect(Object.keys(proto)).to.deep.equal(["__proto__"]);
    expect(Object.getPrototypeOf(proto)).to.equal(Object.prototype);
    const deep = "[".repeat(100_000) + "]".repeat(100_000);
    expect(readJsonStrict(Buffer.from(deep)).syntaxError?.reason).to.match(/nested deeper/);
  });
});
