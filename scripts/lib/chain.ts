/**
 * `verify --rpc URL --pool ADDRESS`: the epochs checked against the pool on chain, read-only, over JSON-RPC with
 * ethers and the ABI generated from the build (protocol/abi.ts); never Hardhat. For each epoch directory:
 *
 * - the pool's live root of that epoch (`getEpoch`) is the directory's; a directory whose root was vetoed is named
 *   as such (the pool's `EpochVetoed` logs), and so is an epoch vetoed and not proposed again, or not proposed;
 * - its total and reputation total are the pool's, and its inputsHash the one the live proposal emitted
 *   (`EpochProposed`, when the node searches logs);
 * - its chain id and distributor (when set) are the node's and the pool's, its rules.decayBps the pool's;
 * - every recovery it applied was made on chain (`SoulRecovered(lost, new)`) with a barrier before the epoch.
 *
 * With a whole history, epochs on chain that have no directory are reported too.
 */
import { basename, join } from "node:path";
import { Contract, JsonRpcProvider, Network, type EventLog, type Log } from "ethers";
import { EPOCH_REWARDS_ABI } from "../../protocol/abi.js";
import { epochView, type EpochView, type RawEpochView } from "../../protocol/epoch.js";
import { ExitCode, PipelineError } from "./errors.js";
import { settle, type EpochCheck } from "./history.js";
import type { Difference } from "./verify.js";

/** The node cannot be reached or does not answer as the pool would. Exit 3. */
export class ChainError extends PipelineError {
  override readonly exitCode = ExitCode.Io;
}

export interface ChainOptions {
  /** JSON-RPC URL of a node. */
  rpc: string;
  /** The pool's address (EpochRewards). */
  pool: string;
  /** How long to wait for the node's first answer, in ms (default 10 s). */
  timeoutMs?: number;
}

/** What the chain said; the differences it found were also added to each epoch's. */
export interface ChainReport {
  rpc: string;
  pool: string;
  chainId: number;
  latestEpoch: number;
  decayBps: number;
  /** What could not be checked, and why (a node that does not search logs). */
  notes: string[];
  /**
   * What differs, each file named from the history's directory (`epoch-3/manifest.json`) or, for a single
   * directory, the epochs below it by their path (the directory's own are in its differences); and, for a history,
   * epochs on chain that it has no directory for.
   */
  differences: Difference[];
}

const short = (error: unknown) => (error as { shortMessage?: string }).shortMessage ?? (error as Error).message;

