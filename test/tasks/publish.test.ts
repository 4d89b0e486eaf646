// sm:publish and the published layout after a veto: `epochs/epoch-N/` holds the root live on chain, `retired/` the
// vetoed versions; sm:claim and sm:status read the layout (and a folder with a vetoed version next to its
// replacement), naming the right option when the chain cannot pick.
import { expect } from "chai";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { network } from "hardhat";
import claim from "../../tasks/claim.js";
import publish from "../../tasks/publish.js";
import status from "../../tasks/status.js";
import { artifactDirs, liveArtifactDirs, selectArtifacts } from "../../tasks/lib/artifacts.js";
import { allocateExport } from "../../tasks/lib/epochs.js";
import { TaskError } from "../../tasks/lib/errors.js";
import { proposeEpoch } from "../../tasks/lib/ops/propose.js";
import { vetoEpoch } from "../../tasks/lib/ops/veto.js";
import type { EpochRewards } from "../../typechain-types/index.js";
import { allocateExamples, deploySuite } from "./fixture.js";
import { caught, testEnv } from "./env.js";

const connection = await network.create();
const { networkHelpers } = connection;

const rootOf = (dir: string) =>
  (JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")).root as string).toLowerCase();
const prefix = (dir: string) => rootOf(dir).slice(2, 10);

/** Every file under `dir` with its bytes, to compare two trees. */
function files(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (sub: string) => {
    for (const name of readdirSync(join(dir, sub), { withFileTypes: true })) {
      const rel = sub ? `${sub}/${name.name}` : name.name;
      if (name.isDirectory()) walk(rel);
      else out[rel] = readFileSync(join(dir, rel), "base64");
    }
  };
  walk("");
  return out;
}

/** A fresh copy of the fixture's publish root: the chain goes back to the fixture, the files must too. */
function copyOf(dir: string): string {
  const copy = mkdtempSync(join(tmpdir(), "sm-site-"));
  cpSync(dir, copy, { recursive: true });
  return copy;
}

/**
 * Epochs 1 and 2 proposed from `raw/epoch-1` and `raw/epoch-2` and published to `site/`; then the guardian vetoes
 * epoch 1 (and with it epoch 2), and epoch 1 is allocated again with a smaller pool into `raw/epoch-1-fixed` and
 * proposed: the runbook's veto-and-repropose.
 */
async function vetoedAndReproposed() {
  const suite = await deploySuite(connection);
  const { pool, proposer, guardian } = suite;
  const [first, second] = await allocateExamples(connection, pool, 2);
  const raw = join(first!, "..");
  const site = mkdtempSync(join(tmpdir(), "sm-site-"));
  const asProposer = pool.connect(proposer) as EpochRewards;
  for (const dir of [first!, second!]) {
    if ((await proposeEpoch(asProposer, dir)).status !== "done") throw new Error(`${dir} not proposed`);
  }
  await publish.run({ pool: await pool.getAddress(), publishRoot: site, artifactsRoot: raw }, testEnv(connection).env);
  await vetoEpoch(pool.connect(guardian) as EpochRewards, 1, "duplicate votes in the export");

  const input = mkdtempSync(join(tmpdir(), "sm-input-"));
  cpSync(join("examples", "epoch-1"), input, { recursive: true });
  const config = JSON.parse(readFileSync(join(input, "epoch.json"), "utf8"));
  writeFileSync(join(input, "epoch.json"), JSON.stringify({ ...config, pool: "9000000000000000000000" }));
  const fixed = join(raw, "epoch-1-fixed");
  const chainId = Number((await connection.ethers.provider.getNetwork()).chainId);
  allocateExport({ inputDir: input, outDir: fixed, overrides: { distributor: await pool.getAddress(), chainId } });
  if ((await proposeEpoch(asProposer, fixed)).status !== "done") throw new Error("the fix was not proposed");
  return { ...suite, raw, published: site, first: first!, second: second!, fixed };
}

/** The fixture, with its own copy of the publish root. */
async function layout() {
  const fixture = await networkHelpers.loadFixture(vetoedAndReproposed);
  return { ...fixture, site: copyOf(fixture.published) };
}

describe("tasks: sm:publish and the published layout", function () {
  it("publishes live roots to epochs/epoch-N; after a veto retires them and publishes the replacement, deleting nothing", async function () {
    const { pool, raw, site, first, second, fixed } = await layout();
    const address = await pool.getAddress();
    // Before the veto, the fixture published both epochs as they were proposed.
    const run = testEnv(connection);
    await publish.run({ pool: address, publishRoot: site, artifacts: fixed }, run.env);

    const retired1 = join("retired", `epoch-1-${prefix(first)}`);
    const retired2 = join("retired", `epoch-2-${prefix(second)}`);
    expect(readdirSync(join(site, "epochs"))).to.deep.equal(["epoch-1"]);
    expect(readdirSync(join(site, "retired")).sort()).to.deep.equal(
      [`epoch-1-${prefix(first)}`, `epoch-2-${prefix(second)}`].sort(),
    );
    expect(files(join(site, "epochs", "epoch-1"))).to.deep.equal(files(fixed));
    expect(files(join(site, retired1))).to.deep.equal(files(first));
    expect(files(join(site, retired2))).to.deep.equal(files(second));
    // The sources are never touched.
    expect(readdirSync(raw).sort()).to.deep.equal(["epoch-1", "epoch-1-fixed", "epoch-2"]);

    expect(run.lines[0]).to.equal(`publishing to ${site} as the pool ${address} on ${connection.networkName} says`);
    expect(run.lines).to.include(`moved epochs/epoch-1 to ${retired1}`);
    expect(run.lines).to.include(`copied ${fixed} to epochs/epoch-1`);
    expect(run.lines.find((l) => l.startsWith("epoch 1  retire "))).to.match(
      /\(root 0x[0-9a-f]{4}…[0-9a-f]{4}, vetoed by 0x[0-9a-fA-F]{40}: "duplicate votes in the export"\)$/,
    );
    expect(run.lines.find((l) => l.startsWith("epoch 1  publish "))).to.match(/, live on chain, Challenge\)$/);
    expect(run.lines.at(-1)).to.equal(`1 published, 2 retired, 0 kept, 0 left out (${site})`);

    // Again: nothing to do.
    const again = testEnv(connection);
    await publish.run({ pool: address, publishRoot: site, artifactsRoot: raw }, again.env);
    expect(again.lines.filter((l) => l.startsWith("moved") || l.startsWith("copied"))).to.deep.equal([]);
    expect(again.lines).to.include(
      `epoch 1  skip    ${first} (root 0x${prefix(first).slice(0, 4)}…${rootOf(first).slice(-4)}): already published as ${retired1}`,
    );
    expect(again.lines.at(-1)).to.equal(`0 published, 0 retired, 1 kept, 3 left out (${site})`);
  });

  it("leaves out a version not proposed yet and one never proposed, saying why", async function () {
    const { pool, site, fixed, raw } = await layout();
    const address = await pool.getAddress();
    // Epoch 2 was vetoed with epoch 1 and waits to be proposed again: a new version of it is pending.
    const pending = join(mkdtempSync(join(tmpdir(), "sm-pending-")), "epoch-2");
    cpSync(join(raw, "epoch-2"), pending, { recursive: true });
    const manifest = JSON.parse(readFileSync(join(pending, "manifest.json"), "utf8"));
    // Not a consistent directory, but publish reads only the manifest's epoch and root.
    writeFileSync(join(pending, "manifest.json"), JSON.stringify({ ...manifest, root: `0x${"ab".repeat(32)}` }));
    // A draft of epoch 1 that was never proposed: another root is live.
    const draft = join(mkdtempSync(join(tmpdir(), "sm-draft-")), "epoch-1");
    cpSync(fixed, draft, { recursive: true });
    const fixedManifest = JSON.parse(readFileSync(join(draft, "manifest.json"), "utf8"));
    writeFileSync(join(draft, "manifest.json"), JSON.stringify({ ...fixedManifest, root: `0x${"cd".repeat(32)}` }));
    const run = testEnv(connection);
    const artifacts = [fixed, pending, draft].join(",");
    await publish.run({ pool: address, publishRoot: site, artifacts, dryRun: true }, run.env);
    expect(run.lines).to.include(
      `epoch 2  skip    ${pending} (root 0xabab…abab): not proposed yet (epoch 2 is Vetoed): propose it (its uri may already be <base>/epochs/epoch-2/), then publish again`,
    );
    expect(run.lines).to.include(
      `epoch 1  skip    ${draft} (root 0xcdcd…cdcd): never proposed: the root of epoch 1 on chain is ${rootOf(fixed)}`,
    );
    expect(run.lines.at(-2)).to.equal(`1 would be published, 2 would be retired, 0 kept, 2 left out (${site})`);
    expect(run.lines.at(-1)).to.equal("dry run: nothing was copied or moved");
    expect(readdirSync(join(site, "epochs")).sort()).to.deep.equal(["epoch-1", "epoch-2"]);
    expect(existsSync(join(site, "retired"))).to.equal(false);
  });

  it("refuses, changing nothing, when a destination exists with other files or the publish root holds something else", async function () {
    const { pool, site, first, fixed } = await layout();
    const address = await pool.getAddress();
    mkdirSync(join(site, "retired", `epoch-1-${prefix(first)}`), { recursive: true });
    writeFileSync(join(site, "retired", `epoch-1-${prefix(first)}`, "note.txt"), "someone else's");
    mkdirSync(join(site, "epochs", "epoch-3"));
    const error = await caught(() =>
      publish.run({ pool: address, publishRoot: site, artifacts: fixed }, testEnv(connection).env),
    );
    expect(error).to.be.instanceOf(TaskError);
    expect(error.message).to.match(new RegExp(`^nothing was published or moved in ${site}:\\n`));
    expect(error.message).to.include(`${join(site, "epochs", "epoch-3")} is not an artifacts directory`);
    expect(error.message).to.include(
      `${join(site, "epochs", "epoch-1")} is no longer live but ${join(site, "retired", `epoch-1-${prefix(first)}`)} exists already: not moved`,
    );
    expect(files(join(site, "epochs", "epoch-1"))).to.deep.equal(files(first));
    expect(readdirSync(join(site, "retired"))).to.deep.equal([`epoch-1-${prefix(first)}`]);
  });
});

