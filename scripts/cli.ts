/**
 * `social-mining`: the epoch pipeline's command line (docs/cli.md). A thin layer: it parses
 * arguments, calls scripts/lib and maps errors to exit codes. It never imports Hardhat.
 */
import { basename } from "node:path";
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import cliProgress from "cli-progress";
import {
  allocateEpoch,
  ExitCode,
  InputError,
  InputErrors,
  parseAddress,
  PipelineError,
  UsageError,
  verifyArtifacts,
  writeArtifacts,
  formatUnits,
  PIPELINE_VERSION,
  type ProgressListener,
} from "./lib/index.js";
import { readVerifiedClaim } from "./lib/claim.js";
import { checkOutput, recoverOutput, type ProtectedPath } from "./lib/output.js";
import { checkOnChain, type ChainReport } from "./lib/chain.js";
import { verifyHistory, type EpochCheck } from "./lib/history.js";
import { manifestRecoveries } from "./lib/recoveries.js";
import { verifyResultOf } from "./lib/verify.js";
import { addServeCommand } from "../collector/cli.js";

function print(json: boolean, data: unknown, text: string): void {
  process.stdout.write(json ? JSON.stringify(data, null, 2) + "\n" : text + "\n");
}

/** A progress bar on stderr for long steps, only when stdout is a terminal and output is not JSON. */
function progressBar(json: boolean): {
  listener?: ProgressListener;
  stop: () => void;
} {
  if (json || !process.stdout.isTTY) return { stop: () => {} };
  const bars = new Map<string, cliProgress.SingleBar>();
  const listener: ProgressListener = (step, done, total) => {
    let bar = bars.get(step);
    if (!bar) {
      bar = new cliProgress.SingleBar(
        {
          format: `${step.padEnd(6)} [{bar}] {percentage}% | {value}/{total}`,
          hideCursor: true,
          clearOnComplete: true,
        },
        cliProgress.Presets.shades_classic,
      );
      bar.start(total, done);
      bars.set(step, bar);
    }
    bar.update(done);
    if (done >= total) bar.stop();
  };
  return { listener, stop: () => bars.forEach((b) => b.stop()) };
}

function parseChainId(value: string): number {
  if (!/^[0-9]+$/.test(value) || !Number.isSafeInteger(Number(value))) throw new InvalidArgumentError("not a chain id");
  return Number(value);
}

function parseAccount(value: string): string {
  const parsed = parseAddress(value);
  if (!parsed.ok) throw new InvalidArgumentError(parsed.reason);
  return value;
}

function parseRoot(value: string): string {
  if (!/^0x[0-9a-fA-F]{64}$/.test(value)) {
    throw new InvalidArgumentError(`${JSON.stringify(value)} is not a root (0x followed by 64 hex digits)`);
  }
  return value;
}

/** An error of the operating system about a path (ENOENT, EACCES, ENOTDIR…): an I/O error, not a bug. */
function isSystemError(error: unknown): error is NodeJS.ErrnoException {
  const e = error as NodeJS.ErrnoException;
  return error instanceof Error && typeof e.code === "string" && typeof e.syscall === "string";
}

function inputErrorJson(error: InputError): Record<string, unknown> {
  return {
    name: error.name,
    message: error.message,
    file: error.file,
    row: error.row,
    line: error.line,
    column: error.column,
    reason: error.reason,
  };
}

function errorJson(error: unknown): Record<string, unknown> {
  if (error instanceof InputErrors) {
    return { ...inputErrorJson(error), errors: error.errors.map(inputErrorJson), more: error.more };
  }
  if (error instanceof InputError) return inputErrorJson(error);
  const e = error as Error;
  if (isSystemError(error)) return { name: e.name, message: e.message, code: error.code };
  return { name: e.name, message: e.message };
}

function printError(json: boolean, exitCode: number, error: unknown): void {
  if (json) {
    process.stdout.write(JSON.stringify({ ok: false, exitCode, error: errorJson(error) }, null, 2) + "\n");
  } else {
    const lines = (error as Error).message.split("\n");
    process.stderr.write(lines.map((line) => `error: ${line}\n`).join(""));
  }
}

/**
 * What was cleaned up after interrupted runs, and leftovers that could not be identified, on stderr
 * as they happen (the JSON document of `allocate` lists them too).
 */
