// The keystore without a terminal (docs/tasks.md, Without a terminal): a task that needs a variable from Hardhat's
// production keystore and has no password to read stops with Node's "unsettled top-level await" and exit code 13;
// the same variables given as environment variables never open the keystore, and neither does a CI run. Each case
// runs the Hardhat CLI in a child process with its own configuration folder (XDG_CONFIG_HOME) holding a keystore.
import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { readConfigVariable } from "../../tasks/lib/connect.js";

const ROOT = resolve(import.meta.dirname, "../..");
const CLI = join(ROOT, "node_modules/hardhat/dist/src/cli.js");
const POOL = "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512";
/** What makes Hardhat detect CI, or a test: none may leak into the children. */
const DETECTED = ["CI", "GITHUB_ACTIONS", "NOW", "DEPLOYMENT_ID", "CODEBUILD_BUILD_NUMBER", "CONTINUOUS_INTEGRATION"];
const ALSO_UNSET = ["BUILD_NUMBER", "RUN_ID", "HH_TEST", "SEPOLIA_RPC_URL", "SEPOLIA_PRIVATE_KEY", "SM_GUARDIAN_KEY"];

/**
 * A production keystore holding SM_GUARDIAN_KEY, written with the keystore plugin's own encryption functions (they
 * are internal to the plugin: creating one with `keystore set` needs a terminal, which is the point).
 */
async function keystoreHome(): Promise<string> {
  const home = mkdtempSync(join(tmpdir(), "sm-keystore-"));
  const encryption = await import(
    pathToFileURL(
      join(ROOT, "node_modules/@nomicfoundation/hardhat-keystore/dist/src/internal/keystores/encryption.js"),
    ).href
  );
  const { masterKey, salt } = encryption.createMasterKey({ password: "correct horse battery" });
  const empty = encryption.createEmptyEncryptedKeystore({ masterKey, salt });
  const keystore = encryption.addSecretToKeystore({
    masterKey,
    encryptedKeystore: empty,
    key: "SM_GUARDIAN_KEY",
    value: `0x${"11".repeat(32)}`,
  });
  mkdirSync(join(home, "hardhat-nodejs"), { recursive: true });
  writeFileSync(join(home, "hardhat-nodejs", "keystore.json"), JSON.stringify(keystore));
  return home;
}

/** `npx hardhat sm:status --network sepolia` with stdin closed at once (a pipe with nothing in it). */
function statusOnSepolia(home: string, extra: Record<string, string>) {
  const env: NodeJS.ProcessEnv = { ...process.env, XDG_CONFIG_HOME: home, NO_COLOR: "1", ...extra };
  for (const name of [...DETECTED, ...ALSO_UNSET]) if (!(name in extra)) delete env[name];
  const run = spawnSync(process.execPath, [CLI, "sm:status", "--network", "sepolia", "--pool", POOL], {
    cwd: ROOT,
    env,
    input: "",
    encoding: "utf8",
    timeout: 120_000,
  });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe("tasks: the keystore without a terminal", function () {
  this.timeout(300_000);
  let home: string;
  before(async function () {
    home = await keystoreHome();
  });

  it("piped, with the keystore to open: Node's unsettled top-level await, exit code 13, nothing else", function () {
    const run = statusOnSepolia(home, {});
    expect(run.stdout).to.include("[hardhat-keystore] Enter the password:");
    expect(run.stderr).to.include("Warning: Detected unsettled top-level await");
    expect(run.code).to.equal(13);
  });

  it("with the variables in the environment: no password is asked, the task runs (here: no node to connect to)", function () {
    const run = statusOnSepolia(home, {
      SEPOLIA_RPC_URL: "http://127.0.0.1:9",
      SEPOLIA_PRIVATE_KEY: `0x${"22".repeat(32)}`,
    });
    expect(run.stdout).not.to.include("Enter the password");
    expect(run.stderr).not.to.include("unsettled top-level await");
    expect(run.stderr).to.include('Cannot connect to the network "sepolia"');
    expect(run.code).to.equal(1);
  });

  it("in CI: the keystore is never opened, a missing variable is named", function () {
    const run = statusOnSepolia(home, { CI: "true" });
    expect(run.stdout).not.to.include("Enter the password");
    expect(run.stderr).to.include('Configuration Variable "SEPOLIA_RPC_URL" not found');
    expect(run.code).to.equal(1);
  });

  it("a role key: the environment first, an empty one counts as unset, and neither asks the keystore", async function () {
    let asked = 0;
    const hre = {
      hooks: {
        runHandlerChain: async () => {
          asked++;
          return "";
        },
      },
    } as unknown as HardhatRuntimeEnvironment;
    const name = "SM_TEST_ROLE_KEY_FOR_THE_KEYSTORE_TEST";
    try {
      process.env[name] = ` 0x${"33".repeat(32)} `;
      expect(await readConfigVariable(hre, name)).to.equal(`0x${"33".repeat(32)}`);
      process.env[name] = "";
      expect(await readConfigVariable(hre, name)).to.equal(undefined);
      expect(asked).to.equal(0);
      delete process.env[name];
      expect(await readConfigVariable(hre, name)).to.equal(undefined);
      expect(asked).to.equal(1);
    } finally {
      delete process.env[name];
    }
  });
});