async function chainIdOf(rpc: string, timeoutMs: number): Promise<number> {
  let body: { result?: unknown; error?: { message?: string } };
  try {
    const response = await fetch(rpc, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    body = (await response.json()) as typeof body;
  } catch (error) {
    throw new ChainError(`--rpc ${rpc}: no JSON-RPC node answers there (${short(error)})`, { cause: error });
  }
  if (typeof body.result !== "string" || !/^0x[0-9a-fA-F]+$/.test(body.result)) {
    throw new ChainError(`--rpc ${rpc}: eth_chainId answered ${JSON.stringify(body.error?.message ?? body.result)}`);
  }
  return Number(BigInt(body.result));
}

/** The pool, read-only. */
class PoolReader {
  private readonly contract: Contract;
  readonly notes: string[] = [];
  private logsBroken = false;

  constructor(
    readonly provider: JsonRpcProvider,
    readonly address: string,
    readonly rpc: string,
  ) {
    this.contract = new Contract(address, EPOCH_REWARDS_ABI, provider);
  }

  async call<T>(name: string, ...args: unknown[]): Promise<T> {
    try {
      return (await this.contract.getFunction(name).staticCall(...args)) as T;
    } catch (error) {
      throw new ChainError(
        `--pool ${this.address} at ${this.rpc}: ${name}() failed (${short(error)}): is it the pool?`,
        {
          cause: error,
        },
      );
    }
  }

  async epoch(n: number): Promise<EpochView> {
    return epochView(await this.call<RawEpochView>("getEpoch", n));
  }

  /** The logs of `event` with `args` as topics; undefined (and a note) when the node does not search logs. */
  async logs(event: string, ...args: unknown[]): Promise<EventLog[] | undefined> {
    if (this.logsBroken) return undefined;
    try {
      const found: (EventLog | Log)[] = await this.contract.queryFilter(this.contract.getEvent(event)(...args));
      return found.filter((l): l is EventLog => "args" in l);
    } catch (error) {
      this.logsBroken = true;
      this.notes.push(
        `the node did not search the pool's logs (${short(error)}): inputsHash, vetoed roots and recovery barriers not checked`,
      );
      return undefined;
    }
  }
}

const lower = (text: string) => text.toLowerCase();

async function epochDifferences(pool: PoolReader, check: EpochCheck, chain: ChainReport): Promise<Difference[]> {
  const out: Difference[] = [];
  const add = (reason: string) => out.push({ file: "manifest.json", reason });
  const n = check.epoch;
  const root = lower(check.root);
  if (check.chainId !== 0 && check.chainId !== chain.chainId) {
    add(`the artifacts are for chain ${check.chainId}, but ${chain.rpc} is chain ${chain.chainId}`);
  }
  if (BigInt(check.distributor) !== 0n && lower(check.distributor) !== lower(chain.pool)) {
    add(`the artifacts are for the pool ${check.distributor}, not ${chain.pool}`);
  }
  if (check.decayBps !== chain.decayBps) {
    add(`rules.decayBps ${check.decayBps} is not the pool's decayBps() ${chain.decayBps}`);
  }

  const view = await pool.epoch(n);
  check.onChain = {
    state: view.state,
    root: view.root,
    total: view.total.toString(),
    reputationTotal: view.reputationTotal.toString(),
  };
  if (view.state === "None") {
    add(`epoch ${n} is not proposed on the pool (its latest epoch is ${chain.latestEpoch})`);
  } else if (view.state === "Vetoed") {
    // getEpoch no longer holds a vetoed root: the EpochVetoed logs do.
    const vetoed = (await pool.logs("EpochVetoed", n))?.map((l) => lower(String(l.args.root)));
    const latest = `(its latest epoch is ${chain.latestEpoch})`;
    add(
      vetoed === undefined
        ? `epoch ${n} was vetoed on the pool and is not proposed again ${latest}`
        : vetoed.includes(root)
          ? `root ${check.root} was vetoed on the pool, and epoch ${n} is not proposed again ${latest}`
          : `epoch ${n} was vetoed on the pool (root ${vetoed.join(", ")}) and is not proposed again ${latest}; root ${check.root} was never proposed`,
    );
  } else {
    if (view.root !== root) {
      const vetoed = await pool.logs("EpochVetoed", n);
      const wasVetoed = vetoed?.some((l) => lower(String(l.args.root)) === root);
      add(
        wasVetoed
          ? `root ${check.root} was vetoed on the pool: the live root of epoch ${n} is ${view.root} (${view.state})`
          : `root ${check.root} is not the pool's root ${view.root} of epoch ${n} (${view.state})`,
      );
    } else {
      const proposed = await pool.logs("EpochProposed", n);
      const live = proposed?.filter((l) => lower(String(l.args.root)) === root).at(-1);
      if (live && lower(String(live.args.inputsHash)) !== lower(check.inputsHash)) {
        add(
          `inputsHash ${check.inputsHash} is not the inputsHash ${live.args.inputsHash} epoch ${n} was proposed with`,
        );
      }
    }
    if (BigInt(check.total) !== view.total)
      add(`total ${check.total} is not the pool's total ${view.total} of epoch ${n}`);
    if (BigInt(check.reputationTotal) !== view.reputationTotal) {
      add(
        `reputationTotal ${check.reputationTotal} is not the pool's reputationTotal ${view.reputationTotal} of epoch ${n}`,
      );
    }
  }

  for (const r of check.recoveries.filter((r) => r.epoch === n)) {
    const what = `the recovery of ${r.lost} to ${r.new} applied in epoch ${n}`;
    const logs = await pool.logs("SoulRecovered", r.lost, r.new);
    if (logs === undefined) {
      const record = await pool.call<{ recoveredAway: boolean }>("soulRecord", r.lost);
      const held = await pool.call<boolean>("hasSoul", r.new);
      if (!record.recoveredAway || !held) {
        add(`${what} was not made on chain: ${r.lost} still holds its soul, or ${r.new} holds none`);
      }
    } else if (logs.length === 0) {
      add(`${what} was not made on chain: the pool has no SoulRecovered(${r.lost}, ${r.new})`);
    } else {
      const barrier = Number(logs.at(-1)!.args.barrierEpoch);
      if (barrier >= n) {
        add(
          `${what}: the pool's barrier is epoch ${barrier}, so leaves of ${r.new} up to epoch ${barrier} never set its score; apply it in epoch ${barrier + 1}`,
        );
      }
    }
  }
  return out;
}

/**
 * Checks `checks` against the pool (see the module's comment) and adds what differs to each epoch's differences;
 * with `history`, also reports epochs on chain beyond the last directory. Throws {@link ChainError} (exit 3) when the
 * node cannot be reached or the address does not answer as the pool.
 */
export async function checkOnChain(
  checks: readonly EpochCheck[],
  options: ChainOptions & { history?: string },
): Promise<ChainReport> {
  const chainId = await chainIdOf(options.rpc, options.timeoutMs ?? 10_000);
  const network = Network.from(chainId);
  const provider = new JsonRpcProvider(options.rpc, network, { staticNetwork: network });
  try {
    let code: string;
    try {
      code = await provider.getCode(options.pool);
    } catch (error) {
      throw new ChainError(`--rpc ${options.rpc}: ${short(error)}`, { cause: error });
    }
    if (code === "0x")
      throw new ChainError(`--pool ${options.pool}: no contract there on chain ${chainId} (${options.rpc})`);
    const pool = new PoolReader(provider, options.pool, options.rpc);
    const report: ChainReport = {
      rpc: options.rpc,
      pool: options.pool,
      chainId,
      latestEpoch: Number(await pool.call<bigint>("latestEpoch")),
      decayBps: Number(await pool.call<bigint>("decayBps")),
      notes: pool.notes,
      differences: [],
    };
    for (const [i, check] of checks.entries()) {
      const found = await epochDifferences(pool, check, report);
      if (found.length === 0) continue;
      settle(check, found);
      // The last epoch of a single directory reports its own; the others are named by their directory.
      if (options.history !== undefined) {
        report.differences.push(...found.map((d) => ({ file: `${basename(check.dir)}/${d.file}`, reason: d.reason })));
      } else if (i < checks.length - 1) {
        report.differences.push(...found.map((d) => ({ file: join(check.dir, d.file), reason: d.reason })));
      }
    }
    const last = Math.max(0, ...checks.map((c) => c.epoch));
    if (options.history !== undefined && report.latestEpoch > last) {
      const missing = last + 1 === report.latestEpoch ? `${last + 1}` : `${last + 1}..${report.latestEpoch}`;
      report.differences.push({
        file: `epoch-${last + 1}`,
        reason: `missing: the pool has epoch${last + 1 === report.latestEpoch ? "" : "s"} ${missing} (its latest epoch is ${report.latestEpoch}), which ${options.history} has no directory for`,
      });
    }
    return report;
  } finally {
    provider.destroy();
  }
}
