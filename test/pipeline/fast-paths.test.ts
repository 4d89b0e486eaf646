/**
 * The fast paths of the votes reader must agree with the general code they stand in for: the
 * timestamp fast path with the general parser, the counting-sort vote order with a comparator sort,
 * the pair set with a Set, and a votes row error with what the zod schema says.
 */
import { expect } from "chai";
import fc from "fast-check";
import { InputError } from "../../scripts/lib/index.js";
import { parseTimestamp, parseTimestampGeneral } from "../../scripts/lib/timestamp.js";
import { castOrder } from "../../scripts/lib/vote-order.js";
import { readVotes } from "../../scripts/lib/vote-table.js";
import { addr, src } from "./helpers.js";

const two = (n: number) => String(n).padStart(2, "0");

describe("fast paths agree with the general code", function () {
  // generous: the suite also runs on loaded CI machines
  this.timeout(60_000);

  it("timestamps: the YYYY-MM-DDTHH:MM:SSZ fast path gives the general parser's answer", () => {
    const isoLike = fc
      .tuple(
        fc.integer({ min: 0, max: 9999 }),
        fc.integer({ min: 0, max: 13 }),
        fc.integer({ min: 0, max: 32 }),
        fc.integer({ min: 0, max: 25 }),
        fc.integer({ min: 0, max: 61 }),
        fc.integer({ min: 0, max: 61 }),
        fc.constantFrom("T", " ", "t", "x"),
        fc.constantFrom("Z", "z", "", "+00:00"),
      )
      .map(
        ([y, mo, d, h, mi, s, t, z]) =>
          `${String(y).padStart(4, "0")}-${two(mo)}-${two(d)}${t}${two(h)}:${two(mi)}:${two(s)}${z}`,
      );
    const text = fc.oneof(isoLike, fc.string({ maxLength: 22 }), fc.constantFrom("2024-02-29T00:00:00Z"));
    fc.assert(
      fc.property(text, (t) => {
        expect(parseTimestamp(t), t).to.equal(parseTimestampGeneral(t));
      }),
      {
        numRuns: 20_000,
      },
    );
    for (const t of ["2024-02-29T23:59:59Z", "2023-02-29T00:00:00Z", "2100-02-29T00:00:00Z", "0099-01-01T00:00:00Z"])
      expect(parseTimestamp(t), t).to.equal(parseTimestampGeneral(t));
  });

  it("vote order: cast_at ascending, ties by row, as a stable comparator sort", () => {
    const times = fc.array(
      fc.integer({ min: 0, max: 20 }).map((t) => t * 1000),
      { maxLength: 300 },
    );
    fc.assert(
      fc.property(times, (ts) => {
        const castAt = Float64Array.from(ts);
        const expected = ts.map((_, i) => i).sort((a, b) => ts[a]! - ts[b]! || a - b);
        expect([...castOrder(castAt)]).to.deep.equal(expected);
      }),
    );
  });

  it("votes reader: a bad row is worded by the schema; a malformed CSV later in the file wins", () => {
    const A = addr(1);
    const ok = `w1,${A},5,2025-01-10T00:00:00Z`;
    const read = (text: string) => {
      try {
        readVotes(src("votes.csv", text));
      } catch (error) {
        return error as InputError;
      }
      throw new Error("no error");
    };
    const bad = read(`work_id,voter,points,cast_at\n${ok}\nw1,${A},5.5,2025-01-10T00:00:00Z\n${ok}\n`);
    expect(bad).to.be.instanceOf(InputError);
    expect(bad.message).to.equal(`votes.csv row 2 (line 3), column points: "5.5" is not an integer`);
    const twoBad = read(`work_id,voter,points,cast_at\n,${A},x,y\n${ok}\n`);
    expect(twoBad.message).to.equal(`votes.csv row 1 (line 2), column work_id: work_id is empty`);
    const later = read(`work_id,voter,points,cast_at\nw1,0x12,5,2025-01-10T00:00:00Z\n${ok}\nw1,"open\n`);
    expect(later.message).to.match(/^votes\.csv .*malformed CSV/);
    const big = readVotes(src("votes.csv", `work_id,voter,points,cast_at\nw1,${A},123456789012345678901,1736467200\n`));
    expect(big.points[0]).to.be.NaN;
    expect(big.bigPoints.get(0)).to.equal(123456789012345678901n);
  });
});
