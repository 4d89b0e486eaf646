/**
 * The collector's HTTP server (`node:http`): the routes of protocol/collector-api.ts, every rule of a report and
 * a ballot (docs/collector.md), answers as JSON, refusals as `ErrorAnswer`s. An accepted submission is
 * committed before it is answered. No answer ever carries a stack trace: an unexpected error is logged on
 * stderr and answered with a generic 500.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { getAddress } from "ethers";
import type { z } from "zod";
import {
  BallotBody,
  COLLECTOR_ROUTES,
  MAX_BODY_BYTES,
  OpenEpochBody,
  TeamsBody,
  WorkReportBody,
  type AcceptedAnswer,
  type CollectorInfo,
  type EpochInfo,
  type FeedAnswer,
} from "../protocol/collector-api.js";
import {
  compareWorkIds,
  isoSeconds,
  signatureProblem,
  typedDataDomain,
  type TypedDataDomain,
} from "../protocol/typed-data.js";
import { Refusal } from "./errors.js";
import { EXPORT_FILES, teamsCsv, votesCsv, worksCsv, type ExportFile } from "./exports.js";
import { ballotSigner, reportSigner } from "./signatures.js";
import type { EpochRecord, Store, TeamRecord } from "./store.js";

/** How far in the future (seconds, by the collector's clock) a report's submittedAt or a ballot's castAt may be. */
export const CLOCK_SKEW_SECONDS = 300;
/** maxPoints of an epoch opened without one (the pipeline's default rule). */
export const DEFAULT_MAX_POINTS = "100";
/** The shortest admin token the collector accepts. */
export const MIN_ADMIN_TOKEN_LENGTH = 16;

const MAX_UINT64 = 2n ** 64n - 1n;
const ZERO_ADDRESS = "0x0000000000000000000000000000000000000000";
const TEAM_PREFIX = "team:";

export interface ServerOptions {
  store: Store;
  chainId: bigint;
  pool: string;
  adminToken?: string;
  /** Unix seconds. */
  now: () => number;
  allowOrigin: string;
  /** Where unexpected errors are logged (default stderr). */
  log?: (line: string) => void;
}

interface Answer {
  status: number;
  body: unknown;
  /** A CSV text instead of JSON. */
  csv?: { text: string; filename: string };
}

interface Request {
  req: IncomingMessage;
  params: Record<string, string>;
}

type Handler = (request: Request) => Promise<Answer>;

// ---------------------------------------------------------------------------------------------
// Routes, matched on the templates of COLLECTOR_ROUTES
// ---------------------------------------------------------------------------------------------

const PARAM = { epoch: "{epoch}" as unknown as number, voter: "{voter}", file: "{file}" as ExportFile };

interface RouteSpec {
  template: string;
  methods: Record<string, Handler>;
}

function matchTemplate(template: string, path: string): Record<string, string> | undefined {
  const want = template.split("/");
  const got = path.split("/");
  if (want.length !== got.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i]!;
    if (w.startsWith("{") && w.endsWith("}")) {
      if (got[i]!.length === 0) return undefined;
      params[w.slice(1, -1)] = got[i]!;
    } else if (w !== got[i]) return undefined;
  }
  return params;
}

// ---------------------------------------------------------------------------------------------
// Checks
// ---------------------------------------------------------------------------------------------

/** The first issue of a failed schema check, as a 400 naming the request field. */
function parseBody<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const path = issue.path.map(String);
  if (issue.code === "unrecognized_keys" && issue.keys.length > 0) path.push(issue.keys[0]!);
  const field = path.join(".");
  throw new Refusal(400, "invalid-body", field ? `${field}: ${issue.message}` : issue.message, field || undefined);
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Refuses text that is not Unicode (a lone surrogate, which no wallet signs as written). */
function checkText(value: unknown, path: string[] = []): void {
  if (typeof value === "string") {
    if (LONE_SURROGATE.test(value)) {
      const field = path.join(".");
      throw new Refusal(
        400,
        "bad-text",
        `${field || "the body"} holds a lone UTF-16 surrogate: not Unicode text`,
        field || undefined,
      );
    }
  } else if (Array.isArray(value)) value.forEach((v, i) => checkText(v, [...path, String(i)]));
  else if (typeof value === "object" && value !== null) {
    for (const [k, v] of Object.entries(value)) {
      checkText(k, path);
      checkText(v, [...path, k]);
    }
  }
}

