// A chain of epochs anyone can prove (scripts/lib/history.ts): `allocate --previous` refuses a previous directory
// that does not recompute, or whose own prior reputation does not; `verify DIR` proves DIR's prior reputation from the
// previous epochs (given with --previous or found next to DIR) or says it is unproven; `verify --history ROOT` walks
// every epoch from the first. Forgeries are made the way the issue describes them: an edited reputation.csv, an
// edited inputs/previous-reputation.csv with the epoch regenerated around it, an epoch computed from either.
import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  allocateEpoch,
  computeEpoch,
  computeInputsHash,
  keccak256,
  keccak256Hex,
  PreviousUnprovenError,
  readManifest,
  readPreviousEpoch,
  verifyArtifacts,
  verifyHistory,
  writeArtifacts,
  type EpochSources,
  type PreviousEpoch,
} from "../../scripts/lib/index.js";
import { renderPreviousReputation } from "../../scripts/lib/previous.js";
import { cleanup, tempDir } from "./helpers.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const bin = join(ROOT, "bin/social-mining.js");
const cli = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { cwd: ROOT, encoding: "utf8" });

/** The example epochs' roots and inputsHashes (docs/cli.md, docs/demo.md): no recovery, so unchanged. */
const EXAMPLES = [
  {
    root: "0xbd0db386cc76463de2581de24e363b4ce16a7783218481937a7dd81aba76845e",
    inputsHash: "0x7ff7c53936c2572126772a39c8c642d9fe0fd524c4a598e1f01925c88a783a16",
  },
  {
    root: "0x6f52f566180028c7ea5d238a031c33a448f07bd8f3da42ce2aca219ee4b9b753",
    inputsHash: "0x3ccb66ffa2c5f76c933b7374a27f043a062663163a4b46cc2f38ead588611765",
  },
  {
    root: "0x2552da814c9bc8363c4d6417ee1af4a4592c6e710de153601963f0f1485f800f",
    inputsHash: "0x951d8a700bb7f778d90043e5d9b06f0ad39260d648f95196b5de69d88726092b",
  },
];

const example = (n: number) => ({
  works: join(ROOT, `examples/epoch-${n}/works.csv`),
  votes: join(ROOT, `examples/epoch-${n}/votes.csv`),
  teams: join(ROOT, `examples/epoch-${n}/teams.csv`),
  config: join(ROOT, `examples/epoch-${n}/epoch.json`),
});
const exampleArgs = (n: number) => Object.entries(example(n)).flatMap(([k, v]) => [`--${k}`, v]);
const exampleSources = (n: number): EpochSources => {
  const e = example(n);
  const read = (path: string) => ({ name: path, bytes: readFileSync(path) });
  return { works: read(e.works), votes: read(e.votes), teams: read(e.teams), config: read(e.config) };
};

/** Writes examples 1..n into `root/epoch-1..n`, each with --previous the one before. */
function history(root: string, n = 3): string[] {
  const dirs: string[] = [];
  for (let k = 1; k <= n; k++) {
    const dir = join(root, `epoch-${k}`);
    writeArtifacts(dir, allocateEpoch({ ...example(k), previous: dirs.at(-1) }));
    dirs.push(dir);
  }
  return dirs;
}

/** A previous epoch with one account's reputation raised to `reputation` (what a forger hands over). */
function raised(previous: PreviousEpoch, reputation: bigint): { forged: PreviousEpoch; account: string } {
  const account = [...previous.reputation.keys()][0]!;
  const map = new Map(previous.reputation).set(account, reputation);
  return {
    account,
    forged: {
      ...previous,
      reputation: map,
      source: { ...previous.source, bytes: Buffer.from(renderPreviousReputation(map)) },
    },
  };
}

/** Raises the first row of `dir/reputation.csv` to 1000000. */
function editReputationCsv(dir: string): void {
  const path = join(dir, "reputation.csv");
  const lines = readFileSync(path, "utf8").split("\n");
  lines[1] = lines[1]!.replace(/,[0-9]+$/, ",1000000");
  writeFileSync(path, lines.join("\n"));
}

