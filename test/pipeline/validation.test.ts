import { expect } from "chai";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { allocateEpoch, InputError, MAX_EPOCH_TOTAL, writeArtifacts, ZERO_ADDRESS } from "../../scripts/lib/index.js";
import { addr, cleanup, compute, epochJson, list, tempDir, writeSmallEpoch, type SmallEpoch } from "./helpers.js";

const A = addr(1);
const B = addr(2);
const C = addr(3);
const base: SmallEpoch = { works: [["w1", A]], votes: [["w1", B, 5]] };

/** Writes the epoch to disk and runs allocate + write, as the CLI does. */
function runOnDisk(e: SmallEpoch, files: Partial<Record<"works" | "votes" | "teams" | "config", string>> = {}) {
  const dir = tempDir();
  const out = join(dir, "out");
  const paths = writeSmallEpoch(dir, e, files);
  let error: unknown;
  try {
    writeArtifacts(out, allocateEpoch(paths));
  } catch (e) {
    error = e;
  }
  const left = list(dir);
  cleanup(dir);
  return { error, left };
}

function expectHardError(
  e: SmallEpoch,
  file: string,
  row: number | undefined,
  column: string | undefined,
  reason: RegExp,
  files = {},
) {
  const { error, left } = runOnDisk(e, files);
  expect(error).to.be.instanceOf(InputError);
  const err = error as InputError;
  expect(err.file.endsWith(file), err.message).to.equal(true);
  expect(err.row, err.message).to.equal(row);
  expect(err.column, err.message).to.equal(column);
  expect(err.reason).to.match(reason);
  expect(err.message).to.contain(file);
  if (row !== undefined) expect(err.message).to.contain(`row ${row}`);
  expect(left, "no output directory left behind").to.not.include("out");
  expect(left.filter((f) => f.startsWith("."))).to.deep.equal([]);
}

