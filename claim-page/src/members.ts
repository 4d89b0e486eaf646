/**
 * What a member does on the Report and Vote pages: read the collector (its chain, pool and epochs; an epoch's
 * feed; the member's current ballot), check a report or a ballot against the protocol's body schemas, have the
 * wallet sign it (EIP-712, `eth_signTypedData_v4`) and send it to the collector. Each step updates `members` and
 * redraws.
 */
import { TypedDataEncoder, type TypedDataField } from "ethers";
import { z } from "zod";
import {
  BALLOT_TYPES,
  BallotBody,
  sortBallotVotes,
  typedDataDomain,
  WORK_REPORT_TYPES,
  WorkReportBody,
  type CollectorInfo,
  type EpochInfo,
} from "../../protocol/index.js";
import { CollectorRefusal, getBallot, getFeed, getInfo, postBallot, postReport } from "./collector";
import { describeError } from "./errors";
import { shortAddress } from "./format";
import { members, render, setSubmission, state, wrongChain, type ReportDraft } from "./state";
import { errorCode } from "./wallet";

// zod's English messages: its locale is set by a side effect of its entry module, which bundlers may drop.
z.config(z.locales.en());

/** A well-formed signature, to check a body's other fields before anything is signed. */
const PLACEHOLDER_SIGNATURE = `0x${"00".repeat(65)}`;

const nowSeconds = () => Math.floor(Date.now() / 1000);

/**
 * Why the collector cannot be used with this app's deployment, if it cannot: it must serve the chain and the pool
 * of config.json, or members would sign for another pool than the one they claim from.
 */
export function collectorProblem(): string | undefined {
  const { info } = members;
  const config = state.config;
  if (!info || !config) return undefined;
  if (BigInt(info.chainId) !== BigInt(config.chainId)) {
    return `the collector takes signatures for chain ${info.chainId}, but this app's pool is on chain ${config.chainId}`;
  }
  if (info.pool.toLowerCase() !== config.pool.toLowerCase()) {
    return `the collector takes signatures for pool ${info.pool}, but this app's pool is ${config.pool}`;
  }
  return undefined;
}

/** The epoch that takes reports and ballots now (the newest open one), if any. */
export function openEpoch(info: CollectorInfo | undefined = members.info): EpochInfo | undefined {
  return info?.epochs.filter((e) => e.open).sort((a, b) => b.epoch - a.epoch)[0];
}

/** Why the connected member cannot sign now, or undefined if they can. */
export function cannotSign(): string | undefined {
  if (!state.account || !state.wallet) return "Connect a wallet to sign.";
  if (collectorProblem()) return "This collector cannot be used with this app's pool.";
  if (wrongChain()) return "Switch your wallet to the pool's network to sign.";
  if (members.submitting) return "Waiting for the previous signature…";
  return undefined;
}

/** Reads GET info once (again with `force`); then the feed when on the Vote page. */
export async function loadInfo(force = false) {
  const base = state.config?.collector;
  if (!base || members.loadingInfo || (members.info && !force)) return;
  members.loadingInfo = true;
  members.infoError = undefined;
  render("members");
  try {
    members.info = await getInfo(base);
  } catch (error) {
    members.infoError = (error as Error).message;
  } finally {
    members.loadingInfo = false;
    render();
  }
  if (state.route === "vote") await loadFeed();
}

/** The newest feed read started: an older one that ends later is dropped (the account may have changed). */
let feedRead = 0;

/** Reads the open epoch's feed and the connected account's current ballot, and pre-fills the points with it. */
export async function loadFeed() {
  const base = state.config?.collector;
  const epoch = openEpoch();
  if (!base || !epoch) return;
  const read = ++feedRead;
  members.loadingFeed = true;
  members.feedError = undefined;
  render("members");
  const account = state.account;
  try {
    const [feed, ballot] = await Promise.all([
      getFeed(base, epoch.epoch),
      account ? getBallot(base, epoch.epoch, account) : Promise.resolve(undefined),
    ]);
    if (read !== feedRead) return;
    members.feed = feed;
    if (account !== members.ballotOf || ballot?.castAt !== members.ballot?.castAt) {
      // A new account or a newer ballot: show the ballot as the collector holds it.
      members.points = new Map(ballot?.points ?? []);
      members.errors.clear();
    }
    members.ballot = ballot;
    members.ballotOf = account;
  } catch (error) {
    if (read === feedRead) members.feedError = (error as Error).message;
  } finally {
    if (read === feedRead) {
      members.loadingFeed = false;
      render();
    }
  }
}