describe("history: an epoch is proven down to the first one", function () {
  this.timeout(120_000);
  let dir: string;
  beforeEach(() => (dir = tempDir()));
  afterEach(() => cleanup(dir));

  it("the example epochs keep their roots and inputsHashes; an inputsHash without recoveries is the six words", () => {
    const dirs = history(dir);
    dirs.forEach((d, i) => expect(readManifest(d)).to.include(EXAMPLES[i]));
    // Recomputed by hand: keccak256(h(works) ‖ h(votes) ‖ h(teams) ‖ h(previous) ‖ h(epoch) ‖ h(rules)).
    const m = readManifest(dirs[2]!);
    const h = (role: string) => keccak256(readFileSync(join(dirs[2]!, m.inputs.find((x) => x.role === role)!.file)));
    const words = Buffer.concat([
      h("works"),
      h("votes"),
      h("teams"),
      h("previous"),
      h("epoch"),
      // The rules as manifest.json writes them (the schema's parse puts decayBps first).
      keccak256(Buffer.from(JSON.stringify(JSON.parse(readFileSync(join(dirs[2]!, "manifest.json"), "utf8")).rules))),
    ]);
    expect(keccak256Hex(words)).to.equal(m.inputsHash);
    expect(m.inputs.map((x) => x.role)).to.deep.equal(["works", "votes", "teams", "previous", "epoch"]);
    expect(m).to.not.have.property("recoveries");
    // The library's own function agrees, and decides by the roles present.
    const result = allocateEpoch({ ...example(3), previous: dirs[1] });
    expect(computeInputsHash(result.inputs, result.config.rules)).to.equal(m.inputsHash);
  });

  it("verify DIR proves the prior reputation from the directories next to it, down to epoch 1", () => {
    const [e1, e2, e3] = history(dir);
    const v = verifyArtifacts(e3!, { root: EXAMPLES[2]!.root });
    expect(v.differences).to.deep.equal([]);
    expect(v.ok).to.equal(true);
    expect(v.prior).to.deep.equal({ status: "proven", epoch: 2, dir: e2 });
    expect(v.epochs.map((c) => [c.epoch, c.dir, c.ok, c.prior.status])).to.deep.equal([
      [1, e1, true, "first"],
      [2, e2, true, "proven"],
      [3, e3, true, "proven"],
    ]);
    // Any name will do next to it, as long as the directory holds the recorded epoch and root.
    renameSync(e2!, join(dir, "second"));
    expect(verifyArtifacts(e3!).prior).to.deep.equal({ status: "proven", epoch: 2, dir: join(dir, "second") });
  });

  it("verify DIR without its previous epoch: unproven, exit 1, unless --previous gives it", () => {
    const [, e2] = history(dir, 2);
    const alone = join(dir, "alone", "epoch-2");
    mkdirSync(join(dir, "alone"));
    cpSync(e2!, alone, { recursive: true });
    const v = verifyArtifacts(alone);
    expect(v.ok).to.equal(false);
    const reason =
      `unproven: no directory next to ${alone} holds the previous epoch 1 with root ${EXAMPLES[0]!.root}; ` +
      `give it with --previous, or keep each epoch's artifacts directory next to the previous one's`;
    expect(v.differences).to.deep.equal([{ file: "manifest.json", reason }]);
    expect(v.prior).to.deep.equal({ status: "unproven", file: "manifest.json", reason });
    const r = cli("verify", alone);
    expect(r.status).to.equal(1);
    expect(r.stdout).to.equal(`MISMATCH: manifest.json: ${reason}\n`);
    // Given, it proves; epoch 1 itself needs nothing.
    const ok = cli("verify", alone, "--previous", join(dir, "epoch-1"));
    expect(ok.status, ok.stdout + ok.stderr).to.equal(0);
    expect(ok.stdout).to.equal(
      `ok: epoch 2, ${v.files} files identical, root ${EXAMPLES[1]!.root}\n` +
        `prior       proven: epoch 1 recomputed and chained (${join(dir, "epoch-1")})\n`,
    );
    const first = cli("verify", join(dir, "epoch-1"));
    expect(first.stdout).to.match(
      /^ok: epoch 1, \d+ files identical, root 0x[0-9a-f]{64}\nprior       none: epoch 1\n$/,
    );
  });

  it("an epoch after the first that records no previous epoch is unproven", () => {
    const e2 = join(dir, "epoch-2");
    writeArtifacts(e2, allocateEpoch(example(2)));
    const v = verifyArtifacts(e2);
    expect(v.differences).to.deep.equal([
      {
        file: "manifest.json",
        reason:
          "records no previous epoch: the prior reputation of epoch 2 is unproven (only epoch 1 starts without a previous epoch)",
      },
    ]);
    // And it cannot serve as anyone's --previous.
    expect(() => allocateEpoch({ ...example(3), previous: e2 })).to.throw(
      PreviousUnprovenError,
      `--previous ${e2} does not prove: epoch 2 (${e2}): manifest.json: records no previous epoch`,
    );
  });

  it("the issue's forgery: an edited reputation.csv is refused by allocate and fails verify, even with the right --root", () => {
    const [, e2, e3] = history(dir);
    editReputationCsv(e2!);
    const cause = `epoch 2 (${e2}): reputation.csv: differs from the recomputed file at byte 63 (line 2)`;
    expect(() => allocateEpoch({ ...example(3), previous: e2 })).to.throw(
      PreviousUnprovenError,
      `--previous ${e2} does not prove: ${cause}`,
    );
    const r = cli("allocate", ...exampleArgs(3), "--previous", e2!, "--out", join(dir, "x"), "--json");
    expect(r.status).to.equal(1);
    expect(JSON.parse(r.stdout)).to.deep.include({
      ok: false,
      exitCode: 1,
      error: { name: "PreviousUnprovenError", message: `--previous ${e2} does not prove: ${cause}` },
    });

    // The old way: epoch 3 computed from the edited file as it is, so that inputsHash commits to the forgery.
    rmSync(e3!, { recursive: true });
    const forged = computeEpoch({ ...exampleSources(3), previous: readPreviousEpoch(e2!) });
    writeArtifacts(e3!, forged);
    const v = verifyArtifacts(e3!, { root: forged.root });
    expect(v.ok).to.equal(false);
    expect(v.differences).to.deep.equal([
      { file: "inputs/previous-reputation.csv", reason: `the previous epochs do not prove: ${cause}` },
    ]);
    const out = cli("verify", e3!, "--root", forged.root);
    expect(out.status).to.equal(1);
    expect(out.stdout).to.equal(
      `MISMATCH: inputs/previous-reputation.csv: the previous epochs do not prove: ${cause}\n`,
    );
  });

  it("an edited inputs/previous-reputation.csv, the epoch regenerated around it, breaks the link to the epoch before", () => {
    const [e1, e2] = history(dir, 2);
    const { forged } = raised(readPreviousEpoch(e1!), 1_000_000n);
    rmSync(e2!, { recursive: true });
    writeArtifacts(e2!, computeEpoch({ ...exampleSources(2), previous: forged }));
    // The directory alone recomputes: only the chain shows the forgery.
    const reason = `differs from the reputation.csv of epoch 1 (${e1}), as recomputed`;
    const v = verifyArtifacts(e2!);
    expect(v.differences).to.deep.equal([{ file: "inputs/previous-reputation.csv", reason }]);
    expect(v.prior).to.deep.include({ status: "failed", epoch: 1, dir: e1, inherited: false });
    expect(() => allocateEpoch({ ...example(3), previous: e2 })).to.throw(
      PreviousUnprovenError,
      `--previous ${e2} does not prove: epoch 2 (${e2}): inputs/previous-reputation.csv: ${reason}`,
    );
  });

  it("--previous that is not the recorded previous epoch is named; a previous without its chain is refused", () => {
    const [e1, e2] = history(dir, 2);
    // Another directory of epoch 1 with the same root (the chain id is not in the tree) proves as well.
    const other = join(dir, "other");
    writeArtifacts(other, allocateEpoch({ ...example(1), overrides: { chainId: 5 } }));
    expect(verifyArtifacts(e2!, { previous: other }).ok).to.equal(true);
    expect(verifyArtifacts(e2!, { previous: e2 }).differences).to.deep.equal([
      {
        file: "manifest.json",
        reason: `previous epoch 1 root ${EXAMPLES[0]!.root} ≠ ${e2} (epoch 2 root ${EXAMPLES[1]!.root})`,
      },
    ]);
    // Neither epoch-1 nor any other directory of epoch 1 next to it: epoch 2 cannot be proven, nor serve as --previous.
    rmSync(e1!, { recursive: true });
    rmSync(other, { recursive: true });
    expect(() => allocateEpoch({ ...example(3), previous: e2 })).to.throw(
      PreviousUnprovenError,
      `--previous ${e2} does not prove: epoch 2 (${e2}): manifest.json: unproven: no directory next to ${e2} holds the previous epoch 1 with root ${EXAMPLES[0]!.root}`,
    );
  });

  it("verify --history walks every epoch from the first, and fails at the forged epoch", () => {
    history(dir);
    const ok = verifyHistory(dir);
    expect(ok.ok).to.equal(true);
    expect(ok.epochs.map((c) => [c.epoch, c.root, c.prior.status])).to.deep.equal([
      [1, EXAMPLES[0]!.root, "first"],
      [2, EXAMPLES[1]!.root, "proven"],
      [3, EXAMPLES[2]!.root, "proven"],
    ]);
    const text = cli("verify", "--history", dir);
    expect(text.status, text.stderr).to.equal(0);
    expect(text.stdout).to.equal(
      EXAMPLES.map((e, i) => `epoch ${i + 1}  ok        root ${e.root}  epoch-${i + 1}\n`).join("") +
        `ok: epochs 1..3 of ${dir} recomputed and chained from epoch 1\n`,
    );

    editReputationCsv(join(dir, "epoch-2"));
    const bad = verifyHistory(dir);
    expect(bad.ok).to.equal(false);
    expect(bad.differences).to.deep.equal([
      { file: "epoch-2/reputation.csv", reason: "differs from the recomputed file at byte 63 (line 2)" },
    ]);
    expect(bad.epochs.map((c) => [c.epoch, c.ok, c.prior.status])).to.deep.equal([
      [1, true, "first"],
      [2, false, "proven"],
      [3, false, "failed"],
    ]);
    const out = cli("verify", "--history", dir);
    expect(out.status).to.equal(1);
    expect(out.stdout.split("\n").slice(1)).to.deep.equal([
      "epoch 2  MISMATCH  epoch-2/reputation.csv: differs from the recomputed file at byte 63 (line 2)",
      "epoch 3  unproven  an earlier epoch does not prove",
      "MISMATCH: epoch-2/reputation.csv: differs from the recomputed file at byte 63 (line 2)",
      "",
    ]);
  });

  it("verify --history: a missing epoch, a directory holding another epoch, and what it leaves out", () => {
    history(dir);
    renameSync(join(dir, "epoch-2"), join(dir, "epoch-2-vetoed"));
    const h = verifyHistory(dir);
    expect(h.ignored).to.deep.equal(["epoch-2-vetoed"]);
    expect(h.differences).to.deep.equal([
      { file: "epoch-2", reason: `missing: ${dir} has no directory for epoch 2` },
      { file: "epoch-3/inputs/previous-reputation.csv", reason: `unproven: no directory for epoch 2 in ${dir}` },
    ]);
    renameSync(join(dir, "epoch-2-vetoed"), join(dir, "epoch-2"));
    renameSync(join(dir, "epoch-3"), join(dir, "epoch-4"));
    writeFileSync(join(dir, "notes.txt"), "not an epoch");
    const wrong = verifyHistory(dir);
    expect(wrong.differences).to.deep.equal([
      { file: "epoch-3", reason: `missing: ${dir} has no directory for epoch 3` },
      { file: "epoch-4/manifest.json", reason: "holds epoch 3, not 4" },
      { file: "epoch-4/inputs/previous-reputation.csv", reason: `unproven: no directory for epoch 3 in ${dir}` },
    ]);
  });

  it("verify: usage errors for the new options (exit 2)", () => {
    history(dir, 1);
    for (const [args, message] of [
      [["verify"], "verify takes an artifacts directory DIR or --history ROOT, one of them"],
      [
        ["verify", join(dir, "epoch-1"), "--history", dir],
        "verify takes an artifacts directory DIR or --history ROOT, one of them",
      ],
      [
        ["verify", "--history", dir, "--root", EXAMPLES[0]!.root],
        "--root and --previous check one directory: with --history, use --rpc and --pool",
      ],
      [["verify", "--history", dir, "--rpc", "http://127.0.0.1:1"], "--rpc and --pool go together"],
    ] as const) {
      const r = cli(...args);
      expect(r.status, args.join(" ")).to.equal(2);
      expect(r.stderr).to.equal(`error: ${message}\n`);
    }
    const badPool = cli("verify", "--history", dir, "--rpc", "http://127.0.0.1:1", "--pool", "0x1234");
    expect(badPool.status).to.equal(2);
    expect(badPool.stderr).to.match(/option '--pool <address>' argument '0x1234' is invalid/);
    // A node that does not answer: an I/O error (exit 3), no stack trace.
    const down = cli("verify", "--history", dir, "--rpc", "http://127.0.0.1:1", "--pool", "0x" + "11".repeat(20));
    expect(down.status).to.equal(3);
    expect(down.stderr).to.match(/^error: --rpc http:\/\/127\.0\.0\.1:1: no JSON-RPC node answers there \(/);
    expect(down.stderr).to.not.match(/\n\s+at /);
  });
});
