/**
 * The PostgreSQL driver of the collector's store, on `pg`. Each write is one transaction on a pooled
 * connection; writes naming a common key are serialized by transaction-scoped advisory locks taken in a fixed
 * order. PostgreSQL's default `synchronous_commit = on` makes a transaction durable before COMMIT returns.
 */
import pg from "pg";
import type { SqlDriver, SqlTx, SqlValue, SqlRow } from "./store.js";

/** `?` placeholders as PostgreSQL's `$1, $2, …` (the store's SQL has no `?` in literals). */
function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

const translated = new Map<string, string>();
function translate(sql: string): string {
  let out = translated.get(sql);
  if (out === undefined) {
    out = numbered(sql);
    if (translated.size < 1000) translated.set(sql, out);
  }
  return out;
}

function statements(client: pg.PoolClient): SqlTx {
  return {
    all: async (sql: string, params: readonly SqlValue[] = []) =>
      (await client.query(translate(sql), params as SqlValue[])).rows as SqlRow[],
    run: async (sql: string, params: readonly SqlValue[] = []) => {
      await client.query(translate(sql), params as SqlValue[]);
    },
  };
}

export class PostgresDriver implements SqlDriver {
  readonly kind = "postgres" as const;

  private constructor(private readonly pool: pg.Pool) {}

  static async open(url: string): Promise<PostgresDriver> {
    const pool = new pg.Pool({ connectionString: url, max: 10, connectionTimeoutMillis: 10_000 });
    // An idle connection that breaks is dropped by the pool; the next query opens another.
    pool.on("error", (error) => process.stderr.write(`collector: PostgreSQL connection lost: ${error.message}\n`));
    try {
      const client = await pool.connect();
      client.release();
    } catch (error) {
      await pool.end().catch(() => {});
      throw error;
    }
    return new PostgresDriver(pool);
  }

  private async transaction<T>(begin: string, keys: readonly string[], fn: (tx: SqlTx) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    // A connection whose BEGIN or ROLLBACK failed is not given back to the pool.
    let broken: Error | undefined;
    try {
      try {
        await client.query(begin);
      } catch (error) {
        broken = error as Error;
        throw error;
      }
      try {
        for (const key of [...new Set(keys)].sort()) {
          await client.query("SELECT pg_advisory_xact_lock(hashtext($1))", [key]);
        }
        const value = await fn(statements(client));
        await client.query("COMMIT");
        return value;
      } catch (error) {
        try {
          await client.query("ROLLBACK");
        } catch (rollback) {
          broken = rollback as Error;
        }
        throw error;
      }
    } finally {
      client.release(broken);
    }
  }

  write<T>(keys: readonly string[], fn: (tx: SqlTx) => Promise<T>): Promise<T> {
    return this.transaction("BEGIN", keys, fn);
  }

  read<T>(fn: (tx: SqlTx) => Promise<T>): Promise<T> {
    return this.transaction("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", [], fn);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
