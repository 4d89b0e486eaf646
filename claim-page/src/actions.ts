/**
 * What the user can do: connect a wallet, switch it to the pool's chain, refresh the rewards shown, claim every
 * claimable epoch. Each action updates the state and redraws the page.
 */
import { BrowserProvider, Contract, getAddress } from "ethers";
import { EPOCH_REWARDS_ABI } from "../../protocol/index.js";
import { claimsOf, loadAccount, stillUnclaimed } from "./claims";
import { describeError } from "./errors";
import { pageChanged } from "./members";
import { shortAddress } from "./format";
import { render, setStatus, state, wrongChain } from "./state";
import { requestAccounts, switchChain, walletChainId, type Wallet } from "./wallet";

/** Reads the rewards of the address shown again from the chain and the artifacts. */
export async function refresh() {
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
  pageChanged();
  void refresh();
}

function onChain(chainId: unknown) {
  state.chainId = Number(BigInt(String(chainId)));
  render();
}

/** Connects `wallet` (its connect prompt), follows its account and chain, and shows the account's rewards. */
export async function connect(wallet: Wallet) {
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
    pageChanged();
    await refresh();
  } catch (error) {
    setStatus({ kind: "failed", text: `Could not connect: ${describeError(error)}` });
  }
}

/** Asks the wallet to switch to the pool's chain (or to add it). */
export async function switchNetwork() {
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

/** Claims every claimable epoch of the address shown in one claimMany, then reads the chain again. */
export async function claimAll() {
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
    const pool = new Contract(config.pool, EPOCH_REWARDS_ABI, signer);
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
