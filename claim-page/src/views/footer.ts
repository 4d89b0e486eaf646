/** The footer: which chain, pool, token, artifacts and collector the app reads. */
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
      c.collector ? " · collector " : "",
      c.collector ? h("code", { title: c.collector }, c.collectorBase ?? c.collector) : "",
    ),
  );
}
