/**
 * The claim page: connect a wallet, see every published epoch for the account, claim all claimable
 * epochs in one claimMany transaction. Plain DOM; every piece of untrusted text goes through textContent.
 *
 * This file wires the parts: the state and its redraw (state.ts), the views (views/), the actions (actions.ts).
 */
import "./style.css";
import { getAddress, isAddress } from "ethers";
import { refresh } from "./actions";
import { connectDeployment } from "./claims";
import { loadConfig } from "./config";
import { mount, render, state } from "./state";
import { copyExactAmounts } from "./views/amount";
import { renderFooter } from "./views/footer";
import { renderNetwork } from "./views/network";
import { renderRewards } from "./views/rewards";
import { renderStatus } from "./views/status";
import { renderWallet } from "./views/wallet";
import { discoverWallets } from "./wallet";

mount("wallet", renderWallet);
mount("network", renderNetwork);
mount("rewards", renderRewards);
mount("footer", renderFooter);
mount("status", renderStatus);
copyExactAmounts();

async function start() {
  discoverWallets((wallets) => {
    state.wallets = wallets;
    render("wallet");
  });
  render();
  try {
    state.config = await loadConfig(window.location);
    render("footer");
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
