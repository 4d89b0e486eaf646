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
  /**
   * 1-based physical line: for a CSV row, the line where the row ends (the header is line 1); for a
   * problem a reader finds in the text itself (malformed CSV or JSON, a repeated JSON key), its line.
   */
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

/** How many hard errors one run reports; the rest are counted. */
export const MAX_REPORTED_ERRORS = 50;

/**
 * Every hard error a run found (docs/formats.md, Hard errors): the first {@link MAX_REPORTED_ERRORS}
 * and how many more. It is an {@link InputError} whose location and reason are those of the first
 * error; its message lists one error a line.
 */
export class InputErrors extends InputError {
  readonly errors: readonly InputError[];
  /** Errors found beyond those listed. */
  readonly more: number;
  constructor(errors: readonly InputError[], more: number) {
    const first = errors[0]!;
    super(first, first.reason);
    this.errors = errors;
    this.more = more;
    const lines = errors.map((e) => e.message);
    if (more > 0) lines.push(`… and ${more} more error${more === 1 ? "" : "s"}`);
    this.message = lines.join("\n");
  }
}

/**
 * Gathers the hard errors of a run so that one run reports them all (up to
 * {@link MAX_REPORTED_ERRORS}, the rest counted). An error may be given as a function: it is only
 * called (the message only worded) while the list is not full.
 */
export class ErrorCollector {
  readonly errors: InputError[] = [];
  private count = 0;

  constructor(private readonly limit: number = MAX_REPORTED_ERRORS) {}

  add(error: InputError | (() => InputError)): void {
    this.count++;
    if (this.errors.length < this.limit) this.errors.push(typeof error === "function" ? error() : error);
  }

  /** Adds an error thrown by a reader, flattening {@link InputErrors}. */
  addThrown(error: InputError): void {
    if (error instanceof InputErrors) {
      for (const e of error.errors) this.add(e);
      this.countMore(error.more);
    } else {
      this.add(error);
    }
  }

  /**
   * Runs `read`; an {@link InputError} it throws is collected and `undefined` returned, so that the
   * run goes on to find the errors of the other inputs.
   */
  guard<T>(read: () => T): T | undefined {
    try {
      return read();
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      this.addThrown(error);
      return undefined;
    }
  }

  /** Counts errors that were found but not worded (beyond a reader's own limit). */
  countMore(n: number): void {
    this.count += n;
  }

  /** What was collected as one error: undefined, the one error, or an {@link InputErrors}. */
  error(): InputError | undefined {
    if (this.count === 0) return undefined;
    if (this.count === 1) return this.errors[0]!;
    return new InputErrors(this.errors, this.count - this.errors.length);
  }

  /** Throws what was collected, if anything. */
  throwIfAny(): void {
    const error = this.error();
    if (error) throw error;
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

/** The output directory cannot be written: it is not replaceable, is locked, or its parent is not a directory. */
export class OutputError extends PipelineError {
  override readonly exitCode = ExitCode.Io;
  constructor(
    readonly dir: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** The output directory already exists and `force` was not given. */
export class OutputExistsError extends OutputError {
  constructor(dir: string) {
    super(dir, `output directory ${dir} already exists (pass --force to replace it)`);
  }
}

/** Another run is writing the same output directory (its lock file exists). */
export class OutputLockedError extends OutputError {}

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

/** Wrong command-line usage: a missing or malformed option or argument. */
export class UsageError extends PipelineError {}

/** An invariant of the pipeline did not hold: a bug, never bad input. */
export class InternalError extends PipelineError {
  override readonly exitCode = ExitCode.Internal;
}

/** Throws an {@link InternalError} when an invariant does not hold. */
export function invariant(condition: unknown, message: string): asserts condition {
  if (!condition) throw new InternalError(`internal error: ${message}`);
}
