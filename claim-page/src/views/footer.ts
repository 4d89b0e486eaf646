/** The footer: which chain, pool, token and artifacts the page reads. */
import { $, h, replace } from "../dom";
import { state } from "../state";

export function renderFooter() {
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
