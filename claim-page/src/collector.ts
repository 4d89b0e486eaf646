/**
 * The collector's HTTP/JSON API as the app calls it: the routes and schemas of the protocol module, every answer
 * checked with its schema before use. A refusal (4xx with an ErrorAnswer) becomes a {@link CollectorRefusal} that
 * carries the collector's code, sentence and field.
 */
import { z } from "zod";
import {
  AcceptedAnswer,
  BallotBody,
  CollectorInfo,
  COLLECTOR_ROUTES,
  ErrorAnswer,
  FeedAnswer,
  WorkReportBody,
} from "../../protocol/index.js";

/** The collector refused a request: its stable code, its sentence for a person, the field at fault. */
export class CollectorRefusal extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

/** The collector could not be reached, or answered something that is not its API. */
export class CollectorError extends Error {}

/** A voter's current ballot of an epoch, as the app needs it: when it was cast and the points per work. */
export interface CurrentBallot {
  castAt: number;
  points: Map<string, string>;
}

const Votes = z.array(z.object({ workId: z.string(), points: z.union([z.string(), z.number()]) }));
const BallotShape = z.object({ castAt: z.number(), votes: Votes });
/** GET ballot: the stored ballot with its signature (`{ ballot, signature }`), or the ballot itself. */
const BallotAnswer = z.union([z.object({ ballot: BallotShape.nullable() }), BallotShape]);

async function call<S extends z.ZodType>(
  base: string,
  path: string,
  schema: S,
  init: RequestInit = {},
): Promise<z.infer<S> | undefined> {
  const url = new URL(path.replace(/^\//, ""), base).href;
  let response: Response;
  try {
    response = await fetch(url, {
      ...init,
      cache: "no-store",
      headers: init.body ? { "content-type": "application/json" } : {},
    });
  } catch (error) {
    throw new CollectorError(`cannot reach the collector at ${base} (${(error as Error).message})`);
  }
  const text = await response.text();
  let body: unknown;
  try {
    body = text === "" ? undefined : JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (!response.ok) {
    const refusal = ErrorAnswer.safeParse(body);
    if (refusal.success) {
      const { code, message, field } = refusal.data.error;
      throw new CollectorRefusal(response.status, code, message, field);
    }
    if (response.status === 404 && init.method === undefined) return undefined;
    throw new CollectorError(`the collector answered HTTP ${response.status} to ${path}`);
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new CollectorError(`the collector's answer to ${path} is not in the expected format`);
  return parsed.data;
}

/** GET info: the collector's chain, pool and epochs. */
export async function getInfo(base: string): Promise<CollectorInfo> {
  const info = await call(base, COLLECTOR_ROUTES.info, CollectorInfo);
  if (!info) throw new CollectorError(`the collector at ${base} has no ${COLLECTOR_ROUTES.info}`);
  return info;
}

/** GET feed: the epoch's works with their links and the points so far. */
export async function getFeed(base: string, epoch: number): Promise<FeedAnswer> {
  const feed = await call(base, COLLECTOR_ROUTES.feed(epoch), FeedAnswer);
  if (!feed) throw new CollectorError(`the collector has no feed for epoch ${epoch}`);
  return feed;
}

/** GET ballot: the voter's current ballot of the epoch, or undefined if it has none. */
export async function getBallot(base: string, epoch: number, voter: string): Promise<CurrentBallot | undefined> {
  let answer: z.infer<typeof BallotAnswer> | undefined;
  try {
    answer = await call(base, COLLECTOR_ROUTES.ballot(epoch, voter), BallotAnswer);
  } catch (error) {
    // No ballot yet is an answer, not a failure.
    if (error instanceof CollectorRefusal && error.status === 404) return undefined;
    throw error;
  }
  const ballot: z.infer<typeof BallotShape> | null | undefined =
    answer && ("ballot" in answer ? answer.ballot : answer);
  if (!ballot) return undefined;
  return {
    castAt: ballot.castAt,
    points: new Map(ballot.votes.map((v) => [v.workId, String(v.points)])),
  };
}

/** POST a signed report; resolves with the collector's acceptance, rejects with a CollectorRefusal. */
export async function postReport(base: string, body: WorkReportBody): Promise<AcceptedAnswer> {
  return (await call(base, COLLECTOR_ROUTES.reports, AcceptedAnswer, {
    method: "POST",
    body: JSON.stringify(body),
  }))!;
}

/** POST a signed ballot; resolves with the collector's acceptance, rejects with a CollectorRefusal. */
export async function postBallot(base: string, body: BallotBody): Promise<AcceptedAnswer> {
  return (await call(base, COLLECTOR_ROUTES.ballots, AcceptedAnswer, {
    method: "POST",
    body: JSON.stringify(body),
  }))!;
}
