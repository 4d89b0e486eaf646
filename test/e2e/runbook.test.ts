// docs/runbook.md §10, "Rehearsal on a local node", walked on a REAL `hardhat node --hostname 127.0.0.1` (on a free
// port): every command of every `sh {runbook=<step>}` block, read from the runbook and run as written, in order, by
// bash from the repository's root — the Ignition deployment with each role on its own account, sm:roles, fund,
// allocate, propose, publish, veto, re-propose, claim, pause and unpause, recover a soul, the next epoch with
// `--previous` and `--recoveries`, the two-step admin handover, expiry and sweep. Between steps only the node's
// JSON-RPC moves time (`evm_increaseTime`, `evm_mine`), as the runbook's curl lines say. Each step's exit code and
// key output are checked below under the step's name; the runbook's steps and this file's checks must be the same
// list, so the two cannot drift; and every `sm:*` and `social-mining` command the runbook names anywhere (the Sepolia
// ones included) must be a task or CLI command with the options it passes. The test writes only to a temporary folder
// and to its own Ignition deployment (removed afterwards), and stops its node.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, rmdirSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, dirname, join, resolve } from "node:path";
import { expect } from "chai";
import { getAddress, isAddress, Wallet } from "ethers";
import { smTasks } from "../../tasks/index.js";
import { readSafeBatch } from "../../tasks/lib/safe.js";
import {
  exportedName,
  jsonRpcCall,
  parseRunbook,
  shellCommands,
  variablesRead,
  type RunbookStep,
} from "../support/runbook.js";
import { startHardhatNode, type HardhatNode } from "../utils/hardhat-node.js";

const ROOT = resolve(import.meta.dirname, "../..");
const RUNBOOK = join(ROOT, "docs/runbook.md");
const runbook = parseRunbook(readFileSync(RUNBOOK, "utf8"));

/** Upper bound of the whole walk: the node is killed by then whatever happens. */
const DEADLINE_MS = 40 * 60_000;
/** One command (the deployment may have to compile when the contracts changed since the tests' build). */
const COMMAND_TIMEOUT_MS = 8 * 60_000;
/** The variables of `sh {runbook-vars}` whose values depend on the machine: the test sets its own. */
const ENVIRONMENT_VARIABLES = ["SM_LOCALHOST_PORT", "NODE_URL", "WORK", "DEPLOYMENT_ID"] as const;
/** The waits of the runbook: the only JSON-RPC calls it makes by hand. */
const TIME_TRAVEL = new Set(["evm_increaseTime", "evm_mine"]);
/** Hardhat's global options a runbook command may pass to a task. */
const GLOBAL_OPTIONS = new Set(["--network", "--build-profile", "--config", "--show-stack-traces", "--verbosity"]);

interface CommandResult {
  command: string;
  code: number | null;
  stdout: string;
  stderr: string;
}

/** What a step's check gets: each command's result and the rehearsal's variables as they are after the step. */
interface StepRun {
  results: CommandResult[];
  vars: Record<string, string>;
}

/** A free TCP port on 127.0.0.1 (the node's; `startHardhatNode` checks that OUR node answers on it). */
function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.once("error", fail);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? ok(address.port) : fail(new Error("no port"))));
    });
  });
}

/** The accounts `hardhat node` prints: `Account #N: 0x… (10000 ETH)` then `Private Key: 0x…`. */
function nodeAccounts(output: string): { address: string; key: string }[] {
  const accounts: { address: string; key: string }[] = [];
  for (const m of output.matchAll(
    /Account #(\d+):\s+(0x[0-9a-fA-F]{40})[^\n]*\r?\nPrivate Key:\s+(0x[0-9a-fA-F]{64})/g,
  )) {
    accounts[Number(m[1])] = { address: getAddress(m[2]!), key: m[3]! };
  }
  return accounts;
}

