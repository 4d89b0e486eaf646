/**
 * The claim page: connect a wallet, see every published epoch for the account, claim all claimable
 * epochs in one claimMany transaction. Plain DOM; every piece of untrusted text goes through textContent.
 */
import "./style.css";
import { BrowserProvider, Contract, getAddress, isAddress } from "ethers";
import { POOL_ABI } from "./abi";
import {
  claimsOf,
  connectDeployment,
  loadAccount,
  stillUnclaimed,
  type AccountView,
  type Deployment,
  type EpochRow,
} from "./claims";
import { loadConfig, type PageConfig } from "./config";
import { describeError } from "./errors";
import { formatAmount, formatDuration, formatTime, shortAddress } from "./format";
import { discoverWallets, legacyWallet, requestAccounts, switchChain, walletChainId, type Wallet } from "./wallet";

type TxStatus = { kind: "info" | "pending" | "confirmed" | "failed"; text: string; hash?: string };

interface State {
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

const state: State = { wallets: [], loading: false, busy: false };

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

/** Tiny element builder: attributes, then children (strings become text nodes, never HTML). */
function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | boolean | undefined | ((e: Event) => void)> = {},
  ...children: (Node | string | undefined | false)[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    if (typeof value === "function") el.addEventListener(key.replace(/^on/, ""), value);
    else if (value === true) el.setAttribute(key, "");
    else el.setAttribute(key, value);
  }
  for (const child of children) {
    if (child === undefined || child === false) continue;
    el.append(child);
  }
  return el;
}

/** Replaces the children of `container`, keeping keyboard focus on the element with the same id. */
function replace(container: HTMLElement, ...children: (Node | string | undefined | false)[]) {
  const focused = document.activeElement?.id;
  container.replaceChildren(...children.filter((c): c is Node | string => c !== undefined && c !== false));
  if (focused && !document.activeElement?.id) document.getElementById(focused)?.focus();
}

function setStatus(tx: TxStatus | undefined) {
  state.tx = tx;
  const box = $("status");
  box.className = tx ? `status status-${tx.kind}` : "status";
  if (!tx) {
    box.replaceChildren();
    return;
  }
  const parts: (Node | string)[] = [tx.text];
  if (tx.hash) {
    const url = state.config?.explorerTxUrl?.replaceAll("{hash}", tx.hash);
    parts.push(
      " Transaction: ",
      url ? h("a", { href: url, target: "_blank", rel: "noopener" }, tx.hash) : h("code", { class: "hash" }, tx.hash),
    );
  }
  box.replaceChildren(...parts);
}

const wrongChain = () => state.account !== undefined && state.chainId !== state.config?.chainId;

/* ------------------------------------------------------------------ rendering */

function renderWallet() {
  const section = $("wallet");
  if (state.fatal) {
    replace(section);
    return;
  }
  if (state.account && state.wallet) {
    replace(
      section,
      h(
        "p",
        { class: "connected" },
        "Connected with ",
        h("strong", {}, state.wallet.info.name),
        ": ",
        h("code", { id: "account", title: state.account }, state.account),
      ),
      lookupForm(),
    );
    return;
  }
  const wallets = state.wallets.length > 0 ? state.wallets : [legacyWallet()].filter((w): w is Wallet => !!w);
  const buttons = wallets.map((w) =>
    h(
      "button",
      {
        type: "button",
        class: "primary",
        id: `connect-${w.info.uuid}`,
        "data-wallet": w.info.name,
        onclick: () => connect(w),
      },
      w.info.icon.startsWith("data:image/")
        ? h("img", { src: w.info.icon, alt: "", width: "20", height: "20" })
        : undefined,
      `Connect ${w.info.name}`,
    ),
  );
  replace(
    section,
    h("h2", { id: "wallet-heading" }, "Connect your wallet"),
    buttons.length > 0
      ? h("div", { class: "wallets" }, ...buttons)
      : h(
          "p",
          { id: "no-wallet" },
          "No wallet found in this browser. Install a wallet extension or open this page in your wallet's browser — or look up an address below to see its rewards.",
        ),
    lookupForm(),
  );
}