const UTF8 = new TextDecoder("utf-8", { fatal: true });

/** Reads the body, at most MAX_BODY_BYTES (a longer one is refused without reading further), as JSON. */
async function readJson(req: IncomingMessage): Promise<unknown> {
  const declared = req.headers["content-length"];
  if (declared !== undefined && Number(declared) > MAX_BODY_BYTES) throw tooLarge();
  const bytes = await new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        req.off("data", onData);
        req.pause();
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    };
    req.on("data", onData);
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
  let text: string;
  try {
    text = UTF8.decode(bytes);
  } catch {
    throw new Refusal(400, "bad-json", "the body is not UTF-8 text");
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Refusal(400, "bad-json", `the body is not JSON: ${(error as Error).message}`);
  }
  checkText(value);
  return value;
}

function tooLarge(): Refusal {
  return new Refusal(413, "body-too-large", `the body is larger than ${MAX_BODY_BYTES} bytes`, undefined, {
    Connection: "close",
  });
}

function parseEpochParam(text: string): number {
  if (!/^[1-9][0-9]{0,9}$/.test(text) || Number(text) > 2 ** 32) {
    throw new Refusal(400, "invalid-path", `${JSON.stringify(text)} is not an epoch number (1 to 2^32)`, "epoch");
  }
  return Number(text);
}

/** An address of a request: any case, but a mixed-case one must carry a valid EIP-55 checksum. */
function checkedAddress(text: string, field: string, status = 400, code = "invalid-body"): string {
  try {
    return getAddress(text).toLowerCase();
  } catch {
    throw new Refusal(
      status,
      code,
      `${text} has a wrong EIP-55 checksum: write it as the wallet gives it, or in lowercase`,
      field,
    );
  }
}

function badSignature(reason: string): Refusal {
  return new Refusal(422, "bad-signature", reason, "signature");
}

/** Refuses a time outside the epoch's window or in the future. */
function checkTime(epoch: EpochRecord, at: number, now: number, field: string): void {
  if (at < epoch.start || at > epoch.end) {
    throw new Refusal(
      422,
      "time-out-of-window",
      `${field.split(".").pop()} ${at} is outside epoch ${epoch.epoch}'s window [${epoch.start}, ${epoch.end}]`,
      field,
    );
  }
  if (at > now + CLOCK_SKEW_SECONDS) {
    throw new Refusal(
      422,
      "time-in-future",
      `${field.split(".").pop()} ${at} is ${at - now} s ahead of the collector's clock (${CLOCK_SKEW_SECONDS} s allowed): check the device's clock`,
      field,
    );
  }
}

/** The digest and signer of a message; a message that the typed data cannot encode is refused. */
function encoded<T>(recover: () => T): T {
  try {
    return recover();
  } catch (error) {
    throw new Refusal(
      400,
      "invalid-body",
      `the message cannot be encoded as EIP-712 typed data: ${(error as Error).message}`,
    );
  }
}

const isOpen = (epoch: EpochRecord, now: number) => epoch.start <= now && now <= epoch.end;

function epochInfo(epoch: EpochRecord, now: number): EpochInfo {
  return {
    epoch: epoch.epoch,
    start: epoch.start,
    end: epoch.end,
    maxPoints: epoch.maxPoints,
    open: isOpen(epoch, now),
  };
}

// ---------------------------------------------------------------------------------------------
// The server
// ---------------------------------------------------------------------------------------------

