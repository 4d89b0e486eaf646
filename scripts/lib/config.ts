/**
 * epoch.json (docs/formats.md) and its `rules` (docs/rules.md), checked with zod. Defaults are
 * applied here so that the rest of the pipeline and the manifest see every rule explicitly.
 */
import { z } from "zod";
import { parseAddress } from "./address.js";
import { MAX_EPOCH_TOTAL } from "../../protocol/bounds.js";
import { ErrorCollector, InputError } from "./errors.js";
import { parseTimestamp, readJsonInput, type Source } from "./inputs.js";

export const ZERO_ADDRESS = "0x0000000000000000000000000000000000000000";
const UINT64_MAX = (1n << 64n) - 1n;

export type VoterWeight = "equal" | "reputation" | "sqrt";
export type Aggregation = "sum" | "median" | "trimmedMean";
/** Whether the members' EIP-712 signatures of works and ballots are checked (docs/rules.md §1). */
export type SignaturePolicy = "ignored" | "required";

/** The allocation rules with every default applied (docs/rules.md). */
export interface Rules {
  /** Votes with points outside 0..maxPoints are rejected. Default 100. */
  maxPoints: bigint;
  /** A work with fewer distinct accepted voters scores 0. Default 1. */
  minVoters: number;
  /** Reputation decay per epoch in basis points. Default 1000 (10 %). */
  decayBps: number;
  /** Weight of a vote: 1, the voter's prior reputation, or its integer square root. Default equal. */
  voterWeight: VoterWeight;
  /** How the points of a work's votes combine. Default sum. */
  aggregation: Aggregation;
  /** For trimmedMean: the share of votes cut at each end, in bps. Default 1000. */
  trimBps: number;
  /** Per-account cap in bps of the pool; null for no cap. Default null. */
  capBps: number | null;
  /** Votes of voters whose prior reputation is below this are rejected. Default 0. */
  minVoterReputation: bigint;
  /** "required": unsigned or badly signed works and ballots are excluded. Default "ignored". */
  signatures: SignaturePolicy;
}

/** epoch.json with defaults applied. Timestamps are integer milliseconds. */
export interface EpochConfig {
  epoch: number;
  pool: bigint;
  tokenDecimals: number;
  chainId: number;
  distributor: string;
  start: number;
  end: number;
  /** The texts of start and end as written, for the manifest. */
  startText: string;
  endText: string;
  rules: Rules;
}

export const DEFAULT_RULES: Rules = {
  maxPoints: 100n,
  minVoters: 1,
  decayBps: 1000,
  voterWeight: "equal",
  aggregation: "sum",
  trimBps: 1000,
  capBps: null,
  minVoterReputation: 0n,
  signatures: "ignored",
};

const bigintText = (what: string, min: bigint, max: bigint) =>
  z
    .union([
      z.string(),
      z.number().int().refine(Number.isSafeInteger, `${what} too large for a JSON number: write it as a string`),
    ])
    .transform((value, ctx) => {
      const text = String(value);
      if (!/^[0-9]+$/.test(text)) {
        ctx.addIssue({
          code: "custom",
          message: `${what} must be a non-negative decimal integer, got ${JSON.stringify(value)}`,
        });
        return z.NEVER;
      }
      const n = BigInt(text);
      if (n < min || n > max) {
        ctx.addIssue({
          code: "custom",
          message: `${what} must be in ${min}..${max}, got ${text}`,
        });
        return z.NEVER;
      }
      return n;
    });

const bps = (what: string) => z.number().int(`${what} must be an integer`).min(0).max(10000);

const timestamp = z.union([z.string(), z.number().int()]).transform((value, ctx) => {
  const ms = parseTimestamp(String(value));
  if (ms === undefined) {
    ctx.addIssue({
      code: "custom",
      message: `${JSON.stringify(value)} is not a timestamp (ISO 8601 with a time zone, or Unix seconds)`,
    });
    return z.NEVER;
  }
  return { ms, text: String(value) };
});

const rulesSchema = z
  .object({
    maxPoints: bigintText("maxPoints", 0n, UINT64_MAX).optional(),
    minVoters: z.number().int().min(0).optional(),
    decayBps: bps("decayBps").optional(),
    voterWeight: z.enum(["equal", "reputation", "sqrt"]).optional(),
    aggregation: z.enum(["sum", "median", "trimmedMean"]).optional(),
    trimBps: z.number().int().min(0).max(4999).optional(),
    capBps: z.union([bps("capBps").refine((v) => v > 0, "capBps must be positive"), z.null()]).optional(),
    minVoterReputation: bigintText("minVoterReputation", 0n, UINT64_MAX).optional(),
    signatures: z.enum(["ignored", "required"]).optional(),
  })
  .strict();

const epochSchema = z
  .object({
    epoch: z.number().int().min(1),
    pool: z.string({ error: "pool must be a decimal string of token units" }).transform((text, ctx) => {
      if (!/^[0-9]+$/.test(text) || BigInt(text) === 0n) {
        ctx.addIssue({
          code: "custom",
          message: `pool must be a positive integer of token units, got ${JSON.stringify(text)}`,
        });
        return z.NEVER;
      }
      const pool = BigInt(text);
      if (pool > MAX_EPOCH_TOTAL) {
        ctx.addIssue({
          code: "custom",
          message: `pool ${text} is above ${MAX_EPOCH_TOTAL} (2^96 − 1), the largest epoch total the contract stores`,
        });
        return z.NEVER;
      }
      return pool;
    }),
    tokenDecimals: z.number().int().min(0).max(77).default(18),
    chainId: z.number().int().min(0).default(0),
    distributor: z
      .string()
      .transform((text, ctx) => {
        const parsed = parseAddress(text);
        if (parsed.ok) return parsed.address;
        ctx.addIssue({ code: "custom", message: parsed.reason });
        return z.NEVER;
      })
      .default(ZERO_ADDRESS),
    start: timestamp,
    end: timestamp,
    rules: rulesSchema.default({}),
  })
  .strict();

