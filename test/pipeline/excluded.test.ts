/**
 * Excluded votes: excluded.csv lists every one (file, row, line, column, reason, work_id, voter, detail) in file
 * and row order; report.md only summarises them — counts by reason and the first few rows.
 */
import { expect } from "chai";
import { parse } from "csv-parse/sync";
import fc from "fast-check";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  allocateEpoch,
  computeEpoch,
  renderArtifacts,
  REJECTION_REASONS,
  writeArtifacts,
  type EpochResult,
  type EpochSources,
  type PreviousEpoch,
  type Source,
} from "../../scripts/lib/index.js";
import { InputChangedError, InputFile } from "../../scripts/lib/input-files.js";
import { EXCLUDED_EXAMPLES } from "../../scripts/lib/report.js";
import { screenLimits } from "../../scripts/lib/vote-screen.js";

/** `body`'s epoch with its votes read whole into the table, not screened (as JSON votes are). */
function readWhole<T>(body: () => T): T {
  screenLimits.screening = false;
  try {
    return body();
  } finally {
    screenLimits.screening = true;
  }
}

/** The sources with votes.csv in a shape the fast scanner leaves to csv-parse: a space it trims in the header. */
function notFastShape(s: EpochSources): EpochSources {
  const text = Buffer.from((s.votes as Source).bytes).toString("utf8");
  expect(text.startsWith("work_id,voter,")).to.equal(true);
  return { ...s, votes: { name: s.votes.name, bytes: Buffer.from(text.replace("work_id,voter,", "work_id, voter,")) } };
}

/** Runs `body` with a screened read's excluded rows held (the usual), then listed by reading the file again. */
function bothWays(body: () => void): void {
  const held = screenLimits.heldExclusions;
  try {
    for (const limit of [held, 0]) {
      screenLimits.heldExclusions = limit;
      body();
    }
  } finally {
    screenLimits.heldExclusions = held;
  }
}
import {
  addr,
  cleanup,
  compute,
  epochJson,
  sources,
  src,
  tempDir,
  WINDOW,
  writeSmallEpoch,
  type SmallEpoch,
} from "./helpers.js";

const A = addr(1);
const B = addr(2);
const C = addr(3);

/** Epoch 1's artifacts as `--previous` gives them: the reputation of each account after it. */
function previousEpoch(reputation: Record<string, bigint>): PreviousEpoch {
  const map = new Map(Object.entries(reputation));
  const text = ["account,reputation", ...[...map].map(([a, r]) => `${a},${r}`)].join("\n") + "\n";
  return { epoch: 1, root: "0x" + "11".repeat(32), reputation: map, source: src("previous-reputation.csv", text) };
}

const fileText = (result: EpochResult, path: string) => {
  const file = renderArtifacts(result).find((f) => f.path === path)!;
  return Buffer.concat([...file.render()].map((p) => Buffer.from(p))).toString("utf8");
};

/** Every kind of exclusion, with work ids and a team name that need CSV quoting. */
const mixed: SmallEpoch = {
  works: [
    ["w1", A],
    ['"w,2"', B],
    ['"w""3"', '"team:the ""crew"""'],
  ],
  teams: [['the "crew"', C, 10000].map((x) => (x === 'the "crew"' ? '"the ""crew"""' : x))],
  votes: [
    ["w1", B, 5],
    ["w1", A, 5], // self-vote
    ['"w,2"', C, 11], // points out of range
    ['"w,2"', A, 3, "2024-12-31T23:59:59Z"], // outside the window
    ["w1", B, 4, "2025-01-20T00:00:00Z"], // duplicate of row 1
    ['"w""3"', C, 2], // self-vote by a team member
    ['"w""3"', A, 2],
    ['"w,2"', C, 1],
  ],
  config: epochJson({}, { maxPoints: "10" }),
};

