/**
 * The members' app: claim the rewards of every published epoch in one claimMany transaction (`#/`), report work
 * (`#/report`) and vote on the epoch's works (`#/vote`) through the DAO's collector. Plain DOM; every piece of
 * untrusted text goes through textContent.
 *
 * This file wires the parts: the state and its redraw (state.ts), the views (views/), the actions (actions.ts for
 * the wallet and claiming, members.ts for reports and ballots), and the hash router.
 */
import "./style.css";
import { getAddress, isAddress } from "ethers";
import { refresh } from "./actions";
import { connectDeployment } from "./claims";
import { loadConfig } from "./config";
import { pageChanged } from "./members";
import { mount, render, setSubmission, state } from "./state";
import { copyExactAmounts } from "./views/amount";
import { renderFooter } from "./views/footer";
import { renderMembers } from "./views/members";
import { renderNav, routeOf } from "./views/nav";
import { renderNetwork } from "./views/network";
import { renderRewards } from "./views/rewards";
import { renderStatus } from "./views/status";
import { renderSubmission } from "./views/submission";
import { renderWallet } from "./views/wallet";
import { discoverWallets } from "./wallet";

mount("nav", renderNav);
mount("wallet", renderWallet);
mount("network", renderNetwork);
mount("rewards", renderRewards);
mount("members", renderMembers);
mount("footer", renderFooter);
mount("status", renderStatus);
mount("submission", renderSubmission);
copyExactAmounts();

/** Follows the location hash: `#/` Claim, `#/report` Report work, `#/vote` Vote. */
function route() {
  const next = routeOf(window.location.hash);
  if (next === undefined || next === state.route) return;
  state.route = next;
  setSubmission(undefined);
  render();
  pageChanged();
}

async function start() {
  state.route = routeOf(window.location.hash) ?? "claim";
  window.addEventListener("hashchange", route);
  discoverWallets((wallets) => {
    state.wallets = wallets;
    render("wallet");
  });
  render();
  try {
    state.config = await loadConfig(window.location);
    render();
    pageChanged();
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
