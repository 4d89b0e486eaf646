/**
 * The schemas of an epoch's published artifacts (docs/formats.md, Artifacts): `manifest.json`,
 * `claims.json`, the shards `claims/XX.json` and `tree.json`. The pipeline types what it writes with
 * them, and every reader (the pipeline's `verify` and `proof`, the tasks, the claim page) parses what
 * it reads with them, so a file that one accepts the others accept too.
 */
import { z } from "zod";
import { BPS } from "./bounds.js";
import { LEAF_ENCODING } from "./leaf.js";

/** The format tag of manifest.json. */
export const MANIFEST_FORMAT = "social-mining-epoch-v2";

const decimal = z.string().regex(/^(0|[1-9][0-9]*)$/, "expected a decimal integer string");
const hash = z.string().regex(/^0x[0-9a-fA-F]{64}$/, "expected 0x and 64 hex digits");
const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, "expected a 0x address");
const count = z.number().int().nonnegative();

export const ManifestSchema = z.object({
  format: z.literal(MANIFEST_FORMAT),
  pipelineVersion: z.string(),
  epoch: z.number().int().positive(),
  chainId: z.number().int().positive(),
  distributor: address,
  tokenDecimals: z.number().int().min(0).max(255),
  root: hash,
  total: decimal,
  leafCount: count,
  /** Σ reputation over reputation.csv: the total voting supply after this epoch. */
  reputationTotal: decimal,
  inputsHash: hash,
  inputsHashAlgorithm: z.literal("keccak256"),
  window: z.object({ start: z.string(), end: z.string() }),
  /** The effective rules (docs/rules.md); decayBps must be the pool's. */
  rules: z.object({ decayBps: z.number().int().min(0).max(BPS) }).catchall(z.union([z.string(), z.number(), z.null()])),
  previous: z.object({ epoch: z.number().int().positive(), root: hash }).nullable(),
  /**
   * Every soul recovery applied in this epoch or an earlier one of its chain (`epoch` says which): `new` took the
   * reputation `lost` had after epoch − 1. Absent when there is none (and in manifests written before recoveries).
   */
  recoveries: z
    .array(z.object({ epoch: z.number().int().positive(), lost: address, new: address, reputation: decimal }))
    .optional(),
  inputs: z.array(z.object({ role: z.string(), file: z.string(), keccak256: hash, bytes: count })),
  summary: z.array(z.object({ file: z.string(), read: count, accepted: count, excluded: count })),
  totalUnits: decimal,
});
export type Manifest = z.infer<typeof ManifestSchema>;

export const ClaimSchema = z.object({
  index: count,
  amount: decimal,
  reputation: decimal,
  proof: z.array(hash),
});
/** One account's claim as claims.json and the shards hold it. */
export type Claim = z.infer<typeof ClaimSchema>;

/** claims.json (with `total` and `leafCount`) or a shard claims/XX.json (with `shard`). */
export const ClaimsFileSchema = z.object({
  root: hash,
  epoch: z.number().int().positive(),
  total: decimal.optional(),
  leafCount: count.optional(),
  shard: z
    .string()
    .regex(/^[0-9a-f]{2}$/)
    .optional(),
  claims: z.record(address, ClaimSchema),
});
export type ClaimsFile = z.infer<typeof ClaimsFileSchema>;

/** tree.json: OpenZeppelin's `StandardMerkleTree.dump()` (format `standard-v1`) with the leaf encoding. */
export const TreeDumpSchema = z.object({
  format: z.literal("standard-v1"),
  leafEncoding: z
    .array(z.string())
    .refine(
      (types) => types.length === LEAF_ENCODING.length && types.every((t, i) => t === LEAF_ENCODING[i]),
      `expected the leaf encoding ${JSON.stringify(LEAF_ENCODING)}`,
    ),
  tree: z.array(hash),
  values: z.array(
    z.object({
      value: z.tuple([decimal, address, decimal, decimal]),
      treeIndex: count,
    }),
  ),
});
export type StandardTreeDump = z.infer<typeof TreeDumpSchema>;

/** The shard of an account: the first two hex digits of its lowercase address. */
export function shardOf(account: string): string {
  return account.slice(2, 4).toLowerCase();
}

/** An artifact that does not match its schema; `message` names the file and every field at fault. */
export class ArtifactSchemaError extends Error {
  override name = "ArtifactSchemaError";
  constructor(
    readonly file: string,
    readonly problems: readonly string[],
  ) {
    super(`${file}: ${problems.join("; ")}`);
  }
}

const MAX_PROBLEMS = 5;

/** `value` checked against `schema`; throws {@link ArtifactSchemaError} naming `file` and the fields at fault. */
export function parseArtifact<S extends z.ZodType>(schema: S, value: unknown, file: string): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues;
  const problems = issues.slice(0, MAX_PROBLEMS).map((issue) => {
    const field = issue.path.length === 0 ? "the file" : `field ${issue.path.map(String).join(".")}`;
    return `${field}: ${issue.message}`;
  });
  if (issues.length > MAX_PROBLEMS) problems.push(`and ${issues.length - MAX_PROBLEMS} more`);
  throw new ArtifactSchemaError(file, problems);
}
