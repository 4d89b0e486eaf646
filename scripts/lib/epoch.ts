/**
 * One epoch end to end, in memory: inputs → validation → scores → allocation → reputation →
 * leaves → tree. Nothing here touches the disk except {@link allocateEpoch} reading its inputs.
 */
import { extname } from "node:path";
import { allocate } from "./allocate.js";
import { epochConfigToJson, parseEpochConfig, ZERO_ADDRESS, type ConfigOverrides, type EpochConfig } from "./config.js";
import { MAX_EPOCH_TOTAL, MAX_REPUTATION_TOTAL } from "../../protocol/bounds.js";
import { ArtifactsError, ErrorCollector, InputError, ReputationTotalOverflowError, invariant } from "./errors.js";
import { hashInputsInBackground, openInputFile, readInputFile } from "./input-files.js";
import { checkVoteRows, formatOf, parseTeams, parseWorks, type AnySource, type Source } from "./inputs.js";
import { computeInputsHash, type InputRecord } from "./manifest.js";
import { buildTree, type EpochTree, type Leaf } from "./merkle.js";
import { PREVIOUS_REPUTATION_FILE, type PreviousEpoch } from "./previous.js";
import { PREVIOUS_RECOVERIES_FILE, planRecoveries, readRecoveries, type Recovery } from "./recoveries.js";
import { provePreviousEpoch } from "./history.js";
import { nextReputation } from "./reputation.js";
import { scoreEpoch, type WorkScore } from "./score.js";
import type { ExcludedVotes } from "./excluded.js";
import { validateEpoch, type FileCount, type Rejection } from "./validate.js";
import { readVotes, type VoteTable } from "./vote-table.js";
import { readScreenedVotes, voteScreen, type VoteScreen } from "./vote-screen.js";

/** The inputs of an epoch, already in memory. */
export interface EpochSources {
  works: Source;
  /** Held in memory, or (`allocateEpoch`'s votes.csv) read in chunks. */
  votes: AnySource;
  teams?: Source;
  /** epoch.json */
  config: Source;
  /**
   * The previous epoch, taken as given: `allocateEpoch` proves a `--previous` directory before it gets here.
   */
  previous?: PreviousEpoch;
  /** recoveries.csv (`lost,new`): souls moved on chain since the previous epoch (recoveries.ts). */
  recoveries?: Source;
  overrides?: ConfigOverrides;
  onProgress?: ProgressListener;
  onStage?: StageListener;
}

/** Called after each stage of {@link computeEpoch} with its wall time, for benchmarks and --verbose. */
export type StageListener = (stage: string, ms: number) => void;

/** Progress of long steps, for progress bars: `step` is "tree" or "write". */
export type ProgressListener = (step: string, done: number, total: number) => void;

/** An account's reputation after the epoch (reputation.csv). */
export interface ReputationEntry {
  /** EIP-55 checksummed. */
  account: string;
  reputation: bigint;
}

/** One leaf of the epoch with what produced it. */
export interface AccountResult {
  index: number;
  /** EIP-55 checksummed. */
  account: string;
  amount: bigint;
  /** Reputation after this epoch (absolute). */
  reputation: bigint;
  previousReputation: bigint;
  /** Credit units earned this epoch. */
  units: bigint;
}