/** The node's accounts once it has printed all 20 (it prints them right after its banner). */
async function printedAccounts(node: HardhatNode): Promise<{ address: string; key: string }[]> {
  for (let waited = 0; waited < 30_000; waited += 100) {
    const accounts = nodeAccounts(node.output());
    if (accounts.filter(Boolean).length === 20) return accounts;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`hardhat node did not print its 20 accounts:\n${node.output()}`);
}

/** The environment of every command: the rehearsal's variables, no colours, Node 22 and the project's bins first. */
function commandEnv(vars: Record<string, string>): NodeJS.ProcessEnv {
  const path = [join(ROOT, "node_modules/.bin"), dirname(process.execPath), process.env.PATH ?? ""].join(delimiter);
  return { ...process.env, FORCE_COLOR: "0", NO_COLOR: "1", ...vars, PATH: path };
}

/** Runs one command line with bash from the repository's root; kills its whole process group on timeout. */
function runShell(command: string, vars: Record<string, string>): Promise<CommandResult> {
  return new Promise((done) => {
    const child = spawn("bash", ["-c", command], {
      cwd: ROOT,
      env: commandEnv(vars),
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    const timer = setTimeout(() => {
      stderr += `\n(killed after ${COMMAND_TIMEOUT_MS / 1000} s)`;
      try {
        if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
      } catch {
        // already gone
      }
    }, COMMAND_TIMEOUT_MS);
    child.once("close", (code) => {
      clearTimeout(timer);
      done({ command, code, stdout, stderr });
    });
  });
}

/** The JSON-RPC request of a runbook's curl line, sent by the test itself (the same request). */
async function sendJsonRpc(command: string, url: string): Promise<CommandResult> {
  const call = jsonRpcCall(command)!;
  expect(TIME_TRAVEL.has(call.method), `the runbook may only move the node's clock, not ${call.method}`).to.equal(true);
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: call.body,
  });
  const body = (await response.json()) as { result?: unknown; error?: { message: string } };
  return {
    command,
    code: body.error === undefined ? 0 : 1,
    stdout: JSON.stringify(body),
    stderr: body.error?.message ?? "",
  };
}

/** Both streams of a command, for matching and for the message of a failed check. */
const output = (r: CommandResult) => `${r.stdout}${r.stderr}`;

/** Every output of a step, each under its command: the context of a failed check. */
const transcript = (run: StepRun) =>
  run.results.map((r) => `$ ${r.command}\n(exit ${r.code})\n${output(r)}`).join("\n");

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** A value printed on a labelled line: `root        0x…` → `0x…`. */
function field(text: string, label: string): string {
  const match = new RegExp(`^\\s*${escape(label)}\\s+(\\S+)`, "m").exec(text);
  if (!match) throw new Error(`no "${label}" line in:\n${text}`);
  return match[1]!;
}

/** An account's row of an artifacts directory's reputation.csv (0 without one). */
function reputationOf(dir: string, account: string): bigint {
  const rows = readFileSync(join(dir, "reputation.csv"), "utf8").trim().split("\n").slice(1);
  const row = rows.map((r) => r.split(",")).find(([a]) => a!.toLowerCase() === account.toLowerCase());
  return row ? BigInt(row[1]!) : 0n;
}

const manifestRoot = (dir: string) =>
  (JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) as { root: string }).root;

/** What earlier steps printed or wrote, for the checks of later ones. */
const seen: { cutRoot?: string; fixedRoot?: string; expiryBeforePause?: number; admin0?: string } = {};

/**
 * The checks of each step, in the runbook's order, beyond its exit code: what the step must print and leave. The
 * keys must be exactly the runbook's steps.
 */
