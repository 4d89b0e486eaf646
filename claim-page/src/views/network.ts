/** The wrong-network alert, with its "Switch network" button; hidden while the wallet is on the pool's chain. */
import { switchNetwork } from "../actions";
import { $, h, replace } from "../dom";
import { state, wrongChain } from "../state";

export function renderNetwork() {
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
      `Your wallet is on chain ${state.chainId}; the rewards pool is on ${state.config.chainName} (chain ${state.config.chainId}). Switch networks to ${state.route === "claim" ? "claim" : "sign"}.`,
    ),
    h(
      "button",
      { type: "button", id: "switch-network", class: "primary", onclick: () => void switchNetwork() },
      "Switch network",
    ),
  );
}