export function createCollectorServer(options: ServerOptions): Server {
  const { store } = options;
  const domain: TypedDataDomain = typedDataDomain(options.chainId, options.pool);
  const log = options.log ?? ((line: string) => process.stderr.write(line + "\n"));
  const tokenHash = options.adminToken === undefined ? undefined : sha256(options.adminToken);

  function requireAdmin(req: IncomingMessage): void {
    if (tokenHash === undefined) {
      throw new Refusal(
        403,
        "admin-disabled",
        "admin routes are disabled: start the collector with an admin token (the environment variable SOCIAL_MINING_ADMIN_TOKEN, or --admin-token-file FILE)",
      );
    }
    const match = /^Bearer +(\S+) *$/.exec(req.headers.authorization ?? "");
    // Compared as SHA-256 digests of equal length, in constant time.
    if (!match || !timingSafeEqual(sha256(match[1]!), tokenHash)) {
      throw new Refusal(
        401,
        "unauthorized",
        match ? "the admin token is wrong" : "admin routes need the header Authorization: Bearer <admin token>",
        undefined,
        { "WWW-Authenticate": 'Bearer realm="social-mining-collector"' },
      );
    }
  }

  // An epoch, once opened, never changes: the ones found are kept.
  const epochs = new Map<number, EpochRecord>();

  async function knownEpoch(epoch: number, field?: string): Promise<EpochRecord> {
    let record = epochs.get(epoch);
    if (!record) {
      record = await store.epoch(epoch);
      if (!record) throw new Refusal(404, "unknown-epoch", `epoch ${epoch} is not open on this collector`, field);
      epochs.set(epoch, record);
    }
    return record;
  }

  /** The epoch a submission names: known and open now. */
  async function openEpoch(epoch: number, field: string, now: number): Promise<EpochRecord> {
    const record = await knownEpoch(epoch, field);
    if (!isOpen(record, now)) {
      throw new Refusal(
        409,
        "epoch-closed",
        now < record.start
          ? `epoch ${epoch} opens at ${isoSeconds(record.start)}: submissions are taken from then until ${isoSeconds(record.end)}`
          : `epoch ${epoch} closed at ${isoSeconds(record.end)}: it takes no more submissions`,
        field,
      );
    }
    return record;
  }

  const accepted = (result: { created: boolean; replaced?: string }, digest: string): Answer => ({
    status: result.created ? 201 : 200,
    body: {
      status: "accepted",
      digest,
      ...(result.replaced === undefined ? {} : { replaced: result.replaced }),
    } satisfies AcceptedAnswer,
  });

  const postReport: Handler = async ({ req }) => {
    const { report, signature } = parseBody(WorkReportBody, await readJson(req));
    const problem = signatureProblem(signature);
    if (problem) throw badSignature(problem);
    const now = options.now();
    const epoch = await openEpoch(report.epoch, "report.epoch", now);
    checkTime(epoch, report.submittedAt, now, "report.submittedAt");
    const team = report.contributor.startsWith(TEAM_PREFIX);
    if (team) {
      if (report.contributor.length === TEAM_PREFIX.length) {
        throw new Refusal(422, "bad-contributor", `"team:" needs a team name`, "report.contributor");
      }
    } else if (!/^0x[0-9a-f]{40}$/.test(report.contributor) || report.contributor === ZERO_ADDRESS) {
      throw new Refusal(
        422,
        "bad-contributor",
        /^0x[0-9a-fA-F]{40}$/.test(report.contributor) && report.contributor !== ZERO_ADDRESS
          ? "an individual contributor is written as the lowercase address"
          : "the contributor is the lowercase address of the member who signs, or team:<name>",
        "report.contributor",
      );
    }
    const { digest, signer } = encoded(() => reportSigner(domain, report, signature));
    if (signer === undefined) throw badSignature("the signature recovers no signer");
    if (!team && signer !== report.contributor) {
      throw new Refusal(
        422,
        "wrong-signer",
        `the report is signed by ${signer}, not by its contributor ${report.contributor}`,
        "signature",
      );
    }
    const result = await store.addReport({
      ...report,
      signer,
      signature: signature.toLowerCase(),
      digest,
      receivedAt: now,
    });
    return accepted(result, digest);
  };

  const postBallot: Handler = async ({ req }) => {
    const { ballot, signature } = parseBody(BallotBody, await readJson(req));
    const voter = checkedAddress(ballot.voter, "ballot.voter");
    const problem = signatureProblem(signature);
    if (problem) throw badSignature(problem);
    const now = options.now();
    const epoch = await openEpoch(ballot.epoch, "ballot.epoch", now);
    checkTime(epoch, ballot.castAt, now, "ballot.castAt");
    const maxPoints = BigInt(epoch.maxPoints);
    ballot.votes.forEach((vote, i) => {
      if (i > 0) {
        const order = compareWorkIds(ballot.votes[i - 1]!.workId, vote.workId);
        if (order === 0) {
          throw new Refusal(
            422,
            "duplicate-work",
            `the ballot names work "${vote.workId}" twice`,
            `ballot.votes.${i}.workId`,
          );
        }
        if (order > 0) {
          throw new Refusal(
            422,
            "votes-not-sorted",
            `the votes must be sorted by work id (byte order): "${vote.workId}" comes after "${ballot.votes[i - 1]!.workId}"`,
            `ballot.votes.${i}.workId`,
          );
        }
      }
      if (BigInt(vote.points) > maxPoints || BigInt(vote.points) > MAX_UINT64) {
        throw new Refusal(
          422,
          "points-out-of-range",
          `${vote.points} points are more than epoch ${epoch.epoch}'s maxPoints (${epoch.maxPoints})`,
          `ballot.votes.${i}.points`,
        );
      }
    });
    const { digest, signer } = encoded(() => ballotSigner(domain, ballot, signature));
    if (signer === undefined) throw badSignature("the signature recovers no signer");
    if (signer !== voter) {
      throw new Refusal(
        422,
        "wrong-signer",
        `the ballot is signed by ${signer}, not by its voter ${voter}`,
        "signature",
      );
    }
    const result = await store.addBallot({
      epoch: ballot.epoch,
      voter,
      castAt: ballot.castAt,
      signature: signature.toLowerCase(),
      digest,
      receivedAt: now,
      votes: ballot.votes.map((v) => ({ workId: v.workId, points: v.points })),
    });
    return accepted(result, digest);
  };

  const postEpoch: Handler = async ({ req }) => {
    requireAdmin(req);
    const body = parseBody(OpenEpochBody, await readJson(req));
    if (body.end < body.start) {
      throw new Refusal(422, "bad-window", `end ${body.end} is before start ${body.start}`, "end");
    }
    if (body.maxPoints !== undefined && BigInt(body.maxPoints) > MAX_UINT64) {
      throw new Refusal(
        422,
        "bad-max-points",
        "maxPoints is at most 2^64 − 1: points are signed as uint64",
        "maxPoints",
      );
    }
    const record: EpochRecord = {
      epoch: body.epoch,
      start: body.start,
      end: body.end,
      maxPoints: body.maxPoints ?? DEFAULT_MAX_POINTS,
    };
    const result = await store.openEpoch(record);
    return { status: result.created ? 201 : 200, body: epochInfo(record, options.now()) };
  };

  const putTeams: Handler = async ({ req, params }) => {
    requireAdmin(req);
    const epoch = parseEpochParam(params.epoch!);
    const body = parseBody(TeamsBody, await readJson(req));
    const seen = new Set<string>();
    const teams: TeamRecord[] = body.teams.map((t, i) => {
      const where = `teams.${i}`;
      if (/^\s|\s$|[\u0000-\u001f\u007f]/.test(t.team)) {
        throw new Refusal(
          422,
          "bad-teams",
          `a team name has no white space at its ends and no control characters`,
          `${where}.team`,
        );
      }
      if (seen.has(t.team)) throw new Refusal(422, "bad-teams", `team "${t.team}" is listed twice`, `${where}.team`);
      seen.add(t.team);
      const members = new Set<string>();
      let sum = 0;
      const list = t.members.map((m, j) => {
        const field = `${where}.members.${j}.member`;
        const member = checkedAddress(m.member, field, 422, "bad-teams");
        if (member === ZERO_ADDRESS) {
          throw new Refusal(422, "bad-teams", "the zero address cannot be a team member: nobody holds its key", field);
        }
        if (members.has(member)) throw new Refusal(422, "bad-teams", `${member} is twice in team "${t.team}"`, field);
        members.add(member);
        sum += m.shareBps;
        return { member, shareBps: m.shareBps };
      });
      if (sum !== 10000) {
        throw new Refusal(
          422,
          "bad-teams",
          `the shares of team "${t.team}" sum to ${sum}, not 10000`,
          `${where}.members`,
        );
      }
      return { team: t.team, members: list };
    });
    await store.setTeams(epoch, teams);
    return { status: 200, body: { epoch, teams: await teamsAnswer(epoch) } };
  };

  async function teamsAnswer(epoch: number): Promise<TeamRecord[]> {
    const out: TeamRecord[] = [];
    for (const m of await store.teams(epoch)) {
      if (out.at(-1)?.team !== m.team) out.push({ team: m.team, members: [] });
      out.at(-1)!.members.push({ member: m.member, shareBps: m.shareBps });
    }
    return out;
  }

  const routes: RouteSpec[] = [
    { template: COLLECTOR_ROUTES.health, methods: { GET: async () => ({ status: 200, body: { status: "ok" } }) } },
    {
      template: COLLECTOR_ROUTES.info,
      methods: {
        GET: async () => {
          const now = options.now();
          return {
            status: 200,
            body: {
              chainId: options.chainId.toString(),
              pool: getAddress(options.pool),
              epochs: (await store.epochs()).map((e) => epochInfo(e, now)),
            } satisfies CollectorInfo,
          };
        },
      },
    },
    { template: COLLECTOR_ROUTES.epochs, methods: { POST: postEpoch } },
    {
      template: COLLECTOR_ROUTES.epoch(PARAM.epoch),
      methods: {
        GET: async ({ params }) => ({
          status: 200,
          body: epochInfo(await knownEpoch(parseEpochParam(params.epoch!)), options.now()),
        }),
      },
    },
    { template: COLLECTOR_ROUTES.teams(PARAM.epoch), methods: { PUT: putTeams } },
    { template: COLLECTOR_ROUTES.reports, methods: { POST: postReport } },
    { template: COLLECTOR_ROUTES.ballots, methods: { POST: postBallot } },
    {
      template: COLLECTOR_ROUTES.ballot(PARAM.epoch, PARAM.voter),
      methods: {
        GET: async ({ params }) => {
          const epoch = parseEpochParam(params.epoch!);
          if (!/^0x[0-9a-fA-F]{40}$/.test(params.voter!)) {
            throw new Refusal(400, "invalid-path", `${JSON.stringify(params.voter)} is not an address`, "voter");
          }
          const voter = params.voter!.toLowerCase();
          await knownEpoch(epoch);
          const ballot = await store.ballot(epoch, voter);
          if (!ballot) throw new Refusal(404, "no-ballot", `${voter} has no ballot in epoch ${epoch}`);
          const body: BallotBody = {
            ballot: { voter, epoch, castAt: ballot.castAt, votes: ballot.votes },
            signature: ballot.signature,
          };
          return { status: 200, body };
        },
      },
    },
    {
      template: COLLECTOR_ROUTES.feed(PARAM.epoch),
      methods: {
        GET: async ({ params }) => {
          const epoch = parseEpochParam(params.epoch!);
          await knownEpoch(epoch);
          const [reports, votes] = await Promise.all([store.reports(epoch), store.currentVotes(epoch)]);
          // Read after the reports: a team that has a report can no longer change (setTeams), so these are the
          // members of every team work read above.
          const teams = new Map<string, string[]>();
          for (const m of await store.teams(epoch)) {
            const key = TEAM_PREFIX + m.team;
            const list = teams.get(key) ?? [];
            list.push(m.member);
            teams.set(key, list);
          }
          const totals = new Map<string, { points: bigint; voters: number }>();
          for (const v of votes) {
            const t = totals.get(v.workId) ?? { points: 0n, voters: 0 };
            t.points += BigInt(v.points);
            t.voters++;
            totals.set(v.workId, t);
          }
          const body: FeedAnswer = {
            epoch,
            works: reports.map((r) => ({
              workId: r.workId,
              contributor: r.contributor,
              category: r.category,
              title: r.title,
              pov: r.pov,
              submittedAt: r.submittedAt,
              ...(r.contributor.startsWith(TEAM_PREFIX) ? { members: teams.get(r.contributor) ?? [] } : {}),
              points: (totals.get(r.workId)?.points ?? 0n).toString(),
              voters: totals.get(r.workId)?.voters ?? 0,
            })),
          };
          return { status: 200, body };
        },
      },
    },
    {
      template: COLLECTOR_ROUTES.export(PARAM.epoch, PARAM.file),
      methods: {
        GET: async ({ params }) => {
          const epoch = parseEpochParam(params.epoch!);
          const file = params.file as ExportFile;
          if (!EXPORT_FILES.includes(file)) {
            throw new Refusal(
              404,
              "not-found",
              `no export ${JSON.stringify(params.file)}: the exports are ${EXPORT_FILES.join(", ")}`,
            );
          }
          await knownEpoch(epoch);
          const text =
            file === "works.csv"
              ? worksCsv(await store.reports(epoch))
              : file === "votes.csv"
                ? votesCsv(await store.currentVotes(epoch))
                : teamsCsv(await store.teams(epoch));
          return { status: 200, body: undefined, csv: { text, filename: `epoch-${epoch}-${file}` } };
        },
      },
    },
  ];

  const cors = (methods: string): Record<string, string> => ({
    "Access-Control-Allow-Origin": options.allowOrigin,
    ...(options.allowOrigin === "*" ? {} : { Vary: "Origin" }),
    "Access-Control-Allow-Methods": methods,
    "Access-Control-Allow-Headers": "Authorization, Content-Type",
    "Access-Control-Max-Age": "600",
  });

  function send(res: ServerResponse, status: number, headers: Record<string, string>, body: string, type: string) {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    res.writeHead(status, {
      ...headers,
      "Content-Type": type,
      "Content-Length": String(Buffer.byteLength(body)),
      "Cache-Control": "no-store",
      "X-Content-Type-Options": "nosniff",
    });
    res.end(body);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let methods = "GET, POST, PUT, OPTIONS";
    try {
      const path = (req.url ?? "").split("?")[0]!;
      let found: { route: RouteSpec; params: Record<string, string> } | undefined;
      for (const route of routes) {
        const params = path.startsWith("/") ? matchTemplate(route.template, path) : undefined;
        if (params) {
          found = { route, params };
          break;
        }
      }
      if (!found)
        throw new Refusal(404, "not-found", `no route ${JSON.stringify(path.slice(0, 200))} on this collector`);
      methods = [...Object.keys(found.route.methods), "OPTIONS"].join(", ");
      if (req.method === "OPTIONS") {
        res.writeHead(204, { ...cors(methods), Allow: methods, "Content-Length": "0" });
        res.end();
        return;
      }
      const handler = found.route.methods[req.method ?? ""];
      if (!handler) {
        throw new Refusal(405, "method-not-allowed", `${req.method} is not allowed here: use ${methods}`, undefined, {
          Allow: methods,
        });
      }
      const answer = await handler({ req, params: found.params });
      if (answer.csv) {
        send(
          res,
          answer.status,
          { ...cors(methods), "Content-Disposition": `attachment; filename="${answer.csv.filename}"` },
          answer.csv.text,
          "text/csv; charset=utf-8",
        );
      } else {
        send(res, answer.status, cors(methods), JSON.stringify(answer.body), "application/json; charset=utf-8");
      }
    } catch (error) {
      if (error instanceof Refusal) {
        send(
          res,
          error.status,
          { ...cors(methods), ...error.headers },
          JSON.stringify(error.answer()),
          "application/json; charset=utf-8",
        );
        // Past the limit, the rest of the body is not read: the connection closes after the answer.
        if (error.status === 413) res.on("finish", () => setTimeout(() => req.socket.destroy(), 1000).unref());
        return;
      }
      log(`collector: internal error on ${req.method} ${req.url}: ${(error as Error)?.stack ?? String(error)}`);
      send(
        res,
        500,
        cors(methods),
        JSON.stringify({ error: { code: "internal", message: "the collector failed to answer; try again later" } }),
        "application/json; charset=utf-8",
      );
    }
  }

  const server = createServer(
    { keepAliveTimeout: 5_000, requestTimeout: 60_000, headersTimeout: 30_000 },
    (req, res) => {
      void handle(req, res);
    },
  );
  server.on("clientError", (error, socket) => {
    if (socket.writable) socket.end("HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
    else socket.destroy(error);
  });
  return server;
}

function sha256(text: string): Buffer {
  return createHash("sha256").update(text, "utf8").digest();
}