/** Everything an epoch's artifacts are made of. */
export interface EpochResult {
  config: EpochConfig;
  /** The input files as they are copied into the artifacts' inputs/ directory. */
  inputs: InputRecord[];
  inputsHash: string;
  previous: { epoch: number; root: string } | null;
  counts: FileCount[];
  /** The excluded votes, held compactly (excluded.ts): excluded.csv and the report's summary are rendered from them. */
  excluded: ExcludedVotes;
  /**
   * Whether the votes were screened as they were read (vote-screen.ts): the excluded rows were only counted, and
   * excluded.csv lists them by reading the votes file again.
   */
  votesScreened: boolean;
  /** The excluded votes as objects, in processing order: made on each access, an object a row (prefer `excluded`). */
  readonly rejections: Rejection[];
  works: WorkScore[];
  totalUnits: bigint;
  /**
   * The leaves, in index order (lowercase address ascending): the accounts paid this epoch or whose
   * reputation grew. An account whose reputation only decays has no leaf: the chain decays it.
   */
  accounts: AccountResult[];
  /** Every account with reputation > 0 after this epoch, leaf or not, by lowercase address. */
  reputation: ReputationEntry[];
  /** Σ reputation over {@link reputation}: the total voting supply after this epoch. */
  reputationTotal: bigint;
  /** Every soul recovery applied up to this epoch (this epoch's have its number); manifest.json records them. */
  recoveries: Recovery[];
  tree: EpochTree;
  root: string;
  /** Σ amounts; always equal to the pool. */
  total: bigint;
}

/**
 * Checksummed addresses in leaf order (lowercase ascending), each lowercased once, not per comparison: the
 * lowercase forms are sorted by the engine's own string order (the same as `<`), without a comparator.
 */
function sortAddresses(addresses: Iterable<string>): string[] {
  const all = [...addresses];
  const byKey = new Map(all.map((address) => [address.toLowerCase(), address]));
  if (byKey.size === all.length) return [...byKey.keys()].sort().map((key) => byKey.get(key)!);
  // Two spellings of one address (never from the readers, which checksum every address): keep both, stably.
  const keyed = all.map((address) => ({ address, key: address.toLowerCase() }));
  keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return keyed.map((k) => k.address);
}

function inputName(role: string, source: AnySource): string {
  return `${role}${extname(source.name).toLowerCase() === ".json" ? ".json" : ".csv"}`;
}

/**
 * Reads a votes file, screened as it is read when the rest of the epoch is known (vote-screen.ts). The fast CSV
 * reader stops at the first bad row; then the file is checked again, row by row, so that the error lists every bad
 * row.
 */
function readAllVotes(source: AnySource, screen: VoteScreen | undefined): VoteTable {
  try {
    return (screen && readScreenedVotes(source, screen)) ?? readVotes(source);
  } catch (error) {
    if (error instanceof InputError && formatOf(source.name) === "csv") checkVoteRows(source);
    throw error;
  }
}

/**
 * Computes an epoch from in-memory inputs. Throws {@link InputError} and friends on bad input: every
 * input is read before the run stops, so that one {@link InputErrors} lists the errors of them all.
 */