function notes(cleaned: readonly string[], leftovers: readonly string[]): void {
  for (const line of cleaned) process.stderr.write(`note: ${line}\n`);
  for (const path of leftovers) {
    process.stderr.write(
      `warning: ${path} looks like what an interrupted run leaves, but no lock file names it: ` +
        `remove it if no run is writing there\n`,
    );
  }
}

/** Runs the CLI with `argv` (without the node and script paths) and returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  let exitCode: number = ExitCode.Ok;
  let json = argv.includes("--json");
  // With --json, stdout carries one JSON document, also for a usage error: commander prints nothing.
  const program = new Command("social-mining")
    .description("Social Mining epoch pipeline: allocate an epoch, verify artifacts, print a claim.")
    .version(PIPELINE_VERSION)
    .exitOverride()
    .showHelpAfterError(!json)
    .configureOutput({
      writeErr: (s) => {
        if (!json) process.stderr.write(s);
      },
      outputError: (s, write) => {
        if (!json) write(s);
      },
    });

  program
    .command("allocate")
    .description("validate the inputs, split the pool, build the Merkle tree and write the artifacts")
    .requiredOption("--works <file>", "works export (CSV with header, or .json array)")
    .requiredOption("--votes <file>", "votes export (CSV with header, or .json array)")
    .option("--teams <file>", "teams (team,member,share_bps)")
    .requiredOption("--config <file>", "epoch.json")
    .option("--previous <dir>", "the previous epoch's artifacts directory (prior reputation), proven before use")
    .option("--recoveries <file>", "soul recoveries made on chain since the previous epoch (lost,new)")
    .requiredOption("--out <dir>", "artifacts directory to create")
    .option("--force", "replace --out if it exists", false)
    .option("--distributor <address>", "override epoch.json distributor")
    .addOption(new Option("--chain-id <id>", "override epoch.json chainId").argParser(parseChainId))
    .option("--json", "machine-readable output", false)
    .action((o) => {
      json = o.json;
      const protect: ProtectedPath[] = [
        { path: o.works, what: "--works" },
        { path: o.votes, what: "--votes" },
        ...(o.teams === undefined ? [] : [{ path: o.teams, what: "--teams" }]),
        { path: o.config, what: "--config" },
        ...(o.previous === undefined ? [] : [{ path: o.previous, what: "--previous" }]),
        ...(o.recoveries === undefined ? [] : [{ path: o.recoveries, what: "--recoveries" }]),
      ];
      // Before the long part: clean up after interrupted runs, refuse a bad --out (writeArtifacts
      // does both again, under the lock).
      const recovered = recoverOutput(o.out);
      const cleaned = [...recovered.cleaned];
      const leftovers = new Set(recovered.leftovers);
      notes(recovered.cleaned, recovered.leftovers);
      checkOutput(o.out, { force: o.force, protect });
      const progress = progressBar(json);
      try {
        const result = allocateEpoch({
          works: o.works,
          votes: o.votes,
          teams: o.teams,
          config: o.config,
          previous: o.previous,
          recoveries: o.recoveries,
          overrides: { distributor: o.distributor, chainId: o.chainId },
          onProgress: progress.listener,
        });
        const written = writeArtifacts(o.out, result, {
          force: o.force,
          protect,
          onProgress: progress.listener,
        });
        progress.stop();
        notes(
          written.cleaned,
          written.leftovers.filter((path) => !leftovers.has(path)),
        );
        cleaned.push(...written.cleaned);
        for (const path of written.leftovers) leftovers.add(path);
        const replaced = written.replaced;
        const excluded = result.excluded.length;
        const read = result.counts.reduce((s, c) => s + c.read, 0);
        const recovered = result.recoveries.filter((r) => r.epoch === result.config.epoch);
        print(
          json,
          {
            ok: true,
            out: o.out,
            epoch: result.config.epoch,
            root: result.root,
            total: result.total.toString(),
            leafCount: result.accounts.length,
            reputationTotal: result.reputationTotal.toString(),
            inputsHash: result.inputsHash,
            previous: result.previous,
            recoveries: manifestRecoveries(recovered),
            counts: result.counts,
            excluded,
            replaced: replaced && { epoch: replaced.epoch, root: replaced.root },
            cleaned,
            leftovers: [...leftovers],
          },
          [
            `epoch ${result.config.epoch}: ${result.accounts.length} leaves, ${formatUnits(result.total, result.config.tokenDecimals)} tokens`,
            `root        ${result.root}`,
            `inputsHash  ${result.inputsHash}`,
            `reputation  ${result.reputationTotal} in total over ${result.reputation.length} accounts (reputation.csv)`,
            `rows        ${read} read, ${read - excluded} accepted, ${excluded} excluded (see excluded.csv and report.md)`,
            ...(result.previous
              ? [
                  `previous    epoch ${result.previous.epoch}, root ${result.previous.root}: proven (${result.previous.epoch === 1 ? "epoch 1" : `epochs 1..${result.previous.epoch}`} recomputed and chained)`,
                ]
              : []),
            ...(o.recoveries !== undefined || result.recoveries.length > 0
              ? [
                  `recoveries  ${recovered.length} applied in this epoch, ${result.recoveries.length - recovered.length} before (see report.md)`,
                ]
              : []),
            `artifacts   ${o.out}`,
            ...(replaced
              ? [`replaced    ${o.out} of epoch ${replaced.epoch ?? "?"}, root ${replaced.root ?? "?"}`]
              : []),
          ].join("\n"),
        );
      } finally {
        progress.stop();
      }
    });

  program
    .command("verify")
    .description(
      "recompute the artifacts from their recorded inputs, compare them byte for byte and prove the prior reputation from the previous epochs",
    )
    .argument("[dir]", "artifacts directory")
    .option("--root <root>", "root expected (e.g. the one on-chain)", parseRoot)
    .option("--previous <dir>", "the previous epoch's artifacts directory (default: found next to DIR)")
    .option("--history <root>", "verify every epoch-<N> directory of ROOT, from epoch 1, chained")
    .option("--rpc <url>", "JSON-RPC node: check every epoch against the pool on chain (with --pool)")
    .option("--pool <address>", "the pool's address (with --rpc)", parseAccount)
    .option("--json", "machine-readable output", false)
    .action(async (dir: string | undefined, o) => {
      json = o.json;
      if ((dir === undefined) === (o.history === undefined)) {
        throw new UsageError("verify takes an artifacts directory DIR or --history ROOT, one of them");
      }
      if (o.history !== undefined && (o.root !== undefined || o.previous !== undefined)) {
        throw new UsageError("--root and --previous check one directory: with --history, use --rpc and --pool");
      }
      if ((o.rpc === undefined) !== (o.pool === undefined)) throw new UsageError("--rpc and --pool go together");
      const chainOptions = o.rpc === undefined ? undefined : { rpc: o.rpc as string, pool: o.pool as string };
      const chainLine = (report: ChainReport, epochs: readonly EpochCheck[]) => {
        for (const note of report.notes) process.stderr.write(`note: ${note}\n`);
        const first = epochs[0]?.epoch ?? 0;
        const last = epochs.at(-1)?.epoch ?? 0;
        return `chain       epochs ${first === last ? first : `${first}..${last}`} checked against pool ${report.pool} (chain ${report.chainId}, latest epoch ${report.latestEpoch})`;
      };
      const mismatch = (differences: readonly { file: string; reason: string }[]) =>
        `MISMATCH: ${differences[0]!.file}: ${differences[0]!.reason}` +
        (differences.length > 1 ? ` (and ${differences.length - 1} more)` : "");

      if (o.history !== undefined) {
        const history = verifyHistory(o.history);
        const chain = chainOptions && (await checkOnChain(history.epochs, { ...chainOptions, history: o.history }));
        const differences = [...history.differences, ...(chain?.differences ?? [])];
        const ok = differences.length === 0;
        const lines = history.epochs.map((c) => {
          const state = c.onChain ? `  (${c.onChain.state})` : "";
          if (c.ok) return `epoch ${c.epoch}  ok        root ${c.root}  ${basename(c.dir)}${state}`;
          const own = c.differences[0];
          if (own) return `epoch ${c.epoch}  MISMATCH  ${basename(c.dir)}/${own.file}: ${own.reason}`;
          const prior = c.prior;
          if (prior.status === "failed" && prior.inherited)
            return `epoch ${c.epoch}  unproven  an earlier epoch does not prove`;
          return `epoch ${c.epoch}  MISMATCH  ${basename(c.dir)}/${"file" in prior ? `${prior.file}: ${prior.reason}` : ""}`;
        });
        for (const name of history.ignored) lines.push(`ignored     ${name} (not an epoch-<N> directory)`);
        const first = history.epochs[0]?.epoch;
        const last = history.epochs.at(-1)?.epoch;
        if (chain) lines.push(chainLine(chain, history.epochs));
        lines.push(
          ok
            ? `ok: epochs ${first}..${last} of ${o.history} recomputed and chained from epoch 1` +
                (chain ? `, each root, total and reputation total the pool's` : "")
            : mismatch(differences),
        );
        print(json, { ...history, ok, differences, ...(chain ? { chain } : {}) }, lines.join("\n"));
        if (!ok) exitCode = ExitCode.Mismatch;
        return;
      }

      const progress = progressBar(json);
      let result = verifyArtifacts(dir!, {
        root: o.root,
        previous: o.previous,
        onProgress: progress.listener,
      });
      progress.stop();
      const chain = chainOptions && (await checkOnChain(result.epochs, chainOptions));
      if (chain) {
        const composed = verifyResultOf(result.epochs);
        result = { ...composed, differences: [...composed.differences, ...chain.differences] };
        result.ok = result.differences.length === 0;
      }
      const proven = result.epochs.slice(0, -1);
      const lines = result.ok
        ? [
            `ok: epoch ${result.epoch}, ${result.files} files identical, root ${result.root}`,
            result.prior.status === "first"
              ? `prior       none: epoch 1`
              : `prior       proven: epoch${proven.length === 1 ? "" : "s"} ${proven.length === 1 ? proven[0]!.epoch : `${proven[0]!.epoch}..${proven.at(-1)!.epoch}`} recomputed and chained (${proven.map((c) => c.dir).join(", ")})`,
            ...(chain ? [chainLine(chain, result.epochs)] : []),
          ]
        : [mismatch(result.differences)];
      print(json, { ...result, ...(chain ? { chain } : {}) }, lines.join("\n"));
      if (!result.ok) exitCode = ExitCode.Mismatch;
    });

  program
    .command("proof")
    .description("print one account's claim: index, amount, reputation and proof")
    .argument("<dir>", "artifacts directory")
    .argument("<account>", "address", parseAccount)
    .option("--json", "machine-readable output", false)
    .action((dir: string, account: string, o) => {
      json = o.json;
      // The claim is printed only once its proof reaches the root of the directory's manifest.
      const { claim, manifest } = readVerifiedClaim(dir, account);
      print(
        json,
        claim,
        [
          `epoch       ${claim.epoch}`,
          `account     ${claim.account}`,
          `index       ${claim.index}`,
          `amount      ${claim.amount} (${formatUnits(BigInt(claim.amount), manifest.tokenDecimals)} tokens)`,
          `reputation  ${claim.reputation}`,
          `root        ${claim.root}`,
          `proof       ${JSON.stringify(claim.proof)}`,
        ].join("\n"),
      );
    });

  addServeCommand(program);

  try {
    await program.parseAsync(argv, { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) {
      if (
        error.code === "commander.helpDisplayed" ||
        error.code === "commander.version" ||
        error.code === "commander.help"
      ) {
        return ExitCode.Ok;
      }
      // Commander has printed the error (and the help) on stderr, unless --json.
      if (json) {
        const usage = new UsageError(error.message.replace(/^error: /, ""));
        process.stdout.write(
          JSON.stringify(
            { ok: false, exitCode: usage.exitCode, error: { ...errorJson(usage), code: error.code } },
            null,
            2,
          ) + "\n",
        );
      }
      return ExitCode.BadInput;
    }
    if (error instanceof PipelineError) {
      printError(json, error.exitCode, error);
      return error.exitCode;
    }
    if (isSystemError(error)) {
      printError(json, ExitCode.Io, error);
      return ExitCode.Io;
    }
    // Anything else is a bug: say so, with the stack.
    printError(json, ExitCode.Internal, error);
    process.stderr.write(`${(error as Error).stack}\n`);
    return ExitCode.Internal;
  }
  return exitCode;
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/\\/g, "/"));
if (invokedDirectly) {
  process.exitCode = await main(process.argv.slice(2));
}
