/**
 * `social-mining serve`: runs the collector until SIGINT or SIGTERM (docs/collector.md). Options are checked
 * before anything starts; a bad one is a usage error (exit 2), a database or port that cannot be opened an I/O
 * error (exit 3).
 */
import { readFileSync } from "node:fs";
import { InvalidArgumentError, type Command } from "commander";
import { ExitCode, parseAddress, PipelineError, UsageError } from "../scripts/lib/index.js";
import { CollectorStartError } from "./errors.js";
import { COLLECTOR_DEFAULT_PORT as DEFAULT_PORT } from "../protocol/collector-api.js";

/** The environment variable holding the admin token. */
export const ADMIN_TOKEN_ENV = "SOCIAL_MINING_ADMIN_TOKEN";

/** The collector could not start: the database or the port. */
export class CollectorIoError extends PipelineError {
  override readonly exitCode = ExitCode.Io;
}

function positiveInteger(what: string) {
  return (value: string): bigint => {
    if (!/^[1-9][0-9]{0,30}$/.test(value)) throw new InvalidArgumentError(`${what} must be a positive integer`);
    return BigInt(value);
  };
}

function port(value: string): number {
  if (!/^[0-9]{1,5}$/.test(value) || Number(value) > 65535) {
    throw new InvalidArgumentError("a port is 0 to 65535 (0: any free port)");
  }
  return Number(value);
}

function address(value: string): string {
  const parsed = parseAddress(value);
  if (!parsed.ok) throw new InvalidArgumentError(parsed.reason);
  return value;
}

function databaseUrl(value: string): string {
  if (!/^postgres(ql)?:\/\/\S+$/i.test(value)) {
    throw new InvalidArgumentError("a PostgreSQL connection URL starts with postgres:// or postgresql://");
  }
  return value;
}

/** Adds the `serve` command to the CLI's program. */
export function addServeCommand(program: Command): void {
  program
    .command("serve")
    .description("run the collector: members' signed reports and ballots in, works.csv / votes.csv / teams.csv out")
    .option("--db <file>", "SQLite database file (created if missing)")
    .option("--database-url <url>", "PostgreSQL connection URL (postgres://…), instead of --db", databaseUrl)
    .requiredOption("--chain-id <n>", "chain id of the signatures' EIP-712 domain", positiveInteger("--chain-id"))
    .requiredOption("--pool <address>", "the pool's address (the domain's verifying contract)", address)
    .option("--host <host>", "address to listen on", "127.0.0.1")
    .option("--port <port>", `port to listen on (0: any free port)`, port, DEFAULT_PORT)
    .option(
      "--admin-token-file <file>",
      `file holding the admin token (default: the environment variable ${ADMIN_TOKEN_ENV})`,
    )
    .option("--allow-origin <origin>", "Access-Control-Allow-Origin of the answers", "*")
    .action(async (o) => {
      if ((o.db === undefined) === (o.databaseUrl === undefined)) {
        throw new UsageError("serve takes a database: --db FILE or --database-url URL, one of them");
      }
      if (o.db !== undefined && /^postgres(ql)?:\/\//i.test(o.db)) {
        throw new UsageError("--db takes a SQLite file: give a PostgreSQL URL with --database-url");
      }
      let adminToken: string | undefined;
      if (o.adminTokenFile !== undefined) {
        try {
          adminToken = readFileSync(o.adminTokenFile, "utf8").trim();
        } catch (error) {
          const reason =
            (error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : String((error as Error).message);
          throw new CollectorIoError(`--admin-token-file ${o.adminTokenFile}: cannot read it (${reason})`);
        }
        if (adminToken === "") throw new UsageError(`--admin-token-file ${o.adminTokenFile} is empty`);
      } else {
        adminToken = process.env[ADMIN_TOKEN_ENV]?.trim() || undefined;
      }
      const database: string = o.db ?? o.databaseUrl;
      // Loaded here, so that the pipeline's commands do not load the database drivers.
      const { redact, startCollector } = await import("./index.js");
      let collector;
      try {
        collector = await startCollector({
          database,
          chainId: o.chainId,
          pool: o.pool,
          host: o.host,
          port: o.port,
          adminToken,
          allowOrigin: o.allowOrigin,
        });
      } catch (error) {
        if (error instanceof CollectorStartError) {
          throw error.usage ? new UsageError(error.message) : new CollectorIoError(error.message);
        }
        throw error;
      }
      process.stdout.write(
        `collector listening on ${collector.url}\n` +
          `store       ${o.db !== undefined ? `SQLite ${database}` : `PostgreSQL ${redact(database)}`}\n` +
          `domain      chain ${o.chainId}, pool ${o.pool}\n` +
          `admin       ${adminToken === undefined ? `disabled (set ${ADMIN_TOKEN_ENV} or --admin-token-file)` : "enabled"}\n`,
      );
      const signal = await new Promise<NodeJS.Signals>((resolve) => {
        const stop = (signal: NodeJS.Signals) => {
          // A second signal while stopping ends the process at once (the default action).
          process.off("SIGINT", stop);
          process.off("SIGTERM", stop);
          resolve(signal);
        };
        process.on("SIGINT", stop);
        process.on("SIGTERM", stop);
      });
      process.stdout.write(`collector stopping (${signal})\n`);
      await collector.close();
      process.stdout.write("collector stopped\n");
    });
}
