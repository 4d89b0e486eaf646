// recoveries.csv (scripts/lib/recoveries.ts): the pipeline's half of a soul recovery. The new address takes the lost
// one's prior reputation and gets a leaf carrying it; the lost address is tombstoned for good (paid for its work,
// never reputation again, in every later epoch); the recoveries are hashed into inputsHash, recorded in the manifest
// and report.md, carried to the next epochs, and re-checked by verify. Bad rows are refused with file, row, column
// and reason.
import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  allocateEpoch,
  computeEpoch,
  InputError,
  InputErrors,
  keccak256,
  keccak256Hex,
  PreviousUnprovenError,
  readManifest,
  readPreviousEpoch,
  renderRecoveries,
  verifyArtifacts,
  verifyHistory,
  writeArtifacts,
  type PreviousEpoch,
} from "../../scripts/lib/index.js";
import { ManifestSchema } from "../../protocol/artifacts.js";
import { addr, cleanup, epochJson, sources, src, tempDir, writeSmallEpoch, type SmallEpoch } from "./helpers.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const bin = join(ROOT, "bin/social-mining.js");
const cli = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { cwd: ROOT, encoding: "utf8" });

const [A, B, C, D, E, F, V] = [1, 2, 3, 4, 5, 6, 7].map(addr) as [
  string,
  string,
  string,
  string,
  string,
  string,
  string,
];
/** Fresh addresses: never in any export before their recovery. */
const [Y, Z, W] = [50, 51, 52].map(addr) as [string, string, string];
const ZERO = "0x0000000000000000000000000000000000000000";

/** Epoch 1: A 20 points, B 10, E 5, F 4 (voted by V). */
const EPOCH_1: SmallEpoch = {
  works: [
    ["w1", A],
    ["w2", B],
    ["w3", E],
    ["w4", F],
  ],
  votes: [
    ["w1", V, 20],
    ["w2", V, 10],
    ["w3", V, 5],
    ["w4", V, 4],
  ],
};
/** Epoch 2: the lost A still works (5 points), C earns 3; Y does nothing. */
const EPOCH_2: SmallEpoch = {
  works: [
    ["w1", A],
    ["w2", C],
  ],
  votes: [
    ["w1", V, 5],
    ["w2", V, 3],
  ],
  config: epochJson({ epoch: 2 }),
};
/** Epoch 3: A earns 7 again, Y 2. */
const EPOCH_3: SmallEpoch = {
  works: [
    ["w1", A],
    ["w2", Y],
  ],
  votes: [
    ["w1", V, 7],
    ["w2", V, 2],
  ],
  config: epochJson({ epoch: 3 }),
};

const rows = (text: string) =>
  Object.fromEntries(
    text
      .trim()
      .split("\n")
      .slice(1)
      .map((l) => [l.split(",")[0], l]),
  );