/** The page shown changed, or the account: read what that page needs. */
export function pageChanged() {
  if (state.route === "claim" || !state.config?.collector) return;
  if (!members.info) void loadInfo();
  else if (state.route === "vote") void loadFeed();
  else if (state.route === "report") ensureDraft();
}

/** A work id for the member: `<epoch>-<8 hex digits>`, e.g. `7-3fa91c0e`. */
export function newWorkId(epoch: number): string {
  const bytes = crypto.getRandomValues(new Uint8Array(4));
  return `${epoch}-${[...bytes].map((b) => b.toString(16).padStart(2, "0")).join("")}`;
}

/** The report being written, created for the open epoch when there is none (or it was for another epoch). */
export function ensureDraft(): ReportDraft | undefined {
  const epoch = openEpoch();
  if (!epoch) return undefined;
  if (!members.report || !members.report.workId.startsWith(`${epoch.epoch}-`)) {
    members.report = {
      workId: newWorkId(epoch.epoch),
      category: state.config?.categories[0] ?? "",
      title: "",
      pov: [""],
      contributor: "me",
      team: "",
    };
  }
  return members.report;
}

/** The form field of a body path (`report.pov.2`, `ballot.votes.0.points`), as the element id that shows it. */
export function fieldId(path: readonly (string | number | symbol)[], votes?: readonly { workId: string }[]): string {
  const [root, name, index] = path.map(String);
  if (root === "report") {
    if (name === "workId") return "report-work-id";
    if (name === "category") return "report-category";
    if (name === "title") return "report-title";
    if (name === "pov") return index !== undefined && /^\d+$/.test(index) ? `report-pov-${index}` : "report-pov";
    if (name === "contributor") return members.report?.contributor === "team" ? "report-team" : "report-contributor";
    return "report-form";
  }
  if (root === "ballot" && name === "votes" && index !== undefined && votes) {
    const workId = votes[Number(index)]?.workId;
    if (workId !== undefined) return pointsId(workId);
  }
  return root === "ballot" ? "ballot-form" : "report-form";
}

/** The id of a work's points input on the Vote page. */
export function pointsId(workId: string): string {
  const index = members.feed?.works.findIndex((w) => w.workId === workId) ?? -1;
  return index >= 0 ? `points-${index}` : "ballot-form";
}

/** The first message of every field that fails `schema`. */
function schemaErrors<T>(
  schema: z.ZodType<T>,
  body: unknown,
  votes?: readonly { workId: string }[],
): Map<string, string> {
  const errors = new Map<string, string>();
  const result = schema.safeParse(body);
  if (result.success) return errors;
  for (const issue of result.error.issues) {
    const id = fieldId(issue.path, votes);
    if (!errors.has(id)) errors.set(id, sentence(issue.message));
  }
  return errors;
}

/** zod's "Too big: expected string to have <=200 characters" as a person would read it. */
function sentence(message: string): string {
  const long = /expected (?:string|array) to have <=(\d+) (characters|items)/.exec(message);
  if (long) return `At most ${long[1]} ${long[2] === "items" ? "entries" : "characters"}.`;
  const short = /expected (?:string|array) to have >=(\d+) (characters|items)/.exec(message);
  if (short) return Number(short[1]) === 1 ? "Required." : `At least ${short[1]} ${short[2]}.`;
  return message.charAt(0).toUpperCase() + message.slice(1) + (message.endsWith(".") ? "" : ".");
}

