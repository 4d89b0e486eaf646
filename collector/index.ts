/**
 * The collector (docs/collector.md): members' signed work reports and ballots in, the pipeline's input files
 * out. `startCollector` opens the store (a SQLite file, or PostgreSQL given a `postgres://` URL), brings its
 * schema up to date, and serves the HTTP API of protocol/collector-api.ts.
 */
import type { AddressInfo } from "node:net";
import { getAddress } from "ethers";
import { COLLECTOR_DEFAULT_PORT } from "../protocol/collector-api.js";
import { CollectorStartError } from "./errors.js";
import { PostgresDriver } from "./postgres.js";
import { createCollectorServer, MIN_ADMIN_TOKEN_LENGTH } from "./server.js";
import { SqliteWorkerStore } from "./sqlite-worker.js";
import { migrate, SqlStore, type SqlDriver, type Store } from "./store.js";

export { CollectorStartError, Refusal, REFUSAL_CODES } from "./errors.js";
export { CLOCK_SKEW_SECONDS, DEFAULT_MAX_POINTS, MIN_ADMIN_TOKEN_LENGTH } from "./server.js";
export { EXPORT_FILES, EXPORT_HEADERS, csvCell } from "./exports.js";
export type { Store } from "./store.js";

export interface CollectorOptions {
  /** A SQLite file path, or a `postgres://` / `postgresql://` URL. */
  database: string;
  chainId: bigint | number;
  /** The pool's address (the EIP-712 domain's verifying contract). */
  pool: string;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 8787; 0 takes any free port. */
  port?: number;
  /** Enables the admin routes (Authorization: Bearer <token>); at least 16 characters. */
  adminToken?: string;
  /** The clock, in Unix seconds (tests). */
  now?: () => number;
  /** Access-Control-Allow-Origin (default `*`). */
  allowOrigin?: string;
}

export interface Collector {
  /** The base URL it listens on, e.g. `http://127.0.0.1:8787`. */
  url: string;
  /** Stops taking requests, finishes those under way, closes the store. */
  close(): Promise<void>;
}

export const DEFAULT_PORT = COLLECTOR_DEFAULT_PORT;

export function isPostgresUrl(database: string): boolean {
  return /^postgres(ql)?:\/\//i.test(database);
}

/** Opens the store of `database`, its schema up to date. */
export async function openStore(database: string): Promise<Store> {
  if (database === "" || database === ":memory:") {
    throw new CollectorStartError(
      "the collector stores its submissions in a file: give a file path or a postgres:// URL",
      true,
    );
  }
  if (!isPostgresUrl(database)) {
    try {
      return await SqliteWorkerStore.open(database);
    } catch (error) {
      throw new CollectorStartError(`cannot open the database ${database}: ${(error as Error).message}`, false, {
        cause: error,
      });
    }
  }
  let driver: SqlDriver;
  try {
    driver = await PostgresDriver.open(database);
  } catch (error) {
    throw new CollectorStartError(`cannot open the database ${redact(database)}: ${(error as Error).message}`, false, {
      cause: error,
    });
  }
  try {
    await migrate(driver);
  } catch (error) {
    await driver.close().catch(() => {});
    throw new CollectorStartError(
      `cannot prepare the database ${redact(database)}: ${(error as Error).message}`,
      false,
      {
        cause: error,
      },
    );
  }
  return new SqlStore(driver);
}

/** A database URL without its password, for messages. */
export function redact(database: string): string {
  return isPostgresUrl(database) ? database.replace(/^(\w+:\/\/[^:/@]*):[^@/]*@/, "$1:***@") : database;
}

export async function startCollector(options: CollectorOptions): Promise<Collector> {
  const chainId = BigInt(options.chainId);
  if (chainId <= 0n) throw new CollectorStartError(`the chain id must be positive, got ${chainId}`, true);
  let pool: string;
  try {
    pool = getAddress(options.pool);
  } catch {
    throw new CollectorStartError(
      `the pool ${JSON.stringify(options.pool)} is not an address (or has a wrong checksum)`,
      true,
    );
  }
  const port = options.port ?? DEFAULT_PORT;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new CollectorStartError(`the port must be 0 to 65535, got ${port}`, true);
  }
  if (options.adminToken !== undefined && !/^\S{16,}$/.test(options.adminToken)) {
    throw new CollectorStartError(
      `the admin token must be at least ${MIN_ADMIN_TOKEN_LENGTH} characters without white space (e.g. openssl rand -hex 32)`,
      true,
    );
  }
  const host = options.host ?? "127.0.0.1";
  const store = await openStore(options.database);
  try {
    await store.bind(chainId.toString(), pool);
  } catch (error) {
    await store.close().catch(() => {});
    throw new CollectorStartError((error as Error).message, true, { cause: error });
  }
  const server = createCollectorServer({
    store,
    chainId,
    pool,
    adminToken: options.adminToken,
    now: options.now ?? (() => Math.floor(Date.now() / 1000)),
    allowOrigin: options.allowOrigin ?? "*",
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, host, () => {
        server.off("error", reject);
        resolve();
      });
    });
  } catch (error) {
    await store.close().catch(() => {});
    throw new CollectorStartError(`cannot listen on ${host}:${port}: ${(error as Error).message}`, false, {
      cause: error,
    });
  }
  const address = server.address() as AddressInfo;
  const shown = address.family === "IPv6" ? `[${address.address}]` : address.address;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${shown}:${address.port}`,
    close: () =>
      (closing ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        // Requests under way get a few seconds to finish; then their connections are cut.
        const cut = setTimeout(() => server.closeAllConnections(), 5_000);
        await closed;
        clearTimeout(cut);
        await store.close();
      })()),
  };
}