describe("validation: hard errors stop the run and write nothing", function () {
  // generous: the suite also runs on loaded CI machines
  this.timeout(60_000);
  it("malformed CSV", () =>
    expectHardError(base, "votes.csv", 1, undefined, /malformed CSV/, {
      votes: 'work_id,voter,points,cast_at\nw1,"unterminated\n',
    }));
  it("a row with too many fields", () =>
    expectHardError(base, "votes.csv", 1, undefined, /malformed CSV/, {
      votes: `work_id,voter,points,cast_at\nw1,${B},5,2025-01-10T00:00:00Z,extra\n`,
    }));
  it("missing column", () =>
    expectHardError(base, "votes.csv", undefined, "cast_at", /missing column/, {
      votes: `work_id,voter,points\nw1,${B},5\n`,
    }));
  it("unknown column", () =>
    expectHardError(base, "works.csv", undefined, "colour", /unknown column/, {
      works: `work_id,contributor,category,title,pov_url,submitted_at,colour\nw1,${A},a,t,u,2025-01-02T00:00:00Z,red\n`,
    }));
  it("invalid address", () =>
    expectHardError({ ...base, votes: [["w1", "0x1234", 5]] }, "votes.csv", 1, "voter", /not an address/));
  it("mixed-case address with a wrong checksum", () => {
    const bad = "0x" + A.slice(2, 41) + (A[41] === A[41]!.toLowerCase() ? A[41]!.toUpperCase() : A[41]!.toLowerCase());
    const wrong = bad === A ? A.replace(/[a-f]/, (c) => c.toUpperCase()) : bad;
    expectHardError(
      {
        ...base,
        votes: [
          ["w1", B, 5],
          ["w1", wrong.replace(/^0x/, "0x"), 5],
        ],
      },
      "votes.csv",
      2,
      "voter",
      /checksum/,
    );
  });
  it("duplicate work_id", () =>
    expectHardError(
      {
        works: [
          ["w1", A],
          ["w1", B],
        ],
        votes: [],
      },
      "works.csv",
      2,
      "work_id",
      /duplicate work_id "w1" \(first at row 1\)/,
    ));
  it("unknown team", () =>
    expectHardError(
      { works: [["w1", "team:ghosts"]], votes: [] },
      "works.csv",
      1,
      "contributor",
      /unknown team "ghosts"/,
    ));
  it("team shares not summing to 10000", () =>
    expectHardError(
      {
        works: [["w1", "team:t"]],
        votes: [],
        teams: [
          ["t", A, 5000],
          ["t", B, 4000],
        ],
      },
      "teams.csv",
      2,
      "share_bps",
      /sum to 9000, not 10000/,
    ));
  it("pool not a positive integer", () => {
    expectHardError({ ...base, config: epochJson({ pool: "0" }) }, "epoch.json", undefined, "pool", /positive integer/);
    expectHardError(
      { ...base, config: epochJson({ pool: "12.5" }) },
      "epoch.json",
      undefined,
      "pool",
      /positive integer/,
    );
  });
  it("pool above 2^96 − 1, the contract's 96-bit epoch total (2^96 − 1 itself is accepted)", () => {
    expectHardError(
      { ...base, config: epochJson({ pool: String(MAX_EPOCH_TOTAL + 1n) }) },
      "epoch.json",
      undefined,
      "pool",
      /pool 79228162514264337593543950336 is above 79228162514264337593543950335 \(2\^96 − 1\)/,
    );
    expect(compute({ ...base, config: epochJson({ pool: String(MAX_EPOCH_TOTAL) }) }).total).to.equal(MAX_EPOCH_TOTAL);
  });
  it("the zero address as a contributor or a team member", () => {
    expectHardError({ ...base, works: [["w1", ZERO_ADDRESS]] }, "works.csv", 1, "contributor", /zero address/);
    expectHardError(
      {
        works: [["w1", "team:t"]],
        votes: [["w1", C, 5]],
        teams: [
          ["t", A, 5000],
          ["t", ZERO_ADDRESS, 5000],
        ],
      },
      "teams.csv",
      2,
      "member",
      /zero address/,
    );
  });
  it("vote for an unknown work", () =>
    expectHardError(
      {
        ...base,
        votes: [
          ["w1", B, 5],
          ["w9", C, 5],
        ],
      },
      "votes.csv",
      2,
      "work_id",
      /unknown work "w9"/,
    ));
  it("timestamp that does not parse", () => {
    expectHardError({ ...base, votes: [["w1", B, 5, "yesterday"]] }, "votes.csv", 1, "cast_at", /not a timestamp/);
    expectHardError(
      { ...base, votes: [["w1", B, 5, "2025-02-30T00:00:00Z"]] },
      "votes.csv",
      1,
      "cast_at",
      /not a timestamp/,
    );
  });
  it("points that are not an integer", () =>
    expectHardError({ ...base, votes: [["w1", B, "2.5"]] }, "votes.csv", 1, "points", /not an integer/));
  it("unknown rule", () =>
    expectHardError({ ...base, config: epochJson({}, { bonus: 1 }) }, "epoch.json", undefined, "rules", /unknown key/));
  it("names the element and key of a JSON input", () => {
    const dir = tempDir();
    try {
      writeFileSync(
        join(dir, "votes.json"),
        JSON.stringify([
          { work_id: "w1", voter: B, points: 5, cast_at: "2025-01-10T00:00:00Z" },
          { work_id: "w1", voter: C, points: 1.5, cast_at: "2025-01-10T00:00:00Z" },
        ]),
      );
      writeFileSync(
        join(dir, "works.csv"),
        `work_id,contributor,category,title,pov_url,submitted_at\nw1,${A},a,t,u,2025-01-02T00:00:00Z\n`,
      );
      writeFileSync(join(dir, "epoch.json"), epochJson());
      expect(() =>
        allocateEpoch({
          works: join(dir, "works.csv"),
          votes: join(dir, "votes.json"),
          config: join(dir, "epoch.json"),
        }),
      ).to.throw(InputError, /votes\.json row 2, column points: expected a string or an integer/);
    } finally {
      cleanup(dir);
    }
  });
  it("no work scored (U = 0): a clear error, nothing written", () => {
    const { error, left } = runOnDisk({ works: [["w1", A]], votes: [["w1", B, 0]] });
    expect((error as Error).name).to.equal("NothingToSplitError");
    expect((error as Error).message).to.match(/nothing to split/);
    expect(left).to.not.include("out");
  });
});