describe("excluded votes: excluded.csv and the report's summary", function () {
  // generous: the suite also runs on loaded CI machines
  this.timeout(120_000);

  it("excluded.csv has one row per excluded vote, in row order, with the reason split into code and detail", () => {
    const result = compute(mixed);
    const rows = parse(fileText(result, "excluded.csv"), { columns: true }) as Record<string, string>[];
    expect(Object.keys(rows[0]!)).to.deep.equal([
      "file",
      "row",
      "line",
      "column",
      "reason",
      "work_id",
      "voter",
      "detail",
    ]);
    const byRow = result.rejections.slice().sort((a, b) => a.row - b.row);
    expect(rows.map((r) => Number(r.row))).to.deep.equal(byRow.map((r) => r.row));
    rows.forEach((r, i) => {
      const expected = byRow[i]!;
      expect(r).to.deep.equal({
        file: "votes.csv",
        row: String(expected.row),
        line: String(expected.line),
        column: expected.column,
        reason: expected.code,
        work_id: expected.workId,
        voter: expected.voter,
        detail: r.detail,
      });
      expect(`${REJECTION_REASONS[expected.code]} (${r.detail})`).to.equal(expected.reason);
    });
    expect(rows.map((r) => r.reason)).to.deep.equal([
      "self-vote",
      "points-out-of-range",
      "outside-window",
      "duplicate",
      "self-vote",
    ]);
    expect(rows.map((r) => r.work_id)).to.include.members(["w,2", 'w"3']);
    expect(rows.find((r) => r.reason === "self-vote" && r.work_id === 'w"3')!.detail).to.equal(
      'member of team "the "crew""',
    );
    // processing order (cast_at, then row) is what the rejections list keeps
    expect(result.rejections.map((r) => r.row)).to.deep.equal([4, 2, 3, 6, 5]);
  });

  it("an epoch without exclusions has a header-only excluded.csv and says None in the report", () => {
    const result = compute({ works: [["w1", A]], votes: [["w1", B, 5]] });
    expect(fileText(result, "excluded.csv")).to.equal("file,row,line,column,reason,work_id,voter,detail\n");
    expect(fileText(result, "report.md")).to.contain("## Excluded rows\n\nNone.\n");
  });

  it("report.md counts the excluded rows by reason and shows only the first few, in row order", () => {
    // 23 rows outside the window, 7 self-votes, one accepted vote.
    const votes: (string | number)[][] = [["w1", B, 5]];
    for (let i = 0; i < 30; i++) {
      votes.push(i % 4 === 3 ? ["w1", A, 1] : ["w1", addr(10 + i), 1, "2026-01-01T00:00:00Z"]);
    }
    const result = compute({ works: [["w1", A]], votes });
    const report = fileText(result, "report.md");
    const section = report.slice(report.indexOf("## Excluded rows"));
    expect(section).to.contain("30 rows excluded. Every one is in excluded.csv");
    expect(section).to.contain(`| ${REJECTION_REASONS["self-vote"]} | \`self-vote\` | 7 |`);
    expect(section).to.contain(`| ${REJECTION_REASONS["outside-window"]} | \`outside-window\` | 23 |`);
    expect(section).not.to.contain("`duplicate`");
    expect(section).to.contain(`The first ${EXCLUDED_EXAMPLES}, in file and row order:`);
    const examples = section.split("\n").filter((l) => l.startsWith("| votes.csv |"));
    expect(examples.map((l) => Number(l.split(" | ")[1]))).to.deep.equal([2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(fileText(result, "excluded.csv").trimEnd().split("\n")).to.have.length(31);
  });

  it("a file of many excluded rows: the report stays small, excluded.csv has them all, on disk too", () => {
    const dir = tempDir();
    try {
      const votes: (string | number)[][] = [["w1", B, 5]];
      for (let i = 0; i < 20_000; i++) votes.push(["w1", addr(100 + (i % 50)), 120 + (i % 7)]);
      const paths = writeSmallEpoch(dir, { works: [["w1", A]], votes });
      const out = join(dir, "out");
      writeArtifacts(out, allocateEpoch(paths));
      const report = readFileSync(join(out, "report.md"), "utf8");
      expect(report.length).to.be.lessThan(8000);
      expect(report).to.contain("20000 rows excluded");
      expect(report).to.contain("| `points-out-of-range` | 20000 |");
      const lines = readFileSync(join(out, "excluded.csv"), "utf8").trimEnd().split("\n");
      expect(lines).to.have.length(20_001);
      expect(lines[1]).to.equal(`votes.csv,2,3,points,points-out-of-range,w1,${addr(100)},120 not in 0..100`);
      expect(lines[20_000]!.startsWith("votes.csv,20001,20002,points,")).to.equal(true);
    } finally {
      cleanup(dir);
    }
  });

  it("screened as read: a voter's later rows that were cast earlier displace the row kept so far, through compactions; the same verdicts as a whole read", () =>
    bothWays(() => {
      // 6,000 rows by 3 voters on 2 works, cast_at going back in time: every row displaces its pair's kept row, so the
      // reader drops and compacts again and again. A few rows in the window's future make outside-window rows too.
      const people = [B, C, addr(4)];
      const votes: (string | number)[][] = [];
      for (let i = 0; i < 6000; i++) {
        const at = Date.parse("2025-01-31T00:00:00Z") - i * 60_000 + (i % 97 === 0 ? 40 * 86_400_000 : 0);
        votes.push([`w${i % 2}`, people[i % 3]!, 1 + (i % 9), new Date(at).toISOString()]);
      }
      const e: SmallEpoch = {
        works: [
          ["w0", A],
          ["w1", A],
        ],
        votes,
      };
      const screened = compute(e);
      const whole = readWhole(() => compute(e));
      expect([screened.votesScreened, whole.votesScreened]).to.deep.equal([true, false]);
      expect(fileText(screened, "excluded.csv")).to.equal(fileText(whole, "excluded.csv"));
      expect(screened.rejections).to.deep.equal(whole.rejections);
      expect(screened.counts).to.deep.equal(whole.counts);
      expect(screened.counts[1]).to.include({ read: 6000, accepted: 6 });
      expect(screened.root).to.equal(whole.root);
    }));

  it("screened as read from disk in small chunks: excluded.csv is listed again across every chunk; a file changed before it is written is refused, nothing written", () =>
    bothWays(() => {
      const dir = tempDir();
      try {
        const votes: (string | number)[][] = [["w1", B, 5]];
        for (let i = 0; i < 3000; i++) votes.push(["w1", addr(100 + (i % 50)), i % 3 === 0 ? 5 : 120 + (i % 7)]);
        const paths = writeSmallEpoch(dir, { works: [["w1", A]], votes });
        const streamed = (chunkBytes: number): EpochSources => ({
          ...sources({ works: [["w1", A]], votes }),
          votes: { name: paths.votes, file: new InputFile(paths.votes, chunkBytes) },
        });
        const reference = fileText(compute({ works: [["w1", A]], votes }), "excluded.csv");
        for (const chunkBytes of [7, 64, 4096]) {
          const result = computeEpoch(streamed(chunkBytes));
          expect(result.votesScreened).to.equal(true);
          expect(fileText(result, "excluded.csv")).to.equal(reference);
        }
        // The same file in a shape csv-parse reads (a space it trims in the header), \r\n line ends too.
        const original = readFileSync(paths.votes, "utf8");
        for (const text of [original.replace("work_id,voter,", "work_id, voter,"), original.replace(/\n/g, "\r\n")]) {
          writeFileSync(paths.votes, text);
          for (const chunkBytes of [7, 4096]) {
            const result = computeEpoch(streamed(chunkBytes));
            expect(result.votesScreened).to.equal(true);
            expect(fileText(result, "excluded.csv")).to.equal(reference);
          }
        }
        writeFileSync(paths.votes, original);
        // The file changes after it was read: a row out of range becomes a duplicate of an accepted vote.
        const result = computeEpoch(streamed(64));
        const text = readFileSync(paths.votes, "utf8");
        writeFileSync(paths.votes, text.replace(`w1,${addr(101)},121`, `w1,${addr(100)},5`));
        const out = join(dir, "out");
        expect(() => writeArtifacts(out, result)).to.throw(
          InputChangedError,
          /changed while the pipeline was reading it/,
        );
        expect(existsSync(out)).to.equal(false);
        expect(readdirSync(dir).filter((f) => f.startsWith("."))).to.deep.equal([]);
      } finally {
        cleanup(dir);
      }
    }));

  it("random epochs, from almost every row excluded to almost none: each excluded.csv row names its own input row and the reason the rules give, whether the votes are screened as read or held whole", () =>
    bothWays(() => {
      // addr(6) casts the last row, one accepted vote, so that some work always scores.
      const people = [A, B, C, addr(4), addr(5), addr(6)];
      const start = Date.parse(WINDOW.start);
      const end = Date.parse(WINDOW.end);
      const vote = fc.record({
        work: fc.nat(2),
        voter: fc.nat(people.length - 2),
        points: fc.integer({ min: -2, max: 12 }),
        // the window's bounds, a second either side of them, or a time inside it
        at: fc.constantFrom(start - 1000, start, end, end + 1000, start + 86_400_000, start + 2 * 86_400_000),
      });
      const epoch = fc.record({
        /** How likely a vote is drawn to be bad: from nearly never to nearly always. */
        bad: fc.double({ min: 0, max: 1, noNaN: true }),
        votes: fc.array(fc.tuple(vote, fc.double({ min: 0, max: 1, noNaN: true })), { minLength: 1, maxLength: 60 }),
        /** Whether addr(5) is below rules.minVoterReputation (it then has reputation 1 of 2). */
        minimum: fc.boolean(),
      });
      fc.assert(
        fc.property(epoch, ({ bad, votes, minimum }) => {
          // Work 0 by A, work 1 by B, work 2 by the team of C and addr(4); a bad draw is made out of range.
          const rows = votes.map(([v, draw]) => ({ ...v, points: draw < bad ? 11 + (v.points & 3) : v.points & 7 }));
          rows.push({ work: 1, voter: people.length - 1, points: 5, at: start + 86_400_000 });
          const contributorOf = [[A], [B], [C, people[3]!]];
          const e: SmallEpoch = {
            works: [
              ["w0", A],
              ["w1", B],
              ["w2", "team:t"],
            ],
            teams: [
              ["t", C, 5000],
              ["t", people[3]!, 5000],
            ],
            votes: rows.map((v) => [`w${v.work}`, people[v.voter]!, v.points, new Date(v.at).toISOString()]),
            config: epochJson({ epoch: 2 }, { maxPoints: "10", minVoterReputation: minimum ? "2" : "0" }),
          };
          const prior = Object.fromEntries(people.map((p) => [p, p === people[4] ? 1n : 2n]));
          // The rules (docs/rules.md §1) by hand: in cast_at order, ties by row.
          const expected = new Map<number, string>();
          const accepted = new Set<string>();
          const order = rows.map((_, i) => i).sort((i, j) => rows[i]!.at - rows[j]!.at || i - j);
          for (const i of order) {
            const v = rows[i]!;
            const voter = people[v.voter]!;
            const key = `${v.work} ${voter}`;
            if (contributorOf[v.work]!.includes(voter)) expected.set(i + 1, "self-vote");
            else if (v.points < 0 || v.points > 10) expected.set(i + 1, "points-out-of-range");
            else if (v.at < start || v.at > end) expected.set(i + 1, "outside-window");
            else if (accepted.has(key)) expected.set(i + 1, "duplicate");
            else if (minimum && prior[voter]! < 2n) expected.set(i + 1, "voter-below-min-reputation");
            else accepted.add(key);
          }
          const withPrevious = (s: EpochSources): EpochSources => ({ ...s, previous: previousEpoch(prior) });
          // Screened as it is read, by the fast scanner and by csv-parse (a cell with a space csv-parse trims),
          // and read whole into the table, as validate.ts checks it.
          const screened = computeEpoch(withPrevious(sources(e)));
          const parsed = computeEpoch(withPrevious(notFastShape(sources(e))));
          const whole = readWhole(() => computeEpoch(withPrevious(sources(e))));
          expect(parsed.votesScreened).to.equal(true);
          expect(fileText(parsed, "excluded.csv")).to.equal(fileText(screened, "excluded.csv"));
          expect(parsed.rejections).to.deep.equal(screened.rejections);
          for (const result of [screened, whole]) {
            const csvRows = parse(fileText(result, "excluded.csv"), { columns: true }) as Record<string, string>[];
            expect(csvRows.map((r) => [Number(r.row), r.reason])).to.deep.equal(
              [...expected].sort((a, b) => a[0] - b[0]),
            );
            for (const r of csvRows) {
              const i = Number(r.row) - 1;
              expect([r.file, r.line, r.work_id, r.voter]).to.deep.equal([
                "votes.csv",
                String(i + 2),
                `w${rows[i]!.work}`,
                people[rows[i]!.voter]!,
              ]);
            }
            const byRow = result.rejections.slice().sort((a, b) => a.row - b.row);
            expect(byRow.map((r) => [r.row, r.line, r.workId, r.voter])).to.deep.equal(
              csvRows.map((r) => [Number(r.row), Number(r.line), r.work_id, r.voter]),
            );
            // report.md's examples: the first rows in row order, picked without ordering them all
            for (const k of [0, 1, 3, 10]) {
              expect(result.excluded.firstInRowOrder(k)).to.deep.equal(byRow.slice(0, k));
            }
            const report = fileText(result, "report.md");
            expect(report).to.contain(
              expected.size === 0 ? "None." : `${expected.size} ${expected.size === 1 ? "row" : "rows"} excluded.`,
            );
            expect(result.counts[1]).to.include({ read: rows.length, accepted: rows.length - expected.size });
          }
          // Both ways give the same epoch: the same exclusions (in processing order too), report and leaves.
          expect(screened.votesScreened).to.equal(true);
          expect(whole.votesScreened).to.equal(false);
          expect(screened.rejections).to.deep.equal(whole.rejections);
          for (const file of ["excluded.csv", "allocation.csv", "reputation.csv"]) {
            expect(fileText(screened, file), file).to.equal(fileText(whole, file));
          }
          const section = (r: EpochResult) => fileText(r, "report.md").split("## Rows")[1];
          expect(section(screened)).to.equal(section(whole));
          expect(screened.root).to.equal(whole.root);
        }),
        { numRuns: 150 },
      );
    }));
});