export function computeEpoch(sources: EpochSources): EpochResult {
  const errors = new ErrorCollector();
  const parsedConfig = errors.guard(() => parseEpochConfig(sources.config, sources.overrides));
  const previous = sources.previous;
  if (parsedConfig && previous && previous.epoch !== parsedConfig.epoch - 1) {
    errors.add(
      new InputError(
        { file: sources.config.name, column: "epoch" },
        `epoch ${parsedConfig.epoch} does not follow the previous epoch ${previous.epoch} (expected ${previous.epoch + 1})`,
      ),
    );
  }
  const recoverySource = sources.recoveries;
  const recoveryRows = recoverySource && errors.guard(() => readRecoveries(recoverySource, previous));

  let clock = performance.now();
  const stage = <T>(name: string, value: T): T => {
    const now = performance.now();
    sources.onStage?.(name, now - clock);
    clock = now;
    return value;
  };
  const readWorks = stage(
    "read works",
    errors.guard(() => parseWorks(sources.works)),
  );
  const teamsSource = sources.teams;
  const teams = teamsSource
    ? stage(
        "read teams",
        errors.guard(() => parseTeams(teamsSource)),
      )
    : undefined;
  // With everything else read, the votes are screened as they are read: the excluded rows are not held.
  const plannedRecovery =
    parsedConfig && (!recoverySource || recoveryRows)
      ? planRecoveries(recoveryRows ?? [], parsedConfig.epoch, previous)
      : undefined;
  // The screen lives only while the votes are read: its maps (a million works, say) are not kept for what follows.
  const screenOf = (): VoteScreen | undefined =>
    parsedConfig && readWorks && (!teamsSource || teams) && plannedRecovery
      ? voteScreen({
          works: readWorks,
          teams,
          window: { start: parsedConfig.start, end: parsedConfig.end },
          rules: parsedConfig.rules,
          priorReputation: plannedRecovery.prior,
        })
      : undefined;
  const readVoteTable = stage(
    "read votes",
    errors.guard(() => readAllVotes(sources.votes, screenOf())),
  );
  errors.throwIfAny();
  // Every reader returned (none threw).
  const config = parsedConfig!;
  const recovery = plannedRecovery!;
  const priorReputation = recovery.prior;
  const works = readWorks!;
  const votes = readVoteTable!;
  const validated = stage(
    "validate",
    validateEpoch({
      works: { name: sources.works.name, rows: works },
      votes: { name: sources.votes.name, table: votes },
      teams: teams && sources.teams ? { name: sources.teams.name, rows: teams } : undefined,
      window: { start: config.start, end: config.end },
      rules: config.rules,
      domain: { epoch: config.epoch, chainId: config.chainId, distributor: config.distributor },
      priorReputation,
    }),
  );

  // Artifacts name the inputs by their copies in inputs/, never by the caller's paths, so that the
  // same inputs give the same bytes wherever they were read from.
  const names = new Map<string, string>([
    [sources.works.name, inputName("works", sources.works)],
    [sources.votes.name, inputName("votes", sources.votes)],
  ]);
  if (sources.teams) names.set(sources.teams.name, inputName("teams", sources.teams));
  const counts = validated.counts.map((c) => ({
    ...c,
    file: names.get(c.file) ?? c.file,
  }));
  const excluded = validated.excluded;
  excluded.file = names.get(excluded.file) ?? excluded.file;
  excluded.worksFile = names.get(excluded.worksFile) ?? excluded.worksFile;

  const scores = stage("score", scoreEpoch(validated, config.rules, priorReputation));
  const amounts = stage("allocate", allocate(config.pool, scores.units, config.rules.capBps));

  const everyone = new Set([...scores.units.keys(), ...priorReputation.keys()]);
  const accounts: AccountResult[] = [];
  const reputations: ReputationEntry[] = [];
  let reputationTotal = 0n;
  for (const account of sortAddresses(everyone)) {
    const previousReputation = priorReputation.get(account) ?? 0n;
    const units = scores.units.get(account) ?? 0n;
    const amount = amounts.get(account) ?? 0n;
    // A recovered (lost) address never has reputation again; its work still pays.
    const gone = recovery.gone.has(account);
    const reputation = gone ? 0n : nextReputation(account, previousReputation, units, config.rules.decayBps);
    if (reputation > 0n) {
      reputations.push({ account, reputation });
      reputationTotal += reputation;
    }
    // A leaf only for a reward or for reputation gained (floor(u / 10000) > 0): the contract decays
    // an idle account from its newest claimed leaf by itself, with the same decay().
    // A recovery's new address gets a leaf for the reputation it took over, so that its claim sets its score.
    if (amount === 0n && (gone || units / 10000n === 0n) && !(reputation > 0n && recovery.received.has(account)))
      continue;
    invariant(account !== ZERO_ADDRESS, "a leaf for the zero address");
    accounts.push({
      index: accounts.length,
      account,
      amount,
      reputation,
      previousReputation,
      units,
    });
  }
  const total = accounts.reduce((s, a) => s + a.amount, 0n);
  invariant(total === config.pool, `Σ amounts ${total} ≠ pool ${config.pool}`);
  invariant(total <= MAX_EPOCH_TOTAL, "the epoch total exceeds the contract's 96 bits");
  if (reputationTotal > MAX_REPUTATION_TOTAL) throw new ReputationTotalOverflowError(config.epoch, reputationTotal);

  const leaves: Leaf[] = accounts.map(({ index, account, amount, reputation }) => ({
    index,
    account,
    amount,
    reputation,
  }));
  const onProgress = sources.onProgress;
  stage("leaves", null);
  const tree = stage("tree", buildTree(leaves, onProgress && ((done, all) => onProgress("tree", done, all))));

  const inputs: InputRecord[] = [
    {
      role: "works",
      file: `inputs/${inputName("works", sources.works)}`,
      bytes: sources.works.bytes,
    },
    {
      role: "votes",
      file: `inputs/${inputName("votes", sources.votes)}`,
      bytes: "bytes" in sources.votes ? sources.votes.bytes : sources.votes.file,
    },
  ];
  if (sources.teams)
    inputs.push({
      role: "teams",
      file: `inputs/${inputName("teams", sources.teams)}`,
      bytes: sources.teams.bytes,
    });
  if (previous)
    inputs.push({
      role: "previous",
      file: `inputs/${PREVIOUS_REPUTATION_FILE}`,
      bytes: previous.source.bytes,
    });
  inputs.push({
    role: "epoch",
    file: "inputs/epoch.json",
    bytes: Buffer.from(epochConfigToJson(config)),
  });
  if (recoverySource)
    inputs.push({
      role: "recoveries",
      file: `inputs/${inputName("recoveries", recoverySource)}`,
      bytes: recoverySource.bytes,
    });
  if (previous?.recoveries)
    inputs.push({
      role: "previous-recoveries",
      file: `inputs/${PREVIOUS_RECOVERIES_FILE}`,
      bytes: previous.recoveries.source.bytes,
    });

  const inputsHash = stage("inputs hash", computeInputsHash(inputs, config.rules));
  return {
    config,
    inputs,
    inputsHash,
    previous: previous ? { epoch: previous.epoch, root: previous.root } : null,
    counts,
    excluded,
    votesScreened: votes.screened !== undefined,
    get rejections() {
      return excluded.toRejections();
    },
    works: scores.works,
    totalUnits: scores.totalUnits,
    accounts,
    reputation: reputations,
    reputationTotal,
    recoveries: recovery.records,
    tree,
    root: tree.root,
    total,
  };
}

