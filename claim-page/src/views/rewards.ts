/**
 * The rewards section: the total claimable and the reputation of the address shown, every published epoch with
 * its amount, reputation and verdict, and the "Claim all" and "Refresh" buttons. Also where a fatal start-up
 * error is shown.
 */
import { claimAll, refresh } from "../actions";
import { claimsOf } from "../claims";
import { $, h, replace } from "../dom";
import { shortAddress } from "../format";
import { state, wrongChain } from "../state";
import { amountElement } from "./amount";
import { decayNote, VERDICTS, verdictDetail } from "./descriptions";

export function renderRewards() {
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
  const rows = view.rows.map((row) => {
    const trusted = row.leaf && row.verdict !== "refused" ? row.leaf : undefined;
    return h(
      "tr",
      { "data-epoch": String(row.epoch), "data-verdict": row.verdict },
      h("th", { scope: "row", "data-label": "Epoch" }, String(row.epoch)),
      h(
        "td",
        { "data-label": "Amount", class: "amount", "data-amount": trusted?.amount.toString() },
        trusted ? amountElement(trusted.amount, d.token) : "—",
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
        h("dd", { id: "total-claimable" }, amountElement(view.claimable, d.token)),
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
