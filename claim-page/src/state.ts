/**
 * The page's state, and what redraws the page from it. Views register with `mount`; actions change `state`,
 * then call `render()` (or `setStatus` for the transaction status line).
 */
import type { AccountView, Deployment } from "./claims";
import type { PageConfig } from "./config";
import type { Wallet } from "./wallet";

export type TxStatus = { kind: "info" | "pending" | "confirmed" | "failed"; text: string; hash?: string };

export interface State {
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

export const state: State = { wallets: [], loading: false, busy: false };

/** A wallet is connected, but to another chain than the pool's. */
export const wrongChain = () => state.account !== undefined && state.chainId !== state.config?.chainId;

/** The parts of the page, each drawn by one view. */
export type Part = "wallet" | "network" | "rewards" | "footer" | "status";

/** What `render()` redraws: every part but the status line, which only `setStatus` redraws. */
const PAGE: Part[] = ["wallet", "network", "rewards", "footer"];

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
