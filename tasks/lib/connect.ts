/**
 * What every task does around its operation: validate its options, open a connection to the selected network
 * (`--network`), find the pool, pick the sender ({@link sendingTask}: `--from`, else the role's key or the network
 * account holding the role the call needs), send through the pipeline of send.ts, and print errors as one clear
 * line (custom errors decoded, {@link runTask}).
 *
 * A task module's default export is the Hardhat action; its `run(args, env)` is the same task with the network
 * connection, the configuration variables, the output and the prompt passed in ({@link TaskEnv}), which is how the
 * tests run the tasks on the in-process network.
 */
import { existsSync } from "node:fs";
import { Contract, VoidSigner, Wallet, type Signer } from "ethers";
import { configVariable } from "hardhat/config";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import type { NetworkConnection } from "hardhat/types/network";
import type { EpochRewards } from "../../typechain-types/index.js";
import { EPOCH_REWARDS_ABI } from "../../protocol/abi.js";
import { describeError, TaskError } from "./errors.js";
import type { Log, Noop } from "./ops/outcome.js";
import { parseAddressOption, parseTextOption } from "./options.js";
import { ROLES, roleId, roleKeyVariable, type RoleName } from "./roles.js";
import { confirmation, execute, type Confirm, type Executed, type Planned, type PromptInput } from "./send.js";

/** Chain ids of development chains (Hardhat's in-process network and node, anvil: 31337; geth --dev: 1337). */
export const LOCAL_CHAIN_IDS: readonly bigint[] = [31337n, 1337n];

/** What a task needs from its surroundings; {@link hreEnv} is the real one. */
export interface TaskEnv {
  /** Opens the connection to the task's network. */
  connect: () => Promise<NetworkConnection>;
  /** A configuration variable (environment variable, else Hardhat's keystore); undefined when unset or empty. */
  variable: (name: string) => Promise<string | undefined>;
  /** Where the task prints. */
  log: Log;
  /** Asks for confirmation on a live network (default: the terminal, refusing without one). */
  prompt?: Confirm;
  /** The terminal the default prompt reads (default: stdin). */
  input?: PromptInput;
}

/**
 * A configuration variable as Hardhat resolves one: the environment variable of that name, else the keystore
 * (`npx hardhat keystore set NAME`). Unlike a variable of the network config, an unset one is not an error:
 * undefined (and the production keystore's password is not asked for a name it does not hold).
 */
export async function readConfigVariable(hre: HardhatRuntimeEnvironment, name: string): Promise<string | undefined> {
  const fromEnv = process.env[name];
  if (fromEnv !== undefined) return fromEnv.trim() || undefined;
  const value = await hre.hooks.runHandlerChain(
    "configurationVariables",
    "fetchValue",
    [configVariable(name, { default: "" })],
    async (_context, variable) => process.env[variable.name] ?? variable.default ?? "",
  );
  return value.trim() || undefined;
}

/** The environment of a task run by Hardhat: its `--network`, the configuration variables, the console. */
export function hreEnv(hre: HardhatRuntimeEnvironment): TaskEnv {
  return {
    connect: () => hre.network.create(),
    variable: (name) => readConfigVariable(hre, name),
    log: (line) => console.log(line),
  };
}

export interface NetworkInfo {
  connection: NetworkConnection;
  networkName: string;
  chainId: bigint;
  /** A development chain ({@link LOCAL_CHAIN_IDS}): nothing to confirm, and the mock token may be minted. */
  isLocal: boolean;
}

/** The pool on a network, read-only (connected to the provider: no account needed). */
export interface PoolView extends NetworkInfo {
  pool: EpochRewards;
}

/** A signer the tasks may send from, and where its key comes from. */
export interface Sender {
  signer: Signer;
  address: string;
  /** "account 0 of network localhost", "SM_GUARDIAN_KEY". */
  source: string;
}

