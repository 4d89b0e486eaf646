/** The transaction status line (a polite live region): progress and outcome, with the transaction's hash. */
import { $, h } from "../dom";
import { state } from "../state";

export function renderStatus() {
  const tx = state.tx;
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