/** Asks the wallet to sign typed data with the domain of the collector's chain and pool. */
async function signTypedData(types: Record<string, TypedDataField[]>, value: Record<string, unknown>) {
  const { wallet, account } = state;
  const info = members.info!;
  const domain = typedDataDomain(BigInt(info.chainId), info.pool);
  const payload = TypedDataEncoder.getPayload(domain, types, value);
  const signature = await wallet!.provider.request({
    method: "eth_signTypedData_v4",
    params: [account, JSON.stringify(payload)],
  });
  if (typeof signature !== "string") throw new Error("the wallet returned no signature");
  return signature;
}

/** The outcome of a failed submission: a refusal with its reason and field, the wallet's no, or an error. */
function failed(what: "report" | "ballot", error: unknown, votes?: readonly { workId: string }[]) {
  if (error instanceof CollectorRefusal) {
    // A refusal that names one field of the form shows at that field too.
    const field = error.field ? fieldId(error.field.split("."), votes) : undefined;
    if (field && !field.endsWith("-form")) members.errors.set(field, error.message);
    setSubmission({
      state: "refused",
      text: `The collector refused the ${what}: ${error.message}`,
      code: error.code,
      reason: error.message,
      field: error.field,
    });
  } else if ((error as { code?: unknown }).code === "ACTION_REJECTED" || errorCode(error) === 4001) {
    setSubmission({ state: "rejected", text: `You rejected the signature in your wallet: the ${what} was not sent.` });
  } else {
    setSubmission({ state: "failed", text: `The ${what} was not sent: ${describeError(error)}` });
  }
}

/** The collector refused because the epoch no longer takes submissions: what the page shows of it is stale. */
function epochGone(): boolean {
  const s = members.submission;
  return s?.state === "refused" && (s.code === "epoch-closed" || s.code === "unknown-epoch");
}

/** Focuses the first field with an error. */
function focusFirstError() {
  const first = [...members.errors.keys()][0];
  if (first) document.getElementById(first)?.focus();
}

/** The report as it will be signed, from the draft. */
function reportOf(draft: ReportDraft, epoch: number) {
  return {
    epoch,
    workId: draft.workId,
    contributor: draft.contributor === "team" ? `team:${draft.team.trim()}` : (state.account ?? "").toLowerCase(),
    category: draft.category,
    title: draft.title.trim(),
    pov: draft.pov.map((link) => link.trim()),
    submittedAt: nowSeconds(),
  };
}

/** Checks the report's fields (before anything is signed), signs it and sends it. */
export async function submitReport() {
  const base = state.config?.collector;
  const draft = members.report;
  const epoch = openEpoch();
  if (!base || !draft || !epoch || cannotSign()) return;
  const report = reportOf(draft, epoch.epoch);
  members.errors = schemaErrors(WorkReportBody, { report, signature: PLACEHOLDER_SIGNATURE });
  if (draft.contributor === "team" && draft.team.trim() === "") members.errors.set("report-team", "Name the team.");
  const blank = draft.pov.findIndex((link) => link.trim() === "");
  if (blank >= 0 && draft.pov.length > 1) members.errors.set(`report-pov-${blank}`, "Enter a link or remove it.");
  if (fieldsNeedFixing()) return;
  members.submitting = true;
  render("members");
  try {
    setSubmission({
      state: "signing",
      text: `Sign the report of work ${report.workId} in ${state.wallet!.info.name}…`,
    });
    const signature = await signTypedData(WORK_REPORT_TYPES, report);
    setSubmission({ state: "signed", text: "Signed. Sending the report to the collector…" });
    const sending = postReport(base, { report, signature });
    setSubmission({ state: "sent", text: "Sent. Waiting for the collector's answer…" });
    const answer = await sending;
    setSubmission({
      state: "accepted",
      text: `Accepted: work ${report.workId} is reported in epoch ${report.epoch}.`,
      digest: answer.digest,
    });
    // The next report gets a new id; the category and the contributor stay.
    members.report = { ...draft, workId: newWorkId(epoch.epoch), title: "", pov: [""] };
    members.feed = undefined;
  } catch (error) {
    failed("report", error);
  } finally {
    members.submitting = false;
    render("members");
  }
  if (epochGone()) await loadInfo(true);
  else if (members.errors.size > 0) focusFirstError();
}