function lookupForm(): HTMLFormElement {
  const input = h("input", {
    id: "lookup",
    name: "address",
    type: "text",
    inputmode: "text",
    autocomplete: "off",
    spellcheck: "false",
    placeholder: "0x…",
    "aria-describedby": "lookup-help",
  });
  return h(
    "form",
    {
      class: "lookup",
      onsubmit: (event: Event) => {
        event.preventDefault();
        const value = input.value.trim();
        if (!isAddress(value)) {
          setStatus({ kind: "failed", text: `“${value}” is not an address.` });
          return;
        }
        state.viewing = getAddress(value);
        void refresh();
      },
    },
    h("label", { for: "lookup" }, state.account ? "Look up another address" : "Look up an address"),
    h("div", { class: "row" }, input, h("button", { type: "submit", id: "lookup-submit" }, "Show rewards")),
    h("small", { id: "lookup-help" }, "Anyone may submit a claim; the tokens always go to the address in the proof."),
  );
}

function renderNetwork() {
  const box = $("network");
  if (!state.config || !wrongChain()) {
    replace(box);
    box.hidden = true;
    return;
  }
  box.hidden = false;
  replace(
    box,
    h(
      "p",
      {},
      h("strong", {}, "Wrong network. "),
      `Your wallet is on chain ${state.chainId}; the rewards pool is on ${state.config.chainName} (chain ${state.config.chainId}). Switch networks to claim.`,
    ),
    h(
      "button",
      { type: "button", id: "switch-network", class: "primary", onclick: () => void doSwitch() },
      "Switch network",
    ),
  );
}

/** `10%`, `0.01%`, `33.33%`: basis points as a percentage. */
const percent = (bps: number) => `${bps / 100}%`;

/**
 * When the reputation shown decays next, e.g. "decays 10% when epoch 4 becomes final on 2030-01-08 00:00 UTC":
 * every score decays once more, with no transaction, when the next epoch's challenge period ends.
 */
function decayNote(view: AccountView, decayBps: number): string | undefined {
  if (view.reputation === 0n) return undefined;
  if (decayBps === 0) return "does not decay";
  const rate = `decays ${percent(decayBps)}`;
  const next = view.nextDecay;
  return next
    ? `${rate} when epoch ${next.epoch} becomes final on ${formatTime(next.at)}`
    : `${rate} when the next epoch becomes final`;
}

const VERDICTS: Record<EpochRow["verdict"], string> = {
  claimable: "Claimable",
  claimed: "Already claimed",
  upcoming: "Not yet claimable",
  expired: "Expired",
  vetoed: "Vetoed",
  "not-eligible": "Not eligible",
  refused: "Refused",
  unavailable: "Unavailable",
};

function verdictDetail(row: EpochRow, now: number): string {
  switch (row.verdict) {
    case "claimable":
      return `until ${formatTime(row.chain.expiresAt)}`;
    case "claimed":
      return "paid to this address";
    case "upcoming":
      return `opens in ${formatDuration(row.chain.claimableAt - now)} (${formatTime(row.chain.claimableAt)})`;
    case "expired":
      return `the claim window closed ${formatTime(row.chain.expiresAt)}`;
    case "vetoed":
      return "the guardian rejected this epoch's root: it pays nothing";
    case "not-eligible":
      return "no reward for this address in this epoch";
    case "refused":
      return `${row.problem ?? "the artifacts do not match the chain"}: this page will not claim it`;
    case "unavailable":
      return row.problem ?? "the artifacts could not be loaded";
  }
}