describe("validation: soft rejections (docs/rules.md §1 order)", function () {
  // generous: the suite also runs on loaded CI machines
  this.timeout(60_000);
  const rejection = (e: SmallEpoch) => compute(e).rejections;

  it("self-vote by the contributor", () => {
    const [r] = rejection({
      works: [
        ["w1", A],
        ["w2", B],
      ],
      votes: [
        ["w1", A, 5],
        ["w2", A, 5],
      ],
    });
    expect(r).to.include({ file: "votes.csv", row: 1, column: "voter", code: "self-vote" });
    expect(r!.reason).to.match(/self-vote/);
  });
  it("self-vote by a member of the contributing team", () => {
    const r = rejection({
      works: [
        ["w1", "team:t"],
        ["w2", C],
      ],
      votes: [
        ["w1", B, 5],
        ["w2", B, 1],
      ],
      teams: [
        ["t", A, 6000],
        ["t", B, 4000],
      ],
    });
    expect(r).to.have.length(1);
    expect(r[0]).to.include({ row: 1, code: "self-vote" });
    expect(r[0]!.reason).to.contain('member of team "t"');
  });
  it("points outside 0..maxPoints (both sides)", () => {
    const r = rejection({
      works: [["w1", A]],
      votes: [
        ["w1", B, 101],
        ["w1", C, -1],
        ["w1", addr(4), 100],
        ["w1", addr(5), 0],
      ],
    });
    expect(r.map((x) => [x.row, x.code, x.column])).to.deep.equal([
      [1, "points-out-of-range", "points"],
      [2, "points-out-of-range", "points"],
    ]);
  });
  it("outside the window, both ends included", () => {
    const r = rejection({
      works: [["w1", A]],
      votes: [
        ["w1", B, 1, "2024-12-31T23:59:59Z"],
        ["w1", C, 1, "2025-01-01T00:00:00Z"],
        ["w1", addr(4), 1, "2025-01-31T23:59:59Z"],
        ["w1", addr(5), 1, "2025-02-01T00:00:00Z"],
      ],
    });
    expect(r.map((x) => [x.row, x.code, x.column])).to.deep.equal([
      [1, "outside-window", "cast_at"],
      [4, "outside-window", "cast_at"],
    ]);
  });
  it("duplicate: the earlier vote by cast_at stands, ties by row order", () => {
    const result = compute({
      works: [["w1", A]],
      votes: [
        ["w1", B, 9, "2025-01-20T00:00:00Z"],
        ["w1", B.toLowerCase(), 3, "2025-01-10T00:00:00Z"],
        ["w1", C, 1, "2025-01-05T00:00:00Z"],
        ["w1", C, 2, "2025-01-05T00:00:00Z"],
      ],
    });
    expect(result.rejections.map((x) => [x.row, x.code])).to.deep.equal([
      [4, "duplicate"],
      [1, "duplicate"],
    ]);
    expect(result.works[0]!.points).to.equal(3n + 1n);
  });
  it("first failing check names the reason: self-vote before points before window before duplicate", () => {
    const r = rejection({
      works: [["w1", A]],
      votes: [
        ["w1", A, 500, "2030-01-01T00:00:00Z"],
        ["w1", B, 500, "2030-01-01T00:00:00Z"],
        ["w1", C, 5, "2030-01-01T00:00:00Z"],
        ["w1", C, 5],
        ["w1", C, 5],
      ],
    });
    expect(r.map((x) => x.code)).to.deep.equal(["duplicate", "self-vote", "points-out-of-range", "outside-window"]);
  });
  it("a duplicate of a rejected vote is not a duplicate", () => {
    const r = rejection({
      works: [["w1", A]],
      votes: [
        ["w1", B, 500, "2025-01-02T00:00:00Z"],
        ["w1", B, 5, "2025-01-03T00:00:00Z"],
      ],
    });
    expect(r.map((x) => x.code)).to.deep.equal(["points-out-of-range"]);
  });
  it("counts every row: accepted + excluded = read", () => {
    const result = compute({
      works: [
        ["w1", A],
        ["w2", "team:t"],
      ],
      votes: [
        ["w1", A, 5],
        ["w1", B, 5],
        ["w1", B, 5],
        ["w2", C, 200],
      ],
      teams: [["t", A, 10000]],
    });
    for (const c of result.counts) expect(c.accepted + c.excluded).to.equal(c.read);
    expect(result.counts.map((c) => [c.file, c.read, c.accepted, c.excluded])).to.deep.equal([
      ["works.csv", 2, 2, 0],
      ["votes.csv", 4, 1, 3],
      ["teams.csv", 1, 1, 0],
    ]);
  });
});
