/**
 * The app's state, and what redraws the page from it. Views register with `mount`; actions change `state`,
 * then call `render()` (or `setStatus` for the transaction status line).
 */
import type { CollectorInfo, FeedAnswer } from "../../protocol/index.js";
import type { AccountView, Deployment } from "./claims";
import type { CurrentBallot } from "./collector";
import type { PageConfig } from "./config";
import type { Wallet } from "./wallet";

export type TxStatus = { kind: "info" | "pending" | "confirmed" | "failed"; text: string; hash?: string };

/** The app's pages, one per hash route: `#/` (claim), `#/report`, `#/vote`. */
export type Route = "claim" | "report" | "vote";

/**
 * Where a signed report or ballot is: the wallet is asked to sign, it signed, the collector has it, and then the
 * collector accepted it (with its digest) or refused it (with its code, reason and field); or the wallet refused to
 * sign, or something else failed.
 */
export type Submission =
  | { state: "signing" | "signed" | "sent"; text: string }
  | { state: "accepted"; text: string; digest: string }
  | { state: "refused"; text: string; code: string; reason: string; field?: string }
  | { state: "rejected" | "failed"; text: string };

/** What the member is writing in the report form (kept across redraws). */
export interface ReportDraft {
  workId: string;
  category: string;
  title: string;
  pov: string[];
  contributor: "me" | "team";
  team: string;
}

export interface MembersState {
  /** GET info, once read; `infoError` if it could not be. */
  info?: CollectorInfo;
  infoError?: string;
  loadingInfo: boolean;
  /** The feed and the connected account's current ballot of the epoch shown on the Vote page. */
  feed?: FeedAnswer;
  ballot?: CurrentBallot;
  /** Which account `ballot` belongs to. */
  ballotOf?: string;
  feedError?: string;
  loadingFeed: boolean;
  report?: ReportDraft;
  /** Points typed in the Vote page, by work id ("" or absent: no vote on that work). */
  points: Map<string, string>;
  /** Messages of the fields that failed validation (or that the collector named), by field id. */
  errors: Map<string, string>;
  submission?: Submission;
  submitting: boolean;
}

/** The members' pages state. */
export const members: MembersState = {
  loadingInfo: false,
  loadingFeed: false,
  points: new Map(),
  errors: new Map(),
  submitting: false,
};

export interface State {
  route: Route;
  config?: PageConfig;
  deployment?: Deployment;
  fatal?: string;
  wallets: Wallet[];
  wallet?: Wallet;
  account?: string;
  chainId?: number;
  /** The address whose rewards are shown (the connected account, or one looked up). */
  viewing?: string;
  view?: AccountView;
  loading: boolean;
  loadError?: string;
  busy: boolean;
  tx?: TxStatus;
}

export const state: State = { route: "claim", wallets: [], loading: false, busy: false };

/** A wallet is connected, but to another chain than the pool's. */
export const wrongChain = () => state.account !== undefined && state.chainId !== state.config?.chainId;

/** The parts of the page, each drawn by one view. */
export type Part = "nav" | "wallet" | "network" | "rewards" | "members" | "footer" | "status" | "submission";

/** What `render()` redraws: every part but the status lines, which only `setStatus`/`setSubmission` redraw. */
const PAGE: Part[] = ["nav", "wallet", "network", "rewards", "members", "footer"];

const views = new Map<Part, () => void>();

/** Registers the function that draws `part` from the state. */
export function mount(part: Part, draw: () => void) {
  views.set(part, draw);
}

/** Redraws the given parts from the state; with none, the whole page but the status line. */
export function render(...parts: Part[]) {
  for (const part of parts.length > 0 ? parts : PAGE) views.get(part)?.();
}

/** Sets (or clears) the transaction status line and redraws it. */
export function setStatus(tx: TxStatus | undefined) {
  state.tx = tx;
  render("status");
}

/** Sets (or clears) the status line of a report or ballot and redraws it. */
export function setSubmission(submission: Submission | undefined) {
  members.submission = submission;
  render("submission");
}
