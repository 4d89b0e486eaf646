/**
 * `social-mining`: the epoch pipeline's command line (docs/cli.md). A thin layer: it parses
 * arguments, calls scripts/lib and maps errors to exit codes. It never imports Hardhat.
 */
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import cliProgress from "cli-progress";
import {
  allocateEpoch,
  ExitCode,
  InputError,
  PipelineError,
  readClaim,
  readManifest,
  verifyArtifacts,
  writeArtifacts,
  formatUnits,
  PIPELINE_VERSION,
  type ProgressListener,
} from "./lib/index.js";

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

function errorJson(error: unknown): Record<string, unknown> {
  if (error instanceof InputError) {
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
  const e = error as Error;
  return { name: e.name, message: e.message };
}

/** Runs the CLI with `argv` (without the node and script paths) and returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  let exitCode: number = ExitCode.Ok;
  let json = argv.includes("--json");
  const program = new Command("social-mining")
    .description("Social Mining epoch pipeline: allocate an epoch, verify artifacts, print a claim.")
    .version(PIPELINE_VERSION)
    .exitOverride()
    .showHelpAfterError()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });

  program
    .command("allocate")
    .description("validate the inputs, split the pool, build the Merkle tree and write the artifacts")
    .requiredOption("--works <file>", "works export (CSV with header, or .json array)")
    .requiredOption("--votes <file>", "votes export (CSV with header, or .json array)")
    .option("--teams <file>", "teams (team,member,share_bps)")
    .requiredOption("--config <file>", "epoch.json")
    .option("--previous <dir>", "the previous epoch's artifacts directory (prior reputation)")
    .requiredOption("--out <dir>", "artifacts directory to create")
    .option("--force", "replace --out if it exists", false)
    .option("--distributor <address>", "override epoch.json distributor")
    .addOption(new Option("--chain-id <id>", "override epoch.json chainId").argParser(parseChainId))
    .option("--json", "machine-readable output", false)
    .action((o) => {
      json = o.json;
      const progress = progressBar(json);
      try {
        const result = allocateEpoch({
          works: o.works,
          votes: o.votes,
          teams: o.teams,
          config: o.config,
          previous: o.previous,
          overrides: { distributor: o.distributor, chainId: o.chainId },
          onProgress: progress.listener,
        });
        writeArtifacts(o.out, result, {
          force: o.force,
          onProgress: progress.listener,
        });
        progress.stop();
        const excluded = result.rejections.length;
        const read = result.counts.reduce((s, c) => s + c.read, 0);
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
            counts: result.counts,
            excluded,
          },
          [
            `epoch ${result.config.epoch}: ${result.accounts.length} leaves, ${formatUnits(result.total, result.config.tokenDecimals)} tokens`,
            `root        ${result.root}`,
            `inputsHash  ${result.inputsHash}`,
            `reputation  ${result.reputationTotal} in total over ${result.reputation.length} accounts (reputation.csv)`,
            `rows        ${read} read, ${read - excluded} accepted, ${excluded} excluded (see report.md)`,
            `artifacts   ${o.out}`,
          ].join("\n"),
        );
      } finally {
        progress.stop();
      }
    });

  program
    .command("verify")
    .description("recompute the artifacts from their recorded inputs and compare them byte for byte")
    .argument("<dir>", "artifacts directory")
    .option("--root <root>", "root expected (e.g. the one on-chain)")
    .option("--previous <dir>", "previous epoch's artifacts: check the recorded prior reputation against it")
    .option("--json", "machine-readable output", false)
    .action((dir: string, o) => {
      json = o.json;
      const progress = progressBar(json);
      const result = verifyArtifacts(dir, {
        root: o.root,
        previous: o.previous,
        onProgress: progress.listener,
      });
      progress.stop();
      const first = result.differences[0];
      print(
        json,
        result,
        result.ok
          ? `ok: epoch ${result.epoch}, ${result.files} files identical, root ${result.root}`
          : `MISMATCH: ${first!.file}: ${first!.reason}` +
              (result.differences.length > 1 ? ` (and ${result.differences.length - 1} more)` : ""),
      );
      if (!result.ok) exitCode = ExitCode.Mismatch;
    });

  program
    .command("proof")
    .description("print one account's claim: index, amount, reputation and proof")
    .argument("<dir>", "artifacts directory")
    .argument("<account>", "address")
    .option("--json", "machine-readable output", false)
    .action((dir: string, account: string, o) => {
      json = o.json;
      const claim = readClaim(dir, account);
      const manifest = readManifest(dir);
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
      return ExitCode.BadInput;
    }
    const code = error instanceof PipelineError ? error.exitCode : ExitCode.Internal;
    if (json)
      process.stdout.write(JSON.stringify({ ok: false, exitCode: code, error: errorJson(error) }, null, 2) + "\n");
    else process.stderr.write(`error: ${(error as Error).message}\n`);
    if (!(error instanceof PipelineError)) process.stderr.write(`${(error as Error).stack}\n`);
    return code;
  }
  return exitCode;
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/\\/g, "/"));
if (invokedDirectly) {
  process.exitCode = await main(process.argv.slice(2));
}