const CHECKS: Record<string, (run: StepRun) => void> = {
  deploy({ results: [deploy, pool, roles], vars }) {
    expect(output(deploy!)).to.include("[ LocalSuite ] successfully deployed");
    expect(isAddress(vars.POOL ?? ""), `POOL is ${vars.POOL}`).to.equal(true);
    expect(output(deploy!)).to.include(`LocalSuite#EpochRewards - ${vars.POOL}`);
    expect(pool!.stdout).to.equal(vars.POOL);
    const holder = (key: string) => new Wallet(vars[key]!).address;
    seen.admin0 = holder("SM_ADMIN_KEY");
    const text = output(roles!);
    expect(field(text, "default admin")).to.equal(seen.admin0);
    expect(text).to.match(/^pending admin\s+none$/m);
    expect(text).to.match(new RegExp(`^DEFAULT_ADMIN_ROLE\\s+${seen.admin0}$`, "m"));
    expect(text).to.match(new RegExp(`^PROPOSER_ROLE\\s+${holder("SM_PROPOSER_KEY")}$`, "m"));
    expect(text).to.match(new RegExp(`^GUARDIAN_ROLE\\s+${holder("SM_GUARDIAN_KEY")}$`, "m"));
    expect(text).to.match(new RegExp(`^RECOVERY_ROLE\\s+${holder("SM_RECOVERY_KEY")}$`, "m"));
    // Four different accounts.
    expect(new Set(["ADMIN", "PROPOSER", "GUARDIAN", "RECOVERY"].map((r) => holder(`SM_${r}_KEY`))).size).to.equal(4);
  },
  fund({ results: [fund] }) {
    expect(output(fund!)).to.include("credited 30000000000000000000000 (30000.0 SMT)");
  },
  allocate({ results: [, allocate, verify], vars }) {
    const out = join(vars.WORK!, "out/epoch-1");
    expect(output(allocate!)).to.match(/^epoch 1: \d+ leaves, 10,000 tokens$/m);
    expect(field(output(allocate!), "artifacts")).to.equal(out);
    seen.cutRoot = field(output(allocate!), "root");
    expect(readFileSync(join(out, "report.md"), "utf8")).to.match(/^\| votes\.csv \| 99 \|/m);
    expect(output(verify!)).to.match(new RegExp(`^ok: epoch 1, \\d+ files identical, root ${seen.cutRoot}$`, "m"));
  },
  propose({ results: [propose, publish], vars }) {
    expect(output(propose!)).to.include("SM_PROPOSER_KEY: holds PROPOSER_ROLE");
    expect(output(propose!)).to.include(`proposed epoch 1 root ${seen.cutRoot}`);
    expect(output(publish!)).to.include("1 published, 0 retired");
    expect(manifestRoot(join(vars.WORK!, "site/epochs/epoch-1"))).to.equal(seen.cutRoot);
  },
  watch({ results: [status, verify], vars }) {
    expect(output(status!)).to.match(/^epoch 1: Challenge$/m);
    expect(field(output(status!), "artifacts")).to.equal(join(vars.WORK!, "site/epochs/epoch-1"));
    expect(output(verify!)).to.match(/^epoch 1\s+ok\s/m);
    expect(output(verify!)).to.match(/^ok: epochs 1\.\.1 /m);
  },
  veto({ results: [veto, publish], vars }) {
    expect(output(veto!)).to.include("SM_GUARDIAN_KEY: holds GUARDIAN_ROLE");
    expect(output(veto!)).to.include(`vetoed epoch 1 (root ${seen.cutRoot})`);
    expect(output(publish!)).to.include("0 published, 1 retired");
    const site = join(vars.WORK!, "site");
    expect(readdirSync(join(site, "retired"))).to.deep.equal([`epoch-1-${seen.cutRoot!.slice(2, 10)}`]);
    expect(existsSync(join(site, "epochs/epoch-1"))).to.equal(false);
  },
  repropose({ results: [allocate, propose, publish], vars }) {
    seen.fixedRoot = field(output(allocate!), "root");
    expect(seen.fixedRoot).to.not.equal(seen.cutRoot);
    expect(output(propose!)).to.include(`proposed epoch 1 root ${seen.fixedRoot}`);
    expect(output(publish!)).to.include("1 published, 0 retired");
    expect(manifestRoot(join(vars.WORK!, "site/epochs/epoch-1"))).to.equal(seen.fixedRoot);
  },
  "wait-challenge-1"() {},
  claim({ results: [status, proof, own, forLost, reputation], vars }) {
    const text = output(status!);
    expect(text).to.match(/^epoch 1: Claimable$/m);
    expect(field(text, "root")).to.equal(seen.fixedRoot);
    expect(field(text, "artifacts")).to.equal(join(vars.WORK!, "site/epochs/epoch-1"));
    seen.expiryBeforePause = Date.parse(field(text, "expiresAt"));
    expect(output(proof!)).to.include(vars.CONTRIBUTOR!);
    expect(output(proof!)).to.include(seen.fixedRoot!);
    expect(output(own!)).to.match(new RegExp(`${vars.CONTRIBUTOR}, account 5 of network localhost: no role needed`));
    expect(output(own!)).to.include(`claimed epoch 1 for ${vars.CONTRIBUTOR} in one claimMany`);
    expect(output(forLost!)).to.include(`claimed epoch 1 for ${vars.LOST} in one claimMany`);
    const expected = reputationOf(join(vars.WORK!, "site/epochs/epoch-1"), vars.CONTRIBUTOR!);
    expect(expected > 0n).to.equal(true);
    expect(field(output(reputation!), "score now")).to.equal(String(expected));
  },
  pause({ results: [pause] }) {
    expect(output(pause!)).to.include("SM_GUARDIAN_KEY: holds GUARDIAN_ROLE");
    expect(output(pause!)).to.include("paused the pool");
  },
  "paused-claim"({ results: [claim] }) {
    expect(claim!.stderr).to.include("the pool is paused");
    expect(output(claim!)).to.not.include("sent claimMany");
  },
  "wait-paused"() {},
  unpause({ results: [unpause] }) {
    const moved = /unpaused the pool: epoch 1 expires at (\S+Z)/.exec(output(unpause!));
    expect(moved, output(unpause!)).to.not.equal(null);
    const delay = (Date.parse(moved![1]!) - seen.expiryBeforePause!) / 1000;
    expect(delay).to.be.within(3600, 3600 + 120);
  },
  recover({ results: [recover, next, lost], vars }) {
    expect(output(recover!)).to.include("SM_RECOVERY_KEY: holds RECOVERY_ROLE");
    expect(output(recover!)).to.include(`recovered the soul of ${vars.LOST} to ${vars.NEW}`);
    expect(output(recover!)).to.include("barrier epoch 1");
    expect(output(next!)).to.include(`recovered from ${vars.LOST}`);
    expect(output(lost!)).to.match(/^recovered away\s+yes/m);
  },
  "next-epoch"({ results: [, allocate, propose, publish, verify], vars }) {
    expect(output(allocate!)).to.include(`previous    epoch 1, root ${seen.fixedRoot}: proven`);
    expect(output(allocate!)).to.include("recoveries  1 applied in this epoch");
    const out = join(vars.WORK!, "out/epoch-2");
    expect(reputationOf(out, vars.LOST!)).to.equal(0n);
    expect(reputationOf(out, vars.NEW!) > 0n).to.equal(true);
    expect(output(propose!)).to.include("proposed epoch 2 root");
    expect(output(publish!)).to.include("1 published, 0 retired");
    expect(output(verify!)).to.match(/^ok: epochs 1\.\.2 /m);
  },
  "wait-challenge-2"() {},
  "claim-recovered"({ results: [claim, reputation], vars }) {
    expect(output(claim!)).to.include(`claimed epoch 2 for ${vars.NEW} in one claimMany`);
    const expected = reputationOf(join(vars.WORK!, "site/epochs/epoch-2"), vars.NEW!);
    expect(field(output(reputation!), "score now")).to.equal(String(expected));
  },
  "admin-begin"({ results: [begin, roles], vars }) {
    expect(output(begin!)).to.include("SM_ADMIN_KEY: holds DEFAULT_ADMIN_ROLE");
    expect(output(begin!)).to.include(`admin transfer to ${vars.DAO} begun`);
    expect(output(roles!)).to.match(new RegExp(`^pending admin\\s+${vars.DAO}, may accept from `, "m"));
  },
  "admin-accept-early"({ results: [accept] }) {
    expect(accept!.stderr).to.match(/may be accepted from .*not before/);
  },
  "wait-admin-delay"() {},
  "admin-accept"({ results: [batch, accept, roles], vars }) {
    expect(output(batch!)).to.include("nothing was sent");
    const file = readSafeBatch(join(vars.WORK!, "accept-admin.json"));
    expect(file.meta.createdFromSafeAddress).to.equal(vars.DAO);
    expect(file.transactions.map((t) => [t.to, t.data])).to.deep.equal([[vars.POOL, "0xcefc1429"]]);
    expect(output(accept!)).to.include(`${vars.DAO} is now the default admin`);
    const text = output(roles!);
    expect(field(text, "default admin")).to.equal(vars.DAO);
    expect(text).to.match(/^pending admin\s+none$/m);
    expect(text).to.include(`formerly: ${seen.admin0}`);
  },
  "wait-expiry"() {},
  sweep({ results: [sweep, status, withdraw], vars }) {
    expect(output(sweep!)).to.include("swept epoch 1:");
    expect(output(status!)).to.match(/^epoch 1: Swept$/m);
    expect(output(withdraw!)).to.include(`${vars.DAO}, account 4 of network localhost: holds DEFAULT_ADMIN_ROLE`);
    expect(output(withdraw!)).to.include(`withdrew 1000000000000000000000 (1000.0 SMT) to ${vars.DAO}`);
  },
};

