/**
 * Soul recoveries (docs/formats.md, recoveries.csv). When the recovery role has moved a lost wallet's soul on
 * chain (`recoverSoul(lost, new)`), the next epoch is computed with `--recoveries FILE` (`lost,new`), and the
 * pipeline follows the contract's rule:
 *
 * - `new` takes the reputation `lost` had after the previous epoch (its prior reputation), and gets a leaf in this
 *   epoch carrying it, so that its claim sets the recovered score to the pipeline's figure (`new` must have no
 *   reputation of its own: on chain it must never have held a soul);
 * - `lost` is tombstoned for good: from this epoch on it has no reputation, and work credited to it still pays
 *   tokens but never earns reputation (on chain, its later claims pay and change no score).
 *
 * Every recovery applied is recorded with its epoch in the manifest (`recoveries`, the whole chain's, so that the
 * next epoch knows which addresses are tombstoned) and carried to the next epoch as its
 * `inputs/previous-recoveries.csv`, which its inputsHash covers.
 */
import { ZERO_ADDRESS } from "./config.js";
import { ErrorCollector, InputError } from "./errors.js";
import { addressField, integerField, readTable, type Source, type TableRow, type TableSpec } from "./inputs.js";
import type { PreviousEpoch } from "./previous.js";

/** recoveries.csv: one soul recovery a row. */
export const RECOVERY_COLUMNS: TableSpec = { required: ["lost", "new"] };
/** previous-recoveries.csv: every recovery applied up to the previous epoch. */
export const RECORDED_RECOVERY_COLUMNS: TableSpec = { required: ["epoch", "lost", "new", "reputation"] };
/** The canonical copy of the previous epoch's recoveries in inputs/. */
export const PREVIOUS_RECOVERIES_FILE = "previous-recoveries.csv";

/** A recovery applied by the pipeline. */
export interface Recovery {
  /** The first epoch computed with it. */
  epoch: number;
  /** EIP-55 checksummed. */
  lost: string;
  /** EIP-55 checksummed. */
  new: string;
  /** The reputation `lost` had after epoch − 1, which `new` took over. */
  reputation: bigint;
}

/** A row of recoveries.csv, checked. */
export interface RecoveryRow {
  row: number;
  line?: number;
  lost: string;
  new: string;
}

/** What the recoveries change in an epoch's computation. */
export interface RecoveryPlan {
  /** Prior reputation after the recoveries: `new` has what `lost` had, `lost` nothing. */
  prior: Map<string, bigint>;
  /** Every lost address of the chain (this epoch's and earlier ones): never any reputation again. */
  gone: ReadonlySet<string>;
  /** This epoch's new addresses: each gets a leaf if it has reputation, so that its claim sets its score. */
  received: ReadonlySet<string>;
  /** Every recovery applied up to this epoch, the earlier ones first. */
  records: Recovery[];
}

const EMPTY: ReadonlySet<string> = new Set();

/**
 * Reads recoveries.csv (or .json) and checks every row against the others, the previous epoch's reputation and the
 * recoveries applied before. Throws an {@link InputError} (all of them as `InputErrors`) naming file, row, column and
 * reason: an address that does not parse, the zero address, `lost` = `new`, an address twice in a column, a chain
 * (the `new` of a row is the `lost` of another), a `new` that has reputation or had a soul, a `lost` without
 * reputation or already recovered.
 */
export function readRecoveries(source: Source, previous: PreviousEpoch | undefined): RecoveryRow[] {
  const table = readTable(source, RECOVERY_COLUMNS);
  const errors = new ErrorCollector();
  const rows: RecoveryRow[] = [];
  const at = (row: TableRow, column: string) => ({ file: source.name, row: row.row, line: row.line, column });

  const prior = previous?.reputation ?? new Map<string, bigint>();
  const after = previous ? ` after epoch ${previous.epoch}` : "";
  const earlierLost = new Map<string, Recovery>();
  const earlierNew = new Map<string, Recovery>();
  for (const r of previous?.recoveries?.records ?? []) {
    earlierLost.set(r.lost, r);
    earlierNew.set(r.new, r);
  }
  const lostAt = new Map<string, number>();
  const newAt = new Map<string, number>();

  for (const row of table) {
    const problem = (column: string, reason: string) => errors.add(new InputError(at(row, column), reason));
    const lost = addressField.safeParse(row.values.lost);
    if (!lost.success) {
      problem("lost", lost.error.issues[0]!.message);
      continue;
    }
    const next = addressField.safeParse(row.values.new);
    if (!next.success) {
      problem("new", next.error.issues[0]!.message);
      continue;
    }
    const from = lost.data;
    const to = next.data;
    if (from === ZERO_ADDRESS) {
      problem("lost", "the zero address has no soul to recover");
      continue;
    }
    if (to === ZERO_ADDRESS) {
      problem("new", "the zero address cannot receive a soul: nobody holds its key");
      continue;
    }
    if (from === to) {
      problem("new", `${to} is the lost address itself: a soul moves to another address`);
      continue;
    }
    // From here on the row counts for the checks across rows, whatever else is wrong with it.
    const firstLost = lostAt.get(from);
    const firstNew = newAt.get(to);
    const lostOfOther = lostAt.get(to);
    const newOfOther = newAt.get(from);
    if (!lostAt.has(from)) lostAt.set(from, row.row);
    if (!newAt.has(to)) newAt.set(to, row.row);
    const reputation = prior.get(from) ?? 0n;
    const held = prior.get(to) ?? 0n;

    if (firstLost !== undefined) problem("lost", `${from} is recovered twice (first at row ${firstLost})`);
    else if (firstNew !== undefined) problem("new", `${to} receives two souls (first at row ${firstNew})`);
    else if (newOfOther !== undefined) {
      problem(
        "lost",
        `${from} is the new address of row ${newOfOther}: a chain of recoveries in one epoch; recover the first lost address straight to the last new one`,
      );
    } else if (lostOfOther !== undefined) {
      problem(
        "new",
        `${to} is the lost address of row ${lostOfOther}: a chain of recoveries in one epoch; recover the first lost address straight to the last new one`,
      );
    } else if (earlierLost.has(from)) {
      const r = earlierLost.get(from)!;
      problem("lost", `${from} was recovered to ${r.new} in epoch ${r.epoch} already: it has no soul left`);
    } else if (reputation === 0n) {
      problem(
        "lost",
        previous
          ? `${from} has no reputation${after}: there is nothing to recover`
          : `${from} has no reputation: without --previous there is nothing to recover`,
      );
    } else if (held > 0n) {
      problem(
        "new",
        `${to} already has reputation ${held}${after}: a soul moves only to an address that never held one (recoverSoul reverts SoulAlreadyExists)`,
      );
    } else if (earlierLost.has(to)) {
      const r = earlierLost.get(to)!;
      problem("new", `${to} lost its soul to ${r.new} in epoch ${r.epoch}: it can never hold a soul again`);
    } else if (earlierNew.has(to)) {
      const r = earlierNew.get(to)!;
      problem("new", `${to} received the soul of ${r.lost} in epoch ${r.epoch}: it holds a soul already`);
    } else {
      rows.push({ row: row.row, line: row.line, lost: from, new: to });
    }
  }
  errors.throwIfAny();
  return rows;
}

