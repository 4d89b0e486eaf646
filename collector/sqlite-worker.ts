/**
 * The SQLite store on a thread of its own. `node:sqlite` is synchronous: on the server's thread, each COMMIT's
 * fsync would stop every request for its duration. Here the store (collector/store.ts over the SQLite driver)
 * runs in a worker thread, which commits the writes in groups while the server's thread goes on parsing
 * requests and checking signatures; {@link SqliteWorkerStore} is the server's side of it, one message a call.
 */
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import { Refusal } from "./errors.js";
import { SqliteDriver } from "./sqlite.js";
import { migrate, SqlStore, type Store } from "./store.js";

type Method = Exclude<keyof Store, "kind">;

interface Call {
  id: number;
  method: Method;
  args: unknown[];
}

type Result =
  | { id: number; ok: true; value: unknown }
  | {
      id: number;
      ok: false;
      refusal?: { status: number; code: string; message: string; field?: string; headers: Record<string, string> };
      error?: { message: string; stack?: string };
    };

type Startup = { ready: true } | { ready: false; message: string };

/** The server's side: every call of the Store interface as a message to the worker. */
export class SqliteWorkerStore implements Store {
  readonly kind = "sqlite" as const;
  private next = 0;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: unknown) => void }>();
  private failure: Error | undefined;

  private constructor(private readonly worker: Worker) {
    worker.on("message", (result: Result) => {
      const call = this.pending.get(result.id);
      if (!call) return;
      this.pending.delete(result.id);
      if (result.ok) call.resolve(result.value);
      else if (result.refusal) {
        const r = result.refusal;
        call.reject(new Refusal(r.status, r.code, r.message, r.field, r.headers));
      } else {
        const error = new Error(result.error?.message ?? "the SQLite store failed");
        error.stack = result.error?.stack ?? error.stack;
        call.reject(error);
      }
    });
    const fail = (error: Error) => {
      this.failure ??= error;
      for (const call of this.pending.values()) call.reject(this.failure);
      this.pending.clear();
    };
    worker.on("error", fail);
    worker.on("exit", (code) => fail(new Error(`the SQLite store's thread stopped (exit code ${code})`)));
  }

  /** Starts the store's thread on the file `path`, its schema up to date. */
  static async open(path: string): Promise<SqliteWorkerStore> {
    const tsx = import.meta.resolve("tsx/esm/api");
    const self = import.meta.url;
    // The worker runs this module under the same TypeScript loader as the server.
    const code =
      `import(${JSON.stringify(tsx)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(self)}); })` +
      `.catch((error) => { require("node:worker_threads").parentPort.postMessage({ ready: false, message: String(error && error.message || error) }); });`;
    const worker = new Worker(code, { eval: true, workerData: { path } });
    let onMessage!: (startup: Startup) => void;
    let onError!: (error: Error) => void;
    let onExit!: (code: number) => void;
    const startup = await new Promise<Startup>((resolve, reject) => {
      onMessage = resolve;
      onError = reject;
      onExit = (code) => reject(new Error(`the SQLite store's thread stopped (exit code ${code})`));
      worker.once("message", onMessage);
      worker.once("error", onError);
      worker.once("exit", onExit);
    }).finally(() => {
      // Only these listeners: the worker's own (which start and stop its port) stay.
      worker.off("message", onMessage);
      worker.off("error", onError);
      worker.off("exit", onExit);
    });
    if (!startup.ready) {
      await worker.terminate();
      throw new Error(startup.message);
    }
    return new SqliteWorkerStore(worker);
  }

  private call<T>(method: Method, ...args: unknown[]): Promise<T> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.next++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.worker.postMessage({ id, method, args } satisfies Call);
    });
  }

  bind = (chainId: string, pool: string) => this.call<void>("bind", chainId, pool);
  epochs = () => this.call<Awaited<ReturnType<Store["epochs"]>>>("epochs");
  epoch = (epoch: number) => this.call<Awaited<ReturnType<Store["epoch"]>>>("epoch", epoch);
  openEpoch = (...args: Parameters<Store["openEpoch"]>) =>
    this.call<Awaited<ReturnType<Store["openEpoch"]>>>("openEpoch", ...args);
  teams = (epoch: number) => this.call<Awaited<ReturnType<Store["teams"]>>>("teams", epoch);
  setTeams = (...args: Parameters<Store["setTeams"]>) =>
    this.call<Awaited<ReturnType<Store["setTeams"]>>>("setTeams", ...args);
  addReport = (...args: Parameters<Store["addReport"]>) =>
    this.call<Awaited<ReturnType<Store["addReport"]>>>("addReport", ...args);
  reports = (epoch: number) => this.call<Awaited<ReturnType<Store["reports"]>>>("reports", epoch);
  addBallot = (...args: Parameters<Store["addBallot"]>) =>
    this.call<Awaited<ReturnType<Store["addBallot"]>>>("addBallot", ...args);
  ballot = (epoch: number, voter: string) => this.call<Awaited<ReturnType<Store["ballot"]>>>("ballot", epoch, voter);
  replacedBallots = (epoch: number, voter: string) =>
    this.call<Awaited<ReturnType<Store["replacedBallots"]>>>("replacedBallots", epoch, voter);
  currentVotes = (epoch: number) => this.call<Awaited<ReturnType<Store["currentVotes"]>>>("currentVotes", epoch);

  async close(): Promise<void> {
    if (this.failure) return;
    await this.call<void>("close");
    await this.worker.terminate();
  }
}

/** The worker's side: opens the store, then answers each call. */
async function serveStore(): Promise<void> {
  const port = parentPort!;
  let store: SqlStore;
  try {
    const driver = await SqliteDriver.open((workerData as { path: string }).path);
    try {
      await migrate(driver);
    } catch (error) {
      await driver.close().catch(() => {});
      throw error;
    }
    store = new SqlStore(driver);
  } catch (error) {
    port.postMessage({ ready: false, message: (error as Error).message } satisfies Startup);
    return;
  }
  port.on("message", ({ id, method, args }: Call) => {
    (store[method] as (...a: unknown[]) => Promise<unknown>).apply(store, args).then(
      (value) => port.postMessage({ id, ok: true, value } satisfies Result),
      (error: unknown) => {
        if (error instanceof Refusal) {
          const { status, code, message, field, headers } = error;
          port.postMessage({ id, ok: false, refusal: { status, code, message, field, headers } } satisfies Result);
        } else {
          const e = error as Error;
          port.postMessage({
            id,
            ok: false,
            error: { message: String(e?.message ?? e), stack: e?.stack },
          } satisfies Result);
        }
      },
    );
  });
  port.postMessage({ ready: true } satisfies Startup);
}

if (!isMainThread && (workerData as { path?: unknown } | null)?.path !== undefined) await serveStore();