function renderRewards() {
  const section = $("rewards");
  const d = state.deployment;
  if (state.fatal) {
    replace(
      section,
      h("div", { class: "alert", role: "alert", id: "fatal" }, h("strong", {}, "The page cannot start. "), state.fatal),
    );
    return;
  }
  if (!d) {
    replace(section, h("p", { "aria-busy": "true" }, "Reading the pool…"));
    return;
  }
  if (!state.viewing) {
    replace(section, h("p", { class: "muted" }, "Connect a wallet to see your rewards."));
    return;
  }
  section.setAttribute("aria-busy", String(state.loading));
  if (state.loadError) {
    replace(
      section,
      h("div", { class: "alert", role: "alert" }, `Could not read the rewards: ${state.loadError}`),
      refreshButton(),
    );
    return;
  }
  const view = state.view;
  if (!view || view.account !== state.viewing) {
    replace(section, h("p", {}, "Loading epochs…"));
    return;
  }
  const { decimals, symbol } = d.token;
  const rows = view.rows.map((row) => {
    const trusted = row.leaf && row.verdict !== "refused" ? row.leaf : undefined;
    return h(
      "tr",
      { "data-epoch": String(row.epoch), "data-verdict": row.verdict },
      h("th", { scope: "row", "data-label": "Epoch" }, String(row.epoch)),
      h(
        "td",
        { "data-label": "Amount", class: "amount", "data-amount": trusted?.amount.toString() },
        trusted ? formatAmount(trusted.amount, decimals, symbol) : "—",
      ),
      h(
        "td",
        { "data-label": "Reputation after epoch", class: "reputation" },
        trusted ? `${trusted.reputation.toString()} ${d.reputationSymbol}` : "—",
      ),
      h(
        "td",
        { "data-label": "Status", class: "verdict" },
        h(
          "div",
          {},
          h("span", { class: `badge badge-${row.verdict}` }, VERDICTS[row.verdict]),
          h("span", { class: "detail" }, verdictDetail(row, view.now)),
        ),
      ),
    );
  });
  const refused = view.rows.filter((r) => r.verdict === "refused");
  const claims = claimsOf(view);
  const reason = !state.account
    ? "Connect a wallet to claim."
    : wrongChain()
      ? "Switch your wallet to the pool's network to claim."
      : view.paused
        ? "The guardian paused the pool: claims are stopped until it is unpaused."
        : claims.length === 0
          ? "Nothing to claim right now."
          : undefined;
  const epochsText = claims.map((c) => c.epoch.toString()).join(", ");
  const decay = decayNote(view, d.decayBps);
  replace(
    section,
    h("h2", { id: "rewards-heading" }, "Rewards of ", h("code", { title: view.account }, shortAddress(view.account))),
    h(
      "dl",
      { class: "summary" },
      h(
        "div",
        {},
        h("dt", {}, "Total claimable"),
        h("dd", { id: "total-claimable" }, formatAmount(view.claimable, decimals, symbol)),
      ),
      h(
        "div",
        {},
        h("dt", {}, "Current reputation (on chain)"),
        h("dd", { id: "reputation" }, `${view.reputation.toString()} ${d.reputationSymbol}`),
        decay && h("dd", { id: "reputation-decay", class: "decay" }, decay),
      ),
    ),
    refused.length > 0 &&
      h(
        "div",
        { class: "alert", role: "alert", id: "refused" },
        h("strong", {}, "Published claims refused. "),
        ...refused.map((r) => `Epoch ${r.epoch}: ${r.problem ?? "mismatch"}. `),
        "These epochs are not claimed from this page; tell the DAO's epoch operator.",
      ),
    view.rows.length === 0
      ? h("p", { id: "no-epochs" }, "No epoch has been published yet.")
      : h(
          "table",
          { id: "epochs" },
          h("caption", {}, "Every published epoch"),
          h(
            "thead",
            {},
            h(
              "tr",
              {},
              h("th", { scope: "col" }, "Epoch"),
              h("th", { scope: "col" }, "Amount"),
              h("th", { scope: "col" }, "Reputation after epoch"),
              h("th", { scope: "col" }, "Status"),
            ),
          ),
          h("tbody", {}, ...rows),
        ),
    h(
      "div",
      { class: "actions" },
      h(
        "button",
        {
          type: "button",
          id: "claim-all",
          class: "primary",
          disabled: reason !== undefined || state.busy,
          "aria-describedby": reason ? "claim-hint" : undefined,
          onclick: () => void claimAll(),
        },
        claims.length > 1
          ? `Claim all (epochs ${epochsText})`
          : claims.length === 1
            ? `Claim epoch ${epochsText}`
            : "Claim all",
      ),
      refreshButton(),
      reason && h("p", { id: "claim-hint", class: "muted" }, reason),
    ),
  );
}

function refreshButton() {
  return h(
    "button",
    { type: "button", id: "refresh", disabled: state.loading || state.busy, onclick: () => void refresh() },
    "Refresh",
  );
}

function renderFooter() {
  const d = state.deployment;
  const c = state.config;
  if (!c) return;
  replace(
    $("deployment"),
    h(
      "p",
      {},
      `${c.chainName} (chain ${c.chainId}) · pool `,
      h("code", {}, c.pool),
      d ? ` · token ${d.token.symbol} ` : "",
      d ? h("code", {}, d.token.address) : "",
      " · artifacts ",
      h("code", { title: c.artifactsBaseUrl }, c.artifactsBase),
    ),
  );
}

function render() {
  renderWallet();
  renderNetwork();
  renderRewards();
  renderFooter();
}

/* ------------------------------------------------------------------ actions */

async function refresh() {
  const d = state.deployment;
  const account = state.viewing;
  if (!d || !account) return render();
  state.loading = true;
  state.loadError = undefined;
  render();
  try {
    const view = await loadAccount(d, account);
    if (state.viewing === account) state.view = view;
  } catch (error) {
    state.loadError = (error as Error).message;
  } finally {
    state.loading = false;
    render();
  }
}