/** Overrides from the command line (`--distributor`, `--chain-id`). */
export interface ConfigOverrides {
  distributor?: string;
  chainId?: number;
}

/** The keys epoch.json must have, and what each one is. */
const REQUIRED_KEYS: Record<string, string> = {
  epoch: "the epoch number, an integer from 1",
  pool: "the tokens to split, a decimal string of token units",
  start: "the first instant of the epoch window (ISO 8601 with a time zone, or Unix seconds)",
  end: "the last instant of the epoch window (ISO 8601 with a time zone, or Unix seconds)",
};

/**
 * Parses epoch.json. Problems are {@link InputError}s whose column is the JSON path; every
 * problem of the file is reported at once (an {@link InputErrors} when there are several).
 */
export function parseEpochConfig(source: Source, overrides: ConfigOverrides = {}): EpochConfig {
  const file = source.name;
  const errors = new ErrorCollector();
  const { value: data } = readJsonInput(
    source,
    (path) => ({ column: path.length > 0 ? path.map(String).join(".") : undefined }),
    errors,
  );
  // The JSON text itself first: a repeated key or an inexact number makes its value uncertain.
  errors.throwIfAny();
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    throw new InputError({ file }, "expected a JSON object");
  }
  const missing = Object.keys(REQUIRED_KEYS).filter((key) => !Object.hasOwn(data, key));
  for (const key of missing)
    errors.add(new InputError({ file, column: key }, `missing "${key}": ${REQUIRED_KEYS[key]}`));
  const parsed = epochSchema.safeParse(data);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      if (issue.path.length === 1 && missing.includes(String(issue.path[0]))) continue;
      const column = issue.path.map(String).join(".") || undefined;
      const reason =
        issue.code === "unrecognized_keys"
          ? `unknown key(s) ${issue.keys.map((k) => `"${k}"`).join(", ")}`
          : issue.message;
      errors.add(new InputError({ file, column }, reason));
    }
  } else if (parsed.data.start.ms > parsed.data.end.ms) {
    errors.add(new InputError({ file, column: "end" }, "end is before start"));
  }
  let distributor: string | undefined;
  if (overrides.distributor !== undefined) {
    const a = parseAddress(overrides.distributor);
    if (a.ok) distributor = a.address;
    else errors.add(new InputError({ file: "--distributor" }, a.reason));
  }
  if (overrides.chainId !== undefined && (!Number.isSafeInteger(overrides.chainId) || overrides.chainId < 0)) {
    errors.add(new InputError({ file: "--chain-id" }, `${overrides.chainId} is not a chain id`));
  }
  errors.throwIfAny();
  const d = parsed.data!;
  distributor ??= d.distributor;
  const chainId = overrides.chainId ?? d.chainId;
  const r = d.rules;
  return {
    epoch: d.epoch,
    pool: d.pool,
    tokenDecimals: d.tokenDecimals,
    chainId,
    distributor,
    start: d.start.ms,
    end: d.end.ms,
    startText: d.start.text,
    endText: d.end.text,
    rules: {
      maxPoints: r.maxPoints ?? DEFAULT_RULES.maxPoints,
      minVoters: r.minVoters ?? DEFAULT_RULES.minVoters,
      decayBps: r.decayBps ?? DEFAULT_RULES.decayBps,
      voterWeight: r.voterWeight ?? DEFAULT_RULES.voterWeight,
      aggregation: r.aggregation ?? DEFAULT_RULES.aggregation,
      trimBps: r.trimBps ?? DEFAULT_RULES.trimBps,
      capBps: r.capBps ?? DEFAULT_RULES.capBps,
      minVoterReputation: r.minVoterReputation ?? DEFAULT_RULES.minVoterReputation,
      signatures: r.signatures ?? DEFAULT_RULES.signatures,
    },
  };
}

/**
 * The rules as plain JSON (bigints as decimal strings), in a fixed key order. `signatures` is written only when it
 * is not its default ("ignored"), so that the epochs of earlier releases keep their epoch.json copy and inputsHash.
 */
export function rulesToJson(rules: Rules): Record<string, string | number | null> {
  const json: Record<string, string | number | null> = {
    maxPoints: rules.maxPoints.toString(),
    minVoters: rules.minVoters,
    decayBps: rules.decayBps,
    voterWeight: rules.voterWeight,
    aggregation: rules.aggregation,
    trimBps: rules.trimBps,
    capBps: rules.capBps,
    minVoterReputation: rules.minVoterReputation.toString(),
  };
  if (rules.signatures !== DEFAULT_RULES.signatures) json.signatures = rules.signatures;
  return json;
}

/** The effective epoch configuration as canonical JSON (what inputs/epoch.json holds). */
export function epochConfigToJson(config: EpochConfig): string {
  return (
    JSON.stringify(
      {
        epoch: config.epoch,
        pool: config.pool.toString(),
        tokenDecimals: config.tokenDecimals,
        chainId: config.chainId,
        distributor: config.distributor,
        start: config.startText,
        end: config.endText,
        rules: rulesToJson(config.rules),
      },
      null,
      2,
    ) + "\n"
  );
}