describe("recoveries: a soul recovery carried by the pipeline", function () {
  this.timeout(120_000);
  let dir: string;
  beforeEach(() => (dir = tempDir()));
  afterEach(() => cleanup(dir));

  /** Writes recoveries.csv rows (`lost,new`) and returns its path. */
  const recoveries = (name: string, lines: string[][]) => {
    const path = join(dir, name);
    writeFileSync(path, ["lost,new", ...lines.map((l) => l.join(","))].join("\n") + "\n");
    return path;
  };
  /** Allocates epoch `n` of `e` into `dir/epoch-n`, chained to `dir/epoch-(n−1)`. */
  const epoch = (n: number, e: SmallEpoch, recoveriesFile?: string) => {
    const inputs = writeSmallEpoch(join(dir, `in-${n}`), e);
    const out = join(dir, `epoch-${n}`);
    const result = allocateEpoch({
      ...inputs,
      previous: n > 1 ? join(dir, `epoch-${n - 1}`) : undefined,
      recoveries: recoveriesFile,
    });
    writeArtifacts(out, result);
    return { out, result };
  };

  it("moves the lost address's reputation to the new one, with a leaf; the lost one is paid but never has reputation again", () => {
    epoch(1, EPOCH_1);
    const file = recoveries("recoveries.csv", [[A.toLowerCase(), Y]]);
    const { out: e2, result } = epoch(2, EPOCH_2, file);

    // Y: decay(20, 1) = 18, no work: amount 0, but a leaf carrying the recovered reputation.
    // A: paid for its 5 points, reputation 0 (not 0.9 × 20 + 5), no row in reputation.csv.
    const allocation = rows(readFileSync(join(e2, "allocation.csv"), "utf8"));
    const byAccount = new Map(Object.values(allocation).map((l) => [l.split(",")[1], l.split(",")]));
    expect(byAccount.get(Y)!.slice(2)).to.deep.equal(["0", "18", "20", "0"]);
    expect(byAccount.get(A)![3]).to.equal("0");
    expect(BigInt(byAccount.get(A)![2]!)).to.be.greaterThan(0n);
    expect(readFileSync(join(e2, "reputation.csv"), "utf8")).to.equal(
      [
        "account,reputation",
        ...[
          [B, 9],
          [C, 3],
          [E, 4],
          [F, 3],
          [Y, 18],
        ]
          .sort(([a], [b]) => ((a as string).toLowerCase() < (b as string).toLowerCase() ? -1 : 1))
          .map(([a, r]) => `${a},${r}`),
      ].join("\n") + "\n",
    );
    expect(result.reputationTotal).to.equal(37n);

    // Recorded: the manifest (schema-valid), the inputs (hashed as two more words), report.md.
    const manifest = JSON.parse(readFileSync(join(e2, "manifest.json"), "utf8"));
    expect(manifest.recoveries).to.deep.equal([{ epoch: 2, lost: A, new: Y, reputation: "20" }]);
    expect(ManifestSchema.parse(manifest).recoveries).to.deep.equal(manifest.recoveries);
    expect(manifest.inputs.map((i: { role: string; file: string }) => `${i.role}:${i.file}`)).to.deep.equal([
      "works:inputs/works.csv",
      "votes:inputs/votes.csv",
      "previous:inputs/previous-reputation.csv",
      "epoch:inputs/epoch.json",
      "recoveries:inputs/recoveries.csv",
    ]);
    expect(readFileSync(join(e2, "inputs/recoveries.csv")).equals(readFileSync(file))).to.equal(true);
    const h = (path: string) => keccak256(readFileSync(join(e2, path)));
    const words = Buffer.concat([
      h("inputs/works.csv"),
      h("inputs/votes.csv"),
      Buffer.alloc(32),
      h("inputs/previous-reputation.csv"),
      h("inputs/epoch.json"),
      keccak256(Buffer.from(JSON.stringify(manifest.rules))),
      h("inputs/recoveries.csv"),
      Buffer.alloc(32),
    ]);
    expect(manifest.inputsHash).to.equal(keccak256Hex(words));
    const report = readFileSync(join(e2, "report.md"), "utf8");
    expect(report).to.contain(
      "1 applied in this epoch (its recoveries input), 0 in earlier epochs (inputs/previous-recoveries.csv).",
    );
    expect(report).to.contain(`| 2 | \`${A}\` | \`${Y}\` | 20 |\n`);

    // Epoch 3, no recoveries file: the recovery travels on, A still earns nothing, Y goes on from 18.
    const { out: e3, result: r3 } = epoch(3, EPOCH_3);
    const reputation3 = readFileSync(join(e3, "reputation.csv"), "utf8");
    expect(reputation3).to.contain(`${Y},18\n`); // decay(18, 1) + 2 = 16 + 2
    expect(reputation3).to.not.contain(A);
    expect(r3.accounts.find((a) => a.account === A)).to.deep.include({ reputation: 0n, previousReputation: 0n });
    expect(readFileSync(join(e3, "inputs/previous-recoveries.csv"), "utf8")).to.equal(
      `epoch,lost,new,reputation\n2,${A},${Y},20\n`,
    );
    expect(readManifest(e3).recoveries).to.deep.equal([{ epoch: 2, lost: A, new: Y, reputation: "20" }]);
    expect(readManifest(e3).inputs.map((i) => i.role)).to.deep.equal([
      "works",
      "votes",
      "previous",
      "epoch",
      "previous-recoveries",
    ]);
    expect(readFileSync(join(e3, "report.md"), "utf8")).to.contain(
      "0 applied in this epoch (its recoveries input), 1 in earlier epochs",
    );

    // verify re-checks all of it, and the history proves.
    for (const d of [e2, e3]) expect(verifyArtifacts(d).differences, d).to.deep.equal([]);
    expect(verifyHistory(dir).differences).to.deep.equal([]);
  });

  it("refuses bad rows, naming file, row, column and reason", () => {
    epoch(1, EPOCH_1);
    const D2 = addr(8);
    const file = recoveries("bad.csv", [
      ["0x1234", Y], //                         1
      [ZERO, Y], //                             2
      [B, ZERO], //                             3
      [B, B], //                                4
      [A, Y], //                                5: fine
      [A, Z], //                                6
      [C, Y], //                                7
      [Y, W], //                                8
      [D2, A], //                               9
      [D, addr(9)], //                         10
      [E, F], //                               11
    ]);
    let error: InputErrors | undefined;
    try {
      epoch(2, EPOCH_2, file);
    } catch (e) {
      error = e as InputErrors;
    }
    expect(error).to.be.instanceOf(InputErrors);
    const chain = "a chain of recoveries in one epoch; recover the first lost address straight to the last new one";
    expect(error!.errors.map((e) => [e.row, e.line, e.column, e.reason])).to.deep.equal([
      [1, 2, "lost", `"0x1234" is not an address (0x followed by 40 hex digits)`],
      [2, 3, "lost", "the zero address has no soul to recover"],
      [3, 4, "new", "the zero address cannot receive a soul: nobody holds its key"],
      [4, 5, "new", `${B} is the lost address itself: a soul moves to another address`],
      [6, 7, "lost", `${A} is recovered twice (first at row 5)`],
      [7, 8, "new", `${Y} receives two souls (first at row 5)`],
      [8, 9, "lost", `${Y} is the new address of row 5: ${chain}`],
      [9, 10, "new", `${A} is the lost address of row 5: ${chain}`],
      [10, 11, "lost", `${D} has no reputation after epoch 1: there is nothing to recover`],
      [
        11,
        12,
        "new",
        `${F} already has reputation 4 after epoch 1: a soul moves only to an address that never held one (recoverSoul reverts SoulAlreadyExists)`,
      ],
    ]);
    expect(error!.errors[0]!.message).to.equal(
      `${file} row 1 (line 2), column lost: "0x1234" is not an address (0x followed by 40 hex digits)`,
    );

    // Without --previous there is nothing to recover; a wrong column is named.
    expect(() => computeEpoch({ ...sources(EPOCH_1), recoveries: src("recoveries.csv", `lost,new\n${A},${Y}\n`) }))
      .to.throw(InputError)
      .with.property(
        "message",
        `recoveries.csv row 1 (line 2), column lost: ${A} has no reputation: without --previous there is nothing to recover`,
      );
    expect(() => computeEpoch({ ...sources(EPOCH_1), recoveries: src("recoveries.csv", `lost,to\n${A},${Y}\n`) }))
      .to.throw(InputError)
      .with.property("message", `recoveries.csv (line 1), column to: unknown column "to" (expected lost, new)`);
  });

  it("refuses what earlier recoveries forbid: a lost address recovered again, a new one that lost or received a soul", () => {
    epoch(1, EPOCH_1);
    epoch(2, EPOCH_2, recoveries("r2.csv", [[A, Y]]));
    const again = recoveries("r3a.csv", [[A, Z]]);
    expect(() => epoch(3, EPOCH_3, again))
      .to.throw(InputError)
      .with.property(
        "message",
        `${again} row 1 (line 2), column lost: ${A} was recovered to ${Y} in epoch 2 already: it has no soul left`,
      );
    const back = recoveries("r3b.csv", [[B, A]]);
    expect(() => epoch(3, EPOCH_3, back))
      .to.throw(InputError)
      .with.property(
        "message",
        `${back} row 1 (line 2), column new: ${A} lost its soul to ${Y} in epoch 2: it can never hold a soul again`,
      );
    // A new address of an earlier recovery whose reputation has run out still holds a soul on chain.
    const records = [{ epoch: 2, lost: A, new: Y, reputation: 1n }];
    const previous: PreviousEpoch = {
      epoch: 2,
      root: "0x" + "11".repeat(32),
      reputation: new Map([[B, 10n]]),
      source: src("previous-reputation.csv", `account,reputation\n${B},10\n`),
      recoveries: { records, source: src("previous-recoveries.csv", renderRecoveries(records)) },
    };
    expect(() =>
      computeEpoch({ ...sources(EPOCH_3), previous, recoveries: src("recoveries.csv", `lost,new\n${B},${Y}\n`) }),
    )
      .to.throw(InputError)
      .with.property(
        "message",
        `recoveries.csv row 1 (line 2), column new: ${Y} received the soul of ${A} in epoch 2: it holds a soul already`,
      );
  });

  it("verify re-checks them: a changed recoveries copy, and a later epoch that drops or changes the carried recoveries", () => {
    epoch(1, EPOCH_1);
    const { out: e2 } = epoch(2, EPOCH_2, recoveries("r.csv", [[A, Y]]));
    const { out: e3 } = epoch(3, EPOCH_3);
    const inputs3 = writeSmallEpoch(join(dir, "in-3b"), EPOCH_3);
    const read = (path: string) => ({ name: path, bytes: readFileSync(path) });
    const sources3 = { works: read(inputs3.works), votes: read(inputs3.votes), config: read(inputs3.config) };
    const carried = readPreviousEpoch(e2);
    expect(carried.recoveries!.records).to.deep.equal([{ epoch: 2, lost: A, new: Y, reputation: 20n }]);

    // Epoch 3 recomputed as if the recovery had not been carried: A would earn reputation again.
    const dropped: PreviousEpoch = { ...carried, recoveries: undefined };
    rmSync(e3, { recursive: true });
    writeArtifacts(e3, computeEpoch({ ...sources3, previous: dropped }));
    expect(readFileSync(join(e3, "reputation.csv"), "utf8")).to.contain(`${A},7\n`);
    expect(verifyArtifacts(e3).differences).to.deep.equal([
      {
        file: "inputs/previous-recoveries.csv",
        reason: `missing: epoch 2 (${e2}) records recoveries (1) that every later epoch carries`,
      },
    ]);
    expect(() => allocateEpoch({ ...sources3Paths(inputs3), previous: e3 })).to.throw(
      PreviousUnprovenError,
      `--previous ${e3} does not prove: epoch 3 (${e3}): inputs/previous-recoveries.csv: missing`,
    );

    // … or with the recorded recovery changed.
    const records = [{ epoch: 2, lost: A, new: Z, reputation: 20n }];
    const changed: PreviousEpoch = {
      ...carried,
      recoveries: { records, source: src("previous-recoveries.csv", renderRecoveries(records)) },
    };
    rmSync(e3, { recursive: true });
    writeArtifacts(e3, computeEpoch({ ...sources3, previous: changed }));
    expect(verifyArtifacts(e3).differences).to.deep.equal([
      { file: "inputs/previous-recoveries.csv", reason: `differs from the recoveries recorded by epoch 2 (${e2})` },
    ]);

    // A recoveries copy changed in place: epoch 2 no longer recomputes.
    writeFileSync(join(e2, "inputs/recoveries.csv"), `lost,new\n${A},${Z}\n`);
    const v = verifyArtifacts(e2);
    expect(v.ok).to.equal(false);
    expect(v.differences.map((d) => d.file)).to.include.members(["manifest.json", "tree.json", "reputation.csv"]);
  });

  it("the CLI: allocate --recoveries prints what it applied (exit 0), and a bad file exits 2", () => {
    const e1 = join(dir, "epoch-1");
    expect(cli("allocate", ...flags(writeSmallEpoch(join(dir, "in-1"), EPOCH_1)), "--out", e1).status).to.equal(0);
    const inputs2 = flags(writeSmallEpoch(join(dir, "in-2"), EPOCH_2));
    const ok = cli(
      "allocate",
      ...inputs2,
      "--previous",
      e1,
      "--recoveries",
      recoveries("r.csv", [[A, Y]]),
      "--out",
      join(dir, "epoch-2"),
    );
    expect(ok.status, ok.stderr).to.equal(0);
    expect(ok.stdout).to.contain("recoveries  1 applied in this epoch, 0 before (see report.md)\n");
    expect(ok.stdout).to.match(
      /\nprevious    epoch 1, root 0x[0-9a-f]{64}: proven \(epoch 1 recomputed and chained\)\n/,
    );
    const json = cli(
      "allocate",
      ...inputs2,
      "--previous",
      e1,
      "--recoveries",
      join(dir, "r.csv"),
      "--out",
      join(dir, "x"),
      "--json",
    );
    expect(JSON.parse(json.stdout).recoveries).to.deep.equal([{ epoch: 2, lost: A, new: Y, reputation: "20" }]);
    const bad = recoveries("bad.csv", [[A, A]]);
    const r = cli("allocate", ...inputs2, "--previous", e1, "--recoveries", bad, "--out", join(dir, "y"));
    expect(r.status).to.equal(2);
    expect(r.stderr).to.equal(
      `error: ${bad} row 1 (line 2), column new: ${A} is the lost address itself: a soul moves to another address\n`,
    );
  });
});

function sources3Paths(inputs: { works: string; votes: string; config: string }) {
  return { works: inputs.works, votes: inputs.votes, config: inputs.config };
}

function flags(inputs: { works: string; votes: string; teams?: string; config: string }): string[] {
  return [
    "--works",
    inputs.works,
    "--votes",
    inputs.votes,
    ...(inputs.teams ? ["--teams", inputs.teams] : []),
    "--config",
    inputs.config,
  ];
}
