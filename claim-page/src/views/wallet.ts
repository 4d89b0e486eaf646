/** The wallet section: one "Connect …" button per wallet found, or the connected account; the address look-up. */
import { getAddress, isAddress } from "ethers";
import { connect, refresh } from "../actions";
import { $, h, replace } from "../dom";
import { setStatus, state } from "../state";
import { legacyWallet, type Wallet } from "../wallet";

/**
 * Whether the section already shows the view `key` names; else notes it. The page is drawn again as the
 * configuration and the chain come in: a view that has not changed is left as it is, so that a click on a button
 * whose press and release fall either side of a redraw is not lost, and what is typed in the look-up stays.
 */
function unchanged(section: HTMLElement, key: string): boolean {
  if (section.dataset.view === key) return true;
  section.dataset.view = key;
  return false;
}

export function renderWallet() {
  const section = $("wallet");
  // The Report and Vote pages need the configuration and the collector, not the chain: they keep the wallet.
  if (state.fatal && (state.route === "claim" || !state.config)) {
    if (!unchanged(section, "none")) replace(section);
    return;
  }
  if (state.account && state.wallet) {
    if (unchanged(section, JSON.stringify(["connected", state.route === "claim", state.wallet.info, state.account])))
      return;
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
      state.route === "claim" && lookupForm(),
    );
    return;
  }
  const wallets = state.wallets.length > 0 ? state.wallets : [legacyWallet()].filter((w): w is Wallet => !!w);
  if (unchanged(section, JSON.stringify(["wallets", state.route === "claim", wallets.map((w) => w.info)]))) return;
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
          state.route === "claim"
            ? "No wallet found in this browser. Install a wallet extension or open this page in your wallet's browser — or look up an address below to see its rewards."
            : "No wallet found in this browser. Install a wallet extension or open this page in your wallet's browser to report work and vote.",
        ),
    state.route === "claim" && lookupForm(),
  );
}

/** Shows any address's rewards, with or without a wallet. */
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
