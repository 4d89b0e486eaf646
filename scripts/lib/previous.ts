/**
 * Prior reputation. `--previous DIR` reads the previous epoch's artifacts (manifest.json and
 * allocation.csv); the pipeline turns them into a canonical `previous-reputation.csv`
 * (`account,reputation`, accounts with reputation > 0 in leaf order) which is copied into the new
 * epoch's inputs/ and covered by its inputsHash, so that `verify` needs no other directory.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { compareAddresses } from "./address.js";
import { ArtifactsError, InputError } from "./errors.js";
import { readTable, addressField, integerField, type Source } from "./inputs.js";
import { UINT64_MAX } from "./reputation.js";

/** What the new epoch knows about the previous one. */
export interface PreviousEpoch {
  epoch: number;
  root: string;
  /** Reputation after the previous epoch, by checksummed account (absent = 0). */
  reputation: Map<string, bigint>;
  /** The canonical previous-reputation.csv (name and bytes). */
  source: Source;
}

export const PREVIOUS_REPUTATION_FILE = "previous-reputation.csv";

/** Renders the canonical previous-reputation.csv of a reputation map. */
export function renderPreviousReputation(reputation: ReadonlyMap<string, bigint>): string {
  const rows = [...reputation].filter(([, r]) => r > 0n).sort(([a], [b]) => compareAddresses(a, b));
  return ["account,reputation", ...rows.map(([a, r]) => `${a},${r}`)].join("\n") + "\n";
}

/** Parses a previous-reputation.csv (or an allocation.csv: extra columns are ignored). */
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
    if (!rep.success || rep.data < 0n || rep.data > UINT64_MAX) {
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
  let manifest: { epoch?: unknown; root?: unknown };
  let allocation: Buffer;
  try {
    manifest = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8"));
    allocation = readFileSync(join(dir, "allocation.csv"));
  } catch (error) {
    throw new ArtifactsError(`--previous ${dir}: not an epoch artifacts directory (${(error as Error).message})`, {
      cause: error,
    });
  }
  if (typeof manifest.epoch !== "number" || typeof manifest.root !== "string") {
    throw new ArtifactsError(`--previous ${dir}: manifest.json has no epoch or root`);
  }
  const reputation = parsePreviousReputation({ name: join(dir, "allocation.csv"), bytes: allocation }, [
    "index",
    "amount",
    "previous_reputation",
    "units",
  ]);
  const text = renderPreviousReputation(reputation);
  return {
    epoch: manifest.epoch,
    root: manifest.root,
    reputation,
    source: { name: PREVIOUS_REPUTATION_FILE, bytes: Buffer.from(text) },
  };
}