/** Paths of an epoch's inputs (docs/formats.md), as given to `social-mining allocate`. */
export interface AllocateOptions {
  works: string;
  votes: string;
  teams?: string;
  /** epoch.json */
  config: string;
  /** The previous epoch's artifacts directory, for prior reputation; proven (history.ts) before it is used. */
  previous?: string;
  /** recoveries.csv (`lost,new`), souls moved on chain since the previous epoch. */
  recoveries?: string;
  overrides?: ConfigOverrides;
  onProgress?: ProgressListener;
  onStage?: StageListener;
}

function readSource(path: string): Source;
function readSource(path: string, streamed: true): AnySource;
function readSource(path: string, streamed = false): AnySource {
  try {
    // A CSV votes file is read in chunks as it is parsed, never whole (input-files.ts).
    if (streamed && formatOf(path) === "csv") return { name: path, file: openInputFile(path) };
    return { name: path, bytes: readInputFile(path) };
  } catch (error) {
    const e = new ArtifactsError(
      `cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      {
        cause: error,
      },
    );
    throw e;
  }
}

/** Reads the input files and computes the epoch in memory (write it with `writeArtifacts`). */
export function allocateEpoch(options: AllocateOptions): EpochResult {
  const works = readSource(options.works);
  const votes = readSource(options.votes, true);
  const teams = options.teams === undefined ? undefined : readSource(options.teams);
  // The large inputs are hashed on a helper thread while they are parsed (input-files.ts).
  hashInputsInBackground([works.bytes, ...("bytes" in votes ? [votes.bytes] : []), ...(teams ? [teams.bytes] : [])]);
  return computeEpoch({
    works,
    votes,
    teams,
    config: readSource(options.config),
    previous: options.previous === undefined ? undefined : provePreviousEpoch(options.previous),
    recoveries: options.recoveries === undefined ? undefined : readSource(options.recoveries),
    overrides: options.overrides,
    onProgress: options.onProgress,
    onStage: options.onStage,
  });
}