function onAccounts(accounts: unknown) {
  const list = Array.isArray(accounts) ? accounts.map(String) : [];
  const next = list[0] ? getAddress(list[0]) : undefined;
  const previous = state.account;
  state.account = next;
  if (state.viewing === previous || !state.viewing) state.viewing = next;
  setStatus(undefined);
  void refresh();
}

function onChain(chainId: unknown) {
  state.chainId = Number(BigInt(String(chainId)));
  render();
}

async function connect(wallet: Wallet) {
  if (state.wallet && state.wallet !== wallet) {
    state.wallet.provider.removeListener?.("accountsChanged", onAccounts);
    state.wallet.provider.removeListener?.("chainChanged", onChain);
  }
  setStatus({ kind: "info", text: `Waiting for ${wallet.info.name}…` });
  try {
    const accounts = await requestAccounts(wallet.provider);
    if (accounts.length === 0) throw new Error(`${wallet.info.name} returned no account`);
    state.wallet = wallet;
    state.chainId = await walletChainId(wallet.provider);
    wallet.provider.on?.("accountsChanged", onAccounts);
    wallet.provider.on?.("chainChanged", onChain);
    state.account = getAddress(accounts[0]!);
    state.viewing = state.account;
    setStatus(undefined);
    await refresh();
  } catch (error) {
    setStatus({ kind: "failed", text: `Could not connect: ${describeError(error)}` });
  }
}

async function doSwitch() {
  const { wallet, config } = state;
  if (!wallet || !config) return;
  setStatus({ kind: "info", text: `Asking ${wallet.info.name} to switch to ${config.chainName}…` });
  try {
    await switchChain(wallet.provider, {
      chainId: config.chainId,
      chainName: config.chainName,
      rpcUrls: config.walletRpcUrls ?? [config.rpcUrl],
      nativeCurrency: config.nativeCurrency,
    });
    state.chainId = await walletChainId(wallet.provider);
    setStatus(wrongChain() ? { kind: "failed", text: "The wallet is still on another network." } : undefined);
    render();
  } catch (error) {
    setStatus({ kind: "failed", text: `Could not switch network: ${describeError(error)}` });
  }
}

async function claimAll() {
  const { wallet, account, config, view, deployment } = state;
  if (!wallet || !account || !config || !view || !deployment || state.busy || wrongChain()) return;
  const all = claimsOf(view);
  if (all.length === 0) return;
  state.busy = true;
  render();
  const plural = (list: { epoch: bigint }[]) =>
    `epoch${list.length > 1 ? "s" : ""} ${list.map((c) => c.epoch.toString()).join(", ")}`;
  try {
    // Right before sending: leave out what was claimed since the page loaded (claims are permissionless).
    const { unclaimed: claims, gone } = await stillUnclaimed(deployment, all);
    const note = gone.length > 0 ? ` (${plural(gone)} had already been claimed meanwhile)` : "";
    if (claims.length === 0) {
      setStatus({ kind: "info", text: `Nothing left to claim${note}.` });
      return;
    }
    setStatus({ kind: "pending", text: `Confirm the claim of ${plural(claims)} in ${wallet.info.name}…${note}` });
    const browser = new BrowserProvider(wallet.provider, config.chainId);
    browser.pollingInterval = 1000;
    const signer = await browser.getSigner(account);
    const pool = new Contract(config.pool, POOL_ABI, signer);
    const tx = await pool.getFunction("claimMany")(claims);
    setStatus({ kind: "pending", text: "Claim sent, waiting for confirmation…", hash: tx.hash });
    const receipt = await tx.wait();
    if (!receipt || receipt.status !== 1) throw new Error("the transaction reverted");
    setStatus({
      kind: "confirmed",
      text: `Confirmed: ${plural(claims)} claimed for ${shortAddress(view.account)}${note}.`,
      hash: tx.hash,
    });
  } catch (error) {
    setStatus({
      kind: "failed",
      text: `Claim failed. ${describeError(error)}`,
      hash: (error as { hash?: string }).hash,
    });
  } finally {
    state.busy = false;
    await refresh();
  }
}

/* ------------------------------------------------------------------ start */

async function start() {
  discoverWallets((wallets) => {
    state.wallets = wallets;
    renderWallet();
  });
  render();
  try {
    state.config = await loadConfig(window.location);
    renderFooter();
    state.deployment = await connectDeployment(state.config);
  } catch (error) {
    state.fatal = (error as Error).message;
  }
  const requested = new URLSearchParams(window.location.search).get("account");
  if (!state.fatal && requested && isAddress(requested)) state.viewing = getAddress(requested);
  render();
  if (state.viewing) await refresh();
}

void start();