/** Applies checked recoveries (none: the previous epoch's state as it is) to the prior reputation of `epoch`. */
export function planRecoveries(
  rows: readonly RecoveryRow[],
  epoch: number,
  previous: PreviousEpoch | undefined,
): RecoveryPlan {
  const earlier = previous?.recoveries?.records ?? [];
  const prior = previous?.reputation ?? new Map<string, bigint>();
  if (rows.length === 0 && earlier.length === 0) return { prior, gone: EMPTY, received: EMPTY, records: [] };
  const records = [...earlier];
  const recovered = new Map(prior);
  const received = new Set<string>();
  for (const { lost, new: to } of rows) {
    const reputation = prior.get(lost) ?? 0n;
    recovered.delete(lost);
    if (reputation > 0n) recovered.set(to, reputation);
    received.add(to);
    records.push({ epoch, lost, new: to, reputation });
  }
  return { prior: recovered, gone: new Set(records.map((r) => r.lost)), received, records };
}

/** The canonical previous-recoveries.csv: `epoch,lost,new,reputation`, in the order they were applied. */
export function renderRecoveries(records: readonly Recovery[]): string {
  return ["epoch,lost,new,reputation", ...records.map((r) => `${r.epoch},${r.lost},${r.new},${r.reputation}`)]
    .join("\n")
    .concat("\n");
}

/** Parses a previous-recoveries.csv (as {@link renderRecoveries} writes it). */
export function parseRecordedRecoveries(source: Source): Recovery[] {
  return readTable(source, RECORDED_RECOVERY_COLUMNS).map((row) => {
    const fail = (column: string, reason: string): never => {
      throw new InputError({ file: source.name, row: row.row, line: row.line, column }, reason);
    };
    const epoch = Number(row.values.epoch);
    if (!/^[1-9][0-9]*$/.test(row.values.epoch ?? "") || !Number.isSafeInteger(epoch)) {
      fail("epoch", `${JSON.stringify(row.values.epoch)} is not an epoch number`);
    }
    const lost = addressField.safeParse(row.values.lost);
    if (!lost.success) fail("lost", lost.error!.issues[0]!.message);
    const to = addressField.safeParse(row.values.new);
    if (!to.success) fail("new", to.error!.issues[0]!.message);
    const reputation = integerField.safeParse(row.values.reputation);
    if (!reputation.success || reputation.data < 0n) {
      fail("reputation", `${JSON.stringify(row.values.reputation)} is not a reputation`);
    }
    return { epoch, lost: lost.data!, new: to.data!, reputation: reputation.data! };
  });
}

/** The recoveries as the manifest records them. */
export function manifestRecoveries(records: readonly Recovery[]) {
  return records.map((r) => ({ epoch: r.epoch, lost: r.lost, new: r.new, reputation: r.reputation.toString() }));
}

/** The recoveries of a manifest (`recoveries`, absent = none). */
export function recoveriesOfManifest(
  recorded: readonly { epoch: number; lost: string; new: string; reputation: string }[] | undefined,
): Recovery[] {
  return (recorded ?? []).map((r) => ({ epoch: r.epoch, lost: r.lost, new: r.new, reputation: BigInt(r.reputation) }));
}

/** The "Recoveries" section of report.md (nothing when the chain has none). */
export function reportRecoveries(epoch: number, records: readonly Recovery[]): string[] {
  if (records.length === 0) return [];
  const now = records.filter((r) => r.epoch === epoch).length;
  const out = [
    `## Recoveries\n\n`,
    `Souls moved on chain by \`recoverSoul(lost, new)\`: the new address took the reputation the lost one had after ` +
      `the epoch before the recovery, and the lost address never has reputation again (its work still pays tokens). ` +
      `${now} applied in this epoch (its recoveries input), ${records.length - now} in earlier epochs ` +
      `(inputs/${PREVIOUS_RECOVERIES_FILE}).\n\n`,
    `| Epoch | Lost | New | Reputation moved |\n|---:|---|---|---:|\n`,
  ];
  for (const r of records) out.push(`| ${r.epoch} | \`${r.lost}\` | \`${r.new}\` | ${r.reputation} |\n`);
  out.push(`\n`);
  return out;
}