/**
 * Whose work a feed work is for the connected member: `"self"` when the member is its contributor, `"team"` when it
 * is the work of a team the member is in (the feed lists a team work's members), undefined otherwise. The collector
 * refuses a vote on either as a self-vote.
 */
export function ownWork(work: { contributor: string; members?: readonly string[] }): "self" | "team" | undefined {
  const account = state.account?.toLowerCase();
  if (!account) return undefined;
  if (work.contributor.toLowerCase() === account) return "self";
  if (work.members?.some((member) => member.toLowerCase() === account)) return "team";
  return undefined;
}

/** Whether the feed's work is the connected member's own or their team's: not votable, never sent in a ballot. */
export function isOwnWork(work: { contributor: string; members?: readonly string[] }): boolean {
  return ownWork(work) !== undefined;
}

/** Checks the points typed (before anything is signed), signs the whole ballot once and sends it. */
export async function submitBallot() {
  const base = state.config?.collector;
  const epoch = openEpoch();
  const feed = members.feed;
  if (!base || !epoch || !feed || feed.epoch !== epoch.epoch || cannotSign()) return;
  const max = BigInt(epoch.maxPoints);
  members.errors = new Map();
  const votes: { workId: string; points: string }[] = [];
  for (const work of feed.works) {
    if (isOwnWork(work)) continue;
    const text = (members.points.get(work.workId) ?? "").trim();
    if (text === "") continue;
    if (!/^\d+$/.test(text) || BigInt(text) > max) {
      members.errors.set(pointsId(work.workId), `Whole points from 0 to ${max}.`);
      continue;
    }
    votes.push({ workId: work.workId, points: BigInt(text).toString() });
  }
  const sorted = sortBallotVotes(votes);
  const castAt = Math.max(nowSeconds(), (members.ballot?.castAt ?? 0) + 1);
  const ballot = { voter: (state.account ?? "").toLowerCase(), epoch: epoch.epoch, castAt, votes: sorted };
  if (members.errors.size === 0) {
    members.errors = schemaErrors(BallotBody, { ballot, signature: PLACEHOLDER_SIGNATURE }, sorted);
    if (sorted.length === 0) members.errors.set("ballot-form", "Give points to at least one work.");
  }
  if (fieldsNeedFixing()) return;
  members.submitting = true;
  render("members");
  try {
    const count = `${sorted.length} vote${sorted.length > 1 ? "s" : ""}`;
    setSubmission({ state: "signing", text: `Sign your ballot (${count}) in ${state.wallet!.info.name}…` });
    const signature = await signTypedData(BALLOT_TYPES, ballot);
    setSubmission({ state: "signed", text: "Signed. Sending the ballot to the collector…" });
    const sending = postBallot(base, { ballot, signature });
    setSubmission({ state: "sent", text: "Sent. Waiting for the collector's answer…" });
    const answer = await sending;
    setSubmission({
      state: "accepted",
      text: `Accepted: your ballot of epoch ${epoch.epoch} (${count}) by ${shortAddress(ballot.voter)}${answer.replaced ? " replaces your previous one" : ""}.`,
      digest: answer.digest,
    });
  } catch (error) {
    failed("ballot", error, sorted);
  } finally {
    members.submitting = false;
    render("members");
  }
  if (epochGone()) await loadInfo(true);
  else if (members.submission?.state === "accepted") await loadFeed();
  else if (members.errors.size > 0) focusFirstError();
}

/** When the form has field errors: says so, shows them, focuses the first, and returns true (nothing is signed). */
function fieldsNeedFixing(): boolean {
  const n = members.errors.size;
  if (n === 0) return false;
  setSubmission({ state: "failed", text: `Nothing was signed: ${n} field${n > 1 ? "s need" : " needs"} fixing.` });
  render("members");
  focusFirstError();
  return true;
}