/** The pool connected to the sender. */
export interface PoolConnection extends PoolView {
  signer: Signer;
  sender: Sender;
}

async function openNetwork(env: TaskEnv): Promise<NetworkInfo> {
  const connection = await env.connect();
  const chainId = (await connection.ethers.provider.getNetwork()).chainId;
  return { connection, networkName: connection.networkName, chainId, isLocal: LOCAL_CHAIN_IDS.includes(chainId) };
}

async function openPool(env: TaskEnv, poolOption: string | undefined): Promise<PoolView> {
  const address = parseAddressOption("pool", poolOption);
  const network = await openNetwork(env);
  const { provider } = network.connection.ethers;
  if ((await provider.getCode(address)) === "0x") {
    throw new TaskError(`--pool ${address}: no contract at this address on network ${network.networkName}`);
  }
  return { ...network, pool: new Contract(address, EPOCH_REWARDS_ABI, provider) as unknown as EpochRewards };
}

/** The network's own accounts, the first 20 (none when it has none or cannot list them). */
async function networkAccounts(network: NetworkInfo): Promise<{ senders: Sender[]; error?: unknown }> {
  try {
    const signers = await network.connection.ethers.getSigners();
    return {
      senders: signers.slice(0, 20).map((signer, i) => ({
        signer,
        address: signer.address,
        source: `account ${i} of network ${network.networkName}`,
      })),
    };
  } catch (error) {
    return { senders: [], error };
  }
}

/** The signer of a role's key variable (`SM_GUARDIAN_KEY` …), if it is set. */
async function roleKeySender(network: NetworkInfo, env: TaskEnv, role: RoleName): Promise<Sender | undefined> {
  const variable = roleKeyVariable(role);
  const key = await env.variable(variable);
  if (key === undefined) return undefined;
  const hex = key.startsWith("0x") ? key : `0x${key}`;
  if (!/^0x[0-9a-fA-F]{64}$/.test(hex)) {
    throw new TaskError(`${variable} is not a private key (0x followed by 64 hex digits)`);
  }
  const wallet = new Wallet(hex, network.connection.ethers.provider);
  return { signer: wallet, address: wallet.address, source: variable };
}

/** Who a task sends from when `--from` is not given. */
export type SenderRule =
  /** The role's key (`SM_<ROLE>_KEY`) if it holds the role, else the first network account holding it. */
  | { role: RoleName }
  /** The pending default admin: `SM_ADMIN_KEY` or the network account that is it. */
  | { pendingAdmin: true }
  /** The first network account. */
  | { anyone: true };

/**
 * The sender: `--from` (a network account or the address of a role's key), else as `rule` says. Role keys are read
 * only when needed: the rule's own role, or every role for a `--from` that is not a network account.
 */
