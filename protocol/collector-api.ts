/**
 * The collector's HTTP/JSON API, shared by the server (collector/) and the members' app (claim-page/): the
 * routes, the bodies they accept and the answers they give. Bodies are checked with these schemas on both
 * sides; times are Unix seconds, points decimal strings (they may exceed 2^53).
 */
import { z } from "zod";

export const COLLECTOR_API_VERSION = "v1";

/** The port `social-mining serve` listens on unless told otherwise (on 127.0.0.1). */
export const COLLECTOR_DEFAULT_PORT = 8787;

/** The routes, relative to the collector's base URL. */
export const COLLECTOR_ROUTES = {
  health: "/v1/health",
  /** GET: the collector's chain and pool, and its epochs. */
  info: "/v1/info",
  /** POST (admin): open an epoch. */
  epochs: "/v1/epochs",
  /** GET: one epoch. */
  epoch: (epoch: number) => `/v1/epochs/${epoch}`,
  /** PUT (admin): the teams of an epoch and their shares. */
  teams: (epoch: number) => `/v1/epochs/${epoch}/teams`,
  /** POST: a signed work report. */
  reports: "/v1/reports",
  /** POST: a signed ballot. */
  ballots: "/v1/ballots",
  /** GET: a voter's current ballot in an epoch. */
  ballot: (epoch: number, voter: string) => `/v1/epochs/${epoch}/ballots/${voter.toLowerCase()}`,
  /** GET: the epoch's works with their links and the scores so far. */
  feed: (epoch: number) => `/v1/epochs/${epoch}/feed`,
  /** GET: the epoch's works.csv, votes.csv and teams.csv in the pipeline's input formats. */
  export: (epoch: number, file: "works.csv" | "votes.csv" | "teams.csv") => `/v1/epochs/${epoch}/export/${file}`,
} as const;

/** The largest request body the collector reads, in bytes. */
export const MAX_BODY_BYTES = 64 * 1024;
/** Limits on a report's fields and a ballot's size. */
export const REPORT_LIMITS = { workId: 64, category: 64, title: 200, povLinks: 8, povLink: 500 } as const;
export const MAX_BALLOT_VOTES = 500;
/** Work ids: letters, digits and `._:-`, so that they need no quoting anywhere. */
export const WORK_ID_PATTERN = /^[A-Za-z0-9._:-]+$/;

const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, "an address is 0x and 40 hex digits");
const seconds = z
  .number()
  .int()
  .min(0)
  .max(2 ** 40);
const epochNumber = z
  .number()
  .int()
  .min(1)
  .max(2 ** 32);
const signature = z.string().regex(/^0x[0-9a-fA-F]{130}$/, "a signature is 0x and 130 hex digits");
const points = z.string().regex(/^(0|[1-9][0-9]{0,19})$/, "points are a decimal string");

export const WorkReportBody = z
  .object({
    report: z
      .object({
        epoch: epochNumber,
        workId: z.string().min(1).max(REPORT_LIMITS.workId).regex(WORK_ID_PATTERN, "work ids use A-Z a-z 0-9 . _ : -"),
        contributor: z.string().min(1).max(80),
        category: z.string().min(1).max(REPORT_LIMITS.category),
        title: z.string().min(1).max(REPORT_LIMITS.title),
        pov: z
          .array(
            z
              .string()
              .min(1)
              .max(REPORT_LIMITS.povLink)
              .regex(/^https?:\/\/\S+$/, "a link is http(s) with no spaces"),
          )
          .min(1)
          .max(REPORT_LIMITS.povLinks),
        submittedAt: seconds,
      })
      .strict(),
    signature,
  })
  .strict();
export type WorkReportBody = z.infer<typeof WorkReportBody>;

export const BallotBody = z
  .object({
    ballot: z
      .object({
        voter: address,
        epoch: epochNumber,
        castAt: seconds,
        votes: z
          .array(z.object({ workId: z.string().min(1).max(REPORT_LIMITS.workId), points }).strict())
          .min(1)
          .max(MAX_BALLOT_VOTES),
      })
      .strict(),
    signature,
  })
  .strict();
export type BallotBody = z.infer<typeof BallotBody>;

export const OpenEpochBody = z
  .object({
    epoch: epochNumber,
    start: seconds,
    end: seconds,
    /** Votes above this many points are refused. Default 100, as the pipeline's rules. */
    maxPoints: points.optional(),
  })
  .strict();
export type OpenEpochBody = z.infer<typeof OpenEpochBody>;

export const TeamsBody = z
  .object({
    teams: z
      .array(
        z
          .object({
            team: z.string().min(1).max(64),
            members: z
              .array(z.object({ member: address, shareBps: z.number().int().min(1).max(10000) }).strict())
              .min(1),
          })
          .strict(),
      )
      .max(1000),
  })
  .strict();
export type TeamsBody = z.infer<typeof TeamsBody>;

/** Every refusal has this body, with the HTTP status the collector chose (4xx). */
export const ErrorAnswer = z.object({
  error: z.object({
    /** A stable code, e.g. `bad-signature`, `epoch-closed`, `self-vote`, `unknown-work`. */
    code: z.string(),
    /** One sentence for a person. */
    message: z.string(),
    /** The request field at fault, as a path (`ballot.votes.3.points`), when there is one. */
    field: z.string().optional(),
  }),
});
export type ErrorAnswer = z.infer<typeof ErrorAnswer>;

export const EpochInfo = z.object({
  epoch: epochNumber,
  start: seconds,
  end: seconds,
  maxPoints: points,
  /** Whether submissions are taken now (start ≤ now ≤ end). */
  open: z.boolean(),
});
export type EpochInfo = z.infer<typeof EpochInfo>;

export const CollectorInfo = z.object({
  chainId: z.string(),
  pool: address,
  epochs: z.array(EpochInfo),
});
export type CollectorInfo = z.infer<typeof CollectorInfo>;

export const FeedAnswer = z.object({
  epoch: epochNumber,
  works: z.array(
    z.object({
      workId: z.string(),
      contributor: z.string(),
      category: z.string(),
      title: z.string(),
      pov: z.array(z.string()),
      submittedAt: seconds,
      /**
       * For a team's work (`contributor` is `team:<name>`): the team's members in the epoch, as lowercase
       * addresses in byte order. Absent for an individual's work. A member of the team cannot vote on the work
       * (the collector refuses it as `self-vote`), so the app marks it as not votable for them.
       */
      members: z.array(z.string()).optional(),
      /** The sum of the points of the current ballots, and how many voters gave them. */
      points: points,
      voters: z.number().int(),
    }),
  ),
});
export type FeedAnswer = z.infer<typeof FeedAnswer>;

/** The answer to an accepted report or ballot: it is committed before this is sent. */
export const AcceptedAnswer = z.object({
  status: z.literal("accepted"),
  digest: z.string(),
  /** For a ballot that replaced an older one of the same voter. */
  replaced: z.string().optional(),
});
export type AcceptedAnswer = z.infer<typeof AcceptedAnswer>;
