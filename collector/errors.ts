/**
 * The collector's refusals: every request it turns down gets an `ErrorAnswer` (protocol/collector-api.ts) with
 * a 4xx status, a stable code, one sentence for a person and, when there is one, the request field at fault.
 */
import type { ErrorAnswer } from "../protocol/collector-api.js";

/** A refusal of a request, answered as it is. Thrown by the server and by the store (inside a transaction). */
export class Refusal extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
    /** Extra response headers (`Allow`, `WWW-Authenticate`). */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = "Refusal";
  }

  answer(): ErrorAnswer {
    return {
      error: { code: this.code, message: this.message, ...(this.field === undefined ? {} : { field: this.field }) },
    };
  }
}

/** The codes the collector answers with, by HTTP status (docs/collector.md, Refusals). */
export const REFUSAL_CODES = {
  400: ["bad-json", "invalid-body", "invalid-path", "bad-text"],
  401: ["unauthorized"],
  403: ["admin-disabled"],
  404: ["not-found", "unknown-epoch", "no-ballot"],
  405: ["method-not-allowed"],
  409: ["epoch-closed", "epoch-exists", "work-id-taken", "stale-ballot", "team-has-reports"],
  413: ["body-too-large"],
  422: [
    "bad-signature",
    "wrong-signer",
    "bad-contributor",
    "unknown-team",
    "time-out-of-window",
    "time-in-future",
    "votes-not-sorted",
    "duplicate-work",
    "unknown-work",
    "self-vote",
    "points-out-of-range",
    "bad-window",
    "bad-max-points",
    "bad-teams",
  ],
  500: ["internal"],
} as const;

/** A failure to start the collector (the database cannot be opened, the port is taken, a bad option). */
export class CollectorStartError extends Error {
  constructor(
    message: string,
    /** Whether it is the configuration's fault (a usage error) rather than the system's (an I/O error). */
    readonly usage = false,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = "CollectorStartError";
  }
}