async function pickSender(
  view: PoolView,
  env: TaskEnv,
  rule: SenderRule,
  fromOption: string | undefined,
): Promise<Sender> {
  const { pool, networkName } = view;
  const accounts = await networkAccounts(view);
  const noAccounts = (checked: string) =>
    new TaskError(
      `network ${networkName} has no account to send from${checked}` +
        (accounts.error ? ` (its accounts: ${describeError(accounts.error)})` : "") +
        `: configure the network's accounts or set a role's key (${ROLES.map(roleKeyVariable).join(", ")})`,
    );

  if (fromOption) {
    const from = parseAddressOption("from", fromOption);
    const found = accounts.senders.find((s) => s.address === from);
    if (found) return found;
    for (const role of ROLES) {
      const keyed = await roleKeySender(view, env, role);
      if (keyed?.address === from) return keyed;
    }
    throw new TaskError(
      `--from ${from} is neither one of the accounts of network ${networkName} nor the address of a role's key (${ROLES.map(roleKeyVariable).join(", ")})`,
    );
  }

  if ("anyone" in rule) {
    const first = accounts.senders[0];
    if (!first) throw noAccounts("");
    return first;
  }

  const role: RoleName = "role" in rule ? rule.role : "DEFAULT_ADMIN_ROLE";
  const keyed = await roleKeySender(view, env, role);
  const candidates = [...(keyed ? [keyed] : []), ...accounts.senders];
  const variable = roleKeyVariable(role);
  const checked = `${keyed ? `${variable} and ` : ""}${accounts.senders.length} account${accounts.senders.length === 1 ? "" : "s"} of network ${networkName}`;
  if ("pendingAdmin" in rule) {
    const [pending] = await pool.pendingDefaultAdmin();
    if (BigInt(pending) === 0n) {
      throw new TaskError(`no default admin transfer is pending on ${await pool.getAddress()}: nothing to accept`);
    }
    const found = candidates.find((c) => c.address === pending);
    if (!found) {
      throw new TaskError(
        `the pending default admin ${pending} is not among the senders (checked ${checked}): set ${variable} to its key or pass --from`,
      );
    }
    return found;
  }
  if (candidates.length === 0) throw noAccounts(keyed ? "" : ` and ${variable} is not set`);
  const id = await roleId(pool, role);
  for (const candidate of candidates) if (await pool.hasRole(id, candidate.address)) return candidate;
  throw new TaskError(
    `none of the senders holds ${role} on ${await pool.getAddress()} (checked ${checked}): set ${variable} to the key of the holder, or pass --from`,
  );
}

/** A task action for Hardhat, and the same task with its environment passed in. */
export type TaskAction<ArgsT, ResultT> = ((args: ArgsT, hre: HardhatRuntimeEnvironment) => Promise<void>) & {
  run: (args: ArgsT, env: TaskEnv) => Promise<ResultT>;
};

/** The options every pool task takes: `--pool`, and `--from` for the tasks that send. */
export interface PoolTaskArgs {
  pool?: string;
  from?: string;
}

/** The options of every task that sends: `--from`, `--yes`, `--dry-run`, and `--safe FILE --safe-address ADDR`. */
export interface SendingTaskArgs extends PoolTaskArgs {
  yes?: boolean;
  dryRun?: boolean;
  /** Write the calls to this Safe Transaction Builder batch file instead of sending them. */
  safe?: string;
  /** The Safe that executes the batch: the sender for the role checks and the estimates. */
  safeAddress?: string;
}

/** `--safe FILE --safe-address ADDR`, validated before anything connects; undefined without `--safe`. */
export function parseSafeOptions(args: SendingTaskArgs): { file: string; address: string } | undefined {
  if (!args.safe) {
    if (args.safeAddress) throw new TaskError("--safe-address is given without --safe FILE, the batch file to write");
    return undefined;
  }
  const file = parseTextOption("safe", args.safe);
  if (!args.safeAddress) {
    throw new TaskError(
      "--safe FILE needs --safe-address ADDR: the Safe that executes the batch (the role checks and the estimates are made from its address)",
    );
  }
  const address = parseAddressOption("safe-address", args.safeAddress);
  if (args.from) {
    throw new TaskError("--from and --safe: with --safe the sender is the Safe, --safe-address; leave out --from");
  }
  if (existsSync(file)) throw new TaskError(`--safe ${file} already exists: not overwritten (choose another file)`);
  return { file, address };
}

/**
 * The Safe as the sender: an address without a key (a `VoidSigner`), so that the checks, `eth_call`s and gas
 * estimates run from it and nothing can be signed. Warns when the address holds no contract.
 */
async function safeSender(view: PoolView, env: TaskEnv, address: string): Promise<Sender> {
  const { provider } = view.connection.ethers;
  if ((await provider.getCode(address)) === "0x") {
    env.log(
      `note: no contract at --safe-address ${address} on network ${view.networkName}: check that it is the Safe's address`,
    );
  }
  return { signer: new VoidSigner(address, provider), address, source: "the Safe (--safe-address)" };
}

