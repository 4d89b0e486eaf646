/**
 * Named errors of the epoch pipeline. Every error carries an `exitCode` so that the CLI maps
 * failures to documented exit codes without string matching (docs/cli.md).
 */

/** Exit codes of the `social-mining` CLI. */
export const ExitCode = {
  Ok: 0,
  /** `verify` found a difference, or `proof` found no claim for the account. */
  Mismatch: 1,
  /** Invalid input files, configuration or command-line usage. */
  BadInput: 2,
  /** The output directory exists, or a file could not be read or written. */
  Io: 3,
  /** A bug: an invariant of the pipeline did not hold. */
  Internal: 70,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** Base class of every error the pipeline throws on purpose. */
export class PipelineError extends Error {
  readonly exitCode: ExitCode = ExitCode.BadInput;
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Where in an input a problem is: the file, the 1-based data row (header not counted), the column. */
export interface InputLocation {
  /** The file name as it was given (a path, or a name for in-memory sources). */
  file: string;
  /** 1-based data row: the first row after the CSV header (or the first JSON array element) is row 1. */
  row?: number;
  /** 1-based physical line of the CSV file where the row ends (the header is line 1). */
  line?: number;
  /** The column (CSV header name, JSON key, or a dotted path in epoch.json). */
  column?: string;
}

export function formatLocation({ file, row, line, column }: InputLocation): string {
  let where = file;
  if (row !== undefined) where += ` row ${row}`;
  if (line !== undefined) where += ` (line ${line})`;
  if (column !== undefined) where += `, column ${column}`;
  return where;
}

/** A hard validation error (docs/formats.md, Hard errors): the run stops and nothing is written. */
export class InputError extends PipelineError {
  readonly file: string;
  readonly row?: number;
  readonly line?: number;
  readonly column?: string;
  readonly reason: string;
  constructor(location: InputLocation, reason: string, options?: ErrorOptions) {
    super(`${formatLocation(location)}: ${reason}`, options);
    this.file = location.file;
    this.row = location.row;
    this.line = location.line;
    this.column = location.column;
    this.reason = reason;
  }
}

/** No work scored (U = 0): there is nothing to split. */
export class NothingToSplitError extends PipelineError {}

/** The per-account cap cannot hold the pool: every account would be capped. */
export class CapTooLowError extends PipelineError {}

/** A reputation would not fit the contract's uint64. */
export class ReputationOverflowError extends PipelineError {
  constructor(
    readonly account: string,
    readonly reputation: bigint,
  ) {
    super(`reputation of ${account} would be ${reputation}, which does not fit uint64 (max 18446744073709551615)`);
  }
}

/** The total reputation after the epoch would not fit the contract's uint64 total voting supply. */
export class ReputationTotalOverflowError extends PipelineError {
  constructor(
    readonly epoch: number,
    readonly total: bigint,
  ) {
    super(
      `total reputation after epoch ${epoch} would be ${total}, which does not fit the contract's uint64 total (max 18446744073709551615)`,
    );
  }
}

/** The output directory already exists and `force` was not given. */
export class OutputExistsError extends PipelineError {
  override readonly exitCode = ExitCode.Io;
  constructor(readonly dir: string) {
    super(`output directory ${dir} already exists (pass --force to replace it)`);
  }
}

/** An artifacts directory is missing a file or holds a file that does not parse. */
export class ArtifactsError extends PipelineError {
  override readonly exitCode = ExitCode.Io;
}

/** `verify` recomputed the artifacts and found a difference. */
export class VerificationError extends PipelineError {
  override readonly exitCode = ExitCode.Mismatch;
  constructor(
    readonly file: string,
    reason: string,
  ) {
    super(`${file}: ${reason}`);
  }
}

/** An account has no leaf in an epoch. */
export class NoClaimError extends PipelineError {
  override readonly exitCode = ExitCode.Mismatch;
}

/** Throws an internal error when an invariant does not hold: a bug, never bad input. */
export function invariant(condition: unknown, message: string): asserts condition {
  if (!condition) {
    const error = new PipelineError(`internal error: ${message}`);
    (error as { exitCode: ExitCode }).exitCode = ExitCode.Internal;
    throw error;
  }
}
