// An epoch written by an earlier release of the same major version still proves: `verify` (and so
// `allocate --previous`) compares what the root and inputsHash commit to, and only the presentation files
// (report.md, excluded.csv) and the manifest's pipelineVersion may differ.
import { expect } from "chai";
import { cpSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { PIPELINE_VERSION, verifyArtifacts } from "../../scripts/lib/index.js";
import { cleanup, tempDir } from "./helpers.js";

const expected = fileURLToPath(new URL("./fixtures/epoch-1/expected/", import.meta.url));

/** A copy of the fixture epoch as an earlier release `version` of this major version wrote it. */
function writtenBy(dir: string, version: string): string {
  const out = join(dir, `epoch-1-${version}`);
  cpSync(expected, out, { recursive: true });
  rmSync(join(out, "excluded.csv"));
  writeFileSync(join(out, "report.md"), "# Epoch 1\n\nA report of an earlier release, worded otherwise.\n");
  const manifest = join(out, "manifest.json");
  const text = readFileSync(manifest, "utf8");
  const replaced = text.replace(
    `"pipelineVersion": ${JSON.stringify(PIPELINE_VERSION)}`,
    `"pipelineVersion": ${JSON.stringify(version)}`,
  );
  expect(replaced).to.not.equal(text);
  writeFileSync(manifest, replaced);
  return out;
}

describe("verify: epochs of an earlier release", function () {
  let dir: string;
  beforeEach(() => (dir = tempDir()));
  afterEach(() => cleanup(dir));

  it("proves an epoch written by an earlier release of the same major version", function () {
    const major = PIPELINE_VERSION.split(".")[0]!;
    const v = verifyArtifacts(writtenBy(dir, `${major}.0.0`));
    expect(v.differences).to.deep.equal([]);
    expect(v.ok).to.equal(true);
  });

  it("still refuses a changed allocation in such an epoch", function () {
    const major = PIPELINE_VERSION.split(".")[0]!;
    const out = writtenBy(dir, `${major}.0.0`);
    const file = join(out, "allocation.csv");
    const lines = readFileSync(file, "utf8").split("\n");
    lines[1] = lines[1]!.replace(/,(\d)/, ",9$1");
    writeFileSync(file, lines.join("\n"));
    const v = verifyArtifacts(out);
    expect(v.ok).to.equal(false);
    expect(v.differences.map((d) => d.file)).to.include("allocation.csv");
  });

  it("requires this release's presentation files from an epoch that says this release wrote it", function () {
    const out = join(dir, "current");
    cpSync(expected, out, { recursive: true });
    rmSync(join(out, "excluded.csv"));
    const v = verifyArtifacts(out);
    expect(v.ok).to.equal(false);
    expect(v.differences).to.deep.include({ file: "excluded.csv", reason: "missing" });
  });
});
