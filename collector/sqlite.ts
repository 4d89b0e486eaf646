/**
 * The SQLite driver of the collector's store, on Node's built-in `node:sqlite` (a file; WAL journal with
 * `synchronous = FULL`: a transaction is on disk before COMMIT returns).
 *
 * Writes are serialized on one connection and committed in groups: the writes that arrive while a commit is
 * under way run together in the next transaction, each in a savepoint of its own (a refused write rolls back
 * only its own statements), and are all answered after that transaction's COMMIT. Reads run on a second
 * connection, which sees only committed data.
 */
import type { DatabaseSync, StatementSync } from "node:sqlite";
import type { SqlDriver, SqlTx, SqlValue, SqlRow } from "./store.js";

type SqliteModule = typeof import("node:sqlite");
let sqliteModule: Promise<SqliteModule> | undefined;

/**
 * Loads `node:sqlite`, silencing only the ExperimentalWarning Node emits when this module loads ("SQLite is an
 * experimental feature…"): every other warning passes as it is.
 */
export function loadSqlite(): Promise<SqliteModule> {
  return (sqliteModule ??= (async () => {
    const emitWarning = process.emitWarning;
    process.emitWarning = function (this: NodeJS.Process, warning: string | Error, ...rest: unknown[]) {
      const message = typeof warning === "string" ? warning : warning.message;
      const first = rest[0];
      const type =
        typeof first === "string"
          ? first
          : typeof first === "object" && first !== null && "type" in first
            ? (first as { type?: string }).type
            : typeof warning === "string"
              ? undefined
              : warning.name;
      if (type === "ExperimentalWarning" && message.startsWith("SQLite is an experimental feature")) return;
      return (emitWarning as (...args: unknown[]) => void).call(process, warning, ...rest);
    } as typeof process.emitWarning;
    try {
      return await import("node:sqlite");
    } finally {
      process.emitWarning = emitWarning;
    }
  })());
}

interface Job {
  fn: (tx: SqlTx) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/** Writes committed in one transaction at most. */
const MAX_GROUP = 256;

export class SqliteDriver implements SqlDriver {
  readonly kind = "sqlite" as const;
  private readonly queue: Job[] = [];
  private writing = false;
  private scheduled = false;
  private readLock: Promise<void> = Promise.resolve();
  private closed = false;

  private constructor(
    private readonly writer: DatabaseSync,
    private readonly reader: DatabaseSync,
  ) {}

  static async open(path: string): Promise<SqliteDriver> {
    const { DatabaseSync } = await loadSqlite();
    const writer = new DatabaseSync(path);
    try {
      writer.exec("PRAGMA busy_timeout = 10000");
      const mode = writer.prepare("PRAGMA journal_mode = WAL").get() as { journal_mode?: string } | undefined;
      if (mode?.journal_mode !== "wal") throw new Error(`${path}: SQLite refused the WAL journal mode`);
      writer.exec("PRAGMA synchronous = FULL");
      writer.exec("PRAGMA foreign_keys = ON");
      const reader = new DatabaseSync(path, { readOnly: false });
      reader.exec("PRAGMA busy_timeout = 10000");
      reader.exec("PRAGMA query_only = ON");
      return new SqliteDriver(writer, reader);
    } catch (error) {
      writer.close();
      throw error;
    }
  }

  write<T>(_keys: readonly string[], fn: (tx: SqlTx) => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new Error("the store is closed"));
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ fn, resolve: resolve as (value: unknown) => void, reject });
      this.schedule();
    });
  }

  /** Starts the next group once the writes of this turn of the event loop are queued. */
  private schedule(): void {
    if (this.writing || this.scheduled || this.queue.length === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.drain();
    });
  }

  private async drain(): Promise<void> {
    if (this.writing) return;
    this.writing = true;
    try {
      const group = this.queue.splice(0, MAX_GROUP);
      await this.commitGroup(group);
    } finally {
      this.writing = false;
      this.schedule();
    }
  }

  private async commitGroup(group: Job[]): Promise<void> {
    const db = this.writer;
    const tx = statements(db);
    const outcomes: { ok: boolean; value: unknown }[] = [];
    try {
      db.exec("BEGIN IMMEDIATE");
    } catch (error) {
      for (const job of group) job.reject(error);
      return;
    }
    try {
      for (const job of group) {
        db.exec("SAVEPOINT job");
        try {
          const value = await job.fn(tx);
          db.exec("RELEASE job");
          outcomes.push({ ok: true, value });
        } catch (error) {
          db.exec("ROLLBACK TO job");
          db.exec("RELEASE job");
          outcomes.push({ ok: false, value: error });
        }
      }
      db.exec("COMMIT");
    } catch (error) {
      try {
        if (db.isTransaction) db.exec("ROLLBACK");
      } catch {
        // the connection rolled back by itself
      }
      for (const job of group) job.reject(error);
      return;
    }
    group.forEach((job, i) => (outcomes[i]!.ok ? job.resolve(outcomes[i]!.value) : job.reject(outcomes[i]!.value)));
  }

  read<T>(fn: (tx: SqlTx) => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new Error("the store is closed"));
    const run = this.readLock.then(async () => {
      const db = this.reader;
      db.exec("BEGIN");
      try {
        return await fn(statements(db));
      } finally {
        db.exec("COMMIT");
      }
    });
    this.readLock = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    while (this.writing || this.scheduled || this.queue.length > 0) {
      await new Promise((resolve) => setImmediate(resolve));
      if (!this.writing && !this.scheduled && this.queue.length > 0) this.schedule();
    }
    await this.readLock;
    this.reader.close();
    this.writer.close();
  }
}

const prepared = new WeakMap<DatabaseSync, Map<string, StatementSync>>();

/** The statements of a connection, each prepared once. */
function statements(db: DatabaseSync): SqlTx {
  let cache = prepared.get(db);
  if (!cache) prepared.set(db, (cache = new Map()));
  const statement = (sql: string) => {
    let s = cache.get(sql);
    if (!s) {
      s = db.prepare(sql);
      if (cache.size < 500) cache.set(sql, s);
    }
    return s;
  };
  return {
    all: async (sql: string, params: readonly SqlValue[] = []) => statement(sql).all(...params) as SqlRow[],
    run: async (sql: string, params: readonly SqlValue[] = []) => {
      statement(sql).run(...params);
    },
  };
}