describe("tasks: sm:claim and sm:status follow the published layout", function () {
  it("sm:claim --artifacts-root of a folder with the vetoed epoch-1 and its replacement picks the one live on chain", async function () {
    const { pool, raw, fixed, first } = await layout();
    await networkHelpers.time.increaseTo((await pool.getEpoch(1)).claimableAt);
    const claims = JSON.parse(readFileSync(join(fixed, "claims.json"), "utf8")).claims as Record<string, unknown>;
    const account = Object.keys(claims)[0]!;
    const run = testEnv(connection);
    const result = await claim.run({ pool: await pool.getAddress(), artifactsRoot: raw, account }, run.env);
    expect(result.status).to.equal("done");
    expect(await pool.isClaimed(1, account)).to.equal(true);
    expect(run.lines[0]).to.match(
      new RegExp(
        `^epoch 1: ${fixed} \\(its root 0x[0-9a-f]{4}…[0-9a-f]{4} is the one on chain\\); left out ${first} \\(root `,
      ),
    );
    expect(run.lines).to.include("epoch 2: skipped, vetoed: it pays nothing");
  });

  it("sm:claim --artifacts-root of a publish root reads its epochs/ only", async function () {
    const { pool, site, fixed } = await layout();
    const address = await pool.getAddress();
    await publish.run({ pool: address, publishRoot: site, artifacts: fixed }, testEnv(connection).env);
    await networkHelpers.time.increaseTo((await pool.getEpoch(1)).claimableAt);
    const account = Object.keys(JSON.parse(readFileSync(join(fixed, "claims.json"), "utf8")).claims)[0]!;
    const run = testEnv(connection);
    expect((await claim.run({ pool: address, artifactsRoot: site, account }, run.env)).status).to.equal("done");
    expect(run.lines[0]).to.equal(`reading the published epochs of ${site}`);
    expect(selectArtifacts({ artifactsRoot: site }).sources.map((s) => s.dir)).to.deep.equal([
      join(site, "epochs", "epoch-1"),
    ]);
  });

  it("names the right option when the chain cannot pick, and when --artifacts names one epoch twice", async function () {
    const { pool, raw, first, fixed } = await layout();
    // A folder with the vetoed version and a draft that was never proposed, but not the live one.
    const folder = mkdtempSync(join(tmpdir(), "sm-drafts-"));
    cpSync(first, join(folder, "epoch-1"), { recursive: true });
    cpSync(join(raw, "epoch-2"), join(folder, "epoch-1-draft"), { recursive: true });
    const draft = join(folder, "epoch-1-draft");
    const manifest = JSON.parse(readFileSync(join(draft, "manifest.json"), "utf8"));
    writeFileSync(join(draft, "manifest.json"), JSON.stringify({ ...manifest, epoch: 1 }));
    const liveRoot = (await pool.getEpoch(1)).root;
    const error = await caught(() => liveArtifactDirs(pool, selectArtifacts({ artifactsRoot: folder })));
    expect(error.message).to.match(
      new RegExp(
        `^--artifacts-root ${folder}: epoch 1 has 2 directories \\(.*\\) and none holds root ${liveRoot}, the root on chain: publish that epoch's artifacts \\(sm:publish\\) or name the right directory with --artifacts$`,
      ),
    );
    expect(() => artifactDirs({ artifacts: `${first},${fixed}` })).to.throw(
      TaskError,
      `--artifacts: ${first} and ${fixed} are both epoch 1: name one directory per epoch (the one whose root is on chain), or pass --artifacts-root DIR to let the chain pick`,
    );
    expect(() => artifactDirs({ artifactsRoot: raw })).to.throw(
      TaskError,
      /^--artifacts-root .*: .* are both epoch 1: publish the epochs \(sm:publish\) or name one directory per epoch with --artifacts$/,
    );
  });

  it("sm:status --artifacts-root names the directory of each epoch's live root and of the vetoed ones", async function () {
    const { pool, site, fixed, second } = await layout();
    const address = await pool.getAddress();
    await publish.run({ pool: address, publishRoot: site, artifacts: fixed }, testEnv(connection).env);
    const run = testEnv(connection);
    await status.run({ pool: address, artifactsRoot: site }, run.env);
    const epoch1 = run.lines.indexOf("\nepoch 1: Challenge");
    const epoch2 = run.lines.indexOf("\nepoch 2: Vetoed");
    expect(epoch1).to.be.greaterThan(0);
    expect(run.lines.slice(epoch1, epoch2)).to.include(`  artifacts        ${join(site, "epochs", "epoch-1")}`);
    expect(run.lines.slice(epoch2)).to.include(
      `  vetoed version   ${join(site, "retired", `epoch-2-${prefix(second)}`)}`,
    );
  });
});
