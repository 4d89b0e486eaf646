/**
 * One epoch end to end, in memory: inputs → validation → scores → allocation → reputation →
 * leaves → tree. Nothing here touches the disk except {@link allocateEpoch} reading its inputs.
 */
import { readFileSync } from "node:fs";
import { extname } from "node:path";
import { allocate } from "./allocate.js";
import { epochConfigToJson, parseEpochConfig, ZERO_ADDRESS, type ConfigOverrides, type EpochConfig } from "./config.js";
import { MAX_EPOCH_TOTAL, MAX_REPUTATION_TOTAL } from "./bounds.js";
import { ArtifactsError, InputError, ReputationTotalOverflowError, invariant } from "./errors.js";
import { parseTeams, parseWorks, type Source } from "./inputs.js";
import { computeInputsHash, type InputRecord } from "./manifest.js";
import { buildTree, type EpochTree, type Leaf } from "./merkle.js";
import { PREVIOUS_REPUTATION_FILE, readPreviousEpoch, type PreviousEpoch } from "./previous.js";
import { nextReputation } from "./reputation.js";
import { scoreEpoch, type WorkScore } from "./score.js";
import { validateEpoch, type FileCount, type Rejection } from "./validate.js";
import { readVotes } from "./vote-table.js";

/** The inputs of an epoch, already in memory. */
export interface EpochSources {
  works: Source;
  votes: Source;
  teams?: Source;
  /** epoch.json */
  config: Source;
  previous?: PreviousEpoch;
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
  /** Excluded votes, in processing order. */
  rejections: Rejection[];
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
  tree: EpochTree;
  root: string;
  /** Σ amounts; always equal to the pool. */
  total: bigint;
}

/** Checksummed addresses in leaf order (lowercase ascending), each lowercased once, not per comparison. */
function sortAddresses(addresses: Iterable<string>): string[] {
  const keyed = [...addresses].map((address) => ({ address, key: address.toLowerCase() }));
  keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return keyed.map((k) => k.address);
}

function inputName(role: string, source: Source): string {
  return `${role}${extname(source.name).toLowerCase() === ".json" ? ".json" : ".csv"}`;
}

/** Computes an epoch from in-memory inputs. Throws {@link InputError} and friends on bad input. */
export function computeEpoch(sources: EpochSources): EpochResult {
  const config = parseEpochConfig(sources.config, sources.overrides);
  const previous = sources.previous;
  if (previous && previous.epoch !== config.epoch - 1) {
    throw new InputError(
      { file: sources.config.name, column: "epoch" },
      `epoch ${config.epoch} does not follow the previous epoch ${previous.epoch} (expected ${previous.epoch + 1})`,
    );
  }
  const priorReputation = previous?.reputation ?? new Map<string, bigint>();

  let clock = performance.now();
  const stage = <T>(name: string, value: T): T => {
    const now = performance.now();
    sources.onStage?.(name, now - clock);
    clock = now;
    return value;
  };
  const works = stage("read works", parseWorks(sources.works));
  const votes = stage("read votes", readVotes(sources.votes));
  const teams = sources.teams ? stage("read teams", parseTeams(sources.teams)) : undefined;
  const validated = stage(
    "validate",
    validateEpoch({
      works: { name: sources.works.name, rows: works },
      votes: { name: sources.votes.name, table: votes },
      teams: teams && sources.teams ? { name: sources.teams.name, rows: teams } : undefined,
      window: { start: config.start, end: config.end },
      rules: config.rules,
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
  const rejections = validated.rejections.map((r) => ({
    ...r,
    file: names.get(r.file) ?? r.file,
  }));

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
    const reputation = nextReputation(account, previousReputation, units, config.rules.decayBps);
    if (reputation > 0n) {
      reputations.push({ account, reputation });
      reputationTotal += reputation;
    }
    // A leaf only for a reward or for reputation gained (floor(u / 10000) > 0): the contract decays
    // an idle account from its newest claimed leaf by itself, with the same decay().
    if (amount === 0n && units / 10000n === 0n) continue;
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
  if (total !== config.pool) throw new Error(`internal error: Σ amounts ${total} ≠ pool ${config.pool}`);
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
      bytes: sources.votes.bytes,
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

  const inputsHash = stage("inputs hash", computeInputsHash(inputs, config.rules));
  return {
    config,
    inputs,
    inputsHash,
    previous: previous ? { epoch: previous.epoch, root: previous.root } : null,
    counts,
    rejections,
    works: scores.works,
    totalUnits: scores.totalUnits,
    accounts,
    reputation: reputations,
    reputationTotal,
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
  /** The previous epoch's artifacts directory, for prior reputation. */
  previous?: string;
  overrides?: ConfigOverrides;
  onProgress?: ProgressListener;
  onStage?: StageListener;
}

function readSource(path: string): Source {
  try {
    return { name: path, bytes: readFileSync(path) };
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
  return computeEpoch({
    works: readSource(options.works),
    votes: readSource(options.votes),
    teams: options.teams === undefined ? undefined : readSource(options.teams),
    config: readSource(options.config),
    previous: options.previous === undefined ? undefined : readPreviousEpoch(options.previous),
    overrides: options.overrides,
    onProgress: options.onProgress,
    onStage: options.onStage,
  });
}