describe("docs/runbook.md: the local rehearsal, run as written on a real hardhat node", function () {
  this.timeout(DEADLINE_MS);
  let node: HardhatNode | undefined;
  let work: string | undefined;
  const deploymentId = `runbook-${process.pid}-${Date.now()}`;
  const deploymentDir = join(ROOT, "deploy/deployments", deploymentId);
  const vars: Record<string, string> = {};
  let failed: string | undefined;

  before(async function () {
    const port = await freePort();
    node = await startHardhatNode({ port, startupTimeoutMs: 120_000, deadlineMs: DEADLINE_MS });
    work = mkdtempSync(join(tmpdir(), "sm-runbook-"));
    const accounts = await printedAccounts(node);
    const own: Record<(typeof ENVIRONMENT_VARIABLES)[number], string> = {
      SM_LOCALHOST_PORT: String(port),
      NODE_URL: node.url,
      WORK: work,
      DEPLOYMENT_ID: deploymentId,
    };
    for (const v of runbook.variables) {
      const key = /^<Private Key of Account #(\d+)>$/.exec(v.value);
      const account = /Account #(\d+)/.exec(v.comment);
      if (v.name in own) vars[v.name] = own[v.name as keyof typeof own];
      else if (key) vars[v.name] = accounts[Number(key[1])]!.key;
      else {
        expect(
          isAddress(v.value),
          `runbook line ${v.line}: ${v.name} is neither a placeholder nor an address`,
        ).to.equal(true);
        if (account) {
          expect(v.value, `runbook line ${v.line}: ${v.name} is not Account #${account[1]}`).to.equal(
            accounts[Number(account[1])]!.address,
          );
        }
        vars[v.name] = v.value;
      }
    }
  });

  after(async function () {
    await node?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
    rmSync(deploymentDir, { recursive: true, force: true });
    // deploy/deployments holds only gitignored local journals when it exists at all: leave none of ours.
    try {
      rmdirSync(dirname(deploymentDir));
    } catch {
      // not empty: other journals are there
    }
  });

  it("defines every variable its commands read, and its steps are exactly those checked here", function () {
    const names = runbook.variables.map((v) => v.name);
    expect(names).to.include.members([...ENVIRONMENT_VARIABLES]);
    expect(runbook.steps.map((s) => s.name)).to.deep.equal(Object.keys(CHECKS));
    const defined = new Set(names);
    for (const step of runbook.steps) {
      for (const command of step.commands) {
        for (const name of variablesRead(command.text)) {
          expect(defined.has(name), `runbook line ${command.line}: $${name} is not defined before it is read`).to.equal(
            true,
          );
        }
        const exported = exportedName(command.text);
        if (exported) defined.add(exported);
        // The rehearsal never reaches past the local node.
        expect(command.text, `runbook line ${command.line}`).to.not.match(/sepolia|--yes/);
        if (/^npx hardhat /.test(command.text) && !/^npx hardhat ignition status /.test(command.text)) {
          expect(command.text, `runbook line ${command.line}`).to.include("--network localhost");
        }
        jsonRpcCall(command.text); // a curl line must be a JSON-RPC call to $NODE_URL
      }
    }
  });

  it("names only tasks and CLI commands that exist, with options they take", function () {
    const taskOptions = new Map(
      smTasks.map((t) => [
        t.id.join(":"),
        new Set(Object.keys(t.options).map((o) => `--${o.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`)),
      ]),
    );
    const cliOptions = new Map(
      ["allocate", "verify", "proof"].map((command) => {
        const help = spawnSync(process.execPath, [join(ROOT, "bin/social-mining.js"), command, "--help"], {
          cwd: ROOT,
          encoding: "utf8",
        });
        return [command, new Set(help.stdout.match(/--[a-z][a-z-]*/g))];
      }),
    );
    const code = [
      ...runbook.blocks.filter((b) => /^sh\b/.test(b.info)).flatMap((b) => shellCommands(b).map((c) => c.text)),
      ...runbook.inlineCode,
    ];
    let checked = 0;
    for (const text of code) {
      for (const m of text.matchAll(/\b(sm:[a-z][a-z-]*)([^#]*)/g)) {
        const options = taskOptions.get(m[1]!);
        expect(options, `docs/runbook.md names ${m[1]}, which is not a task: ${text}`).to.not.equal(undefined);
        for (const flag of m[2]!.match(/(?<=^|\s)--[a-z][a-z-]*/g) ?? []) {
          expect(options!.has(flag) || GLOBAL_OPTIONS.has(flag), `${m[1]} has no option ${flag}: ${text}`).to.equal(
            true,
          );
        }
        checked++;
      }
      for (const m of text.matchAll(/\bsocial-mining (allocate|verify|proof)\b([^#]*)/g)) {
        for (const flag of m[2]!.match(/(?<=^|\s)--[a-z][a-z-]*/g) ?? []) {
          expect(cliOptions.get(m[1]!)!.has(flag), `social-mining ${m[1]} has no option ${flag}: ${text}`).to.equal(
            true,
          );
        }
        checked++;
      }
    }
    expect(checked).to.be.greaterThan(50);
  });

  for (const step of runbook.steps) {
    it(`step ${step.name} (docs/runbook.md line ${step.line}): ${step.commands.length} command(s)`, async function () {
      if (failed) this.skip();
      failed = step.name;
      const run = await runStep(step);
      try {
        CHECKS[step.name]!(run);
      } catch (error) {
        throw new Error(`step ${step.name}: ${(error as Error).message}\n${transcript(run)}`, { cause: error });
      }
      failed = undefined;
    });
  }

  /** Runs a step's commands in order; each must end with the step's exit code. */
  async function runStep(step: RunbookStep): Promise<StepRun> {
    const run: StepRun = { results: [], vars };
    for (const command of step.commands) {
      const exported = exportedName(command.text);
      let result: CommandResult;
      if (jsonRpcCall(command.text)) {
        result = await sendJsonRpc(command.text, vars.NODE_URL!);
      } else if (exported) {
        // The line as bash runs it, then the value it set: the only thing on stdout (a $(…) captures its own).
        result = { ...(await runShell(`${command.text}\nprintf '%s' "$${exported}"`, vars)), command: command.text };
        vars[exported] = result.stdout;
        expect(
          result.stdout,
          `runbook line ${command.line} set ${exported} to nothing:\n${output(result)}`,
        ).to.not.equal("");
      } else {
        result = await runShell(command.text, vars);
      }
      run.results.push(result);
      expect(result.code, `runbook line ${command.line} exited with ${result.code}:\n${transcript(run)}`).to.equal(
        step.exit,
      );
    }
    return run;
  }
});
