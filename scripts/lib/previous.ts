/**
 * Prior reputation. `--previous DIR` reads the previous epoch's artifacts (manifest.json and
 * reputation.csv, which lists every account with reputation, with a leaf or not); the pipeline
 * turns them into a canonical `previous-reputation.csv` (`account,reputation`, accounts with
 * reputation > 0 by lowercase address: the same content) which is copied into the new epoch's
 * inputs/ and covered by its inputsHash, so that `verify` needs no other directory. The soul recoveries the
 * previous epoch's manifest records travel the same way, as `previous-recoveries.csv` (recoveries.ts).
 *
 * Reading is not trusting: `allocateEpoch` proves the directory first (history.ts).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { compareAddresses } from "./address.js";
import { ArtifactsError, InputError } from "./errors.js";
import { readTable, addressField, integerField, type Source } from "./inputs.js";
import { MAX_REPUTATION } from "../../protocol/bounds.js";
import { ManifestSchema } from "../../protocol/artifacts.js";
import { PREVIOUS_RECOVERIES_FILE, recoveriesOfManifest, renderRecoveries, type Recovery } from "./recoveries.js";

/** What the new epoch knows about the previous one. */
export interface PreviousEpoch {
  epoch: number;
  root: string;
  /** Reputation after the previous epoch, by checksummed account (absent = 0). */
  reputation: Map<string, bigint>;
  /** The canonical previous-reputation.csv (name and bytes). */
  source: Source;
  /**
   * The soul recoveries applied up to the previous epoch (its manifest's `recoveries`) and their canonical
   * previous-recoveries.csv; absent when there is none.
   */
  recoveries?: { records: Recovery[]; source: Source };
}

export const PREVIOUS_REPUTATION_FILE = "previous-reputation.csv";
/** The artifact listing every account's reputation after an epoch, read by the next one's `--previous`. */
export const REPUTATION_FILE = "reputation.csv";

/**
 * Renders `account,reputation` rows (reputation.csv, and the canonical previous-reputation.csv):
 * accounts with reputation > 0 by lowercase address, decimal integers, `\n` line ends.
 */
export function renderPreviousReputation(reputation: ReadonlyMap<string, bigint>): string {
  const rows = [...reputation].filter(([, r]) => r > 0n).sort(([a], [b]) => compareAddresses(a, b));
  return ["account,reputation", ...rows.map(([a, r]) => `${a},${r}`)].join("\n") + "\n";
}

/** Parses a reputation.csv or previous-reputation.csv (`extraColumns` are allowed and ignored). */
export function parsePreviousReputation(source: Source, extraColumns: readonly string[] = []): Map<string, bigint> {
  const rows = readTable(source, {
    required: ["account", "reputation"],
    optional: extraColumns,
  });
  const reputation = new Map<string, bigint>();
  for (const { row, line, values } of rows) {
    const account = addressField.safeParse(values.account);
    if (!account.success)
      throw new InputError({ file: source.name, row, line, column: "account" }, account.error.issues[0]!.message);
    const rep = integerField.safeParse(values.reputation);
    if (!rep.success || rep.data < 0n || rep.data > MAX_REPUTATION) {
      throw new InputError(
        { file: source.name, row, line, column: "reputation" },
        `${JSON.stringify(values.reputation)} is not a uint64 reputation`,
      );
    }
    if (reputation.has(account.data)) {
      throw new InputError({ file: source.name, row, line, column: "account" }, `${account.data} appears twice`);
    }
    reputation.set(account.data, rep.data);
  }
  return reputation;
}

/** Reads the previous epoch's artifacts directory. */
export function readPreviousEpoch(dir: string): PreviousEpoch {
  let manifest: { epoch?: unknown; root?: unknown; recoveries?: unknown };
  try {
    manifest = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8"));
  } catch (error) {
    throw new ArtifactsError(`--previous ${dir}: not an epoch artifacts directory (${(error as Error).message})`, {
      cause: error,
    });
  }
  if (typeof manifest.epoch !== "number" || typeof manifest.root !== "string") {
    throw new ArtifactsError(`--previous ${dir}: manifest.json has no epoch or root`);
  }
  let bytes: Buffer;
  try {
    bytes = readFileSync(join(dir, REPUTATION_FILE));
  } catch (error) {
    throw new ArtifactsError(
      `--previous ${dir}: no ${REPUTATION_FILE} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); ` +
        `artifacts written before pipeline 2.0.0 lack it: recompute that epoch with this version`,
      { cause: error },
    );
  }
  const reputation = parsePreviousReputation({ name: join(dir, REPUTATION_FILE), bytes });
  const text = renderPreviousReputation(reputation);
  let recoveries: Recovery[] = [];
  if (manifest.recoveries !== undefined) {
    const parsed = ManifestSchema.shape.recoveries.safeParse(manifest.recoveries);
    if (!parsed.success) throw new ArtifactsError(`--previous ${dir}: manifest.json has malformed recoveries`);
    recoveries = recoveriesOfManifest(parsed.data);
  }
  return {
    epoch: manifest.epoch,
    root: manifest.root,
    reputation,
    source: { name: PREVIOUS_REPUTATION_FILE, bytes: Buffer.from(text) },
    ...previousRecoveries(recoveries),
  };
}

/** The `recoveries` of a {@link PreviousEpoch}: the records and their canonical copy, or nothing when there is none. */
export function previousRecoveries(records: Recovery[]): Pick<PreviousEpoch, "recoveries"> {
  if (records.length === 0) return {};
  return {
    recoveries: { records, source: { name: PREVIOUS_RECOVERIES_FILE, bytes: Buffer.from(renderRecoveries(records)) } },
  };
}