/**
 * A read-only task on one pool: `parse` validates the task's own options before anything connects, then the pool is
 * opened on the task's network (no account needed) and `run` reads and prints.
 */
export function poolTask<ArgsT extends { pool?: string }, ParsedT = undefined>(spec: {
  parse?: (args: ArgsT) => ParsedT;
  run: (view: PoolView, parsed: ParsedT, args: ArgsT, env: TaskEnv) => Promise<void>;
}): TaskAction<ArgsT, void> {
  const run = async (args: ArgsT, env: TaskEnv) => {
    const parsed = spec.parse ? spec.parse(args) : (undefined as ParsedT);
    await spec.run(await openPool(env, args.pool), parsed, args, env);
  };
  return Object.assign((args: ArgsT, hre: HardhatRuntimeEnvironment) => runTask(() => run(args, hreEnv(hre))), {
    run,
  });
}

/**
 * A task that sends: `parse` validates the options before anything connects; the pool is opened and the sender
 * picked (`--from`, else as `sender` says; with `--safe`, the Safe of `--safe-address`) once `check` passes; `plan`
 * reads the chain, checks and plans the calls; the plan goes through the send pipeline (send.ts) with `--dry-run`,
 * and a confirmation on a live network unless `--yes` — or, with `--safe FILE`, is written to a Safe Transaction
 * Builder batch file instead of being sent. Declining sends nothing and exits 1.
 */
export function sendingTask<
  ArgsT extends SendingTaskArgs,
  ParsedT = undefined,
  T = unknown,
  N extends Noop = Noop,
>(spec: {
  sender: SenderRule | ((parsed: ParsedT) => SenderRule);
  parse?: (args: ArgsT) => ParsedT;
  /** A check of the network and the pool before a sender is picked (sm:mint refuses a live chain). */
  check?: (view: PoolView) => void | Promise<void>;
  plan: (connection: PoolConnection, parsed: ParsedT, args: ArgsT) => Promise<Planned<T, N>>;
}): TaskAction<ArgsT, Executed<T, N>> {
  const run = async (args: ArgsT, env: TaskEnv): Promise<Executed<T, N>> => {
    const parsed = spec.parse ? spec.parse(args) : (undefined as ParsedT);
    const safe = parseSafeOptions(args);
    const view = await openPool(env, args.pool);
    await spec.check?.(view);
    const rule = typeof spec.sender === "function" ? spec.sender(parsed) : spec.sender;
    const sender = safe
      ? await safeSender(view, env, safe.address)
      : await pickSender(view, env, rule, args.from || undefined);
    const connection: PoolConnection = {
      ...view,
      pool: view.pool.connect(sender.signer) as EpochRewards,
      signer: sender.signer,
      sender,
    };
    const planned = await spec.plan(connection, parsed, args);
    return await execute(planned, {
      log: env.log,
      dryRun: args.dryRun ?? false,
      // Writing a batch sends nothing: there is nothing to confirm.
      confirm: safe
        ? undefined
        : confirmation({ live: !view.isLocal, yes: args.yes ?? false, prompt: env.prompt, input: env.input }),
      network: view.networkName,
      senderSource: sender.source,
      safe: safe && { file: safe.file },
    });
  };
  return Object.assign(
    (args: ArgsT, hre: HardhatRuntimeEnvironment) =>
      runTask(async () => {
        const result = await run(args, hreEnv(hre));
        if (result.status === "cancelled") process.exitCode = 1;
      }),
    { run },
  );
}

/** Runs a task body: prints any error as `Error: …` (custom errors decoded) and sets exit code 1. */
export async function runTask(body: () => Promise<void>, error: Log = (line) => console.error(line)): Promise<void> {
  try {
    await body();
  } catch (caught) {
    error(`Error: ${describeError(caught)}`);
    if (!(caught instanceof TaskError) && process.env.SM_DEBUG) console.error(caught);
    process.exitCode = 1;
  }
}
